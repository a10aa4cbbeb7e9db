package identify_test

import (
	"path/filepath"
	"testing"

	"github.com/askfirst/askfirst/internal/identify"
)

// BenchmarkFile identifies one sample file of each media type (audio and
// video include the fpcalc and ffmpeg runs).
func BenchmarkFile(b *testing.B) {
	for _, name := range []string{"letter.txt", "article.html", "mandelbrot.jpg", "cells.png", "tones.wav", "testsrc.mp4", "bundle.zip"} {
		path := filepath.Join(samplesDir, name)
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				if _, err := identify.File(b.Context(), path, identify.Options{}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
