package pdq

import (
	"errors"
	"image"
	"image/color"
	"math"
	"math/rand/v2"
	"testing"
)

// TestTorbenMedian checks Torben's median against sorting, with ties,
// negative values and signed zeros.
func TestTorbenMedian(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for n := 1; n <= 300; n++ {
		for _, levels := range []int{2, 5, 1000, 0} {
			v := make([]float32, n)
			for i := range v {
				if levels == 0 {
					v[i] = float32(r.NormFloat64() * 1e3)
				} else {
					v[i] = float32(r.IntN(levels)-levels/2) * 0.5
				}
			}
			if got, want := torbenMedian(v), sortedMedian(v); got != want {
				t.Fatalf("n=%d levels=%d: torbenMedian = %v, sorted median = %v", n, levels, got, want)
			}
		}
	}
	if got := torbenMedian([]float32{float32(math.Copysign(0, -1)), 0, 1}); got != 0 {
		t.Errorf("median of -0, 0, 1 = %v, want 0", got)
	}
}

// referenceJarosz is a direct full-buffer transcription of the reference's
// jaroszFilterFloat + decimateFloat (downscaling.cpp): whole-image passes,
// strided column loops. It is the oracle for the streaming downsampler.
func referenceJarosz(luma []float32, rows, cols int) (out [outDim][outDim]float32) {
	b1 := append([]float32(nil), luma...)
	b2 := make([]float32, len(luma))
	box := func(in, outv []float32, start, n, stride, full int) {
		half := (full + 2) / 2
		li, ri, oi := start, start, start
		var sum float32
		cur := 0
		for range half - 1 {
			sum += in[ri]
			cur++
			ri += stride
		}
		for range full - half + 1 {
			sum += in[ri]
			cur++
			outv[oi] = sum / float32(cur)
			ri += stride
			oi += stride
		}
		for range n - full {
			sum += in[ri]
			sum -= in[li]
			outv[oi] = sum / float32(cur)
			li += stride
			ri += stride
			oi += stride
		}
		for range half - 1 {
			sum -= in[li]
			cur--
			outv[oi] = sum / float32(cur)
			li += stride
			oi += stride
		}
	}
	wr, wc := windowSize(cols), windowSize(rows)
	for range 2 {
		for i := range rows {
			box(b1, b2, i*cols, cols, 1, wr)
		}
		for j := range cols {
			box(b2, b1, j, rows, cols, wc)
		}
	}
	for i := range outDim {
		ini := int((float64(i) + 0.5) * float64(rows) / outDim)
		for j := range outDim {
			inj := int((float64(j) + 0.5) * float64(cols) / outDim)
			out[i][j] = b1[ini*cols+inj]
		}
	}
	return out
}

func TestDownsamplerMatchesFullBuffer(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	sizes := [][2]int{{5, 5}, {5, 300}, {300, 5}, {64, 64}, {128, 129}, {255, 257}, {1000, 31}, {31, 1000}, {2049, 130}}
	for range 20 {
		sizes = append(sizes, [2]int{5 + r.IntN(700), 5 + r.IntN(700)})
	}
	var ds downsampler // reused across sizes on purpose
	for _, sz := range sizes {
		rows, cols := sz[0], sz[1]
		luma := make([]float32, rows*cols)
		for i := range luma {
			luma[i] = rgbLuma(uint8(r.Uint32()), uint8(r.Uint32()), uint8(r.Uint32()))
		}
		want := referenceJarosz(luma, rows, cols)
		var got [outDim][outDim]float32
		ds.run(sliceSource{luma, cols}, rows, cols, &got)
		if got != want {
			t.Errorf("%dx%d: streaming filter differs from the full-buffer transcription", cols, rows)
		}
	}
}

func TestDecimationIndex(t *testing.T) {
	for n := 1; n < 5000; n++ {
		for i := range outDim {
			want := int((float64(i) + 0.5) * float64(n) / outDim)
			if got := decimationIndex(i, n); got != want {
				t.Fatalf("decimationIndex(%d, %d) = %d, want %d", i, n, got, want)
			}
		}
	}
}

