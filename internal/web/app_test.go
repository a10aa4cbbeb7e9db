package web_test

import (
	"bytes"
	"crypto/rand"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/note"

	"github.com/askfirst/askfirst/internal/api"
	"github.com/askfirst/askfirst/internal/fetch"
	"github.com/askfirst/askfirst/internal/ledger"
	"github.com/askfirst/askfirst/internal/registry"
	"github.com/askfirst/askfirst/internal/store/sqlite"
	"github.com/askfirst/askfirst/internal/web"
)

// testApp is the registry's API and web app on one loopback server, as
// `askfirst serve` composes them.
type testApp struct {
	URL string
	reg *registry.Registry
	app *web.Server
	log *syncBuffer // every log line of the API and the web app
}

// syncBuffer is a bytes.Buffer safe for concurrent writers.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

type appOptions struct {
	publicURL string
	static    string // a folder of static assets; "" means the embedded ones
}

func startApp(t testing.TB, o appOptions) *testApp {
	t.Helper()
	st, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "registry.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	skey, _, err := note.GenerateKey(rand.Reader, "web.test/log")
	if err != nil {
		t.Fatal(err)
	}
	led, err := ledger.New(skey)
	if err != nil {
		t.Fatal(err)
	}
	if err := led.Init(t.Context(), st); err != nil {
		t.Fatal(err)
	}
	fc, err := fetch.New(fetch.Config{AllowPrivate: true})
	if err != nil {
		t.Fatal(err)
	}
	reg, err := registry.New(t.Context(), registry.Config{Store: st, Ledger: led, Verifier: &registry.NetVerifier{Client: fc, Scheme: "http"}})
	if err != nil {
		t.Fatal(err)
	}
	logs := &syncBuffer{}
	log := slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	cfg := web.Config{Registry: reg, Log: log, PublicURL: o.publicURL}
	if o.static != "" {
		cfg.Static = os.DirFS(o.static)
	}
	app, err := web.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	srv, err := api.New(api.Config{Registry: reg, Log: log, RatePerSecond: 1000, Burst: 1000, Sessions: app})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(web.Compose(srv, app))
	t.Cleanup(hs.Close)
	return &testApp{URL: hs.URL, reg: reg, app: app, log: logs}
}

// visitor is a browser without JavaScript: a client with a cookie jar
// that reads the CSRF token of the pages it gets.
type visitor struct {
	t    testing.TB
	app  *testApp
	c    *http.Client
	csrf string // the token of the last page read
}

func newVisitor(t testing.TB, app *testApp) *visitor {
	jar, _ := cookiejar.New(nil)
	return &visitor{t: t, app: app, c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

var csrfMeta = regexp.MustCompile(`<meta name="csrf-token" content="([^"]+)">`)

// get fetches a page and remembers its CSRF token.
func (v *visitor) get(path string) (int, string) {
	v.t.Helper()
	resp, err := v.c.Get(v.app.URL + path)
	if err != nil {
		v.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if m := csrfMeta.FindSubmatch(b); m != nil {
		v.csrf = string(m[1])
	}
	return resp.StatusCode, string(b)
}

// post submits a form with the remembered CSRF token (unless form sets
// csrf itself) and returns the status, the Location and the body.
func (v *visitor) post(path string, form url.Values, header ...string) (int, string, string) {
	v.t.Helper()
	if _, ok := form["csrf"]; !ok {
		form.Set("csrf", v.csrf)
	}
	req, _ := http.NewRequestWithContext(v.t.Context(), "POST", v.app.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := v.c.Do(req)
	if err != nil {
		v.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if m := csrfMeta.FindSubmatch(b); m != nil {
		v.csrf = string(m[1])
	}
	return resp.StatusCode, resp.Header.Get("Location"), string(b)
}

// join creates an account through the join form and signs it in.
func (v *visitor) join(name, kind, password string) {
	v.t.Helper()
	v.get("/join")
	code, loc, body := v.post("/join", url.Values{"name": {name}, "kind": {kind}, "password": {password}, "password2": {password}})
	if code != http.StatusSeeOther || !strings.HasPrefix(loc, "/done?") {
		v.t.Fatalf("join as %s: %d %s\n%s", name, code, loc, body)
	}
	v.get("/account")
}

// apiCall calls the API as the visitor's session, with or without the
// page's CSRF header.
func (v *visitor) apiCall(method, path, body string, withCSRF bool, header ...string) (int, string) {
	v.t.Helper()
	req, _ := http.NewRequestWithContext(v.t.Context(), method, v.app.URL+path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if withCSRF {
		req.Header.Set(web.CSRFHeader, v.csrf)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := v.c.Do(req)
	if err != nil {
		v.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// TestMain removes the WebAssembly module the tests built, if they built
// one.
func TestMain(m *testing.M) {
	code := m.Run()
	if wasmDir != "" && wasmDir != "static" {
		os.RemoveAll(wasmDir)
	}
	os.Exit(code)
}

// wasmStatic returns a folder of the app's static assets with the
// WebAssembly module and wasm_exec.js, building them (as go generate
// does) when the embedded assets lack them.
var wasmOnce sync.Once
var wasmDir string
var wasmErr error

func wasmStatic(t testing.TB) string {
	t.Helper()
	wasmOnce.Do(func() {
		if _, err := os.Stat(filepath.Join("static", "askfirst.wasm")); err == nil {
			if _, err := os.Stat(filepath.Join("static", "wasm_exec.js")); err == nil {
				wasmDir = "static"
				return
			}
		}
		dir, err := os.MkdirTemp("", "askfirst-web-static-")
		if err != nil {
			wasmErr = err
			return
		}
		entries, _ := os.ReadDir("static")
		for _, e := range entries {
			b, err := os.ReadFile(filepath.Join("static", e.Name()))
			if err == nil {
				os.WriteFile(filepath.Join(dir, e.Name()), b, 0o644)
			}
		}
		start := time.Now()
		build := exec.Command("go", "build", "-trimpath", "-ldflags=-s -w", "-o", filepath.Join(dir, "askfirst.wasm"), "./wasm")
		build.Env = append(os.Environ(), "GOOS=js", "GOARCH=wasm")
		if out, err := build.CombinedOutput(); err != nil {
			wasmErr = err
			t.Logf("build the WebAssembly module: %v\n%s", err, out)
			return
		}
		root, err := exec.Command("go", "env", "GOROOT").Output()
		if err != nil {
			wasmErr = err
			return
		}
		js, err := os.ReadFile(filepath.Join(strings.TrimSpace(string(root)), "lib", "wasm", "wasm_exec.js"))
		if err != nil {
			wasmErr = err
			return
		}
		wasmErr = os.WriteFile(filepath.Join(dir, "wasm_exec.js"), js, 0o644)
		wasmDir = dir
		t.Logf("built the WebAssembly module in %s (go generate ./internal/web makes it part of the binary)", time.Since(start).Round(time.Second))
	})
	if wasmErr != nil {
		t.Fatalf("WebAssembly module: %v", wasmErr)
	}
	return wasmDir
}
