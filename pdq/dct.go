package pdq

import (
	"math"
	"slices"
)

// The frequency-domain half of PDQ (pdq/cpp/hashing/pdqhashing.cpp:
// dct_matrix_64, dct64To16, pdqImageDomainQualityMetric,
// pdqBuffer16x16ToBits, the dct16OriginalTo* transforms; the median is
// Torben's, pdq/cpp/hashing/torben.cpp).

const (
	outDim = 64 // side of the decimated image
	dctDim = 16 // side of the kept block of DCT coefficients
)

// dctMatrix is the 16x64 DCT-II basis of the reference, rows 1..16 (row 0,
// the DC term, is not used), scaled by sqrt(2/64). Each entry is computed in
// float64 from the float32 scale factor and rounded to float32, as the
// reference does. It is computed once and never modified.
var dctMatrix = func() (m [dctDim][outDim]float32) {
	scale := float32(math.Sqrt(2.0 / float64(outDim)))
	for i := range dctDim {
		for j := range outDim {
			arg := (math.Pi / 2.0 / float64(outDim)) * float64(i+1) * float64(2*j+1)
			m[i][j] = float32(float64(scale) * math.Cos(arg))
		}
	}
	return m
}()

// dct64To16 computes B = D A Dᵀ for the 64x64 image A, keeping the 16x16
// low-frequency block, with the reference's float32 summation order (first
// T = D A, then B = T Dᵀ, each sum over k ascending). The products are
// converted to float32 explicitly so that the compiler cannot fuse them into
// FMA instructions, which would change the rounding.
func dct64To16(a *[outDim][outDim]float32, b *[dctDim][dctDim]float32) {
	var t [dctDim][outDim]float32
	for i := range dctDim {
		d := &dctMatrix[i]
		ti := &t[i]
		// Accumulate column sums for all j at once; per (i, j) the order
		// of additions is still k = 0..63.
		for k := range outDim {
			dk := d[k]
			ak := &a[k]
			for j := range outDim {
				ti[j] += float32(dk * ak[j])
			}
		}
	}
	for i := range dctDim {
		ti := &t[i]
		for j := range dctDim {
			d := &dctMatrix[j]
			var sum float32
			for k := range outDim {
				sum += float32(ti[k] * d[k])
			}
			b[i][j] = sum
		}
	}
}

// quality is pdqImageDomainQualityMetric: the sum of quantised vertical and
// horizontal gradients of the 64x64 image, scaled by 1/90 and capped at 100.
func quality(a *[outDim][outDim]float32) int {
	sum := 0
	for i := 0; i < outDim-1; i++ {
		for j := range outDim {
			sum += absInt(int(((a[i][j] - a[i+1][j]) * 100) / 255))
		}
	}
	for i := range outDim {
		for j := 0; j < outDim-1; j++ {
			sum += absInt(int(((a[i][j] - a[i][j+1]) * 100) / 255))
		}
	}
	q := sum / 90
	return min(q, 100)
}

func absInt(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// torbenMedian returns the lower median (the ((n+1)/2)-th smallest value)
// of v by Torben Mogensen's method, as the reference does: repeatedly
// bisect the value range and count values below, above and equal to the
// guess, without reordering v.
func torbenMedian(v []float32) float32 {
	n := len(v)
	half := (n + 1) / 2
	lo, hi := v[0], v[0]
	for _, x := range v[1:] {
		if x < lo {
			lo = x
		}
		if x > hi {
			hi = x
		}
	}
	for iter := 0; ; iter++ {
		if iter == maxTorbenRounds {
			// Not reached for finite input, which the callers
			// guarantee; bounded anyway so that no input can hang.
			return sortedMedian(v)
		}
		guess := (lo + hi) / 2
		less, greater, equal := 0, 0, 0
		maxBelow, minAbove := lo, hi
		for _, x := range v {
			switch {
			case x < guess:
				less++
				if x > maxBelow {
					maxBelow = x
				}
			case x > guess:
				greater++
				if x < minAbove {
					minAbove = x
				}
			default:
				equal++
			}
		}
		if less <= half && greater <= half {
			switch {
			case less >= half:
				return maxBelow
			case less+equal >= half:
				return guess
			default:
				return minAbove
			}
		}
		if less > greater {
			hi = maxBelow
		} else {
			lo = minAbove
		}
	}
}

// maxTorbenRounds bounds the bisection loop; float32 has 2^32 values, and
// each round at least halves the candidate range in practice.
const maxTorbenRounds = 512

// sortedMedian is the ((n+1)/2)-th smallest value of v by sorting a copy.
func sortedMedian(v []float32) float32 {
	c := slices.Clone(v)
	slices.Sort(c)
	return c[(len(c)+1)/2-1]
}

// toBits is pdqBuffer16x16ToBits: bit i*16+j is set when coefficient (i, j)
// is strictly greater than the median of all 256 coefficients.
func toBits(b *[dctDim][dctDim]float32) Hash {
	var flat [dctDim * dctDim]float32
	for i := range dctDim {
		copy(flat[i*dctDim:], b[i][:])
	}
	m := torbenMedian(flat[:])
	var h Hash
	for k, x := range flat {
		if x > m {
			h.setBit(k)
		}
	}
	return h
}

// Indexes of the eight dihedral variants in the result of ComputeDihedral,
// in the reference's order (pdqDihedralHash256esFromFloatLuma; directions as
// in pdq/cpp/io/pdqio.h).
const (
	Original   = iota // the image as given
	Rotate90          // rotated 90° counterclockwise
	Rotate180         // rotated 180°
	Rotate270         // rotated 270° counterclockwise (90° clockwise)
	FlipX             // top and bottom exchanged
	FlipY             // left and right exchanged (mirror image)
	FlipPlus1         // mirrored about the main diagonal (transposed)
	FlipMinus1        // mirrored about the anti-diagonal
)

// VariantName returns the name of dihedral variant v (Original ..
// FlipMinus1): "original", "rotate90", "rotate180", "rotate270", "flipx",
// "flipy", "flipplus1" or "flipminus1"; "" for other values.
func VariantName(v int) string {
	names := [8]string{"original", "rotate90", "rotate180", "rotate270", "flipx", "flipy", "flipplus1", "flipminus1"}
	if v < 0 || v >= len(names) {
		return ""
	}
	return names[v]
}

// dihedral describes how the reference derives the DCT of a transformed
// image from the DCT of the original (pdqhashing.cpp, dct16OriginalTo*):
// a rotation or flip of the image only transposes the coefficient block
// and negates coefficients of odd frequency along a mirrored axis.
type dihedral struct {
	transpose bool
	negIEven  bool // negate when the row index i (of the original) is even
	negJEven  bool // negate when the column index j is even
	negOdd    bool // negate when i+j is odd
}

var dihedrals = [8]dihedral{
	Original:   {},
	Rotate90:   {transpose: true, negJEven: true},
	Rotate180:  {negOdd: true},
	Rotate270:  {transpose: true, negIEven: true},
	FlipX:      {negIEven: true},
	FlipY:      {negJEven: true},
	FlipPlus1:  {transpose: true},
	FlipMinus1: {transpose: true, negOdd: true},
}

func (t dihedral) apply(a, b *[dctDim][dctDim]float32) {
	for i := range dctDim {
		for j := range dctDim {
			x := a[i][j]
			if t.negIEven && i&1 == 0 || t.negJEven && j&1 == 0 || t.negOdd && (i+j)&1 == 1 {
				x = -x
			}
			if t.transpose {
				b[j][i] = x
			} else {
				b[i][j] = x
			}
		}
	}
}
