/**
 * PET type-ahead pickers (markup: PetWp\Picker::render). Each [data-pet-picker] holds a hidden
 * input with the chosen id, a text input with role="combobox" and an empty listbox. Typing
 * asks the REST route pet/v1/<data-pet-picker>?search=…&per_page=10, plus the kind's fixed
 * filters in data-query (e.g. status=active), through wp.apiFetch (which adds the REST nonce)
 * and lists the rows, each labelled by the fields in data-label joined by " · " (as
 * Picker::label does); the fixed choices in data-extras (e.g. "Unassigned") come first.
 * Arrow keys move through the options, Enter or a click chooses,
 * Escape closes. Typing clears the chosen id, so a text that was not chosen is resolved by
 * the server, as without JavaScript.
 */
(function () {
	'use strict';
	if (!window.wp || !window.wp.apiFetch) {
		return; // The plain text field still works: the server resolves what was typed.
	}
	var apiFetch = window.wp.apiFetch;
	var count = 0;

	function setup(root) {
		var hidden = root.querySelector('.pet-picker-value');
		var input = root.querySelector('.pet-picker-input');
		var list = root.querySelector('.pet-picker-list');
		var route = root.getAttribute('data-pet-picker');
		var extras = json('data-extras', []);
		var query = json('data-query', {});
		var fields = json('data-label', ['name']);
		var fixed = Object.keys(query).map(function (k) {
			return '&' + encodeURIComponent(k) + '=' + encodeURIComponent(query[k]);
		}).join('');

		function json(attr, fallback) {
			try {
				return JSON.parse(root.getAttribute(attr) || '') || fallback;
			} catch (e) {
				return fallback;
			}
		}

		function label(it) {
			return fields.map(function (f) {
				return it[f] === null || it[f] === undefined ? '' : String(it[f]);
			}).filter(function (v) {
				return v !== '';
			}).join(' \u00b7 ');
		}
		var options = [];
		var active = -1;
		var timer = null;
		var asked = 0;
		var base = 'pet-picker-' + (++count) + '-';

		function close() {
			list.hidden = true;
			input.setAttribute('aria-expanded', 'false');
			input.removeAttribute('aria-activedescendant');
			active = -1;
		}

		function mark(i) {
			var items = list.children;
			for (var k = 0; k < items.length; k++) {
				items[k].setAttribute('aria-selected', k === i ? 'true' : 'false');
			}
			active = i;
			if (i >= 0 && items[i]) {
				input.setAttribute('aria-activedescendant', items[i].id);
				items[i].scrollIntoView({ block: 'nearest' });
			} else {
				input.removeAttribute('aria-activedescendant');
			}
		}

		function choose(i) {
			var o = options[i];
			if (!o) {
				return;
			}
			hidden.value = o.id;
			input.value = o.label;
			close();
			input.dispatchEvent(new Event('change', { bubbles: true }));
		}

		function show(rows) {
			options = rows;
			list.innerHTML = '';
			rows.forEach(function (o, i) {
				var li = document.createElement('li');
				li.id = base + i;
				li.setAttribute('role', 'option');
				li.setAttribute('aria-selected', 'false');
				li.textContent = o.label;
				li.addEventListener('mousedown', function (e) {
					e.preventDefault(); // keep the focus in the input
					choose(i);
				});
				list.appendChild(li);
			});
			if (rows.length === 0) {
				var none = document.createElement('li');
				none.className = 'pet-picker-empty';
				none.textContent = root.getAttribute('data-empty') || 'No match';
				list.appendChild(none);
			}
			list.hidden = false;
			input.setAttribute('aria-expanded', 'true');
			mark(-1);
		}

		function search() {
			var q = input.value.trim();
			var mine = ++asked;
			var first = extras.filter(function (o) {
				return q === '' || o.label.toLowerCase().indexOf(q.toLowerCase()) !== -1;
			});
			if (q === '') {
				show(first);
				return;
			}
			apiFetch({ path: '/pet/v1/' + route + '?per_page=10' + fixed + '&search=' + encodeURIComponent(q) }).then(function (r) {
				if (mine !== asked) {
					return; // an older answer
				}
				var rows = (r && r.items ? r.items : []).map(function (it) {
					return { id: String(it.id), label: label(it) };
				});
				show(first.concat(rows));
			}).catch(function () {
				if (mine === asked) {
					show(first);
				}
			});
		}

		input.addEventListener('input', function () {
			hidden.value = '';
			clearTimeout(timer);
			timer = setTimeout(search, 200);
		});
		input.addEventListener('focus', function () {
			if (input.value === '' && extras.length) {
				search();
			}
		});
		input.addEventListener('blur', function () {
			setTimeout(close, 100);
		});
		input.addEventListener('keydown', function (e) {
			if (e.key === 'ArrowDown') {
				e.preventDefault();
				if (list.hidden) {
					search();
				} else {
					mark(Math.min(active + 1, options.length - 1));
				}
			} else if (e.key === 'ArrowUp') {
				e.preventDefault();
				mark(Math.max(active - 1, 0));
			} else if (e.key === 'Enter' && !list.hidden && active >= 0) {
				e.preventDefault();
				choose(active);
			} else if (e.key === 'Escape' && !list.hidden) {
				e.preventDefault();
				close();
			}
		});
	}

	document.querySelectorAll('[data-pet-picker]').forEach(setup);
})();
