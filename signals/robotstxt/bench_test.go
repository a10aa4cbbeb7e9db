package robotstxt_test

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	temoto "github.com/temoto/robotstxt"

	"github.com/askfirst/askfirst/signals/robotstxt"
)

// benchQueries are the (agent, path) pairs checked against every file of the
// corpus: AI crawlers, search crawlers and our own token, on paths shaped
// like those of news, shop and wiki sites.
var benchQueries = []struct{ agent, path string }{
	{"GPTBot", "/world/europe/2026/11/28/election.html"},
	{"askfirst", "/world/europe/2026/11/28/election.html"},
	{"CCBot", "/technology/2026/11/ai-act.html?smid=tw-share"},
	{"Googlebot", "/search?q=robots"},
	{"ClaudeBot", "/shoes/running/?color=red&size=42"},
	{"askfirst", "/shoes/running/?sort=price&page=2"},
	{"Bingbot", "/checkout/step-2"},
	{"askfirst", "/static/app.3f9a.js"},
	{"Google-Extended", "/wiki/Main_Page"},
	{"askfirst", "/wiki/Spezial:Suche?search=x"},
	{"askfirst", "/wiki/Wikip%C3%A9dia:Pages_%C3%A0_supprimer"},
	{"PerplexityBot", "/2026/11/a-long-blog-post-title/"},
	{"askfirst", "/wp-admin/admin-ajax.php"},
	{"meta-externalagent", "/open-data/set.csv"},
	{"askfirst", "/account/settings"},
	{"Applebot", "/"},
}

func loadCorpus(tb testing.TB) [][]byte {
	tb.Helper()
	names, err := filepath.Glob("testdata/*.txt")
	if err != nil || len(names) == 0 {
		tb.Fatalf("corpus testdata/*.txt: %v (%d files)", err, len(names))
	}
	var files [][]byte
	for _, n := range names {
		b, err := os.ReadFile(n)
		if err != nil {
			tb.Fatal(err)
		}
		files = append(files, b)
	}
	return files
}

func parseAndMatchOurs(files [][]byte) int {
	n := 0
	for _, f := range files {
		r := robotstxt.Parse(f)
		for _, q := range benchQueries {
			if r.Allowed(q.agent, q.path).Allowed {
				n++
			}
		}
	}
	return n
}

func parseAndMatchTemoto(tb testing.TB, files [][]byte) int {
	n := 0
	for _, f := range files {
		r, err := temoto.FromBytes(f)
		if err != nil {
			tb.Fatal(err)
		}
		for _, q := range benchQueries {
			if r.TestAgent(q.path, q.agent) {
				n++
			}
		}
	}
	return n
}

// BenchmarkParseAndMatch measures parsing every corpus file and answering
// every query on it, for this package and for github.com/temoto/robotstxt.
func BenchmarkParseAndMatch(b *testing.B) {
	files := loadCorpus(b)
	var size int64
	for _, f := range files {
		size += int64(len(f))
	}
	b.Run("askfirst", func(b *testing.B) {
		b.SetBytes(size)
		b.ReportAllocs()
		for b.Loop() {
			parseAndMatchOurs(files)
		}
	})
	b.Run("temoto", func(b *testing.B) {
		b.SetBytes(size)
		b.ReportAllocs()
		for b.Loop() {
			parseAndMatchTemoto(b, files)
		}
	})
}

// BenchmarkParseAndMatchRatio runs both libraries alternately in one loop,
// so both see the same machine state, and reports how many times faster
// this package is ("x-temoto": temoto's time over ours).
func BenchmarkParseAndMatchRatio(b *testing.B) {
	files := loadCorpus(b)
	var ours, theirs time.Duration
	for b.Loop() {
		t0 := time.Now()
		parseAndMatchOurs(files)
		t1 := time.Now()
		parseAndMatchTemoto(b, files)
		theirs += time.Since(t1)
		ours += t1.Sub(t0)
	}
	b.ReportMetric(float64(theirs)/float64(ours), "x-temoto")
}

// BenchmarkMatch measures matching alone on a parsed file.
func BenchmarkMatch(b *testing.B) {
	files := loadCorpus(b)
	rs := make([]*robotstxt.Robots, len(files))
	for i, f := range files {
		rs[i] = robotstxt.Parse(f)
	}
	b.ReportAllocs()
	for b.Loop() {
		for _, r := range rs {
			for _, q := range benchQueries {
				r.Allowed(q.agent, q.path)
			}
		}
	}
}
