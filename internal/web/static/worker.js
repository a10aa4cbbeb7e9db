// askfirst web app: a Web Worker running the WebAssembly module (the
// registry's own Go code for `askfirst id` and `askfirst verify`). It
// reads a dropped file itself (FileReaderSync), so the page stays
// responsive while it hashes.
'use strict';
let ready = null;

self.onmessage = async (e) => {
	const m = e.data;
	if (m.type === 'init') {
		try {
			importScripts(m.exec);
			ready = new Promise((resolve) => { self.askfirstReady = resolve; });
			const go = new Go();
			const inst = await WebAssembly.instantiate(m.module, go.importObject);
			go.run(inst);
			await ready;
			self.postMessage({ type: 'ready' });
		} catch (err) {
			self.postMessage({ type: 'failed', error: String(err && err.message || err) });
		}
		return;
	}
	await ready;
	try {
		let result;
		if (m.type === 'codes') {
			result = await self.askfirst.codes(m.file, (bytes) => self.postMessage({ type: 'progress', id: m.id, bytes }));
		} else if (m.type === 'verify') {
			result = self.askfirst.verify(m.receipt, m.key);
		} else {
			throw new Error('unknown request ' + m.type);
		}
		self.postMessage({ type: 'result', id: m.id, result });
	} catch (err) {
		self.postMessage({ type: 'error', id: m.id, error: String(err && err.message || err) });
	}
};
