// askfirst web app: what every page shares. No framework, no external
// script; everything here only adds to pages that work without it.
'use strict';
document.documentElement.classList.add('js');

const askfirst = (() => {
	const body = document.body;
	const csrf = () => document.querySelector('meta[name="csrf-token"]').content;
	const wasmURL = body.dataset.wasm, execURL = body.dataset.wasmExec, workerURL = body.dataset.worker;
	const canHash = () => typeof WebAssembly === 'object' && !!wasmURL && typeof Worker === 'function';

	// A pool of Web Workers running the WebAssembly module, compiled once
	// here and handed to each worker.
	let poolPromise = null;
	function pool() {
		if (!poolPromise) poolPromise = makePool();
		return poolPromise;
	}
	async function makePool() {
		const module = await WebAssembly.compileStreaming(fetch(wasmURL));
		const n = Math.max(1, Math.min(navigator.hardwareConcurrency || 2, 4));
		const workers = [];
		let seq = 0;
		const waiting = new Map();
		for (let i = 0; i < n; i++) {
			const w = new Worker(workerURL);
			const ready = new Promise((resolve, reject) => {
				w.onmessage = (e) => {
					const m = e.data;
					if (m.type === 'ready') { resolve(); return; }
					if (m.type === 'failed') { reject(new Error(m.error)); return; }
					const job = waiting.get(m.id);
					if (!job) return;
					if (m.type === 'progress') { if (job.onProgress) job.onProgress(m.bytes); return; }
					waiting.delete(m.id);
					job.worker.busy--;
					m.type === 'error' ? job.reject(new Error(m.error)) : job.resolve(m.result);
				};
				w.onerror = (e) => reject(new Error(e.message || 'the worker failed'));
			});
			w.busy = 0;
			w.postMessage({ type: 'init', module, exec: execURL });
			workers.push({ w, ready });
		}
		await Promise.all(workers.map((x) => x.ready));
		const run = (msg, onProgress) => {
			const x = workers.reduce((a, b) => (b.w.busy < a.w.busy ? b : a));
			const id = ++seq;
			x.w.busy++;
			return new Promise((resolve, reject) => {
				waiting.set(id, { resolve, reject, onProgress, worker: x.w });
				x.w.postMessage(Object.assign({ id }, msg));
			});
		};
		return {
			size: n,
			codes: (file, onProgress) => run({ type: 'codes', file }, onProgress).then((s) => JSON.parse(s)),
			verify: (receipt, key) => run({ type: 'verify', receipt, key }).then((s) => JSON.parse(s)),
		};
	}

	// api calls the registry's API as the signed-in session: the session
	// cookie, and the CSRF token of this page in X-CSRF-Token.
	async function api(method, path, body, contentType) {
		const headers = { 'X-CSRF-Token': csrf() };
		let payload = body;
		if (body !== undefined && !(body instanceof Blob)) {
			headers['Content-Type'] = 'application/json';
			payload = JSON.stringify(body);
		} else if (body instanceof Blob) {
			headers['Content-Type'] = contentType || 'application/octet-stream';
		}
		const resp = await fetch(path, { method, headers, body: payload, credentials: 'same-origin' });
		const text = await resp.text();
		let data = null;
		try { data = text ? JSON.parse(text) : null; } catch (e) { data = null; }
		if (!resp.ok) {
			const err = new Error((data && (data.detail || data.title)) || ('HTTP ' + resp.status));
			err.status = resp.status;
			throw err;
		}
		return data;
	}

	// Receipts: every element with data-index inside [data-verify] is
	// checked against the registry's published key by the WebAssembly
	// module (ledger.VerifyReceipt, as askfirst verify does).
	async function verifyReceipts() {
		const items = document.querySelectorAll('[data-verify] [data-index]');
		if (!items.length) return;
		const status = (el) => el.querySelector('.status');
		if (!canHash()) {
			items.forEach((el) => { status(el).textContent = 'Your browser cannot check it here: use askfirst verify on the file'; });
			return;
		}
		try {
			const log = await (await fetch('/v1/log')).json();
			const p = await pool();
			const queue = Array.from(items);
			const next = async () => {
				for (let el; (el = queue.shift());) {
					const s = status(el);
					s.textContent = 'Checking…';
					try {
						const text = await (await fetch('/v1/receipts/' + el.dataset.index)).text();
						const v = await p.verify(text, log.verifier_key);
						if (v.ok) {
							s.textContent = '✔ Verified: in the log (' + v.tree_size + ' entries) signed by ' + v.origin;
							s.className = 'status ok';
						} else {
							s.textContent = '✘ Not verified: ' + v.error;
							s.className = 'status bad';
						}
						el.dataset.verified = v.ok ? 'yes' : 'no';
					} catch (e) {
						s.textContent = '✘ Could not check: ' + e.message;
						s.className = 'status bad';
						el.dataset.verified = 'no';
					}
				}
			};
			await Promise.all([next(), next(), next()]);
		} catch (e) {
			items.forEach((el) => { status(el).textContent = 'Could not check: ' + e.message; });
		}
	}

	// nameToTitle derives a title from a file name as the registry's upload
	// path does (identify.NameFromPath): the base name without its
	// extension, '-' and '_' as spaces.
	function nameToTitle(name) {
		const base = name.split('/').pop();
		const dot = base.lastIndexOf('.');
		return (dot > 0 ? base.slice(0, dot) : base).replace(/[-_]/g, ' ');
	}

	document.addEventListener('DOMContentLoaded', verifyReceipts);
	if (document.readyState !== 'loading') verifyReceipts();
	return { pool, api, canHash, csrf, nameToTitle };
})();
