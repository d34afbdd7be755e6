/**
 * PET, every PET screen: small behaviours declared in the markup instead of inline handlers.
 * - a form with data-pet-confirm="question" is submitted only when the user confirms;
 * - a link with data-pet-print prints the page;
 * - choosing in a picker inside an element with data-pet-sets="selectId:value" sets that
 *   select to that value (the dashboard's filter: choosing a team shows the team's KPIs).
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
	document.addEventListener('change', function (e) {
		var w = e.target && e.target.closest ? e.target.closest('[data-pet-sets]') : null;
		if (!w) {
			return;
		}
		var parts = w.getAttribute('data-pet-sets').split(':');
		var select = document.getElementById(parts[0]);
		if (select && parts.length === 2) {
			select.value = parts[1];
		}
	});
})();
