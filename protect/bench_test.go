package protect_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"

	"github.com/askfirst/askfirst/protect"
	"github.com/askfirst/askfirst/signals"
)

// sink is a ResponseWriter that keeps its header map between requests, so
// that a benchmark measures the handler, not the server.
type sink struct{ h http.Header }

func (s *sink) Header() http.Header         { return s.h }
func (s *sink) Write(b []byte) (int, error) { return len(b), nil }
func (s *sink) WriteHeader(int)             {}

// BenchmarkMiddleware measures the middleware's cost per request beside a
// bare handler, in one run (bench/README.md records the figures).
func BenchmarkMiddleware(b *testing.B) {
	next := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(http.StatusOK)
	})
	grant := protect.VerifierFunc(func(context.Context, string, *url.URL, signals.Use) error { return nil })
	m, err := protect.New(protect.Config{Policy: policy(), Links: protect.LinksFor("https://pub.example"), Verifier: grant})
	if err != nil {
		b.Fatal(err)
	}
	h := m.Handler(next)
	for _, bc := range []struct {
		name, ua, auth string
		handler        http.Handler
	}{
		{"bare handler", uaChrome, "", next},
		{"browser", uaChrome, "", h},
		{"refused crawler", uaGPTBot, "", h},
		{"crawler without licence", uaChatGPT, "", h},
		{"licensed crawler", uaChatGPT, "License token", h},
	} {
		b.Run(bc.name, func(b *testing.B) {
			req := httptest.NewRequest(http.MethodGet, "https://pub.example/articles/2026/a-long-article-name.html", nil)
			req.Header.Set("User-Agent", bc.ua)
			req.Header.Set("Accept", "text/html")
			if bc.auth != "" {
				req.Header.Set("Authorization", bc.auth)
			}
			w := &sink{h: http.Header{}}
			b.ReportAllocs()
			for b.Loop() {
				clear(w.h)
				bc.handler.ServeHTTP(w, req)
			}
		})
	}
}
