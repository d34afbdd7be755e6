/**
 * PET quote builder (Quotes → a draft version): a live preview of the form's totals while
 * editing. The engine computes them: the form is posted (debounced) to the REST route
 * pet/v1/quotes/{id}/preview, which reads it exactly as saving would and writes nothing;
 * its formatted total is shown. No arithmetic here. Without JavaScript the saved draft
 * shows the engine's totals. Texts, the route and the REST nonce come from
 * window.petQuoteBuilder (printed before this script).
 */
(function () {
	var f = document.getElementById('pet-quote-builder');
	if (!f || !window.fetch) return;
	var cfg = window.petQuoteBuilder || {};
	var builder = f.querySelector('.pet-builder');
	var out = document.getElementById('pet-live-total');
	if (!builder || !out || !cfg.url) return;
	var url = cfg.url + encodeURIComponent(builder.dataset.quote) + '/preview';
	var timer = null;
	var seq = 0;
	function show(text, state) {
		out.textContent = text;
		out.dataset.state = state;
	}
	function preview() {
		var mine = ++seq;
		show(out.textContent, 'loading');
		var body = new URLSearchParams();
		new FormData(f).forEach(function (v, k) {
			if (k.indexOf('groups[') === 0) body.append(k, v);
		});
		fetch(url, {
			method: 'POST',
			credentials: 'same-origin',
			headers: { 'X-WP-Nonce': cfg.nonce || '' },
			body: body
		}).then(function (r) {
			return r.json().then(function (data) { return { ok: r.ok, data: data }; });
		}).then(function (res) {
			if (mine !== seq) return; // A newer preview is on its way.
			if (res.ok && res.data && res.data.totals) {
				show((cfg.preview || '') + res.data.totals.total.formatted, 'ok');
				return;
			}
			var fields = (res.data && res.data.data && res.data.data.field_errors) || {};
			var first = Object.keys(fields)[0];
			show((cfg.invalid || '') + (first ? first + ': ' + fields[first] : ((res.data && res.data.message) || '')), 'invalid');
		}).catch(function () {
			if (mine === seq) show('', 'error');
		});
	}
	function later() {
		clearTimeout(timer);
		timer = setTimeout(preview, 300);
	}
	f.addEventListener('input', later);
	f.addEventListener('change', later);
	preview();
})();
