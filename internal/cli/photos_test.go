package cli_test

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/image/draw"
)

// photo draws a deterministic photo-like picture: overlapping shapes of
// many colours over a textured background.
func photo(seed uint64, w, h int) *image.RGBA {
	rng := rand.New(rand.NewPCG(seed, seed*7919+1))
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			v := uint8(rng.IntN(40))
			img.Set(x, y, color.RGBA{90 + v, 110 + v, 130 + v, 255})
		}
	}
	for range 24 {
		cx, cy := rng.Float64()*float64(w), rng.Float64()*float64(h)
		rx, ry := (0.05+rng.Float64()*0.25)*float64(w), (0.05+rng.Float64()*0.25)*float64(h)
		c := color.RGBA{uint8(rng.IntN(256)), uint8(rng.IntN(256)), uint8(rng.IntN(256)), 255}
		ellipse := rng.IntN(2) == 0
		for y := max(0, int(cy-ry)); y < min(h, int(cy+ry)); y++ {
			for x := max(0, int(cx-rx)); x < min(w, int(cx+rx)); x++ {
				dx, dy := (float64(x)-cx)/rx, (float64(y)-cy)/ry
				if !ellipse || dx*dx+dy*dy <= 1 {
					img.Set(x, y, c)
				}
			}
		}
	}
	return img
}

// encodeJPEG encodes img at quality q.
func encodeJPEG(t testing.TB, img image.Image, q int) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, &jpeg.Options{Quality: q}); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// nearCopy is img resized to 80% and re-encoded at quality 70: the same
// work, another file.
func nearCopy(t testing.TB, img image.Image) []byte {
	b := img.Bounds()
	dst := image.NewRGBA(image.Rect(0, 0, b.Dx()*4/5, b.Dy()*4/5))
	draw.CatmullRom.Scale(dst, dst.Bounds(), img, b, draw.Src, nil)
	return encodeJPEG(t, dst, 70)
}

// cropped is img with 2% cut off each edge, re-encoded at quality 80.
func cropped(t testing.TB, img *image.RGBA) []byte {
	b := img.Bounds()
	dx, dy := b.Dx()/50, b.Dy()/50
	return encodeJPEG(t, img.SubImage(image.Rect(dx, dy, b.Dx()-dx, b.Dy()-dy)), 80)
}

// writePhotos writes n photos into dir as photo-NN.jpg and returns them.
func writePhotos(t testing.TB, dir string, n int) []*image.RGBA {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	var out []*image.RGBA
	for i := range n {
		img := photo(uint64(i+1), 640, 480)
		out = append(out, img)
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("photo-%02d.jpg", i)), encodeJPEG(t, img, 92), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return out
}
