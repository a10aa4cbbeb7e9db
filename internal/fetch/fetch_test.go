package fetch

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func newClient(t *testing.T, cfg Config) *Client {
	t.Helper()
	c, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return c
}

func TestBlocked(t *testing.T) {
	for _, tc := range []struct {
		addr string
		want bool
	}{
		{"127.0.0.1", true},
		{"127.1.2.3", true},
		{"::1", true},
		{"10.1.2.3", true},
		{"172.16.0.1", true},
		{"172.31.255.255", true},
		{"172.32.0.1", false},
		{"192.168.1.1", true},
		{"169.254.169.254", true},
		{"100.64.0.1", true},
		{"100.127.255.255", true},
		{"100.128.0.1", false},
		{"0.0.0.0", true},
		{"::", true},
		{"224.0.0.1", true},
		{"255.255.255.255", true},
		{"fe80::1", true},
		{"fc00::1", true},
		{"fd12:3456::1", true},
		{"ff02::1", true},
		{"::ffff:127.0.0.1", true},
		{"::ffff:10.0.0.1", true},
		{"::ffff:8.8.8.8", false},
		{"64:ff9b::7f00:1", true},                      // NAT64 of 127.0.0.1
		{"64:ff9b::808:808", false},                    // NAT64 of 8.8.8.8
		{"2002:7f00:1::1", true},                       // 6to4 of 127.0.0.1
		{"2002:808:808::1", false},                     // 6to4 of 8.8.8.8
		{"2001:0:4136:e378:8000:63bf:80ff:fffe", true}, // Teredo of 127.0.0.1 (inverted)
		{"198.18.0.1", true},
		{"8.8.8.8", false},
		{"1.1.1.1", false},
		{"2606:4700:4700::1111", false},
	} {
		t.Run(tc.addr, func(t *testing.T) {
			got := Blocked(netip.MustParseAddr(tc.addr))
			if got != tc.want {
				t.Errorf("Blocked(%s) = %v, want %v", tc.addr, got, tc.want)
			}
		})
	}
}

func TestRefusesLoopbackWithoutAllowPrivate(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "secret")
	}))
	defer srv.Close()
	c := newClient(t, Config{})
	_, err := c.Do(t.Context(), Request{URL: srv.URL + "/"})
	if !errors.Is(err, ErrBlockedAddress) {
		t.Fatalf("Do(%s) error = %v, want ErrBlockedAddress", srv.URL, err)
	}
	if !strings.Contains(err.Error(), srv.URL) {
		t.Errorf("error %q does not name the URL %s", err, srv.URL)
	}

	c = newClient(t, Config{AllowPrivate: true})
	resp, err := c.Do(t.Context(), Request{URL: srv.URL + "/"})
	if err != nil {
		t.Fatalf("Do(%s) with AllowPrivate: %v", srv.URL, err)
	}
	if string(resp.Body) != "secret" {
		t.Errorf("body = %q, want %q", resp.Body, "secret")
	}
}

func TestRefusesNameResolvingToLoopback(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "secret")
	}))
	defer srv.Close()
	_, port, _ := net.SplitHostPort(srv.Listener.Addr().String())
	lookup := func(ctx context.Context, host string) ([]netip.Addr, error) {
		if host == "rebind.example" {
			return []netip.Addr{netip.MustParseAddr("127.0.0.1")}, nil
		}
		if host == "mapped.example" {
			return []netip.Addr{netip.MustParseAddr("::ffff:127.0.0.1")}, nil
		}
		return nil, fmt.Errorf("no such host %s", host)
	}
	for _, host := range []string{"rebind.example", "mapped.example"} {
		c := newClient(t, Config{LookupIP: lookup})
		u := "http://" + net.JoinHostPort(host, port) + "/"
		_, err := c.Do(t.Context(), Request{URL: u})
		if !errors.Is(err, ErrBlockedAddress) {
			t.Errorf("Do(%s) error = %v, want ErrBlockedAddress", u, err)
		}
	}
	// The same name is reachable when private addresses are allowed, which
	// proves the refusal came from the address check.
	c := newClient(t, Config{LookupIP: lookup, AllowPrivate: true})
	u := "http://" + net.JoinHostPort("rebind.example", port) + "/"
	if _, err := c.Do(t.Context(), Request{URL: u}); err != nil {
		t.Errorf("Do(%s) with AllowPrivate: %v", u, err)
	}
}

