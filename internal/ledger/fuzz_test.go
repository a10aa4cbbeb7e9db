package ledger_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/askfirst/askfirst/internal/ledger"
)

// seeds adds every file in testdata matching pattern to the corpus.
func seeds(f *testing.F, pattern string) {
	files, _ := filepath.Glob(filepath.Join("testdata", pattern))
	if len(files) == 0 {
		f.Fatalf("no seeds testdata/%s", pattern)
	}
	for _, file := range files {
		b, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
}

func FuzzParseCheckpoint(f *testing.F) {
	seeds(f, "*.checkpoint")
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := ledger.ParseCheckpoint(string(data))
		if err != nil {
			return
		}
		if c.Text() != string(data) {
			t.Fatalf("ParseCheckpoint(%q).Text() = %q", data, c.Text())
		}
	})
}

func FuzzParseReceipt(f *testing.F) {
	seeds(f, "*.receipt.json")
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := ledger.ParseReceipt(data)
		if err != nil {
			return
		}
		// Verification of arbitrary input must fail cleanly, never panic.
		r.EntryHash()
		ledger.ParseCheckpoint(r.Checkpoint)
	})
}

func FuzzParseTilePath(f *testing.F) {
	for _, s := range []string{"tile/0/x001/x234/067.p/8", "tile/entries/005", "tile/63/999"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, path string) {
		tile, err := ledger.ParseTilePath(path)
		if err != nil {
			return
		}
		if tile.Path() != path {
			t.Fatalf("ParseTilePath(%q).Path() = %q: two paths for one tile", path, tile.Path())
		}
	})
}

func FuzzParseEntryBundle(f *testing.F) {
	f.Add([]byte{0, 2, '{', '}', 0, 0}, 2)
	f.Fuzz(func(t *testing.T, data []byte, w int) {
		es, err := ledger.ParseEntryBundle(data, w)
		if err == nil && len(es) != w {
			t.Fatalf("got %d entries, want %d", len(es), w)
		}
	})
}
