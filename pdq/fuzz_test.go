package pdq_test

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"image"
	"image/color"
	"math"
	"os"
	"strings"
	"testing"

	"github.com/askfirst/askfirst/pdq"
)

func FuzzParseHash(f *testing.F) {
	for _, name := range []string{"testdata/hashes/short256.dat", "testdata/hashes/short64.dat"} {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		sc := bufio.NewScanner(bytes.NewReader(b))
		for sc.Scan() {
			f.Add(sc.Text())
		}
	}
	f.Add("")
	f.Add(strings.Repeat("G", 64))
	f.Fuzz(func(t *testing.T, s string) {
		h, err := pdq.ParseHash(s)
		if err != nil {
			if !errors.Is(err, pdq.ErrMalformedHash) {
				t.Fatalf("ParseHash(%q) error %v does not wrap ErrMalformedHash", s, err)
			}
			return
		}
		if got := h.String(); got != strings.ToLower(s) {
			t.Fatalf("ParseHash(%q).String() = %q", s, got)
		}
	})
}

// FuzzCompute hashes small images built from arbitrary bytes in several
// colour models: no panics, errors only for images below MinDim, quality in
// 0..100, ComputeDihedral's original equal to Compute's unless 64x64, and
// FromLuma on the grey levels equal to Compute on the grey image.
func FuzzCompute(f *testing.F) {
	f.Add(uint8(5), uint8(5), uint8(0), []byte{1, 2, 3})
	f.Add(uint8(64), uint8(64), uint8(1), []byte("pdq"))
	f.Add(uint8(4), uint8(70), uint8(2), []byte{255})
	f.Add(uint8(129), uint8(7), uint8(3), []byte{0, 128, 255, 7})
	f.Fuzz(func(t *testing.T, w, h, kind uint8, data []byte) {
		rect := image.Rect(0, 0, int(w), int(h))
		at := func(i int) uint8 {
			if len(data) == 0 {
				return 0
			}
			return data[i%len(data)] ^ uint8(i*31)
		}
		var img image.Image
		grey := image.NewGray(rect)
		for i := range grey.Pix {
			grey.Pix[i] = at(i)
		}
		switch kind % 4 {
		case 0:
			img = grey
		case 1:
			m := image.NewNRGBA(rect)
			for i := range m.Pix {
				m.Pix[i] = at(i)
			}
			img = m
		case 2:
			m := image.NewYCbCr(rect, image.YCbCrSubsampleRatio420)
			for i := range m.Y {
				m.Y[i] = at(i)
			}
			for i := range m.Cb {
				m.Cb[i], m.Cr[i] = at(2*i), at(2*i+1)
			}
			img = m
		case 3:
			m := image.NewRGBA64(rect)
			for i := range m.Pix {
				m.Pix[i] = at(i)
			}
			for y := range int(h) {
				for x := range int(w) {
					m.SetRGBA64(x, y, color.RGBA64{uint16(at(x)) << 8, uint16(at(y)) << 8, 0x1234, 0xffff})
				}
			}
			img = m
		}
		hash, q, err := pdq.Compute(img)
		small := w < pdq.MinDim || h < pdq.MinDim
		if small {
			if !errors.Is(err, pdq.ErrImageTooSmall) {
				t.Fatalf("%dx%d: error %v, want ErrImageTooSmall", w, h, err)
			}
			return
		}
		if err != nil {
			t.Fatalf("%dx%d: %v", w, h, err)
		}
		if q < 0 || q > 100 {
			t.Fatalf("quality %d out of range", q)
		}
		hs, qd, err := pdq.ComputeDihedral(img)
		if err != nil || qd != q {
			t.Fatalf("ComputeDihedral: quality %d, %v; Compute quality %d", qd, err, q)
		}
		if (w != 64 || h != 64) && hs[pdq.Original] != hash {
			t.Fatalf("ComputeDihedral original %v, Compute %v", hs[pdq.Original], hash)
		}
		if kind%4 == 0 {
			luma := make([]float32, len(grey.Pix))
			for i, p := range grey.Pix {
				luma[i] = float32(p)
			}
			lh, lq, err := pdq.FromLuma(luma, int(w), int(h))
			if err != nil || lh != hash || lq != q {
				t.Fatalf("FromLuma = %v, %d, %v; Compute = %v, %d", lh, lq, err, hash, q)
			}
		}
	})
}

// FuzzFromLuma feeds arbitrary float32 bit patterns (NaN, infinities,
// huge values) and dimensions: an error or a hash, never a panic or a hang.
func FuzzFromLuma(f *testing.F) {
	f.Add(uint16(5), uint16(5), []byte{0, 0, 0x80, 0x7f}) // +Inf
	f.Add(uint16(8), uint16(6), []byte{0, 0, 0xc0, 0x7f}) // NaN
	f.Add(uint16(70), uint16(9), []byte{1, 2, 3, 4, 5, 6, 7, 8})
	f.Fuzz(func(t *testing.T, w, h uint16, data []byte) {
		n := int(w) * int(h)
		if n > 1<<16 {
			return
		}
		luma := make([]float32, n)
		for i := range luma {
			if len(data) >= 4 {
				j := (4 * i) % (len(data) - len(data)%4)
				luma[i] = math.Float32frombits(binary.LittleEndian.Uint32(data[j:]))
			}
		}
		hash, q, err := pdq.FromLuma(luma, int(w), int(h))
		if err != nil {
			if !errors.Is(err, pdq.ErrBadLuma) && !errors.Is(err, pdq.ErrImageTooSmall) {
				t.Fatalf("FromLuma %dx%d: unexpected error %v", w, h, err)
			}
			return
		}
		if q < 0 || q > 100 {
			t.Fatalf("quality %d", q)
		}
		hs, _, err := pdq.DihedralFromLuma(luma, int(w), int(h))
		if err != nil {
			t.Fatal(err)
		}
		if (w != 64 || h != 64) && hs[pdq.Original] != hash {
			t.Fatalf("DihedralFromLuma original %v, FromLuma %v", hs[pdq.Original], hash)
		}
	})
}