// TestFastPaths checks that each concrete-type fast path reads the same
// luma as the generic At path.
func TestFastPaths(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	rect := image.Rect(-3, 2, 90, 77)
	nrgba := image.NewNRGBA(rect)
	rgba := image.NewRGBA(rect)
	gray := image.NewGray(rect)
	gray16 := image.NewGray16(rect)
	pal := image.NewPaletted(rect, color.Palette{color.Black, color.White, color.NRGBA{200, 10, 30, 255}, color.RGBA{1, 2, 3, 255}})
	for y := rect.Min.Y; y < rect.Max.Y; y++ {
		for x := rect.Min.X; x < rect.Max.X; x++ {
			c := color.NRGBA{uint8(r.Uint32()), uint8(r.Uint32()), uint8(r.Uint32()), 255}
			nrgba.SetNRGBA(x, y, c)
			rgba.Set(x, y, c)
			gray.SetGray(x, y, color.Gray{uint8(r.Uint32())})
			gray16.SetGray16(x, y, color.Gray16{uint16(r.Uint32())})
			pal.SetColorIndex(x, y, uint8(r.IntN(4)))
		}
	}
	imgs := map[string]image.Image{"nrgba": nrgba, "rgba": rgba, "gray": gray, "gray16": gray16, "paletted": pal,
		"nrgba-sub": nrgba.SubImage(image.Rect(0, 5, 50, 60))}
	for name, img := range imgs {
		b := img.Bounds()
		fast := sourceFor(img)
		slow := genericSource{img}
		got := make([]float32, b.Dx())
		want := make([]float32, b.Dx())
		for y := range b.Dy() {
			fast.row(y, got)
			slow.row(y, want)
			for x := range got {
				if got[x] != want[x] {
					t.Fatalf("%s: row %d col %d: fast path %v, generic %v", name, y, x, got[x], want[x])
				}
				if p := fast.lumaAt(x, y); p != want[x] {
					t.Fatalf("%s: lumaAt(%d, %d) = %v, generic %v", name, x, y, p, want[x])
				}
			}
		}
	}
}

// TestYCbCr checks the YCbCr fast path against an explicit conversion with
// color.YCbCrToRGB of each pixel's samples, for every subsample ratio and
// for sub-images at odd offsets.
func TestYCbCr(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 10))
	ratios := []image.YCbCrSubsampleRatio{image.YCbCrSubsampleRatio444, image.YCbCrSubsampleRatio422,
		image.YCbCrSubsampleRatio420, image.YCbCrSubsampleRatio440, image.YCbCrSubsampleRatio411, image.YCbCrSubsampleRatio410}
	for _, ratio := range ratios {
		m := image.NewYCbCr(image.Rect(0, 0, 83, 61), ratio)
		for i := range m.Y {
			m.Y[i] = uint8(r.Uint32())
		}
		for i := range m.Cb {
			m.Cb[i] = uint8(r.Uint32())
			m.Cr[i] = uint8(r.Uint32())
		}
		neg := image.NewYCbCr(image.Rect(-7, -5, 40, 33), ratio)
		for _, p := range [][]uint8{neg.Y, neg.Cb, neg.Cr} {
			for i := range p {
				p[i] = uint8(r.Uint32())
			}
		}
		for _, img := range []*image.YCbCr{m, m.SubImage(image.Rect(3, 5, 80, 60)).(*image.YCbCr), neg, neg.SubImage(image.Rect(-3, -3, 30, 30)).(*image.YCbCr)} {
			b := img.Bounds()
			got := make([]float32, b.Dx())
			src := sourceFor(img)
			for y := range b.Dy() {
				src.row(y, got)
				for x := range got {
					c := img.YCbCrAt(b.Min.X+x, b.Min.Y+y)
					R, G, B := color.YCbCrToRGB(c.Y, c.Cb, c.Cr)
					want := rgbLuma(R, G, B)
					if got[x] != want {
						t.Fatalf("ratio %v bounds %v: pixel (%d,%d) luma %v, want %v", ratio, b, x, y, got[x], want)
					}
					if p := src.lumaAt(x, y); p != want {
						t.Fatalf("ratio %v bounds %v: lumaAt(%d,%d) = %v, want %v", ratio, b, x, y, p, want)
					}
				}
			}
		}
	}
}

