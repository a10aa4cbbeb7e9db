package xmp_test

import (
	"testing"

	"github.com/askfirst/askfirst/internal/testfiles"
	"github.com/askfirst/askfirst/signals/xmp"
)

// BenchmarkExtract measures the JPEG segment and PNG chunk walk that finds
// XMP packets, in photographs with and without one (a file without XMP is
// walked to its end: the common case in an audit).
func BenchmarkExtract(b *testing.B) {
	for _, f := range []struct {
		name    string
		data    []byte
		packets int
	}{
		{"jpeg", testfiles.JPEG(testfiles.Packet(), 1<<20), 1},
		{"jpeg-none", testfiles.JPEG(nil, 1<<20), 0},
		{"png", testfiles.PNG(testfiles.Packet(), 4<<20), 1},
		{"png-none", testfiles.PNG(nil, 4<<20), 0},
	} {
		b.Run(f.name, func(b *testing.B) {
			for b.Loop() {
				_, p, err := xmp.Extract(f.data)
				if err != nil || len(p) != f.packets {
					b.Fatalf("%d packets, %v", len(p), err)
				}
			}
		})
	}
}
