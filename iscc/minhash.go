package iscc

// MinHash of iscc-core minhash.py: 64 universal hash functions
// h_k(f) = ((A_k·f + B_k mod 2^64) mod (2^61−1)) & 0xFFFFFFFF over uint32
// features, each reduced to its minimum.

const mersenne61 = 1<<61 - 1

// minHash accumulates the 64 minima over batches of features. The zero
// value is not ready; use newMinHash.
type minHash [64]uint64

func newMinHash() minHash {
	var m minHash
	for i := range m {
		m[i] = 1<<32 - 1 + 1 // above every possible 32-bit hash
	}
	return m
}

// add folds a batch of features into the minima. Four hash functions are
// evaluated per pass over the features: four independent dependency chains
// keep the multiplier busy, and A, B and the minima stay in registers.
func (m *minHash) add(features []uint32) {
	if len(features) == 0 {
		return
	}
	for k := 0; k < len(m); k += 4 {
		a0, a1, a2, a3 := minhashA[k], minhashA[k+1], minhashA[k+2], minhashA[k+3]
		b0, b1, b2, b3 := minhashB[k], minhashB[k+1], minhashB[k+2], minhashB[k+3]
		l0, l1, l2, l3 := m[k], m[k+1], m[k+2], m[k+3]
		for _, f := range features {
			x := uint64(f)
			l0 = min(l0, universalHash(a0, b0, x))
			l1 = min(l1, universalHash(a1, b1, x))
			l2 = min(l2, universalHash(a2, b2, x))
			l3 = min(l3, universalHash(a3, b3, x))
		}
		m[k], m[k+1], m[k+2], m[k+3] = l0, l1, l2, l3
	}
}

// universalHash is ((a·f + b mod 2^64) mod (2^61−1)) & 0xFFFFFFFF. The
// Mersenne modulus is reduced by folding the top 3 bits onto the low 61 and
// one conditional subtraction.
func universalHash(a, b, f uint64) uint64 {
	x := a*f + b
	r := x&mersenne61 + x>>61
	if r >= mersenne61 {
		r -= mersenne61
	}
	return r & 0xffffffff
}

// digest256 compresses the minima to 256 bits (alg_minhash_compress with
// lsb=4): bit 0 of each of the 64 minima, then bit 1 of each, and so on,
// packed MSB first.
func (m *minHash) digest256() []byte {
	out := make([]byte, 32)
	i := 0
	for pos := 0; pos < 4; pos++ {
		for _, h := range m {
			if h>>pos&1 == 1 {
				out[i/8] |= 0x80 >> (i % 8)
			}
			i++
		}
	}
	return out
}
