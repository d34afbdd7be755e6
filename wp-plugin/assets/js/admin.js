/**
 * PET, every PET screen: small behaviours declared in the markup instead of inline handlers.
 * - a form with data-pet-confirm="question" is submitted only when the user confirms;
 * - a link with data-pet-print prints the page.
 */
(function () {
	document.addEventListener('submit', function (e) {
		var f = e.target;
		if (f && f.dataset && f.dataset.petConfirm && !window.confirm(f.dataset.petConfirm)) {
			e.preventDefault();
		}
	});
	document.addEventListener('click', function (e) {
		var a = e.target && e.target.closest ? e.target.closest('[data-pet-print]') : null;
		if (a) {
			e.preventDefault();
			window.print();
		}
	});
})();
