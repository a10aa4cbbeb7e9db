// askfirst web app: the declare page. The licence fields of a use show
// when "only with a licence" is chosen, the exact terms the form will
// record are previewed as they change, and all works of the page can be
// selected at once.
'use strict';
(() => {
	const form = document.getElementById('declare');
	if (!form) return;
	const preview = form.querySelector('[data-terms-preview]');
	const uses = Array.from(form.querySelectorAll('fieldset.use'));

	function terms() {
		const out = [];
		for (const fs of uses) {
			const u = fs.dataset.use;
			const d = (fs.querySelector('input[name="d_' + u + '"]:checked') || {}).value || '';
			fs.querySelector('.offer').hidden = d !== 'license';
			if (!d) continue;
			const t = { use: u, decision: d };
			if (d === 'license') {
				const v = (n) => form.elements[n + '_' + u].value.trim();
				const o = {};
				if (v('price')) { o.price = v('price'); o.currency = v('currency').toUpperCase(); }
				if (v('terms')) o.terms_url = v('terms');
				if (v('contact')) o.contact = v('contact');
				t.offer = o;
			}
			out.push(t);
		}
		return out;
	}
	function refresh() {
		const t = terms();
		preview.textContent = t.length ? JSON.stringify(t, null, 2) : '[]  (choose at least one use)';
	}
	form.addEventListener('input', refresh);
	form.addEventListener('change', refresh);
	refresh();

	form.querySelectorAll('[data-select]').forEach((b) => b.addEventListener('click', () => {
		const on = b.dataset.select === 'all';
		form.querySelectorAll('input[name="work"]').forEach((c) => { c.checked = on; });
		const works = form.querySelector('input[name="subject"][value="works"]');
		if (on && works) works.checked = true;
	}));
	// Selecting a work chooses "the works I select".
	form.addEventListener('change', (e) => {
		if (e.target.name === 'work' && e.target.checked) {
			const works = form.querySelector('input[name="subject"][value="works"]');
			if (works) works.checked = true;
		}
	});
})();
