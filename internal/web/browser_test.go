package web_test

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"

	"github.com/askfirst/askfirst/internal/cli"
	"github.com/askfirst/askfirst/internal/identify"
)

// Browser tests: a real headless Chromium walks every flow of the web app
// as a person would, checks every page with axe-core, and writes
// screenshots of every page at desktop and phone width to
// $ASKFIRST_SCREENSHOTS (or a temporary folder named in the log).
//
// They need /usr/bin/chromium (Debian's chromium, or $ASKFIRST_CHROMIUM)
// and axe-core's axe.min.js named by $ASKFIRST_AXE (.ci/run installs
// both); without Chromium they skip, loudly.

// chromium returns the browser to drive, or skips the test saying why.
func chromium(t testing.TB) string {
	t.Helper()
	p := os.Getenv("ASKFIRST_CHROMIUM")
	if p == "" {
		p = "/usr/bin/chromium"
	}
	if _, err := exec.LookPath(p); err != nil {
		msg := fmt.Sprintf("SKIPPING THE BROWSER TESTS: no Chromium at %s (apt-get install chromium, or set ASKFIRST_CHROMIUM); the web app's flows are NOT tested", p)
		fmt.Fprintln(os.Stderr, "askfirst web: "+msg)
		t.Skip(msg)
	}
	return p
}

// axeSource returns axe-core's script, or "" after saying loudly that the
// accessibility checks do not run.
func axeSource(t testing.TB) string {
	t.Helper()
	p := os.Getenv("ASKFIRST_AXE")
	if p == "" {
		fmt.Fprintln(os.Stderr, "askfirst web: ASKFIRST_AXE is not set: the axe-core accessibility checks do NOT run (npm install axe-core, then ASKFIRST_AXE=.../node_modules/axe-core/axe.min.js)")
		t.Log("ASKFIRST_AXE is not set: accessibility checks skipped")
		return ""
	}
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatalf("ASKFIRST_AXE: %v", err)
	}
	return string(b)
}

// browser is one Chromium with a fresh profile.
type browser struct {
	t     testing.TB
	alloc context.Context
	root  context.Context
	shots string
	axe   string
	mu    sync.Mutex
	seen  map[string]bool // pages screenshotted
	// profile is the browser's user data folder, which names its
	// processes.
	profile string
}

func newBrowser(t testing.TB) *browser {
	exe := chromium(t)
	profile := t.TempDir()
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(exe),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("disable-default-apps", true),
		chromedp.Flag("metrics-recording-only", true),
		chromedp.Flag("force-color-profile", "srgb"),
		chromedp.UserDataDir(profile),
		chromedp.WindowSize(1280, 900),
	}
	alloc, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancel)
	root, cancelRoot := chromedp.NewContext(alloc)
	t.Cleanup(cancelRoot)
	if err := chromedp.Do(root, chromedp.Navigate("about:blank")); err != nil {
		t.Fatalf("start Chromium: %v", err)
	}
	shots := os.Getenv("ASKFIRST_SCREENSHOTS")
	if shots == "" {
		var err error
		if shots, err = os.MkdirTemp("", "askfirst-screenshots-"); err != nil {
			t.Fatal(err)
		}
	} else if err := os.MkdirAll(shots, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshots in %s", shots)
	return &browser{t: t, alloc: alloc, root: root, shots: shots, axe: axeSource(t), seen: map[string]bool{}, profile: profile}
}

// tab is one browsing context with its own cookies (a person).
type tab struct {
	b    *browser
	t    testing.TB
	ctx  context.Context
	base string
}

// person opens a new browser context: its own cookies, like another
// person on another computer.
func (b *browser) person(t testing.TB, base string) *tab {
	ctx, cancel := chromedp.NewContext(b.root, chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	// The first action starts the tab's target, which lives as long as the
	// context it is given: give it the tab's own, not a child with a
	// timeout.
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1280, 900)); err != nil {
		t.Fatalf("open a browser context: %v", err)
	}
	return &tab{b: b, t: t, ctx: ctx, base: base}
}

