package api

import (
	"fmt"
	"io"
	"net/http"
	"sort"
	"strconv"
	"sync"
	"time"

	"github.com/askfirst/askfirst/internal/registry"
)

// metrics counts requests and their latency per route and status, served
// in the Prometheus text exposition format.
type metrics struct {
	mu       sync.Mutex
	requests map[[2]string]uint64
	buckets  map[string]*histogram
}

var latencyBounds = []float64{0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10}

type histogram struct {
	counts []uint64
	sum    float64
	n      uint64
}

func newMetrics() *metrics {
	return &metrics{requests: map[[2]string]uint64{}, buckets: map[string]*histogram{}}
}

func (m *metrics) observe(route string, status int, d time.Duration) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.requests[[2]string{route, strconv.Itoa(status)}]++
	h := m.buckets[route]
	if h == nil {
		h = &histogram{counts: make([]uint64, len(latencyBounds))}
		m.buckets[route] = h
	}
	s := d.Seconds()
	for i, b := range latencyBounds {
		if s <= b {
			h.counts[i]++
		}
	}
	h.sum += s
	h.n++
}

func (m *metrics) serve(w http.ResponseWriter, r *http.Request) {
	m.mu.Lock()
	defer m.mu.Unlock()
	w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
	fmt.Fprintln(w, "# HELP askfirst_http_requests_total HTTP requests by route and status.")
	fmt.Fprintln(w, "# TYPE askfirst_http_requests_total counter")
	keys := make([][2]string, 0, len(m.requests))
	for k := range m.requests {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i][0]+keys[i][1] < keys[j][0]+keys[j][1] })
	for _, k := range keys {
		fmt.Fprintf(w, "askfirst_http_requests_total{route=%q,status=%q} %d\n", k[0], k[1], m.requests[k])
	}
	fmt.Fprintln(w, "# HELP askfirst_http_request_duration_seconds HTTP request latency by route.")
	fmt.Fprintln(w, "# TYPE askfirst_http_request_duration_seconds histogram")
	routes := make([]string, 0, len(m.buckets))
	for r := range m.buckets {
		routes = append(routes, r)
	}
	sort.Strings(routes)
	for _, rt := range routes {
		h := m.buckets[rt]
		for i, b := range latencyBounds {
			fmt.Fprintf(w, "askfirst_http_request_duration_seconds_bucket{route=%q,le=%q} %d\n", rt, strconv.FormatFloat(b, 'g', -1, 64), h.counts[i])
		}
		fmt.Fprintf(w, "askfirst_http_request_duration_seconds_bucket{route=%q,le=\"+Inf\"} %d\n", rt, h.n)
		fmt.Fprintf(w, "askfirst_http_request_duration_seconds_sum{route=%q} %g\n", rt, h.sum)
		fmt.Fprintf(w, "askfirst_http_request_duration_seconds_count{route=%q} %d\n", rt, h.n)
	}
}

// writeIndexMetrics writes the size of the registry's content index per
// unit kind: codes, codes waiting in the linearly scanned delta, and bytes.
func writeIndexMetrics(w io.Writer, st []registry.IndexStats) {
	sort.Slice(st, func(i, j int) bool { return st[i].Kind.String() < st[j].Kind.String() })
	gauges := []struct {
		name, help string
		value      func(registry.IndexStats) int64
	}{
		{"askfirst_match_codes", "Codes in the content index, by unit kind.",
			func(s registry.IndexStats) int64 { return int64(s.Stats.Codes) }},
		{"askfirst_match_delta_codes", "Codes added since the content index's tables were last built (searched linearly), by unit kind.",
			func(s registry.IndexStats) int64 { return int64(s.Stats.Delta) }},
		{"askfirst_match_bytes", "Memory of the content index (codes, ids and tables), by unit kind.",
			func(s registry.IndexStats) int64 { return s.Stats.CodeBytes + s.Stats.IndexBytes }},
	}
	for _, g := range gauges {
		fmt.Fprintf(w, "# HELP %s %s\n# TYPE %s gauge\n", g.name, g.help, g.name)
		for _, s := range st {
			fmt.Fprintf(w, "%s{kind=%q} %d\n", g.name, s.Kind.String(), g.value(s))
		}
	}
}
