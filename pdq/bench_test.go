package pdq_test

import (
	"image"
	"math/rand/v2"
	"testing"

	"github.com/askfirst/askfirst/pdq"
)

// benchImages are 1-megapixel (1000x1000) images of random content in the
// colour models the decoders return.
func benchImages() map[string]image.Image {
	r := rand.New(rand.NewPCG(11, 12))
	rect := image.Rect(0, 0, 1000, 1000)
	ycc := image.NewYCbCr(rect, image.YCbCrSubsampleRatio420)
	for _, p := range [][]uint8{ycc.Y, ycc.Cb, ycc.Cr} {
		for i := range p {
			p[i] = uint8(r.Uint32())
		}
	}
	nrgba := image.NewNRGBA(rect)
	for i := range nrgba.Pix {
		nrgba.Pix[i] = uint8(r.Uint32())
	}
	gray := image.NewGray(rect)
	for i := range gray.Pix {
		gray.Pix[i] = uint8(r.Uint32())
	}
	return map[string]image.Image{"ycbcr420": ycc, "nrgba": nrgba, "gray": gray}
}

func BenchmarkCompute1MP(b *testing.B) {
	for name, img := range benchImages() {
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			defer reportCPU(b)()
			for b.Loop() {
				if _, _, err := pdq.Compute(img); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkComputeDihedral1MP(b *testing.B) {
	img := benchImages()["ycbcr420"]
	b.ReportAllocs()
	defer reportCPU(b)()
	for b.Loop() {
		if _, _, err := pdq.ComputeDihedral(img); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkComputeToolResize1MP measures the reference tool's 512x512
// shrink, for comparison with the full-resolution default.
func BenchmarkComputeToolResize1MP(b *testing.B) {
	img := benchImages()["ycbcr420"]
	opt := pdq.Options{ToolResize: true}
	b.ReportAllocs()
	defer reportCPU(b)()
	for b.Loop() {
		if _, _, err := opt.Compute(img); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkFromLuma1MP(b *testing.B) {
	luma := make([]float32, 1000*1000)
	r := rand.New(rand.NewPCG(13, 14))
	for i := range luma {
		luma[i] = float32(r.IntN(256))
	}
	b.ReportAllocs()
	defer reportCPU(b)()
	for b.Loop() {
		if _, _, err := pdq.FromLuma(luma, 1000, 1000); err != nil {
			b.Fatal(err)
		}
	}
}

// reportCPU returns a function that reports the process CPU time per
// operation (all threads; the hash itself is single-threaded).
func reportCPU(b *testing.B) func() {
	start := cpuTime()
	return func() {
		if b.N > 0 {
			b.ReportMetric(float64((cpuTime()-start).Nanoseconds())/float64(b.N)/1e6, "cpu-ms/op")
		}
	}
}

func BenchmarkDistance(b *testing.B) {
	var x, y pdq.Hash
	x[3], y[30] = 0xf0, 0x0f
	d := 0
	for b.Loop() {
		d += pdq.Distance(x, y)
	}
	_ = d
}

// BenchmarkComputePhoto hashes the decoded 1600x1004 (1.6 MP) bridge photo,
// whose smooth content is kinder to branch prediction than random pixels.
func BenchmarkComputePhoto(b *testing.B) {
	img := decode(b, "images/dih/bridge-1-original.jpg")
	for _, opt := range []pdq.Options{{}, {ToolResize: true}} {
		name := "full"
		if opt.ToolResize {
			name = "toolresize"
		}
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			defer reportCPU(b)()
			for b.Loop() {
				if _, _, err := opt.Compute(img); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
