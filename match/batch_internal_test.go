package match

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// TestJoinFlushesCandidates runs the 256-bit join with a candidate limit so
// small that candidates are verified many times in the middle of a table
// (at full size that happens only beyond about 10^6 codes), and checks
// every answer against a single search.
func TestJoinFlushesCandidates(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	n, nq := 4000, 300
	codes := make([]uint64, 4*n)
	ids := make([]uint64, n)
	for i := range ids {
		ids[i] = uint64(i)
		for k := range 4 {
			codes[4*i+k] = rng.Uint64()
		}
	}
	s := buildSegment(4, ids, codes, 16)
	qs := make([]uint64, 4*nq)
	for i := range nq {
		copy(qs[4*i:], codes[4*rng.IntN(n):][:4])
		for range rng.IntN(40) {
			b := rng.IntN(256)
			qs[4*i+b/64] ^= 1 << (b % 64)
		}
	}
	for _, limit := range []int{1, 7, 100} {
		j := joiner{maxCands: limit}
		out := make([][]Result, nq)
		j.run(s, qs, 31, nil, out)
		found := 0
		for i := range nq {
			sortResults(out[i])
			want := s.search(qs[4*i:4*i+4], 31, nil, nil)
			sortResults(want)
			if !slices.Equal(out[i], want) {
				t.Fatalf("limit %d, query %d: join %v, search %v", limit, i, out[i], want)
			}
			found += len(want)
		}
		if found < nq/2 {
			t.Fatalf("limit %d: %d results for %d planted queries: the check would prove little", limit, found, nq)
		}
	}
}