// TestRefusesRedirectToPrivate: the first origin is permitted (as a public
// one would be); its redirect to another loopback address is refused.
func TestRefusesRedirectToPrivate(t *testing.T) {
	inner := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "metadata")
	}))
	ln, err := net.Listen("tcp", "127.0.0.2:0")
	if err != nil {
		t.Skipf("no 127.0.0.2 on this host: %v", err)
	}
	inner.Listener = ln
	inner.Start()
	defer inner.Close()
	outer := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, inner.URL+"/latest/meta-data", http.StatusFound)
	}))
	defer outer.Close()
	c := newClient(t, Config{})
	c.permit = func(a netip.Addr) bool { return a == netip.MustParseAddr("127.0.0.1") }
	_, err = c.Do(t.Context(), Request{URL: outer.URL + "/"})
	if !errors.Is(err, ErrBlockedAddress) {
		t.Fatalf("Do(%s) redirecting to %s: error = %v, want ErrBlockedAddress", outer.URL, inner.URL, err)
	}
	c.permit = func(a netip.Addr) bool { return a.IsLoopback() }
	resp, err := c.Do(t.Context(), Request{URL: outer.URL + "/"})
	if err != nil {
		t.Fatalf("Do(%s) with both permitted: %v", outer.URL, err)
	}
	if want := []string{outer.URL + "/", inner.URL + "/latest/meta-data"}; strings.Join(resp.Chain, " ") != strings.Join(want, " ") {
		t.Errorf("Chain = %q, want %q", resp.Chain, want)
	}
}

func TestRedirectLimit(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var n int
		fmt.Sscanf(r.URL.Path, "/r/%d", &n)
		if n == 0 {
			fmt.Fprint(w, "done")
			return
		}
		http.Redirect(w, r, fmt.Sprintf("/r/%d", n-1), http.StatusMovedPermanently)
	}))
	defer srv.Close()
	c := newClient(t, Config{AllowPrivate: true})
	for _, tc := range []struct {
		hops    int
		wantErr bool
	}{{0, false}, {5, false}, {6, true}} {
		u := fmt.Sprintf("%s/r/%d", srv.URL, tc.hops)
		resp, err := c.Do(t.Context(), Request{URL: u})
		if tc.wantErr {
			if !errors.Is(err, ErrTooManyRedirects) {
				t.Errorf("Do(%s) error = %v, want ErrTooManyRedirects", u, err)
			}
			continue
		}
		if err != nil {
			t.Errorf("Do(%s): %v", u, err)
			continue
		}
		if len(resp.Chain) != tc.hops+1 || string(resp.Body) != "done" {
			t.Errorf("Do(%s): chain %d, body %q; want chain %d, body done", u, len(resp.Chain), resp.Body, tc.hops+1)
		}
	}
}

func TestRedirectScheme(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "file:///etc/passwd", http.StatusFound)
	}))
	defer srv.Close()
	c := newClient(t, Config{AllowPrivate: true})
	_, err := c.Do(t.Context(), Request{URL: srv.URL})
	if !errors.Is(err, ErrScheme) {
		t.Errorf("Do(%s) redirecting to file: error = %v, want ErrScheme", srv.URL, err)
	}
}