func TestErrors(t *testing.T) {
	tests := []struct {
		name string
		run  func() error
		want error
	}{
		{"nil image", func() error { _, _, err := Compute(nil); return err }, ErrImageTooSmall},
		{"4x100", func() error { _, _, err := Compute(image.NewGray(image.Rect(0, 0, 4, 100))); return err }, ErrImageTooSmall},
		{"100x4 dihedral", func() error { _, _, err := ComputeDihedral(image.NewGray(image.Rect(0, 0, 100, 4))); return err }, ErrImageTooSmall},
		{"empty", func() error { _, _, err := Compute(image.NewRGBA(image.Rectangle{})); return err }, ErrImageTooSmall},
		{"too large", func() error { _, _, err := Compute(hugeImage{image.Rect(0, 0, 1<<15, 1<<14)}); return err }, ErrImageTooLarge},
		{"too wide", func() error { _, _, err := Compute(hugeImage{image.Rect(0, 0, MaxDim+1, 5)}); return err }, ErrImageTooLarge},
		{"too tall", func() error { _, _, err := ComputeDihedral(hugeImage{image.Rect(0, 0, 5, MaxDim+1)}); return err }, ErrImageTooLarge},
		{"luma too large", func() error { _, _, err := FromLuma(nil, 1<<20, 1<<20); return err }, ErrImageTooLarge},
		{"luma length", func() error { _, _, err := FromLuma(make([]float32, 24), 5, 5); return err }, ErrBadLuma},
		{"luma NaN", func() error {
			l := make([]float32, 25)
			l[7] = float32(math.NaN())
			_, _, err := FromLuma(l, 5, 5)
			return err
		}, ErrBadLuma},
		{"luma Inf", func() error {
			l := make([]float32, 25)
			l[0] = float32(math.Inf(-1))
			_, _, err := DihedralFromLuma(l, 5, 5)
			return err
		}, ErrBadLuma},
		{"luma huge", func() error {
			l := make([]float32, 25)
			l[3] = 3e30
			_, _, err := FromLuma(l, 5, 5)
			return err
		}, ErrBadLuma},
		{"luma negative dims", func() error { _, _, err := FromLuma(nil, -5, -5); return err }, ErrImageTooSmall},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.run(); !errors.Is(err, tc.want) {
				t.Errorf("error = %v, want %v", err, tc.want)
			}
		})
	}
	if _, q, err := Compute(image.NewGray(image.Rect(0, 0, 5, 5))); err != nil || q != 0 {
		t.Errorf("Compute(5x5 flat) = quality %d, %v; want 0, nil", q, err)
	}
}

// hugeImage claims large bounds without holding any pixels.
type hugeImage struct{ r image.Rectangle }

func (hugeImage) ColorModel() color.Model   { return color.GrayModel }
func (m hugeImage) Bounds() image.Rectangle { return m.r }
func (hugeImage) At(int, int) color.Color   { return color.Gray{} }

func TestYCCLuma(t *testing.T) {
	step := 1 // all 2^24 inputs
	if testing.Short() {
		step = 15 // every 15th luma level (0, 15, ..., 255), all chroma
	}
	for y := 0; y < 256; y += step {
		for cb := range 256 {
			for cr := range 256 {
				R, G, B := color.YCbCrToRGB(uint8(y), uint8(cb), uint8(cr))
				if got, want := yccLuma(uint8(y), uint8(cb), uint8(cr)), rgbLuma(R, G, B); got != want {
					t.Fatalf("yccLuma(%d, %d, %d) = %v, want %v", y, cb, cr, got, want)
				}
			}
		}
	}
}
