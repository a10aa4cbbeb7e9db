package protect_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/askfirst/askfirst/protect"
	"github.com/askfirst/askfirst/signals"
)

// User agents as crawlers and browsers send them.
const (
	uaChrome   = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36"
	uaFirefox  = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
	uaVSCode   = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Code/1.90.0 Chrome/122.0.6261.156 Electron/29.4.0 Safari/537.36"
	uaGPTBot   = "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; GPTBot/1.2; +https://openai.com/gptbot)"
	uaChatGPT  = "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko); compatible; ChatGPT-User/1.0; +https://openai.com/bot"
	uaCCBot    = "CCBot/2.0 (https://commoncrawl.org/faq/)"
	uaKangaroo = "Mozilla/5.0 (compatible; Kangaroo Bot/1.0; +https://kangaroo.example)"
	uaPerplex  = "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; PerplexityBot/1.0; +https://perplexity.ai/perplexitybot)"
	uaNotGPT   = "Mozilla/5.0 (compatible; NotGPTBot/1.0)"
	uaCurl     = "curl/8.5.0"
	uaGoogle   = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"
	terms      = "https://pub.example/terms"
	licenceURL = "https://pub.example/license.xml"
)

// policy denies training, licenses AI input and allows search.
func policy() protect.Policy {
	return protect.Policy{
		Uses:  map[signals.Use]signals.Verdict{signals.TrainAI: signals.Deny, signals.AIInput: signals.License, signals.Search: signals.Allow},
		Offer: signals.Offer{Terms: terms, Price: "0.05", Currency: "EUR", Contact: "mailto:rights@pub.example"},
	}
}

// call records what the verifier was asked.
type call struct {
	token string
	url   string
	use   signals.Use
}

// verifier grants "good", refuses "bad" as invalid, "other" as not
// covering, and cannot tell for "down".
type verifier struct {
	mu    sync.Mutex
	calls []call
}

func (v *verifier) VerifyLicense(ctx context.Context, token string, u *url.URL, use signals.Use) error {
	v.mu.Lock()
	v.calls = append(v.calls, call{token, u.String(), use})
	v.mu.Unlock()
	switch token {
	case "good":
		return nil
	case "bad":
		return protect.ErrInvalidToken
	case "other":
		return protect.ErrNotCovered
	}
	return errors.New("licence server unreachable")
}

func serve(t *testing.T, c protect.Config) (*httptest.Server, *atomic.Int64) {
	t.Helper()
	m, err := protect.New(c)
	if err != nil {
		t.Fatal(err)
	}
	var served atomic.Int64
	next := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		served.Add(1)
		w.Header().Set("Content-Type", "text/plain")
		io.WriteString(w, "content of "+r.URL.Path)
	})
	srv := httptest.NewServer(m.Handler(next))
	t.Cleanup(srv.Close)
	return srv, &served
}

func get(t *testing.T, u, ua, auth string) (*http.Response, string) {
	t.Helper()
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, u, nil)
	req.Header.Set("User-Agent", ua)
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

func TestMiddleware(t *testing.T) {
	v := &verifier{}
	srv, served := serve(t, protect.Config{Policy: policy(), Links: protect.LinksFor("https://pub.example"), Verifier: v})
	for _, tt := range []struct {
		name, path, ua, auth string
		status               int
		served               bool
		challenge            string // the WWW-Authenticate error code
	}{
		{name: "browser", path: "/a", ua: uaChrome, status: 200, served: true},
		{name: "firefox", path: "/a", ua: uaFirefox, status: 200, served: true},
		{name: "editor named Code", path: "/a", ua: uaVSCode, status: 200, served: true},
		{name: "curl", path: "/a", ua: uaCurl, status: 200, served: true},
		{name: "no user agent", path: "/a", ua: "", status: 200, served: true},
		{name: "search crawler", path: "/a", ua: uaGoogle, status: 200, served: true},
		{name: "a name that only contains a crawler's", path: "/a", ua: uaNotGPT, status: 200, served: true},
		{name: "training crawler refused", path: "/a", ua: uaGPTBot, status: 403},
		{name: "training crawler, lower case", path: "/a", ua: strings.ToLower(uaGPTBot), status: 403},
		{name: "training crawler without Mozilla", path: "/a", ua: uaCCBot, status: 403},
		{name: "name of two words", path: "/a", ua: uaKangaroo, status: 403},
		{name: "refused crawler reads robots.txt", path: "/robots.txt", ua: uaGPTBot, status: 200, served: true},
		{name: "refused crawler reads the licence", path: "/license.xml", ua: uaGPTBot, status: 200, served: true},
		{name: "AI input crawler without a licence", path: "/a", ua: uaChatGPT, status: 402, challenge: "invalid_request"},
		{name: "AI search crawler without a licence", path: "/a", ua: uaPerplex, status: 402, challenge: "invalid_request"},
		{name: "bearer is not a licence", path: "/a", ua: uaChatGPT, auth: "Bearer good", status: 402, challenge: "invalid_request"},
		{name: "licensed", path: "/a", ua: uaChatGPT, auth: "License good", status: 200, served: true},
		{name: "licensed, scheme in another case", path: "/a", ua: uaChatGPT, auth: "license good", status: 200, served: true},
		{name: "invalid token", path: "/a", ua: uaChatGPT, auth: "License bad", status: 401, challenge: "invalid_token"},
		{name: "token for something else", path: "/a", ua: uaChatGPT, auth: "License other", status: 402, challenge: "insufficient_scope"},
		{name: "licence server down", path: "/a", ua: uaChatGPT, auth: "License down", status: 503},
		{name: "licence crawler reads the licence", path: "/license.xml", ua: uaChatGPT, status: 200, served: true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			before := served.Load()
			resp, body := get(t, srv.URL+tt.path, tt.ua, tt.auth)
			if resp.StatusCode != tt.status {
				t.Fatalf("status %d, want %d (%s)", resp.StatusCode, tt.status, body)
			}
			if got := served.Load() > before; got != tt.served {
				t.Errorf("served by the handler: %v, want %v", got, tt.served)
			}
			// Every response states the policy.
			if got := resp.Header.Get("Content-Usage"); got != "train-ai=n, search=y" {
				t.Errorf("Content-Usage %q", got)
			}
			if got := resp.Header.Get("Link"); got != `<`+licenceURL+`>; rel="license"; type="application/rsl+xml"` {
				t.Errorf("Link %q", got)
			}
			wa := resp.Header.Get("WWW-Authenticate")
			if tt.challenge == "" {
				if wa != "" {
					t.Errorf("WWW-Authenticate %q on a %d", wa, resp.StatusCode)
				}
			} else {
				if !strings.HasPrefix(wa, "License ") || !strings.Contains(wa, `error="`+tt.challenge+`"`) || !strings.Contains(wa, licenceURL) {
					t.Errorf("WWW-Authenticate %q, want the License scheme, error %s and the licence", wa, tt.challenge)
				}
				if !strings.Contains(body, licenceURL) {
					t.Errorf("body %q does not name the licence", body)
				}
			}
			if !tt.served && resp.StatusCode != 503 && resp.Header.Get("Vary") != "User-Agent" {
				t.Errorf("Vary %q on a refusal, want User-Agent", resp.Header.Get("Vary"))
			}
			if tt.status == 503 && resp.Header.Get("Retry-After") == "" {
				t.Errorf("503 without Retry-After")
			}
		})
	}
	// The verifier is asked about the licensed use, with the full URL.
	v.mu.Lock()
	defer v.mu.Unlock()
	if len(v.calls) == 0 {
		t.Fatal("the verifier was never called")
	}
	for _, c := range v.calls {
		if c.use != signals.AIInput || c.url != srv.URL+"/a" {
			t.Errorf("verifier asked %+v, want ai-input for %s/a", c, srv.URL)
		}
	}
}

