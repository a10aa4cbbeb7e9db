package iscc

// MinHash of iscc-core minhash.py: 64 universal hash functions
// h_k(f) = ((A_k·f + B_k mod 2^64) mod (2^61−1)) & 0xFFFFFFFF over uint32
// features, each reduced to its minimum.

const mersenne61 = 1<<61 - 1

// minHash accumulates the 64 minima over batches of features. Callers add
// at least one feature before taking the digest. Use newMinHash.
type minHash [64]uint32

func newMinHash() minHash {
	var m minHash
	for i := range m {
		m[i] = 0xffffffff // no 32-bit hash is larger
	}
	return m
}

// add folds a batch of features into the minima.
func (m *minHash) add(features []uint32) {
	// Blocks of features small enough to stay in L1 across the 16 passes.
	const block = 4096
	for len(features) > block {
		m.addBlock(features[:block])
		features = features[block:]
	}
	if len(features) > 0 {
		m.addBlock(features)
	}
}

// addBlock evaluates four hash functions per pass over the features: four
// independent dependency chains keep the multiplier busy.
func (m *minHash) addBlock(features []uint32) {
	for k := 0; k < len(m); k += 4 {
		a0, a1, a2, a3 := minhashA[k], minhashA[k+1], minhashA[k+2], minhashA[k+3]
		b0, b1, b2, b3 := minhashB[k], minhashB[k+1], minhashB[k+2], minhashB[k+3]
		l0, l1, l2, l3 := m[k], m[k+1], m[k+2], m[k+3]
		for _, f := range features {
			x := uint64(f)
			l0 = min(l0, universalHash(a0*x+b0))
			l1 = min(l1, universalHash(a1*x+b1))
			l2 = min(l2, universalHash(a2*x+b2))
			l3 = min(l3, universalHash(a3*x+b3))
		}
		m[k], m[k+1], m[k+2], m[k+3] = l0, l1, l2, l3
	}
}

// universalHash returns (x mod (2^61−1)) & 0xFFFFFFFF.
//
// With hi = x>>61 and lo = x & (2^61−1), x ≡ lo + hi; r = lo + hi < 2^61+7
// needs one subtraction of the modulus iff r ≥ 2^61−1, which adds 1 to the
// low 32 bits (r − (2^61−1) ≡ r + 1 mod 2^32). That needs lo ≥ 2^61−8, so
// the low 32 bits of x are at least 0xFFFFFFF8; below that the result is
// simply uint32(x) + hi, without overflow.
func universalHash(x uint64) uint32 {
	lo32, hi := uint32(x), uint32(x>>61)
	if lo32 < 0xfffffff8 {
		return lo32 + hi
	}
	r := x&mersenne61 + x>>61
	if r >= mersenne61 {
		r -= mersenne61
	}
	return uint32(r)
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
