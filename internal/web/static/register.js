// askfirst web app: the register page. Files dropped or chosen are hashed
// in Web Workers by the WebAssembly module (the same code as askfirst id);
// only their codes are posted, in batches, to POST /v1/works. Without
// WebAssembly each file is posted to POST /v1/works/upload instead, which
// hashes it on the registry and discards it.
'use strict';
(() => {
	const form = document.getElementById('register');
	if (!form) return;
	const me = form.dataset.account;
	const maxUpload = Number(form.dataset.maxUpload) * 1024 * 1024;
	const drop = document.getElementById('drop');
	const run = document.getElementById('run');
	const tbody = document.querySelector('#files-table tbody');
	const progress = document.getElementById('progress');
	const summary = document.getElementById('summary');
	const next = document.getElementById('next');
	const local = askfirst.canHash();
	const batchSize = 200;

	const queue = [];      // files waiting for codes
	const ready = [];      // rows with codes, waiting to be registered
	let total = 0, totalBytes = 0, doneBytes = 0;
	const counts = { registered: 0, skipped: 0, failed: 0 };
	let firstIndex = null, hashing = 0, sending = false, poolP = null;

	function fmtSize(n) {
		if (n < 1024) return n + ' B';
		if (n < 1 << 20) return (n / 1024).toFixed(1) + ' KiB';
		return (n / (1 << 20)).toFixed(1) + ' MiB';
	}

	function addRow(file, name) {
		const tr = document.createElement('tr');
		tr.dataset.name = name;
		const cells = [name, fmtSize(file.size), 'Waiting', '', ''];
		for (const c of cells) {
			const td = document.createElement('td');
			td.textContent = c;
			tr.appendChild(td);
		}
		tr.cells[2].setAttribute('aria-live', 'off');
		tbody.appendChild(tr);
		return tr;
	}

	// setStatus shows a file's state, and under it a note in plain weight.
	function setStatus(row, text, cls, note) {
		const cell = row.cells[2];
		cell.textContent = text;
		if (note) {
			const n = document.createElement('span');
			n.className = 'note';
			n.textContent = note;
			cell.appendChild(n);
		}
		row.dataset.state = cls || '';
		cell.className = cls === 'failed' ? 'bad' : (cls === 'registered' || cls === 'skipped') ? 'ok' : '';
	}

	function update() {
		const finished = counts.registered + counts.skipped + counts.failed;
		progress.max = Math.max(1, totalBytes);
		progress.value = doneBytes;
		summary.textContent = finished + ' of ' + total + ' files done: ' + counts.registered + ' registered, ' +
			counts.skipped + ' registered before, ' + counts.failed + ' failed' +
			(finished < total ? ' — working…' : '.');
		if (finished === total && total > 0) {
			run.dataset.done = 'yes';
			if (firstIndex !== null) {
				next.querySelector('a').href = '/declare?from=' + firstIndex;
				next.hidden = false;
			}
		} else {
			run.dataset.done = 'no';
		}
	}

	function add(files) {
		const list = Array.from(files).filter((f) => !f.name.startsWith('.')); // hidden files (.DS_Store) are not works
		if (!list.length) return;
		run.hidden = false;
		for (const f of list) {
			const name = f.relPath || f.webkitRelativePath || f.name;
			const row = addRow(f, name);
			queue.push({ file: f, name, row, size: f.size });
			total++;
			totalBytes += f.size;
		}
		update();
		pump();
	}

	async function pump() {
		if (local) {
			if (!poolP) poolP = askfirst.pool().catch((e) => { summary.textContent = 'The in-browser hashing could not start (' + e.message + '); reload to use the upload.'; throw e; });
			let p;
			try { p = await poolP; } catch (e) { return; }
			while (queue.length && hashing < p.size * 2) {
				const item = queue.shift();
				hashing++;
				hashOne(p, item).finally(() => { hashing--; pump(); });
			}
			if (!queue.length && hashing === 0) flush(true);
		} else if (!sending) {
			uploadAll();
		}
	}

	async function hashOne(p, item) {
		setStatus(item.row, 'Computing codes…');
		let last = 0;
		try {
			const res = await p.codes(item.file, (bytes) => {
				doneBytes += (bytes - last) / 2; last = bytes;
				setStatus(item.row, 'Computing codes… ' + Math.round(100 * bytes / Math.max(1, item.size)) + '%');
				update();
			});
			doneBytes += (item.size - last) / 2;
			item.res = res;
			const row = item.row;
			// Every row with codes carries the three attributes, empty when
			// a code does not apply (no ISCC-CODE for audio, no PDQ for text).
			row.dataset.iscc = res.iscc || '';
			row.dataset.pdq = res.pdq ? res.pdq.hash : '';
			row.dataset.datahash = res.datahash || '';
			row.cells[3].textContent = res.iscc || (res.units && res.units.data ? 'Data-Code ' + res.units.data : '');
			if (!res.units || !res.units.data) {
				counts.failed++;
				doneBytes += item.size / 2;
				setStatus(row, 'Could not be read', 'failed', res.error || 'no codes');
			} else {
				item.note = res.needs_file ? 'Data- and Instance-Code only: the Content-Code of audio and video needs askfirst register or the upload below'
					: res.error ? 'Data- and Instance-Code only: ' + res.error : '';
				setStatus(row, 'Codes computed');
				ready.push(item);
				flush(false);
			}
		} catch (e) {
			counts.failed++;
			doneBytes += item.size / 2;
			setStatus(item.row, 'Failed', 'failed', e.message);
		}
		update();
	}

	function workInput(item) {
		const r = item.res;
		// The wire's WorkInput: units and pdq have the shape askfirst id gives.
		const w = { datahash: r.datahash, mediatype: r.mediatype, filesize: r.filesize, units: r.units };
		if (r.iscc) w.iscc = r.iscc;
		if (r.pdq) w.pdq = r.pdq;
		const creator = document.getElementById('creator').value.trim();
		if (creator) w.creator = creator;
		if (document.getElementById('titles').checked) w.title = askfirst.nameToTitle(item.name);
		return w;
	}

	// flush registers the works with codes, in batches; with all set,
	// whatever is left.
	async function flush(all) {
		if (sending || !ready.length || (!all && ready.length < batchSize)) return;
		sending = true;
		try {
			while (ready.length && (all || ready.length >= batchSize || (!queue.length && hashing === 0))) {
				const batch = ready.splice(0, batchSize);
				await register(batch);
			}
		} finally {
			sending = false;
		}
		if (!queue.length && hashing === 0 && ready.length) flush(true);
	}

	// register skips the files this account registered before (the same
	// bytes) and registers the others; a batch refused as invalid is
	// retried file by file so that one bad file does not sink the others.
	async function register(batch) {
		batch.forEach((it) => setStatus(it.row, 'Registering…'));
		let todo = batch;
		try {
			const m = await askfirst.api('POST', '/v1/match', { items: batch.map((it) => ({ datahash: it.res.datahash })) });
			todo = [];
			batch.forEach((it, i) => {
				const before = (m.results[i].matches || []).find((x) => x.matched_by === 'datahash' && x.account === me);
				if (before) {
					counts.skipped++;
					doneBytes += it.size / 2;
					setStatus(it.row, 'Registered before', 'skipped', 'work ' + before.work);
				} else {
					todo.push(it);
				}
			});
		} catch (e) {
			todo = batch; // the check is an optimisation; register anyway
		}
		if (!todo.length) { update(); return; }
		try {
			const out = await askfirst.api('POST', '/v1/works', { works: todo.map(workInput) });
			out.works.forEach((w, i) => done(todo[i], w));
		} catch (e) {
			if (e.status === 400 && todo.length > 1) {
				for (const it of todo) await register([it]);
				return;
			}
			for (const it of todo) {
				counts.failed++;
				doneBytes += it.size / 2;
				setStatus(it.row, 'Not registered', 'failed', e.status === 401 ? 'Your session ended: sign in again, then drop the files again.' : e.message);
			}
		}
		update();
	}

	function done(item, w) {
		counts.registered++;
		doneBytes += item.size / 2;
		const idx = w.receipt.index;
		if (firstIndex === null || idx < firstIndex) firstIndex = idx;
		item.row.dataset.work = w.work.id;
		setStatus(item.row, 'Registered', 'registered', item.note);
		const a = document.createElement('a');
		a.href = '/receipts/' + idx + '.json';
		a.textContent = 'entry ' + idx;
		a.setAttribute('download', idx + '.json');
		item.row.cells[4].replaceChildren(a);
	}

	// Without WebAssembly: send each file to be hashed on the registry
	// and discarded.
	async function uploadAll() {
		sending = true;
		try {
			while (queue.length) {
				const item = queue.shift();
				if (item.size > maxUpload) {
					counts.failed++;
					doneBytes += item.size;
					setStatus(item.row, 'Not registered', 'failed', 'Over the upload limit of ' + fmtSize(maxUpload) + ': use askfirst register.');
					update();
					continue;
				}
				setStatus(item.row, 'Sending, hashing, discarding…');
				const q = new URLSearchParams({ filename: item.name.split('/').pop() });
				const creator = document.getElementById('creator').value.trim();
				if (creator) q.set('creator', creator);
				if (document.getElementById('titles').checked) q.set('title', askfirst.nameToTitle(item.name));
				try {
					const out = await askfirst.api('POST', '/v1/works/upload?' + q, item.file);
					const w = out.works[0];
					item.row.dataset.iscc = w.work.iscc || '';
					item.row.dataset.pdq = w.work.pdq ? w.work.pdq.hash : '';
					item.row.dataset.datahash = w.work.datahash || '';
					item.row.cells[3].textContent = w.work.iscc || '';
					doneBytes += item.size / 2;
					done(item, w);
				} catch (e) {
					counts.failed++;
					doneBytes += item.size;
					setStatus(item.row, 'Not registered', 'failed', e.message);
				}
				update();
			}
		} finally {
			sending = false;
		}
	}

	// Folders dropped: walk them (webkitGetAsEntry), keeping relative
	// paths.
	async function entries(items) {
		const out = [];
		const walk = async (entry, path) => {
			if (entry.isFile) {
				const f = await new Promise((res, rej) => entry.file(res, rej));
				f.relPath = path + f.name;
				out.push(f);
			} else if (entry.isDirectory) {
				const reader = entry.createReader();
				for (;;) {
					const batch = await new Promise((res, rej) => reader.readEntries(res, rej));
					if (!batch.length) break;
					for (const e of batch) await walk(e, path + entry.name + '/');
				}
			}
		};
		for (const it of items) {
			const e = it.webkitGetAsEntry && it.webkitGetAsEntry();
			if (e) await walk(e, '');
			else if (it.getAsFile && it.getAsFile()) out.push(it.getAsFile());
		}
		return out;
	}

	drop.addEventListener('dragover', (e) => { e.preventDefault(); drop.classList.add('over'); });
	drop.addEventListener('dragleave', () => drop.classList.remove('over'));
	drop.addEventListener('drop', async (e) => {
		e.preventDefault();
		drop.classList.remove('over');
		const items = Array.from(e.dataTransfer.items || []);
		add(items.length ? await entries(items) : e.dataTransfer.files);
	});
	for (const id of ['files', 'folder']) {
		document.getElementById(id).addEventListener('change', (e) => { add(e.target.files); e.target.value = ''; });
	}
	form.addEventListener('submit', (e) => e.preventDefault());
})();