// Without a verifier, a token is never accepted.
func TestMiddlewareNoVerifier(t *testing.T) {
	srv, served := serve(t, protect.Config{Policy: policy()})
	resp, _ := get(t, srv.URL+"/a", uaChatGPT, "License good")
	if resp.StatusCode != 402 || served.Load() != 0 {
		t.Errorf("status %d, served %d; want 402 and nothing served", resp.StatusCode, served.Load())
	}
	if got := resp.Header.Get("Link"); !strings.Contains(got, "</license.xml>") {
		t.Errorf("Link %q, want the root-relative licence", got)
	}
}

// A crawler collecting for several uses is refused only when all are
// denied, and let through when one is allowed or unstated.
func TestMiddlewareMixedUses(t *testing.T) {
	for _, tt := range []struct {
		name   string
		uses   map[signals.Use]signals.Verdict
		ua     string
		status int
	}{
		{"training allowed", map[signals.Use]signals.Verdict{signals.TrainAI: signals.Allow, signals.AIInput: signals.Deny}, uaGPTBot, 200},
		{"generative training denied, other training unstated", map[signals.Use]signals.Verdict{signals.TrainGenAI: signals.Deny}, uaGPTBot, 200},
		{"ai input denied", map[signals.Use]signals.Verdict{signals.AIInput: signals.Deny}, uaChatGPT, 403},
		{"ai input allowed", map[signals.Use]signals.Verdict{signals.AIInput: signals.Allow}, uaChatGPT, 200},
		{"everything denied, browser", map[signals.Use]signals.Verdict{signals.TrainAI: signals.Deny, signals.AIInput: signals.Deny, signals.Search: signals.Deny}, uaChrome, 200},
	} {
		t.Run(tt.name, func(t *testing.T) {
			srv, _ := serve(t, protect.Config{Policy: protect.Policy{Uses: tt.uses}})
			if resp, body := get(t, srv.URL+"/", tt.ua, ""); resp.StatusCode != tt.status {
				t.Errorf("status %d, want %d: %s", resp.StatusCode, tt.status, body)
			}
		})
	}
}

func TestMiddlewareConcurrent(t *testing.T) {
	v := &verifier{}
	srv, served := serve(t, protect.Config{Policy: policy(), Verifier: v})
	var wg sync.WaitGroup
	for k := range 40 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ua, auth, want := uaChrome, "", 200
			switch k % 4 {
			case 1:
				ua, want = uaGPTBot, 403
			case 2:
				ua, want = uaChatGPT, 402
			case 3:
				ua, auth = uaChatGPT, "License good"
			}
			req, _ := http.NewRequest(http.MethodGet, srv.URL+"/x", nil)
			req.Header.Set("User-Agent", ua)
			if auth != "" {
				req.Header.Set("Authorization", auth)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Error(err)
				return
			}
			resp.Body.Close()
			if resp.StatusCode != want {
				t.Errorf("%s: %d, want %d", ua, resp.StatusCode, want)
			}
		}()
	}
	wg.Wait()
	if served.Load() != 20 {
		t.Errorf("served %d, want 20", served.Load())
	}
}

func TestNewRefusesBadPolicy(t *testing.T) {
	_, err := protect.New(protect.Config{Policy: protect.Policy{Uses: map[signals.Use]signals.Verdict{signals.AIInput: signals.License}}})
	if err == nil || !strings.Contains(err.Error(), "terms") {
		t.Errorf("New with a licence and no terms: %v", err)
	}
}
