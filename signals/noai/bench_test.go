package noai_test

import (
	"testing"

	"github.com/askfirst/askfirst/internal/testfiles"
	"github.com/askfirst/askfirst/signals/noai"
)

// BenchmarkParseHTML measures the HTML <meta> walk of a page's head.
func BenchmarkParseHTML(b *testing.B) {
	page := testfiles.Page(40)
	for b.Loop() {
		if d := noai.ParseHTML(page); len(d) == 0 {
			b.Fatal("no directives")
		}
	}
}