func (tb *tab) do(actions ...chromedp.Action[chromedp.Void]) {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, 3*time.Minute)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		tb.t.Fatalf("browser: %v (at %s)", err, tb.location())
	}
}

func (tb *tab) location() string {
	ctx, cancel := context.WithTimeout(tb.ctx, 5*time.Second)
	defer cancel()
	loc, _ := chromedp.Run(ctx, chromedp.Location())
	return loc
}

func eval[T any](tb *tab, js string) T {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, 3*time.Minute)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](js, chromedp.EvalAwaitPromise))
	if err != nil {
		tb.t.Fatalf("evaluate %q: %v (at %s)", short(js), err, tb.location())
	}
	return v
}

func short(s string) string {
	if len(s) > 120 {
		return s[:120] + "…"
	}
	return s
}

// wait evaluates a JavaScript predicate every 100 ms until it is true. An
// evaluation that fails because the page is navigating is tried again.
func (tb *tab) wait(js string, d time.Duration) {
	tb.t.Helper()
	deadline := time.Now().Add(d)
	var last error
	for time.Now().Before(deadline) {
		ctx, cancel := context.WithTimeout(tb.ctx, 10*time.Second)
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool]("!!("+js+")"))
		cancel()
		if err == nil && ok {
			return
		}
		last = err
		time.Sleep(100 * time.Millisecond)
	}
	body, _ := chromedp.Run(context.WithoutCancel(tb.ctx), chromedp.Evaluate[string](`document.body.innerText`))
	tb.t.Fatalf("waiting %s for %s (last error %v) at %s\npage:\n%s", d, short(js), last, tb.location(), body)
}

// visit opens a page of the app.
func (tb *tab) visit(path string) {
	tb.t.Helper()
	tb.do(chromedp.Navigate(tb.base + path))
}

// submit clicks a button that sends a form and waits for the next page.
func (tb *tab) submit(sel string) {
	tb.t.Helper()
	tb.do(chromedp.Evaluate[chromedp.Void](`window.__stay = true`), chromedp.Click(chromedp.CSS(sel)))
	tb.wait(`!window.__stay && document.readyState === 'complete'`, 60*time.Second)
}

func (tb *tab) typeInto(sel, text string) {
	tb.t.Helper()
	tb.do(chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`document.querySelector(%q).value = ''`, sel)), chromedp.SendKeys(chromedp.CSS(sel), text))
}

func (tb *tab) text(sel string) string {
	tb.t.Helper()
	return eval[string](tb, fmt.Sprintf(`(document.querySelector(%q) || {innerText: ''}).innerText`, sel))
}

// page records the page: axe-core finds no serious or critical
// violation, it fits a phone's width, and it is screenshotted at desktop
// and phone width as name-desktop.png and name-phone.png.
func (tb *tab) page(name string) {
	tb.t.Helper()
	b := tb.b
	if b.axe != "" {
		if !eval[bool](tb, `typeof axe === 'object'`) {
			eval[chromedp.Void](tb, b.axe+"\n;0")
		}
		type violation struct {
			ID, Impact, Help string
			Nodes            []string
		}
		vs := eval[[]violation](tb, `axe.run(document, {resultTypes: ['violations']}).then(r => r.violations
			.filter(v => v.impact === 'serious' || v.impact === 'critical')
			.map(v => ({ID: v.id, Impact: v.impact, Help: v.help, Nodes: v.nodes.slice(0, 5).map(n => n.target.join(' '))})))`)
		for _, v := range vs {
			tb.t.Errorf("page %s: axe %s violation %s: %s at %v", name, v.Impact, v.ID, v.Help, v.Nodes)
		}
	}
	for _, size := range []struct {
		name   string
		w, h   int64
		mobile bool
	}{{"desktop", 1280, 900, false}, {"phone", 390, 844, true}} {
		if size.mobile {
			tb.do(chromedp.EmulateViewport(size.w, size.h, chromedp.EmulateScale(1), chromedp.EmulateMobile))
			if over := eval[int](tb, `document.documentElement.scrollWidth - window.innerWidth`); over > 1 {
				tb.t.Errorf("page %s: %d pixels wider than a phone's screen", name, over)
			}
		} else {
			tb.do(chromedp.EmulateViewport(size.w, size.h))
		}
		ctx, cancel := context.WithTimeout(tb.ctx, time.Minute)
		png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
		cancel()
		if err != nil {
			tb.t.Fatalf("screenshot %s: %v", name, err)
		}
		if err := os.WriteFile(filepath.Join(b.shots, name+"-"+size.name+".png"), png, 0o644); err != nil {
			tb.t.Fatal(err)
		}
	}
	tb.do(chromedp.EmulateViewport(1280, 900))
	b.mu.Lock()
	b.seen[name] = true
	b.mu.Unlock()
}

