package cli

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/askfirst/askfirst/internal/fetch"
	"github.com/askfirst/askfirst/signals"
)

// noSiteCache turns off the per-origin site-file cache, for comparison.
type noSiteCache struct{ f signals.Fetcher }

func (n noSiteCache) Fetch(ctx context.Context, r signals.FetchRequest) (*signals.FetchResponse, error) {
	r.Site = false
	return n.f.Fetch(ctx, r)
}

// conns counts the TCP connections the bench origins accepted.
var conns atomic.Int64

// benchOrigins starts n loopback origins, each publishing robots.txt
// (rules, Content-Signal, Content-Usage), tdmrep.json, ai.txt and pages
// with Content-Usage and X-Robots-Tag headers and meta tags, and counts
// the requests they serve.
func benchOrigins(b *testing.B, n int) ([]*httptest.Server, *atomic.Int64) {
	var hits atomic.Int64
	conns.Store(0)
	robots := "User-agent: *\nDisallow: /private/\nContent-Signal: search=yes, ai-train=no\nContent-Usage: /docs/ train-ai=n\n\nUser-agent: GPTBot\nDisallow: /\n"
	html := "<!doctype html><html><head><title>p</title><meta name=\"robots\" content=\"index, follow\"><meta name=\"tdm-reservation\" content=\"1\"></head><body>" + strings.Repeat("<p>text</p>", 200) + "</body></html>"
	var srvs []*httptest.Server
	for range n {
		srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			hits.Add(1)
			switch r.URL.Path {
			case "/robots.txt":
				fmt.Fprint(w, robots)
			case "/.well-known/tdmrep.json":
				w.Header().Set("Content-Type", "application/json")
				fmt.Fprint(w, `[{"location":"/docs/*","tdm-reservation":1},{"location":"/","tdm-reservation":0}]`)
			case "/ai.txt":
				fmt.Fprint(w, "User-Agent: *\nDisallow: *.jpg\n")
			default:
				w.Header().Set("Content-Type", "text/html")
				w.Header().Set("Content-Usage", "search=y")
				w.Header().Set("X-Robots-Tag", "otherbot: noai")
				fmt.Fprint(w, html)
			}
		}))
		srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
			if s == http.StateNew {
				conns.Add(1)
			}
		}
		srv.Start()
		b.Cleanup(srv.Close)
		srvs = append(srvs, srv)
	}
	return srvs, &hits
}

// BenchmarkCheck runs `askfirst check` over 10,000 URLs on 50 loopback
// origins (200 pages each), with the per-origin site-file cache and
// without it, next to a baseline that only GETs each page through the
// same client, and reports URLs/s and requests per URL. bench/check.sh
// runs them side by side and prints the ratios.
func BenchmarkCheck(b *testing.B) {
	const origins, urls = 50, 10000
	srvs, hits := benchOrigins(b, origins)
	var targets []string
	for i := range urls {
		dir := []string{"/docs/", "/blog/", "/private/", "/news/"}[i%4]
		targets = append(targets, fmt.Sprintf("%s%sp%d.html", srvs[i%origins].URL, dir, i/origins))
	}
	b.Run("bare-get", func(b *testing.B) {
		hits.Store(0)
		conns.Store(0)
		var elapsed time.Duration
		for b.Loop() {
			client, err := fetch.New(fetch.Config{AllowPrivate: true, PerOrigin: 8})
			if err != nil {
				b.Fatal(err)
			}
			start := time.Now()
			var g errgroup.Group
			g.SetLimit(checkConcurrency)
			for _, t := range targets {
				g.Go(func() error {
					_, err := client.Do(b.Context(), fetch.Request{URL: t, Limit: signals.MaxTarget, Truncate: true})
					return err
				})
			}
			if err := g.Wait(); err != nil {
				b.Fatal(err)
			}
			elapsed += time.Since(start)
			client.Close()
		}
		b.ReportMetric(float64(urls*b.N)/elapsed.Seconds(), "URLs/s")
		b.ReportMetric(float64(hits.Load())/float64(urls*b.N), "requests/URL")
		b.ReportMetric(float64(conns.Load())/float64(urls*b.N), "conns/URL")
	})
	for _, cached := range []bool{true, false} {
		name := "cached"
		if !cached {
			name = "uncached"
		}
		b.Run(name, func(b *testing.B) {
			hits.Store(0)
			conns.Store(0)
			var elapsed time.Duration
			for b.Loop() {
				client, err := fetch.New(fetch.Config{AllowPrivate: true, PerOrigin: 8})
				if err != nil {
					b.Fatal(err)
				}
				var f signals.Fetcher = client.Signals()
				if !cached {
					f = noSiteCache{f}
				}
				in := &signals.Inspector{Fetcher: f}
				var stderr bytes.Buffer
				e := &env{stdout: io.Discard, stderr: &stderr, getenv: func(string) string { return "" }}
				start := time.Now()
				code := checkTargets(b.Context(), e, in, targets, signals.Options{}, true, checkConcurrency)
				elapsed += time.Since(start)
				client.Close()
				if code == ExitFailure {
					b.Fatalf("check failed: %s", stderr.String())
				}
			}
			b.ReportMetric(float64(urls*b.N)/elapsed.Seconds(), "URLs/s")
			b.ReportMetric(float64(hits.Load())/float64(urls*b.N), "requests/URL")
			b.ReportMetric(float64(conns.Load())/float64(urls*b.N), "conns/URL")
		})
	}
}