func TestBodyLimit(t *testing.T) {
	big := strings.Repeat("x", 1000)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/chunked" {
			w.(http.Flusher).Flush() // no Content-Length
		}
		fmt.Fprint(w, big)
	}))
	defer srv.Close()
	c := newClient(t, Config{AllowPrivate: true})
	for _, path := range []string{"/sized", "/chunked"} {
		t.Run(path, func(t *testing.T) {
			_, err := c.Do(t.Context(), Request{URL: srv.URL + path, Limit: 100})
			if !errors.Is(err, ErrTooLarge) {
				t.Fatalf("Do(%s, limit 100) error = %v, want ErrTooLarge", path, err)
			}
			if !strings.Contains(err.Error(), "100 bytes") {
				t.Errorf("error %q does not state the limit", err)
			}
			resp, err := c.Do(t.Context(), Request{URL: srv.URL + path, Limit: 100, Truncate: true})
			if err != nil {
				t.Fatalf("Do(%s, truncate): %v", path, err)
			}
			if !resp.Truncated || len(resp.Body) != 100 {
				t.Errorf("Do(%s, truncate): truncated %v, %d bytes; want true, 100", path, resp.Truncated, len(resp.Body))
			}
			resp, err = c.Do(t.Context(), Request{URL: srv.URL + path, Limit: 1000})
			if err != nil || resp.Truncated || len(resp.Body) != 1000 {
				t.Errorf("Do(%s, limit 1000 = size): err %v, truncated %v, %d bytes", path, err, resp != nil && resp.Truncated, len(resp.Body))
			}
		})
	}
}

func TestTimeout(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	defer close(release)
	c := newClient(t, Config{AllowPrivate: true, Timeout: 100 * time.Millisecond})
	start := time.Now()
	_, err := c.Do(t.Context(), Request{URL: srv.URL})
	if err == nil || !strings.Contains(err.Error(), "timed out") {
		t.Fatalf("Do(%s) against a stalled server: error = %v, want a timeout", srv.URL, err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("timeout took %s, want about 100ms", d)
	}
}

func TestUserAgent(t *testing.T) {
	var got atomic.Value
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got.Store(r.UserAgent())
	}))
	defer srv.Close()
	c := newClient(t, Config{AllowPrivate: true, UserAgent: "askfirst/v1.2.3 (+https://github.com/askfirst/askfirst)"})
	if _, err := c.Do(t.Context(), Request{URL: srv.URL}); err != nil {
		t.Fatal(err)
	}
	if got.Load() != "askfirst/v1.2.3 (+https://github.com/askfirst/askfirst)" {
		t.Errorf("User-Agent = %q", got.Load())
	}
	if _, err := New(Config{UserAgent: "a\r\nX-Evil: 1"}); err == nil {
		t.Error("New accepted a User-Agent with a line break")
	}
}

