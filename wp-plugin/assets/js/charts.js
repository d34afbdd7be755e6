/**
 * PET, charts: draws every <canvas data-pet-chart="{...}"> that View::chart() printed with the
 * bundled Chart.js (window.Chart). The data is the same the table beside it shows; numbers
 * are formatted in the site's language (window.petCharts.locale).
 */
(function () {
	'use strict';
	if (!window.Chart) {
		return;
	}
	var settings = window.petCharts || {};
	var locale = settings.locale || undefined;
	// WordPress admin colours: blue, orange, green, red, purple, grey.
	var colours = ['#2271b1', '#d63638', '#00a32a', '#dba617', '#8c5fb3', '#646970'];

	function format(value, kind) {
		if (value === null || value === undefined) {
			return '';
		}
		var n = new Intl.NumberFormat(locale, { maximumFractionDigits: kind === 'number' ? 0 : 2 }).format(value);
		return kind === 'percent' ? n + ' %' : n;
	}

	function draw(canvas) {
		var config;
		try {
			config = JSON.parse(canvas.getAttribute('data-pet-chart'));
		} catch (e) {
			return;
		}
		var datasets = (config.series || []).map(function (s, i) {
			var colour = colours[i % colours.length];
			return {
				type: s.type,
				label: s.label,
				data: s.data,
				borderColor: colour,
				backgroundColor: s.type === 'bar' ? colour + '99' : colour,
				borderDash: s.dashed ? [6, 4] : [],
				pointRadius: 2,
				spanGaps: true,
				tension: 0
			};
		});
		/* global Chart */
		new Chart(canvas, {
			type: 'line',
			data: { labels: config.labels || [], datasets: datasets },
			options: {
				responsive: true,
				maintainAspectRatio: false,
				animation: false,
				locale: locale,
				interaction: { mode: 'index', intersect: false },
				plugins: {
					legend: { position: 'bottom' },
					tooltip: {
						callbacks: {
							label: function (ctx) {
								return ctx.dataset.label + ': ' + format(ctx.parsed.y, config.format);
							}
						}
					}
				},
				scales: {
					y: {
						beginAtZero: true,
						title: { display: !!config.yLabel, text: config.yLabel || '' },
						ticks: { callback: function (v) { return format(v, config.format); } }
					}
				}
			}
		});
		canvas.setAttribute('data-pet-chart-drawn', '1');
	}

	function drawAll() {
		var list = document.querySelectorAll('canvas[data-pet-chart]:not([data-pet-chart-drawn])');
		for (var i = 0; i < list.length; i++) {
			draw(list[i]);
		}
	}
	if (document.readyState === 'loading') {
		document.addEventListener('DOMContentLoaded', drawAll);
	} else {
		drawAll();
	}
})();
