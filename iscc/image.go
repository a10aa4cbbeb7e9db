package iscc

import (
	"fmt"
	"math"
	"sort"
)

// ImageCode is the result of GenImageCode.
type ImageCode struct {
	// ISCC is the Image-Code in canonical form.
	ISCC string `json:"iscc"`
}

// imageNumPixels is the number of grey values GenImageCode takes: 32×32.
const imageNumPixels = 32 * 32

// GenImageCode returns the Image-Code of a normalised image (ISO 24138
// Content-Code Image, iscc-core gen_image_code_v0): pixels are exactly 1024
// grey values, 32×32 row-major, as produced by the image preprocessing
// (orientation, transparency on white, border trim, grey, bicubic resize).
// A 2-D DCT is taken and four 8×8 blocks of low-frequency coefficients are
// compared with their medians. bits is at most 256.
func GenImageCode(pixels []byte, bits int) (*ImageCode, error) {
	if err := checkBits(bits); err != nil {
		return nil, fmt.Errorf("generate Image-Code: %w", err)
	}
	if len(pixels) != imageNumPixels {
		return nil, fmt.Errorf("generate Image-Code: got %d pixels, want %d (32×32 grey values)", len(pixels), imageNumPixels)
	}
	c, err := newUnit(MainTypeContent, SubTypeImage, 0, bits, softHashImage(pixels, bits))
	if err != nil {
		return nil, fmt.Errorf("generate Image-Code: %w", err)
	}
	return &ImageCode{ISCC: c.String()}, nil
}

// softHashImage implements soft_hash_image_v0.
func softHashImage(pixels []byte, bits int) []byte {
	var m [32][32]float64
	var row, tmp [32]float64
	for y := 0; y < 32; y++ {
		for x := 0; x < 32; x++ {
			row[x] = float64(pixels[y*32+x])
		}
		dct(row[:], tmp[:])
		m[y] = row
	}
	var col [32]float64
	for x := 0; x < 32; x++ {
		for y := 0; y < 32; y++ {
			col[y] = m[y][x]
		}
		dct(col[:], tmp[:])
		for y := 0; y < 32; y++ {
			m[y][x] = col[y]
		}
	}
	out := make([]byte, 0, 32)
	var block, sorted [64]float64
	for _, off := range [4][2]int{{0, 0}, {1, 0}, {0, 1}, {1, 1}} {
		x0, y0 := off[0], off[1]
		for y := 0; y < 8; y++ {
			for x := 0; x < 8; x++ {
				block[y*8+x] = m[y0+y][x0+x]
			}
		}
		sorted = block
		sort.Float64s(sorted[:])
		med := (sorted[31] + sorted[32]) / 2 // Python statistics.median
		for i := 0; i < 64; i += 8 {
			var b byte
			for j := 0; j < 8; j++ {
				if block[i+j] > med {
					b |= 0x80 >> j
				}
			}
			out = append(out, b)
		}
		if len(out)*8 >= bits {
			break
		}
	}
	return out
}

// dctCos[n] holds 2·cos((i+0.5)·π/n) for the DCT of length n, from
// correctly rounded cosines: Go's math.Cos is one ulp off for 9 of the 31
// arguments, which flips Image-Code bits (specs/iscc.md §2.5). The values
// are the IEEE-754 bit patterns of glibc's (correctly rounded) results.
var dctCos = func() map[int][]float64 {
	patterns := map[int][]uint64{
		32: {0x3feff621e3796d7e, 0x3fefa7557f08a517, 0x3fef0a7efb9230d7, 0x3fee212104f686e5,
			0x3feced7af43cc773, 0x3feb728345196e3e, 0x3fe9b3e047f38741, 0x3fe7b5df226aafaf,
			0x3fe57d69348cec9f, 0x3fe30ff7fce17036, 0x3fe073879922ffed, 0x3fdb5d1009e15cc2,
			0x3fd58f9a75ab1fdd, 0x3fcf19f97b215f1e, 0x3fc2c8106e8e613a, 0x3fa91f65f10dd824},
		16: {0x3fefd88da3d12526, 0x3fee9f4156c62dda, 0x3fec38b2f180bdb1, 0x3fe8bc806b151741,
			0x3fe44cf325091dd6, 0x3fde2b5d3806f63e, 0x3fd294062ed59f05, 0x3fb917a6bc29b438},
		8: {0x3fef6297cff75cb0, 0x3fea9b66290ea1a3, 0x3fe1c73b39ae68c9, 0x3fc8f8b83c69a60d},
		4: {0x3fed906bcf328d46, 0x3fd87de2a6aea964},
		2: {0x3fe6a09e667f3bcd},
	}
	out := make(map[int][]float64, len(patterns))
	for n, ps := range patterns {
		vs := make([]float64, len(ps))
		for i, p := range ps {
			vs[i] = math.Float64frombits(p) * 2 // exact: power of two
		}
		out[n] = vs
	}
	return out
}()

// dct computes in place the unnormalised fast DCT-II of v (length a power
// of two up to 32) with the operation order of iscc-core alg_dct (Nayuki's
// recursive algorithm), so results are bit-identical. tmp is scratch space
// of len(v).
func dct(v, tmp []float64) {
	n := len(v)
	if n == 1 {
		return
	}
	half := n / 2
	cs := dctCos[n]
	alpha, beta := tmp[:half], tmp[half:n]
	for i := 0; i < half; i++ {
		a, b := v[i], v[n-1-i]
		alpha[i] = a + b
		beta[i] = (a - b) / cs[i]
	}
	dct(alpha, v[:half])
	dct(beta, v[half:n])
	for i := 0; i < half-1; i++ {
		v[2*i] = alpha[i]
		v[2*i+1] = beta[i] + beta[i+1]
	}
	v[n-2] = alpha[half-1]
	v[n-1] = beta[half-1]
}
