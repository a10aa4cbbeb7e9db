// askfirst web app: the lookup page. A dropped file is hashed in the
// browser; its codes (never the file) go to the registry as the query of
// the lookup page, so the answer is a page anyone can link to.
'use strict';
(() => {
	const drop = document.getElementById('drop');
	if (!drop) return;
	const input = document.getElementById('lookup-file');
	const status = document.getElementById('lookup-status');

	async function look(file) {
		if (!file) return;
		if (!askfirst.canHash()) {
			status.textContent = 'This browser cannot hash the file here. On your computer: askfirst lookup "' + file.name + '"';
			return;
		}
		status.textContent = 'Computing the codes of ' + file.name + '…';
		try {
			const p = await askfirst.pool();
			const r = await p.codes(file, (bytes) => { status.textContent = 'Computing the codes of ' + file.name + '… ' + Math.round(100 * bytes / Math.max(1, file.size)) + '%'; });
			if (!r.units || !r.units.data) throw new Error(r.error || 'no codes');
			const q = new URLSearchParams({ name: file.name });
			if (r.iscc) q.set('iscc', r.iscc);
			if (r.datahash) q.set('datahash', r.datahash);
			if (r.pdq) q.set('pdq', r.pdq.hash);
			for (const k of ['meta', 'content', 'data', 'instance']) if (r.units[k]) q.set(k, r.units[k]);
			status.textContent = 'Asking the registry…';
			location.assign('/lookup?' + q + '#answer-h');
		} catch (e) {
			status.textContent = 'Could not compute the codes: ' + e.message;
		}
	}
	drop.addEventListener('dragover', (e) => { e.preventDefault(); drop.classList.add('over'); });
	drop.addEventListener('dragleave', () => drop.classList.remove('over'));
	drop.addEventListener('drop', (e) => { e.preventDefault(); drop.classList.remove('over'); look(e.dataTransfer.files[0]); });
	input.addEventListener('change', () => look(input.files[0]));
})();
