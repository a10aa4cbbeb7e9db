package match_test

import (
	"math/rand/v2"
	"sync"
	"testing"

	"github.com/askfirst/askfirst/match"
)

// TestConcurrentUpdates runs searches, batches, adds, removes and
// compactions at once (run it with -race). Stable codes, never touched by
// the writers, must be found by every search; at the end the index must
// agree with an exhaustive scan of what the writers left.
func TestConcurrentUpdates(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 5))
	const n = 5000
	codes := uniform(rng, n, 1, 0)
	ids := make([]uint64, n)
	for i := range ids {
		ids[i] = uint64(i)
	}
	x, err := match.Build64(match.Config{DeltaLimit: 100}, ids, codes)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	// Writers own disjoint id ranges: [n/2 + k*1000, n/2 + (k+1)*1000).
	final := make([]map[uint64]uint64, 2)
	for k := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := rand.New(rand.NewPCG(uint64(k), 9))
			mine := map[uint64]uint64{}
			for id := uint64(n/2 + k*1000); id < uint64(n/2+(k+1)*1000); id++ {
				mine[id] = codes[id]
			}
			for i := range 3000 {
				id := uint64(n/2+k*1000) + uint64(r.IntN(1000))
				if i%3 == 0 {
					x.Remove(id)
					delete(mine, id)
				} else {
					c := r.Uint64()
					if err := x.Add(id, c); err != nil {
						t.Error(err)
						return
					}
					mine[id] = c
				}
				if i%500 == 0 && x.NeedsCompaction() {
					if err := x.Compact(); err != nil && err != match.ErrCompacting {
						t.Error(err)
					}
				}
			}
			final[k] = mine
		}()
	}
	for k := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 400 {
				p := (i*7 + k) % (n / 2)
				found := false
				for _, r := range x.Search(codes[p], 0) {
					found = found || r.ID == uint64(p)
				}
				if !found {
					t.Errorf("stable code %d not found during updates", p)
					return
				}
			}
			res, err := x.SearchBatch(t.Context(), codes[:n/2], 0, 2)
			if err != nil {
				t.Error(err)
				return
			}
			for p, rs := range res {
				if len(rs) == 0 || rs[0].ID != uint64(p) && rs[len(rs)-1].ID != uint64(p) {
					found := false
					for _, r := range rs {
						found = found || r.ID == uint64(p)
					}
					if !found {
						t.Errorf("batch: stable code %d not found during updates", p)
						return
					}
				}
			}
		}()
	}
	wg.Wait()
	if t.Failed() {
		return
	}
	b := &brute{w: 1, codes: map[uint64][]uint64{}}
	for p := range n / 2 {
		b.codes[uint64(p)] = codes[p : p+1]
	}
	for id := uint64(n/2 + 2000); id < n; id++ {
		b.codes[id] = codes[id : id+1]
	}
	for _, m := range final {
		for id, c := range m {
			b.codes[id] = []uint64{c}
		}
	}
	if got, want := x.Len(), len(b.codes); got != want {
		t.Fatalf("Len() = %d, want %d", got, want)
	}
	var all []uint64
	for _, c := range b.codes {
		all = append(all, c...)
	}
	for _, r := range []int{0, 4, 8, 12} {
		check(t, "after concurrent updates", s64{x}, b, queries(rng, all, 1, 50, r, gens[0]), r)
	}
}
