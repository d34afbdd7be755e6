/**
 * PET, My timesheet: keyboard entry and live totals over the week grid (the form works the
 * same without it).
 * - Arrow up/down move to the same day in the row above/below; arrow left/right move to the
 *   previous/next day when the caret is at the start/end of the text (Tab moves as usual).
 * - Durations are read as the server reads them: minutes (90), h:mm (1:30) or hours (1.5 or
 *   1,5); a cell that is none of these is marked invalid (the server says so on save).
 * - Row, day and week totals follow what is typed: each total starts from what the server
 *   counted (fixed cells, adjustments) less the typed cells' saved minutes.
 */
(function () {
	var table = document.getElementById('pet-timesheet');
	if (!table) {
		return;
	}
	var cfg = window.petTimesheet || {};

	function minutes(text) {
		var t = String(text).trim(), m;
		if (t === '') {
			return 0;
		}
		if (/^\d{1,5}$/.test(t)) {
			return parseInt(t, 10);
		}
		m = /^(\d{1,3}):([0-5]\d)$/.exec(t);
		if (m) {
			return parseInt(m[1], 10) * 60 + parseInt(m[2], 10);
		}
		m = /^(\d{1,3})[.,](\d{1,2})$/.exec(t);
		if (m) {
			return Math.round(parseFloat(m[1] + '.' + m[2]) * 60);
		}
		return null;
	}

	function hm(total) {
		var sign = total < 0 ? '-' : '', a = Math.abs(total), mm = a % 60;
		return sign + Math.floor(a / 60) + ':' + (mm < 10 ? '0' : '') + mm;
	}

	var rows = Array.prototype.slice.call(table.querySelectorAll('tbody tr'));
	var days = Array.prototype.slice.call(table.querySelectorAll('tfoot .pet-day-total'));
	var week = document.getElementById('pet-week-total');
	function inputsOf(row) {
		return Array.prototype.slice.call(row.querySelectorAll('td.pet-cell'));
	}
	function cellInput(row, col) {
		var td = inputsOf(row)[col];
		return td ? td.querySelector('input[type=text]') : null;
	}
	function initial(input) {
		var v = input ? minutes(input.defaultValue) : 0;
		return v === null ? 0 : v;
	}
	// The part of each total the typed cells do not make.
	var rowBase = rows.map(function (row) {
		var total = row.querySelector('.pet-row-total'), sum = 0;
		inputsOf(row).forEach(function (td) {
			sum += initial(td.querySelector('input[type=text]'));
		});
		return (parseInt(total.getAttribute('data-minutes'), 10) || 0) - sum;
	});
	var dayBase = days.map(function (td, col) {
		var sum = 0;
		rows.forEach(function (row) {
			sum += initial(cellInput(row, col));
		});
		return (parseInt(td.getAttribute('data-minutes'), 10) || 0) - sum;
	});

	function recount() {
		var dayTotals = dayBase.slice(), weekTotal = 0;
		rows.forEach(function (row, r) {
			var total = rowBase[r];
			inputsOf(row).forEach(function (td, col) {
				var input = td.querySelector('input[type=text]');
				if (!input) {
					return;
				}
				var v = minutes(input.value);
				var bad = v === null;
				input.classList.toggle('pet-cell-invalid', bad);
				input.setAttribute('aria-invalid', bad ? 'true' : 'false');
				if (!bad) {
					total += v;
					dayTotals[col] += v;
				}
			});
			row.querySelector('.pet-row-total').textContent = hm(total);
		});
		days.forEach(function (td, col) {
			td.textContent = hm(dayTotals[col]);
			td.classList.toggle('pet-day-over', dayTotals[col] > 1440);
			weekTotal += dayTotals[col];
		});
		if (week) {
			week.textContent = hm(weekTotal);
		}
	}

	table.addEventListener('input', recount);
	table.addEventListener('keydown', function (e) {
		var input = e.target;
		if (!input || input.tagName !== 'INPUT' || input.type !== 'text') {
			return;
		}
		var td = input.closest('td.pet-cell'), row = input.closest('tr');
		var r = rows.indexOf(row), col = inputsOf(row).indexOf(td), next = null, i;
		if (e.key === 'ArrowUp' || e.key === 'ArrowDown') {
			var step = e.key === 'ArrowUp' ? -1 : 1;
			for (i = r + step; i >= 0 && i < rows.length && !next; i += step) {
				next = cellInput(rows[i], col);
			}
		} else if (e.key === 'ArrowLeft' && input.selectionStart === 0 && input.selectionEnd === 0) {
			for (i = col - 1; i >= 0 && !next; i--) {
				next = cellInput(row, i);
			}
		} else if (e.key === 'ArrowRight' && input.selectionStart === input.value.length) {
			for (i = col + 1; i < days.length && !next; i++) {
				next = cellInput(row, i);
			}
		}
		if (next) {
			e.preventDefault();
			next.focus();
			next.select();
		}
	});
	table.setAttribute('data-pet-keyboard', cfg.ready || 'ready');
	recount();
})();
