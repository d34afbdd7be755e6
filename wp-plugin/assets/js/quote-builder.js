/**
 * PET quote builder (Quotes → a draft version): a live preview of the form's total while
 * editing. Display only: the engine computes the totals that count when the draft is saved.
 * Its text comes from window.petQuoteBuilder (printed before this script).
 */
(function () {
	var f = document.getElementById('pet-quote-builder');
	if (!f) return;
	var text = (window.petQuoteBuilder && window.petQuoteBuilder.preview) || '';
	var cur = f.querySelector('.pet-builder').dataset.currency;
	function n(v) {
		v = String(v || '').replace(',', '.');
		var x = parseFloat(v);
		return isNaN(x) ? 0 : x;
	}
	function upd() {
		var sum = 0;
		f.querySelectorAll('.pet-group').forEach(function (g) {
			var opt = g.querySelector('input[name$="[optional]"]');
			var gs = 0;
			g.querySelectorAll('tr.pet-line').forEach(function (r) {
				var k = r.querySelector('select[name$="[kind]"]').value;
				var q = n(r.querySelector('.pet-qty').value);
				var p = n(r.querySelector('.pet-price').value);
				var gross = k === 'labour' ? p * q / 60 : p * q;
				var dt = r.querySelector('select[name$="[discount_type]"]');
				var d = n(r.querySelector('.pet-disc').value);
				var net = dt && dt.value === 'amount' ? gross - d : gross * (1 - d / 100);
				var tot = net * (1 + n(r.querySelector('.pet-tax').value) / 100);
				gs += tot;
			});
			if (!opt || !opt.checked) sum += gs;
		});
		document.getElementById('pet-live-total').textContent = text + sum.toFixed(2) + ' ' + cur;
	}
	f.addEventListener('input', upd);
	f.addEventListener('change', upd);
	upd();
})();
