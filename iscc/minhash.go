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

// add folds a batch of features into the minima. The loop order (functions
// outside, features inside) keeps A, B and the minimum in registers.
func (m *minHash) add(features []uint32) {
	if len(features) == 0 {
		return
	}
	for k := range m {
		a, b, lo := minhashA[k], minhashB[k], m[k]
		for _, f := range features {
			x := a*uint64(f) + b
			// x mod (2^61−1) by folding the top 3 bits, then one correction.
			r := x&mersenne61 + x>>61
			if r >= mersenne61 {
				r -= mersenne61
			}
			r &= 0xffffffff
			if r < lo {
				lo = r
			}
		}
		m[k] = lo
	}
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