// dropFiles drops files or folders on the element sel, as a person drags
// them from a file manager (the DevTools protocol's Input.dispatchDragEvent).
func dropFiles(sel string, paths []string) chromedp.Action[chromedp.Void] {
	return func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		var v chromedp.Void
		box, err := chromedp.Evaluate[[]float64]("(r => [r.x + r.width/2, r.y + r.height/2])(document.querySelector("+"'"+sel+"'"+").getBoundingClientRect())")(ctx, t)
		if err != nil {
			return v, err
		}
		data := &input.DragData{Files: paths, DragOperationsMask: 1}
		for _, typ := range []input.DispatchDragEventType{input.DispatchDragEventTypeDragEnter, input.DispatchDragEventTypeDragOver, input.DispatchDragEventTypeDrop} {
			if _, err := cdp.Call(ctx, t, input.DispatchDragEvent, input.DispatchDragEventParams{Type: typ, X: box[0], Y: box[1], Data: data}); err != nil {
				return v, err
			}
		}
		return v, nil
	}
}

// row is a file row of the register page.
type row struct {
	Name, ISCC, Datahash, PDQ, State, Status, Work string
}

// TestBrowserFlows walks the web app as a photographer and an
// organisation would: join, register a folder of photos and texts with
// codes computed in the browser (equal to askfirst id's), declare,
// verify receipts (in the browser and with askfirst verify), verify a
// domain, publish and sign a campaign while its count goes up on another
// page, export and moderate signatures, look a near-copy up, delegate and
// revoke, sign out and in with the keyboard.
func TestBrowserFlows(t *testing.T) {
	b := newBrowser(t)
	app := startApp(t, appOptions{static: wasmStatic(t)})
	jane := b.person(t, app.URL)
	guild := b.person(t, app.URL)
	anon := b.person(t, app.URL)

	// Files: a folder of photos (JPEG and PNG), a text, an HTML page,
	// Markdown, and a WAV.
	folder := filepath.Join(t.TempDir(), "portfolio")
	photos := writeLandscapes(t, folder, 4, 800, 600)
	for _, s := range []string{"cells.png", "letter.txt", "article.html", "field-notes.md", "tones.wav"} {
		data, err := os.ReadFile(filepath.Join("..", "..", "testdata", "samples", s))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(folder, s), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	entries, _ := os.ReadDir(folder)
	var files []string
	for _, e := range entries {
		files = append(files, filepath.Join(folder, e.Name()))
	}

	anon.visit("/")
	anon.page("home")
	anon.visit("/lookup")
	anon.page("lookup")
	anon.visit("/no-such-page")
	anon.page("not-found")

	// Join.
	jane.visit("/join")
	jane.page("join")
	jane.typeInto("#name", "Jane Doe")
	jane.typeInto("#password", "light and shadow 1984")
	jane.typeInto("#password2", "light and shadow 1984")
	jane.typeInto("#email", "jane@example.org")
	jane.submit(`form[action="/join"] button[type=submit]`)
	if !strings.Contains(jane.location(), "what=joined") {
		t.Fatalf("after joining: at %s", jane.location())
	}
	jane.wait(`document.querySelector('[data-index]') && document.querySelector('[data-index]').dataset.verified === 'yes'`, time.Minute)
	jane.page("done")

	// Register the folder, dropped on the page: codes computed in the
	// browser.
	jane.visit("/register")
	jane.page("register-empty")
	jane.do(dropFiles("#drop", []string{folder}))
	jane.wait(`document.getElementById('run').dataset.done === 'yes'`, 3*time.Minute)
	rows := eval[[]row](jane, `Array.from(document.querySelectorAll('#files-table tbody tr')).map(r => ({
		Name: r.dataset.name, ISCC: r.dataset.iscc || '', Datahash: r.dataset.datahash || '', PDQ: r.dataset.pdq || '',
		State: r.dataset.state, Status: r.cells[2].textContent, Work: r.dataset.work || ''}))`)
	jane.page("register")
	if len(rows) != len(files) {
		t.Fatalf("register page lists %d files, want %d", len(rows), len(files))
	}
	works := map[string]string{} // file name → work ID
	for _, r := range rows {
		if !strings.HasPrefix(r.Name, "portfolio/") {
			t.Errorf("dropped file %q: want its path in the dropped folder", r.Name)
		}
		r.Name = filepath.Base(r.Name)
		want, err := identify.File(t.Context(), filepath.Join(folder, r.Name), identify.Options{})
		if err != nil && !strings.HasSuffix(r.Name, ".wav") {
			t.Fatalf("askfirst id %s: %v", r.Name, err)
		}
		if r.State != "registered" {
			t.Errorf("%s: state %q (%s), want registered", r.Name, r.State, r.Status)
			continue
		}
		works[r.Name] = r.Work
		wantPDQ := ""
		if want.PDQ != nil {
			wantPDQ = want.PDQ.Hash
		}
		wantISCC := want.ISCC
		if strings.HasSuffix(r.Name, ".wav") {
			wantISCC = "" // audio: Data- and Instance-Code only in the browser
			if !strings.Contains(r.Status, "Data- and Instance-Code only") {
				t.Errorf("%s: status %q does not say that its Content-Code needs the command line", r.Name, r.Status)
			}
		}
		if r.ISCC != wantISCC || r.Datahash != want.Datahash || r.PDQ != wantPDQ {
			t.Errorf("%s: browser iscc %q datahash %q pdq %q; askfirst id iscc %q datahash %q pdq %q",
				r.Name, r.ISCC, r.Datahash, r.PDQ, wantISCC, want.Datahash, wantPDQ)
		}
		// The units registered are askfirst id's.
		w, err := app.reg.Work(t.Context(), r.Work)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, u := range w.Units {
			got = append(got, u.Code)
		}
		var wantUnits []string
		for _, u := range []string{want.Units.Meta, want.Units.Content, want.Units.Data, want.Units.Instance} {
			if u != "" && !(strings.HasSuffix(r.Name, ".wav") && (u == want.Units.Meta || u == want.Units.Content)) {
				wantUnits = append(wantUnits, u)
			}
		}
		if strings.Join(got, " ") != strings.Join(wantUnits, " ") {
			t.Errorf("%s: units registered %v, askfirst id %v", r.Name, got, wantUnits)
		}
		if want.PDQ != nil && w.PDQQuality != want.PDQ.Quality {
			t.Errorf("%s: PDQ quality %d, askfirst id %d", r.Name, w.PDQQuality, want.PDQ.Quality)
		}
	}
	// The same files again: recognised as registered before.
	jane.visit("/register")
	jane.do(chromedp.SetUploadFiles(chromedp.CSS("#files"), files[:2]))
	jane.wait(`document.getElementById('run').dataset.done === 'yes'`, time.Minute)
	if n := eval[int](jane, `document.querySelectorAll('#files-table tr[data-state=skipped]').length`); n != 2 {
		t.Errorf("registering the same 2 files again: %d skipped, want 2", n)
	}

	// Declare: a licence for two photos, a reservation for the rest. The
	// works just registered come selected.
	jane.visit("/declare?from=1")
	jane.page("declare")
	if n := eval[int](jane, `document.querySelectorAll('input[name=work]:checked').length`); n != len(works) {
		t.Errorf("/declare?from=1 selects %d works, want the %d just registered", n, len(works))
	}
	jane.do(chromedp.Click(chromedp.CSS(`button[data-select=none]`)))
	for _, p := range photos[:2] {
		jane.do(chromedp.Click(chromedp.CSS(fmt.Sprintf(`input[name=work][value=%q]`, works[filepath.Base(p)]))))
	}
	jane.do(chromedp.Click(chromedp.CSS(`input[name="d_train-genai"][value="deny"]`)),
		chromedp.Click(chromedp.CSS(`input[name="d_train-ai"][value="license"]`)))
	jane.typeInto("#price_train-ai", "0.05")
	jane.typeInto("#terms_train-ai", "https://jane.example/licence")
	if preview := eval[string](jane, `document.querySelector('[data-terms-preview]').textContent`); !strings.Contains(preview, `"price": "0.05"`) || !strings.Contains(preview, `"decision": "deny"`) {
		t.Errorf("the exact terms preview shows %q", preview)
	}
	jane.submit(`#declare button[type=submit]`)
	if !strings.Contains(jane.location(), "what=declared") {
		t.Fatalf("after declaring: at %s\n%s", jane.location(), jane.text("main"))
	}
	jane.visit("/declare")
	for _, f := range files {
		if n := filepath.Base(f); works[n] != "" && n != filepath.Base(photos[0]) && n != filepath.Base(photos[1]) {
			jane.do(chromedp.Click(chromedp.CSS(fmt.Sprintf(`input[name=work][value=%q]`, works[n]))))
		}
	}
	jane.do(chromedp.Click(chromedp.CSS(`input[name="d_train-genai"][value="deny"]`)),
		chromedp.Click(chromedp.CSS(`input[name="d_train-ai"][value="deny"]`)))
	jane.submit(`#declare button[type=submit]`)
	jane.visit("/declare")
	applies := eval[map[string]string](jane, `Object.fromEntries(Array.from(document.querySelectorAll('table.works > tbody > tr')).map(r =>
		[r.querySelector('input[name=work]').value, r.querySelector('ul.applies').innerText.replace(/\s+/g, ' ')]))`)
	for name, id := range works {
		want := "Training any AI model: Not allowed"
		if name == filepath.Base(photos[0]) || name == filepath.Base(photos[1]) {
			want = "Training any AI model: Licence needed"
		}
		if !strings.Contains(applies[id], want) || !strings.Contains(applies[id], "Training generative AI: Not allowed") {
			t.Errorf("%s applies today: %q, want %q and generative AI not allowed", name, applies[id], want)
		}
	}
	jane.page("declare-after")

	// Receipts: every one verifies in the browser, and the zip passes
	// askfirst verify.
	jane.visit("/receipts")
	jane.wait(`Array.from(document.querySelectorAll('[data-verify] [data-index]')).every(e => e.dataset.verified)`, 2*time.Minute)
	if bad := eval[[]string](jane, `Array.from(document.querySelectorAll('[data-verify] [data-index]')).filter(e => e.dataset.verified !== 'yes').map(e => e.innerText)`); len(bad) > 0 {
		t.Errorf("receipts not verified in the browser: %v", bad)
	}
	jane.page("receipts")
	zipB64 := eval[string](jane, `fetch('/receipts/all.zip').then(r => r.arrayBuffer()).then(b => {
		let s = ''; const u = new Uint8Array(b); for (let i = 0; i < u.length; i++) s += String.fromCharCode(u[i]); return btoa(s); })`)
	verifyZip(t, app, zipB64)

	// A domain, verified on a loopback site.
	var published sync.Map
	site := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if tok, ok := published.Load("token"); ok && r.URL.Path == "/.well-known/askfirst.txt" {
			fmt.Fprintf(w, "# askfirst\n%s\n", tok)
			return
		}
		http.NotFound(w, r)
	}))
	defer site.Close()
	domain := strings.TrimPrefix(site.URL, "http://")
	jane.visit("/domains")
	jane.typeInto("#domain", domain)
	jane.submit(`form[action="/domains"] button`)
	token := jane.text("details[open] code.secret")
	if !strings.HasPrefix(token, "askfirst-") {
		t.Fatalf("claim page shows token %q", token)
	}
	jane.page("domains-claimed")
	jane.submit(`form[action$="/verify"] button`)
	if msg := jane.text(".error"); !strings.Contains(msg, "is not verified yet") || !strings.Contains(msg, "404") || !strings.Contains(msg, ".well-known/askfirst.txt") {
		t.Errorf("failed verification says %q", msg)
	}
	jane.page("domains-failed")
	published.Store("token", token)
	jane.submit(`form[action$="/verify"] button`)
	if !strings.Contains(jane.location(), "what=domain-verified") {
		t.Fatalf("after verifying: at %s\n%s", jane.location(), jane.text("main"))
	}
	jane.visit("/domains")
	if !strings.Contains(jane.text("main"), "Verified") {
		t.Errorf("domains page after verification:\n%s", jane.text("main"))
	}
	jane.page("domains")

	// A near-copy of a licensed photo, looked up by dropping it.
	near := filepath.Join(t.TempDir(), "near-copy.jpg")
	src, err := os.ReadFile(photos[0])
	if err != nil {
		t.Fatal(err)
	}
	img, err := decodeJPEG(src)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(near, nearCopy(t, img), 0o644); err != nil {
		t.Fatal(err)
	}
	anon.visit("/lookup")
	anon.do(chromedp.SetUploadFiles(chromedp.CSS("#lookup-file"), []string{near}))
	anon.wait(`!!document.getElementById('answer-h')`, time.Minute)
	answer := anon.text(".answer")
	for _, want := range []string{"near-copy.jpg", "Licence needed", "0.05 EUR per work", "Jane Doe", "photo 000"} {
		if !strings.Contains(answer, want) {
			t.Errorf("lookup of the near-copy lacks %q:\n%s", want, answer)
		}
	}
	if !strings.Contains(answer, "the same content code") && !strings.Contains(answer, "bits apart") {
		t.Errorf("lookup of the near-copy does not say how close it is:\n%s", answer)
	}
	anon.page("lookup-answer")

	// An organisation joins and publishes a campaign, fixing a typo before
	// anyone signs.
	guild.visit("/join")
	guild.typeInto("#name", "Photographers Guild")
	guild.do(chromedp.Click(chromedp.CSS(`input[name=kind][value=organisation]`)))
	guild.typeInto("#password", "aperture priority 2.8")
	guild.typeInto("#password2", "aperture priority 2.8")
	guild.submit(`form[action="/join"] button[type=submit]`)
	guild.visit("/campaigns/new")
	guild.page("campaign-new")
	guild.typeInto("#title", "Ask frist")
	guild.typeInto("#statement", "Our photographs may not train AI without our consent and a licence.")
	guild.submit(`form[action="/campaigns"] button[type=submit]`)
	campaign := strings.TrimPrefix(eval[string](guild, `new URLSearchParams(location.search).get('next')`), "/campaigns/")
	guild.visit("/campaigns/" + campaign + "/edit")
	guild.typeInto("#title", "Ask first")
	guild.submit(`form[action$="/edit"] button[type=submit]`)
	guild.visit("/campaigns/" + campaign)
	if h := guild.text("h1"); h != "Ask first" {
		t.Errorf("campaign title after the edit: %q", h)
	}
	guild.page("campaign-own")
	guild.do(chromedp.Evaluate[chromedp.Void](`window.__same = 'not reloaded'`))

	// The anonymous visitor is led to join; Jane signs with a reservation
	// of all her works, and the guild's open page counts it without a
	// reload.
	anon.visit("/campaigns/" + campaign)
	anon.page("campaign")
	if href := eval[string](anon, `document.querySelector('a[href^="/join?next="]').getAttribute('href')`); !strings.Contains(href, "/campaigns/"+campaign) {
		t.Errorf("join link from the campaign: %q", href)
	}
	jane.visit("/campaigns/" + campaign)
	jane.page("campaign-sign")
	jane.do(chromedp.Click(chromedp.CSS(`input[name=reserve]`)))
	jane.submit(`form[action$="/sign"] button[type=submit]`)
	if !strings.Contains(jane.location(), "what=signed") {
		t.Fatalf("after signing: at %s\n%s", jane.location(), jane.text("main"))
	}
	guild.wait(`document.getElementById('count').textContent === '1' && window.__same === 'not reloaded'`, 30*time.Second)
	jane.visit("/campaigns/" + campaign)
	if !strings.Contains(jane.text("#sign"), "You signed this campaign") {
		t.Errorf("campaign page after signing: %q", jane.text("#sign"))
	}
	csv := eval[string](guild, fmt.Sprintf(`fetch('/campaigns/%s/signatures.csv').then(r => r.text())`, campaign))
	if !strings.Contains(csv, "Jane Doe") {
		t.Errorf("CSV export lacks Jane:\n%s", csv)
	}
	guild.visit("/campaigns/" + campaign + "/moderate")
	guild.page("moderate")
	guild.submit(`form[action*="/listing"] button`)
	guild.visit("/campaigns/" + campaign)
	if strings.Contains(guild.text("ul.signatories"), "Jane Doe") || guild.text("#count") != "1" {
		t.Errorf("after hiding Jane: listed %q, count %q", guild.text("ul.signatories"), guild.text("#count"))
	}

	// Jane delegates to the guild, which declares for her; she sees it on
	// her account page, revokes, and the guild can no longer.
	jane.visit("/account")
	jane.typeInto("#organisation", "Photographers Guild")
	jane.submit(`form[action="/account/delegations"] button`)
	janeID := eval[string](jane, `fetch('/account').then(r => r.text()).then(t => t.match(/acc_[a-z0-9]+/)[0])`)
	guild.visit("/account")
	declareForJane := fmt.Sprintf(`fetch('/v1/declarations', {method: 'POST', headers: {'Content-Type': 'application/json',
		'X-CSRF-Token': document.querySelector('meta[name=csrf-token]').content},
		body: JSON.stringify({subject: {kind: 'account'}, on_behalf_of: %q, terms: [{use: 'search', decision: 'allow'}]})}).then(r => r.status)`, janeID)
	if code := eval[int](guild, declareForJane); code != 201 {
		t.Fatalf("the guild declares for Jane: %d", code)
	}
	jane.visit("/account")
	if s := jane.text("#delegated"); !strings.Contains(s, "Photographers Guild") || !strings.Contains(s, "Search engines: Allowed") {
		t.Errorf("Jane's account page does not show what the guild did:\n%s", s)
	}
	jane.page("account")
	jane.submit(`form[action$="/revoke"][action^="/account/delegations/"] button`)
	if !strings.Contains(jane.location(), "what=delegation-revoked") {
		t.Fatalf("after revoking: at %s", jane.location())
	}
	if code := eval[int](guild, declareForJane); code != 403 {
		t.Errorf("the guild declares for Jane after the revocation: %d, want 403", code)
	}

	// Sign out, then in again with the keyboard only.
	jane.submit(`form.signout button`)
	jane.visit("/signin")
	jane.do(chromedp.Click(chromedp.CSS("#name")))
	jane.do(chromedp.SendKeys(chromedp.CSS("#name"), "jane doe"), chromedp.KeyEvent("\t"))
	if focused := eval[string](jane, `document.activeElement.id`); focused != "password" {
		t.Errorf("Tab from the name goes to %q, want the password", focused)
	}
	jane.do(chromedp.Evaluate[chromedp.Void](`window.__stay = true`), chromedp.KeyEvent("wrong password\r"))
	jane.wait(`!window.__stay && document.readyState === 'complete'`, 30*time.Second)
	if msg := jane.text(".error"); !strings.Contains(msg, "wrong") {
		t.Errorf("wrong password says %q", msg)
	}
	jane.page("signin-error")
	jane.do(chromedp.SendKeys(chromedp.CSS("#password"), "light and shadow 1984"), chromedp.Evaluate[chromedp.Void](`window.__stay = true`), chromedp.KeyEvent("\r"))
	jane.wait(`!window.__stay && document.readyState === 'complete'`, 30*time.Second)
	if loc := jane.location(); !strings.HasSuffix(loc, "/account") {
		t.Errorf("after signing in: at %s", loc)
	}

	for _, p := range []string{"home", "join", "done", "register", "declare", "receipts", "domains", "campaign", "campaign-new", "moderate", "lookup", "lookup-answer", "account", "signin-error"} {
		if !b.seen[p] {
			t.Errorf("page %s was not checked", p)
		}
	}
}

