package iscc_test

import (
	"testing"

	"github.com/askfirst/askfirst/internal/testfiles"
	"github.com/askfirst/askfirst/iscc"
)

// BenchmarkExifOrientation measures the JPEG segment and PNG chunk walk
// that finds the EXIF orientation of a photograph.
func BenchmarkExifOrientation(b *testing.B) {
	for _, f := range []struct {
		name string
		data []byte
	}{
		{"jpeg", testfiles.JPEG(testfiles.Packet(), 1<<20)},
		{"png", testfiles.PNG(testfiles.Packet(), 4<<20)},
	} {
		b.Run(f.name, func(b *testing.B) {
			for b.Loop() {
				if iscc.ExifOrientation(f.data) != 6 {
					b.Fatal("orientation not found")
				}
			}
		})
	}
}
