package signals

import (
	"testing"

	"github.com/askfirst/askfirst/internal/testfiles"
)

// BenchmarkParseHead measures the HTML <meta> walk of a page's head.
func BenchmarkParseHead(b *testing.B) {
	page := testfiles.Page(40)
	for b.Loop() {
		if h := parseHead(page); len(h.Metas) < 40 {
			b.Fatalf("%d metas", len(h.Metas))
		}
	}
}
