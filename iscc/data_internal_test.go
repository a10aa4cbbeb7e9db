package iscc

import (
	"bytes"
	"math/rand/v2"
	"testing"
)

// naiveChunks is a direct, unoptimised reading of specs/iscc.md §2.7 over
// a whole buffer (fastcdc as iscc-core uses it).
func naiveChunks(data []byte) [][]byte {
	if len(data) == 0 {
		return [][]byte{nil}
	}
	var chunks [][]byte
	for len(data) > 0 {
		s := len(data)
		i := min(256, s)
		var pattern uint32
		cut := -1
		for ; i < min(640, s); i++ {
			pattern = pattern>>1 + cdcGear[data[i]]
			if pattern&0x7ff == 0 {
				cut = i + 1
				break
			}
		}
		if cut < 0 {
			for ; i < min(8192, s); i++ {
				pattern = pattern>>1 + cdcGear[data[i]]
				if pattern&0x1ff == 0 {
					cut = i + 1
					break
				}
			}
		}
		if cut < 0 {
			cut = i
		}
		chunks = append(chunks, data[:cut])
		data = data[cut:]
	}
	return chunks
}

func naiveDataDigest(data []byte) []byte {
	m := newMinHash()
	for _, c := range naiveChunks(data) {
		m.add([]uint32{xxh32(c)})
	}
	return m.digest256()
}

// TestDataHasherAgainstNaive compares the streaming, buffered chunker with
// the naive one on random data with runs (which give long chunks) and
// random write sizes.
func TestDataHasherAgainstNaive(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 10))
	for trial := 0; trial < 20; trial++ {
		n := r.IntN(600000)
		data := make([]byte, n)
		for i := range data {
			if r.IntN(4) == 0 && i > 0 {
				data[i] = data[i-1]
			} else {
				data[i] = byte(r.Uint32())
			}
		}
		if trial%5 == 0 {
			data = bytes.Repeat([]byte{0}, n) // no cut points at all
		}
		h, _ := NewDataHasher(256)
		for p := data; len(p) > 0; {
			k := min(1+r.IntN(70000), len(p))
			h.Write(p[:k])
			p = p[k:]
		}
		if got, want := h.digest(), naiveDataDigest(data); !bytes.Equal(got, want) {
			t.Fatalf("trial %d (%d bytes): streaming digest %x, naive %x", trial, n, got, want)
		}
	}
}

// TestUniversalHash checks the 32-bit shortcut of the Mersenne reduction
// against plain modular arithmetic, around the values where it matters.
func TestUniversalHash(t *testing.T) {
	xs := []uint64{0, 1, mersenne61 - 8, mersenne61 - 7, mersenne61 - 1, mersenne61, mersenne61 + 1, mersenne61 + 6,
		1<<62 - 1, 1<<62 - 2, 1<<62 - 9, 3<<61 - 1, 3<<61 - 4, 1<<63 + 12345, ^uint64(0), ^uint64(0) - 7, ^uint64(0) - 8, 0xfffffff8, 0xffffffff}
	r := rand.New(rand.NewPCG(11, 12))
	for i := 0; i < 100000; i++ {
		xs = append(xs, r.Uint64(), r.Uint64()|0xfffffff8, r.Uint64()|(1<<61-8))
	}
	for _, x := range xs {
		if got, want := universalHash(x), uint32(x%mersenne61); got != want {
			t.Errorf("universalHash(%#x) = %#x, want %#x", x, got, want)
		}
	}
}

// FuzzCDCCut compares the chunker's cut points with the naive reading of
// the algorithm on arbitrary input.
func FuzzCDCCut(f *testing.F) {
	f.Add([]byte{})
	f.Add(bytes.Repeat([]byte{0}, 9000))
	f.Add(bytes.Repeat([]byte("abcdefg"), 2000))
	f.Fuzz(func(t *testing.T, data []byte) {
		want := naiveChunks(data)
		rest := data
		for i, w := range want {
			cut := cdcCut(rest)
			if cut != len(w) {
				t.Fatalf("chunk %d: cdcCut = %d, naive %d", i, cut, len(w))
			}
			rest = rest[cut:]
		}
		if len(rest) != 0 {
			t.Fatalf("%d bytes left after the naive chunks", len(rest))
		}
	})
}