func TestSiteCache(t *testing.T) {
	var hits, conditional atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		switch r.URL.Path {
		case "/robots.txt":
			if r.Header.Get("If-None-Match") == `"v1"` {
				conditional.Add(1)
				w.WriteHeader(http.StatusNotModified)
				return
			}
			w.Header().Set("ETag", `"v1"`)
			w.Header().Set("Cache-Control", "max-age=60")
			fmt.Fprint(w, "User-agent: *\nDisallow: /\n")
		case "/ai.txt":
			w.Header().Set("Cache-Control", "max-age=999999") // capped at 24 h
			fmt.Fprint(w, "User-Agent: *\n")
		default:
			w.WriteHeader(http.StatusServiceUnavailable)
		}
	}))
	defer srv.Close()
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	var mu sync.Mutex
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	advance := func(d time.Duration) { mu.Lock(); now = now.Add(d); mu.Unlock() }
	c := newClient(t, Config{AllowPrivate: true, Now: clock})

	get := func(path string) *Response {
		t.Helper()
		resp, err := c.Do(t.Context(), Request{URL: srv.URL + path, Site: true})
		if err != nil {
			t.Fatalf("Do(%s): %v", path, err)
		}
		return resp
	}
	// Concurrent first requests share one fetch.
	var wg sync.WaitGroup
	for range 20 {
		wg.Go(func() { get("/robots.txt") })
	}
	wg.Wait()
	if n := hits.Load(); n != 1 {
		t.Errorf("20 concurrent robots.txt requests made %d fetches, want 1", n)
	}
	advance(59 * time.Second)
	get("/robots.txt")
	if n := hits.Load(); n != 1 {
		t.Errorf("robots.txt within max-age refetched: %d fetches", n)
	}
	advance(2 * time.Second)
	resp := get("/robots.txt")
	if hits.Load() != 2 || conditional.Load() != 1 {
		t.Errorf("after max-age: %d fetches, %d conditional; want 2, 1", hits.Load(), conditional.Load())
	}
	if !strings.Contains(string(resp.Body), "Disallow") || resp.Status != 200 {
		t.Errorf("revalidated robots.txt: status %d body %q", resp.Status, resp.Body)
	}

	hits.Store(0)
	get("/ai.txt")
	advance(23 * time.Hour)
	get("/ai.txt")
	advance(2 * time.Hour)
	get("/ai.txt")
	if n := hits.Load(); n != 2 {
		t.Errorf("ai.txt with max-age above 24h: %d fetches over 25h, want 2", n)
	}

	hits.Store(0)
	if r := get("/.well-known/tdmrep.json"); r.Status != 503 {
		t.Errorf("status %d, want 503", r.Status)
	}
	get("/.well-known/tdmrep.json")
	advance(DefaultFailureTTL + time.Second)
	get("/.well-known/tdmrep.json")
	if n := hits.Load(); n != 2 {
		t.Errorf("5xx site file: %d fetches, want 2 (cached for the failure TTL)", n)
	}
}

func TestFreshness(t *testing.T) {
	for _, tc := range []struct {
		cc   string
		want time.Duration
	}{
		{"", MaxSiteFileAge},
		{"max-age=60", time.Minute},
		{"public, max-age=3600", time.Hour},
		{"max-age=172800", MaxSiteFileAge},
		{"no-cache", 0},
		{"no-store", 0},
		{"max-age=junk", MaxSiteFileAge},
		{"max-age=9223372036", MaxSiteFileAge}, // would overflow time.Duration
	} {
		h := http.Header{}
		if tc.cc != "" {
			h.Set("Cache-Control", tc.cc)
		}
		if got := freshness(h); got != tc.want {
			t.Errorf("freshness(%q) = %s, want %s", tc.cc, got, tc.want)
		}
	}
}

func TestPerOriginConcurrency(t *testing.T) {
	var cur, peak atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := cur.Add(1)
		for {
			p := peak.Load()
			if n <= p || peak.CompareAndSwap(p, n) {
				break
			}
		}
		time.Sleep(20 * time.Millisecond)
		cur.Add(-1)
	}))
	defer srv.Close()
	c := newClient(t, Config{AllowPrivate: true, PerOrigin: 2})
	var wg sync.WaitGroup
	for i := range 10 {
		wg.Go(func() {
			if _, err := c.Do(t.Context(), Request{URL: fmt.Sprintf("%s/%d", srv.URL, i)}); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if p := peak.Load(); p > 2 || p < 1 {
		t.Errorf("peak concurrency per origin = %d, want at most 2", p)
	}
}

// FuzzFreshness: any Cache-Control value yields a freshness between zero
// and MaxSiteFileAge.
func FuzzFreshness(f *testing.F) {
	for _, s := range []string{"", "max-age=60", "no-cache", "public, max-age=\"90\"", "s-maxage=-1", "max-age=99999999999999999999", "max-age=9223372036"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, cc string) {
		h := http.Header{}
		h.Set("Cache-Control", cc)
		if d := freshness(h); d < 0 || d > MaxSiteFileAge {
			t.Fatalf("freshness(%q) = %s", cc, d)
		}
	})
}
