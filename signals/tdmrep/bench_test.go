package tdmrep_test

import (
	"testing"

	"github.com/askfirst/askfirst/internal/testfiles"
	"github.com/askfirst/askfirst/signals/tdmrep"
)

// BenchmarkParseHTML measures the HTML <meta> walk of a page's head.
func BenchmarkParseHTML(b *testing.B) {
	page := testfiles.Page(40)
	for b.Loop() {
		if s := tdmrep.ParseHTML(page); s.Reservation != tdmrep.Reserved {
			b.Fatal("no reservation")
		}
	}
}
