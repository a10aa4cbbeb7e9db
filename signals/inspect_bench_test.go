package signals

import (
	"context"
	"fmt"
	"strings"
	"testing"
)

// BenchmarkInspect measures the CPU cost of inspecting and evaluating one
// URL, the network taken out (an in-memory Fetcher, site files cached).
func BenchmarkInspect(b *testing.B) {
	const o = "https://pub.example"
	html := "<!doctype html><html><head><title>p</title><meta name=\"robots\" content=\"index, follow\"><meta name=\"tdm-reservation\" content=\"1\"></head><body>" + strings.Repeat("<p>text</p>", 200) + "</body></html>"
	m := memFetcher{
		o + "/robots.txt":              resp("User-agent: *\nDisallow: /private/\nContent-Signal: search=yes, ai-train=no\nContent-Usage: /docs/ train-ai=n\n\nUser-agent: GPTBot\nDisallow: /\n"),
		o + "/.well-known/tdmrep.json": resp(`[{"location":"/docs/*","tdm-reservation":1},{"location":"/","tdm-reservation":0}]`),
		o + "/ai.txt":                  resp("User-Agent: *\nDisallow: *.jpg\n"),
	}
	for i := range 100 {
		m[fmt.Sprintf("%s/blog/p%d.html", o, i)] = resp(html, "Content-Type", "text/html", "Content-Usage", "search=y", "X-Robots-Tag", "otherbot: noai")
	}
	in := &Inspector{Fetcher: m}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		stmts, err := in.URL(context.Background(), fmt.Sprintf("%s/blog/p%d.html", o, i%100))
		if err != nil {
			b.Fatal(err)
		}
		Evaluate(stmts, Options{})
		i++
	}
}
