package iscc_test

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/askfirst/askfirst/iscc"
)

func TestExifOrientation(t *testing.T) {
	tests := []struct {
		file string
		want int
	}{
		{"rgb.png", 1},
		{"rgb.bmp", 1},
		{"q90_420.jpg", 1},
		{"orient1.png", 1},
		{"orient3.png", 3},
		{"orient6.png", 6},
		{"orient8.png", 8},
		{"orient2.jpg", 2},
		{"orient5.jpg", 5},
		{"orient7.jpg", 7},
		{"orient6.webp", 6},
		{"rgb_lossless.webp", 1},
		{"orient8.tiff", 8},
		{"rgb.tiff", 1},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join("testdata/image", tt.file))
			if err != nil {
				t.Fatal(err)
			}
			if got := iscc.ExifOrientation(data); got != tt.want {
				t.Errorf("ExifOrientation(%s) = %d, want %d", tt.file, got, tt.want)
			}
		})
	}
}

func TestExifOrientationMalformed(t *testing.T) {
	tiff := func(order string, entries int, tag, typ uint16, value uint16) []byte {
		b := []byte(order)
		be := order == "MM"
		put16 := func(v uint16) {
			if be {
				b = append(b, byte(v>>8), byte(v))
			} else {
				b = append(b, byte(v), byte(v>>8))
			}
		}
		put32 := func(v uint32) {
			if be {
				b = append(b, byte(v>>24), byte(v>>16), byte(v>>8), byte(v))
			} else {
				b = append(b, byte(v), byte(v>>8), byte(v>>16), byte(v>>24))
			}
		}
		put16(42)
		put32(8)
		put16(uint16(entries))
		put16(tag)
		put16(typ)
		put32(1)
		put16(value)
		put16(0)
		return b
	}
	tests := []struct {
		name string
		data []byte
		want int
	}{
		{"empty", nil, 1},
		{"jpeg soi only", []byte{0xFF, 0xD8}, 1},
		{"jpeg bad segment length", []byte{0xFF, 0xD8, 0xFF, 0xE1, 0xFF, 0xFF, 'E', 'x'}, 1},
		{"jpeg short segment", []byte{0xFF, 0xD8, 0xFF, 0xE1, 0x00, 0x01}, 1},
		{"tiff big endian 6", tiff("MM", 1, 0x0112, 3, 6), 6},
		{"tiff little endian 3", tiff("II", 1, 0x0112, 3, 3), 3},
		{"tiff value out of range", tiff("II", 1, 0x0112, 3, 9), 1},
		{"tiff wrong type", tiff("II", 1, 0x0112, 2, 6), 1},
		{"tiff other tag", tiff("II", 1, 0x0100, 3, 6), 1},
		{"tiff entry count past end", tiff("II", 500, 0x0100, 3, 6), 1},
		{"tiff ifd offset past end", []byte("II*\x00\xff\xff\xff\x7f"), 1},
		{"png truncated chunk", []byte("\x89PNG\r\n\x1a\n\x00\x00\x10\x00eXIf"), 1},
		{"webp chunk past end", []byte("RIFF\x00\x00\x00\x00WEBPEXIF\xff\xff\xff\xff"), 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := iscc.ExifOrientation(tt.data); got != tt.want {
				t.Errorf("ExifOrientation(%q) = %d, want %d", tt.data, got, tt.want)
			}
		})
	}
}

// FuzzExifOrientation: any input gives an orientation from 1 to 8 without
// panicking.
func FuzzExifOrientation(f *testing.F) {
	files, _ := filepath.Glob("testdata/image/orient*")
	for _, name := range files {
		if filepath.Ext(name) == ".pixels" {
			continue
		}
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		// The metadata sits at the start; keep seeds small.
		f.Add(data[:min(len(data), 512)])
	}
	f.Add([]byte("II*\x00\x08\x00\x00\x00\x01\x00\x12\x01\x03\x00\x01\x00\x00\x00\x06\x00\x00\x00"))
	f.Fuzz(func(t *testing.T, data []byte) {
		if o := iscc.ExifOrientation(data); o < 1 || o > 8 {
			t.Fatalf("ExifOrientation = %d, want 1..8", o)
		}
	})
}

// FuzzImagePixelsFromReader: no input makes the decoder and normaliser
// panic; a result always has 1024 pixels.
func FuzzImagePixelsFromReader(f *testing.F) {
	for _, name := range []string{"small_upscale.png", "palette_trns.gif", "orient6.png"} {
		data, err := os.ReadFile(filepath.Join("testdata/image", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		px, _, err := iscc.ImagePixelsFromReader(bytes.NewReader(data))
		if err == nil && len(px) != 1024 {
			t.Fatalf("got %d pixels, want 1024", len(px))
		}
	})
}
