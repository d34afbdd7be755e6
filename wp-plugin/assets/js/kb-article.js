/**
 * PET Knowledgebase, new-article form: suggests a slug from the title while the slug is
 * untouched (display help only; the engine checks the slug).
 */
(function () {
	var t = document.getElementById('pet-kb-new-title'), s = document.getElementById('pet-kb-new-slug');
	if (!t || !s) return;
	var touched = s.value !== '';
	s.addEventListener('input', function () { touched = true; });
	t.addEventListener('input', function () {
		if (touched) return;
		s.value = t.value.toLowerCase().normalize('NFD').replace(/[\u0300-\u036f]/g, '')
			.replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 100);
	});
})();
