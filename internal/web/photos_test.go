package web_test

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/image/draw"
)

// landscape draws a deterministic photo-like picture of w×h pixels: a sky
// graded to the horizon with clouds, ridges of hills, a textured meadow,
// a few objects with soft shading, and sensor noise — the detail real
// photos have, so that decoding and hashing cost what they cost on real
// photos (flat colours compress and decode far faster).
func landscape(seed uint64, w, h int) *image.RGBA {
	rng := rand.New(rand.NewPCG(seed, seed*7919+17))
	// Value noise on a coarse grid, smoothly interpolated (fBm of four
	// octaves, evaluated at 1/8 resolution, then upsampled).
	const cell = 8
	cw, ch := w/cell+2, h/cell+2
	field := make([]float64, cw*ch)
	grid := func(n int) []float64 {
		g := make([]float64, (n+2)*(n+2))
		for i := range g {
			g[i] = rng.Float64()
		}
		return g
	}
	for o, amp := 0, 0.5; o < 4; o, amp = o+1, amp/2 {
		n := 4 << o
		g := grid(n)
		for y := range ch {
			for x := range cw {
				fx, fy := float64(x)/float64(cw)*float64(n), float64(y)/float64(ch)*float64(n)
				ix, iy := int(fx), int(fy)
				tx, ty := fx-float64(ix), fy-float64(iy)
				tx, ty = tx*tx*(3-2*tx), ty*ty*(3-2*ty)
				a := g[iy*(n+2)+ix]*(1-tx) + g[iy*(n+2)+ix+1]*tx
				b := g[(iy+1)*(n+2)+ix]*(1-tx) + g[(iy+1)*(n+2)+ix+1]*tx
				field[y*cw+x] += amp * (a*(1-ty) + b*ty)
			}
		}
	}
	noise := func(x, y int) float64 {
		fx, fy := float64(x)/cell, float64(y)/cell
		ix, iy := int(fx), int(fy)
		tx, ty := fx-float64(ix), fy-float64(iy)
		a := field[iy*cw+ix]*(1-tx) + field[iy*cw+ix+1]*tx
		b := field[(iy+1)*cw+ix]*(1-tx) + field[(iy+1)*cw+ix+1]*tx
		return a*(1-ty) + b*ty
	}
	horizon := float64(h) * (0.35 + 0.2*rng.Float64())
	hue := rng.Float64()
	type blob struct {
		x, y, r float64
		c       [3]float64
	}
	var blobs []blob
	for range 6 + rng.IntN(6) {
		blobs = append(blobs, blob{rng.Float64() * float64(w), horizon + rng.Float64()*(float64(h)-horizon), (0.02 + 0.08*rng.Float64()) * float64(w),
			[3]float64{rng.Float64() * 255, rng.Float64() * 255, rng.Float64() * 255}})
	}
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	grain := rand.New(rand.NewPCG(seed^0x9e3779b97f4a7c15, 3))
	for y := range h {
		for x := range w {
			n := noise(x, y)
			var r, g, b float64
			ridge := horizon - 0.12*float64(h)*noise(x, int(horizon/2))
			switch {
			case float64(y) < ridge: // sky with clouds
				t := float64(y) / ridge
				r, g, b = 70+110*t, 120+90*t, 200+40*t
				if c := n - 0.45; c > 0 {
					k := math.Min(1, c*4)
					r, g, b = r+(245-r)*k, g+(245-g)*k, b+(250-b)*k
				}
			default: // hills and meadow, darker and greener towards the front
				t := (float64(y) - ridge) / (float64(h) - ridge)
				r = 60 + 60*hue + 80*n - 30*t
				g = 90 + 70*n + 40*(1-t)
				b = 40 + 40*n*hue
				// grass: fine vertical streaks
				s := math.Sin(float64(x)*0.9+n*20) * 12 * t
				r, g, b = r+s, g+s*1.3, b+s*0.5
			}
			for _, bl := range blobs {
				dx, dy := float64(x)-bl.x, float64(y)-bl.y
				if d := math.Sqrt(dx*dx+dy*dy) / bl.r; d < 1 {
					shade := 0.6 + 0.4*(1-d) - 0.3*dy/bl.r
					r, g, b = bl.c[0]*shade, bl.c[1]*shade, bl.c[2]*shade
				}
			}
			e := grain.NormFloat64() * 6
			img.SetRGBA(x, y, color.RGBA{clamp(r + e), clamp(g + e), clamp(b + e), 255})
		}
	}
	return img
}

func clamp(v float64) uint8 {
	return uint8(math.Max(0, math.Min(255, math.Round(v))))
}

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

// writeLandscapes writes n w×h landscapes into dir as photo-NNN.jpg
// (quality 90), reusing files already there, and returns their paths.
func writeLandscapes(t testing.TB, dir string, n, w, h int) []string {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	var out []string
	for i := range n {
		p := filepath.Join(dir, fmt.Sprintf("photo-%03d.jpg", i))
		if _, err := os.Stat(p); err != nil {
			if err := os.WriteFile(p, encodeJPEG(t, landscape(uint64(i+1), w, h), 90), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		out = append(out, p)
	}
	return out
}

func decodeJPEG(b []byte) (image.Image, error) { return jpeg.Decode(bytes.NewReader(b)) }
