package iscc

// simHash combines equally long digests into one (iscc-core alg_simhash):
// output bit i (MSB first) is set iff at least half of the digests have it
// set (ties set the bit). All digests must have the length of the first.
func simHash(digests [][]byte) []byte {
	n := len(digests[0])
	counts := make([]int, n*8)
	for _, d := range digests {
		for i, b := range d[:n] {
			if b == 0 {
				continue
			}
			c := counts[i*8 : i*8+8]
			for j := 0; j < 8; j++ {
				c[j] += int(b >> (7 - j) & 1)
			}
		}
	}
	out := make([]byte, n)
	for i, c := range counts {
		// count >= len/2 in real division, i.e. 2·count >= len.
		if 2*c >= len(digests) {
			out[i/8] |= 0x80 >> (i % 8)
		}
	}
	return out
}