// verifyZip unpacks the receipts zip and runs askfirst verify on them.
func verifyZip(t *testing.T, app *testApp, b64 string) {
	t.Helper()
	data, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		t.Fatal(err)
	}
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatalf("receipts zip: %v", err)
	}
	dir := t.TempDir()
	var paths []string
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		buf.ReadFrom(rc)
		rc.Close()
		p := filepath.Join(dir, filepath.Base(f.Name))
		os.WriteFile(p, buf.Bytes(), 0o644)
		paths = append(paths, p)
	}
	if len(paths) < 10 {
		t.Fatalf("receipts zip holds %d files", len(paths))
	}
	var stdout, stderr bytes.Buffer
	args := append([]string{"verify", "--allow-private", "--state", filepath.Join(dir, "state.json"), "--registry", app.URL}, paths...)
	if code := cli.Main(t.Context(), args, strings.NewReader(""), &stdout, &stderr); code != 0 {
		t.Errorf("askfirst verify on the downloaded receipts: exit %d\n%s\n%s", code, stdout.String(), stderr.String())
	}
}

// TestBrowserWithoutWasm: a registry whose WebAssembly module is not
// built says so on the register page, and the page sends each file to be
// hashed on the registry and discarded; the codes are askfirst id's.
func TestBrowserWithoutWasm(t *testing.T) {
	b := newBrowser(t)
	static := t.TempDir()
	entries, err := os.ReadDir("static")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.Name() == "askfirst.wasm" || e.Name() == "wasm_exec.js" {
			continue
		}
		data, err := os.ReadFile(filepath.Join("static", e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		os.WriteFile(filepath.Join(static, e.Name()), data, 0o644)
	}
	app := startApp(t, appOptions{static: static})
	if app.app.WasmMissing() == "" {
		t.Fatal("WasmMissing says nothing is missing")
	}
	p := b.person(t, app.URL)
	p.visit("/join")
	p.typeInto("#name", "Kim")
	p.typeInto("#password", "no webassembly here")
	p.typeInto("#password2", "no webassembly here")
	p.submit(`form[action="/join"] button[type=submit]`)
	p.visit("/register")
	if msg := p.text(".notice.warn"); !strings.Contains(msg, "sent to the registry, hashed there and discarded") {
		t.Errorf("register page without the module says %q", msg)
	}
	p.page("register-upload")
	file := filepath.Join("..", "..", "testdata", "samples", "mandelbrot.jpg")
	abs, _ := filepath.Abs(file)
	p.do(chromedp.SetUploadFiles(chromedp.CSS("#files"), []string{abs}))
	p.wait(`document.getElementById('run').dataset.done === 'yes'`, time.Minute)
	got := eval[row](p, `(r => ({Name: r.dataset.name, ISCC: r.dataset.iscc, Datahash: r.dataset.datahash, PDQ: r.dataset.pdq,
		State: r.dataset.state, Status: r.cells[2].textContent}))(document.querySelector('#files-table tbody tr'))`)
	want, err := identify.File(t.Context(), file, identify.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got.State != "registered" || got.ISCC != want.ISCC || got.Datahash != want.Datahash || got.PDQ != want.PDQ.Hash {
		t.Errorf("uploaded: %+v; askfirst id: iscc %s datahash %s pdq %s", got, want.ISCC, want.Datahash, want.PDQ.Hash)
	}
}
