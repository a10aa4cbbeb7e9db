package c2pa_test

import (
	"errors"
	"os"
	"testing"

	"github.com/askfirst/askfirst/internal/testfiles"
	"github.com/askfirst/askfirst/signals/c2pa"
)

// BenchmarkLocate measures the JPEG segment and PNG chunk walk that finds a
// manifest store: in signed samples, and in photographs without one (walked
// to the start of scan or IEND: the common case in an audit).
func BenchmarkLocate(b *testing.B) {
	signedJPEG, err := os.ReadFile("testdata/signed.jpg")
	if err != nil {
		b.Fatal(err)
	}
	signedPNG, err := os.ReadFile("testdata/signed.png")
	if err != nil {
		b.Fatal(err)
	}
	for _, f := range []struct {
		name  string
		data  []byte
		found bool
	}{
		{"jpeg", signedJPEG, true},
		{"png", signedPNG, true},
		{"jpeg-none", testfiles.JPEG(testfiles.Packet(), 1<<20), false},
		{"png-none", testfiles.PNG(testfiles.Packet(), 4<<20), false},
	} {
		b.Run(f.name, func(b *testing.B) {
			for b.Loop() {
				_, _, err := c2pa.Locate(f.data)
				if (err == nil) != f.found || err != nil && !errors.Is(err, c2pa.ErrNoManifest) {
					b.Fatal(err)
				}
			}
		})
	}
}
