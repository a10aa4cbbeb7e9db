// askfirst web app: a campaign's live count. Server-sent events from
// /campaigns/ID/events (each stream lasts a few minutes and the browser
// reconnects); when they are unavailable, a poll every 15 seconds while
// the page is visible.
'use strict';
(() => {
	const box = document.querySelector('[data-events]');
	if (!box) return;
	const count = document.getElementById('count');
	const label = document.getElementById('count-label');
	const show = (n) => {
		if (String(n) === count.textContent) return;
		count.textContent = n;
		label.textContent = n === 1 ? 'signature' : 'signatures';
	};
	let timer = null;
	const poll = () => {
		if (timer) return;
		timer = setInterval(async () => {
			if (document.visibilityState !== 'visible') return;
			try {
				const r = await fetch(box.dataset.poll);
				if (r.ok) show((await r.json()).signatures);
			} catch (e) { /* try again at the next tick */ }
		}, 15000);
	};
	if (!('EventSource' in window)) { poll(); return; }
	const es = new EventSource(box.dataset.events);
	es.addEventListener('count', (e) => show(JSON.parse(e.data).signatures));
	es.onerror = () => { if (es.readyState === EventSource.CLOSED) poll(); };
})();
