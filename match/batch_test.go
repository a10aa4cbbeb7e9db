package match_test

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/askfirst/askfirst/match"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// TestBatchJoin cross-checks the join path of SearchBatch for 64-bit codes
// (used for batches of 2048 queries or more) against the exhaustive scan,
// on every data shape and layout, with removed codes in the main segment
// and added ones in the delta.
func TestBatchJoin(t *testing.T) {
	n, nq := 20000, 2500
	subs, radii := []int{0, 3, 4, 6}, []int{0, 2, 8, 9, 12}
	if raceEnabled || testing.Short() {
		n, subs, radii = 5000, []int{0, 4}, []int{0, 8, 9}
	}
	for _, g := range gens {
		for _, m := range subs {
			t.Run(fmt.Sprintf("%s/m=%d", g.name, m), func(t *testing.T) {
				rng := rand.New(rand.NewPCG(7, uint64(m)))
				codes := g.code(rng, n, 1, 8)
				ids := make([]uint64, n)
				b := &brute{w: 1, codes: map[uint64][]uint64{}}
				for i := range ids {
					ids[i] = uint64(i) * 3
					b.codes[ids[i]] = codes[i : i+1]
				}
				x, err := match.Build64(match.Config{Substrings: m}, ids, codes)
				if err != nil {
					t.Fatal(err)
				}
				for i := range 500 {
					id := ids[rng.IntN(n)]
					if i%2 == 0 {
						x.Remove(id)
						delete(b.codes, id)
						continue
					}
					c := g.code(rng, 1, 1, 8)
					if err := x.Add(id+1, c[0]); err != nil {
						t.Fatal(err)
					}
					b.codes[id+1] = c
				}
				// The reference: every live code, scanned for each query.
				var lids, lcodes []uint64
				for id, c := range b.codes {
					lids = append(lids, id)
					lcodes = append(lcodes, c[0])
				}
				for _, r := range radii {
					qs := queries(rng, lcodes, 1, nq, r, g)
					want := make([][]match.Result, nq)
					found := 0
					for i, q := range qs {
						for k, c := range lcodes {
							if d := match.Distance64(c, q); d <= r {
								want[i] = append(want[i], match.Result{ID: lids[k], Distance: d})
							}
						}
						sortByDistance(want[i])
						found += len(want[i])
					}
					if r >= 8 && found < nq/4 {
						t.Fatalf("r=%d: only %d results for %d queries, half of them planted: the check would prove little", r, found, nq)
					}
					for _, workers := range []int{1, 2} {
						res, err := x.SearchBatch(t.Context(), qs, r, workers)
						if err != nil {
							t.Fatal(err)
						}
						if len(res) != nq {
							t.Fatalf("r=%d: %d results for %d queries", r, len(res), nq)
						}
						for i, got := range res {
							if diff := cmp.Diff(want[i], got, cmpopts.EquateEmpty()); diff != "" {
								t.Fatalf("r=%d workers=%d query %d %016x: batch differs from exhaustive scan (-want +got):\n%s", r, workers, i, qs[i], diff)
							}
						}
					}
				}
			})
		}
	}
}

// TestBatchJoin256 does the same for 256-bit codes, whose join collects
// candidates from the tables and verifies them in order of position.
func TestBatchJoin256(t *testing.T) {
	n, nq := 8000, 2200
	subs, radii := []int{0, 12, 16}, []int{0, 15, 31, 32}
	if raceEnabled || testing.Short() {
		n, subs, radii = 3000, []int{0}, []int{0, 31}
	}
	for _, g := range gens {
		for _, m := range subs {
			t.Run(fmt.Sprintf("%s/m=%d", g.name, m), func(t *testing.T) {
				rng := rand.New(rand.NewPCG(8, uint64(m)))
				codes := g.code(rng, n, 4, 31)
				cs := make([]match.Code256, n)
				ids := make([]uint64, n)
				live := map[uint64]match.Code256{}
				for i := range cs {
					cs[i] = match.Code256(codes[4*i:])
					ids[i] = uint64(i) * 5
					live[ids[i]] = cs[i]
				}
				x, err := match.Build256(match.Config{Substrings: m}, ids, cs)
				if err != nil {
					t.Fatal(err)
				}
				for i := range 300 {
					id := ids[rng.IntN(n)]
					if i%2 == 0 {
						x.Remove(id)
						delete(live, id)
						continue
					}
					c := match.Code256(g.code(rng, 1, 4, 31))
					if err := x.Add(id+1, c); err != nil {
						t.Fatal(err)
					}
					live[id+1] = c
				}
				var lids []uint64
				var lcodes []uint64
				for id, c := range live {
					lids = append(lids, id)
					lcodes = append(lcodes, c[:]...)
				}
				for _, r := range radii {
					qw := queries(rng, lcodes, 4, nq, r, g)
					qs := make([]match.Code256, nq)
					want := make([][]match.Result, nq)
					found := 0
					for i := range qs {
						qs[i] = match.Code256(qw[4*i:])
						for k, id := range lids {
							if d := match.Distance256(match.Code256(lcodes[4*k:]), qs[i]); d <= r {
								want[i] = append(want[i], match.Result{ID: id, Distance: d})
							}
						}
						sortByDistance(want[i])
						found += len(want[i])
					}
					if r >= 31 && found < nq/4 {
						t.Fatalf("r=%d: only %d results for %d queries, half of them planted: the check would prove little", r, found, nq)
					}
					for _, workers := range []int{1, 2} {
						res, err := x.SearchBatch(t.Context(), qs, r, workers)
						if err != nil {
							t.Fatal(err)
						}
						for i, got := range res {
							if diff := cmp.Diff(want[i], got, cmpopts.EquateEmpty()); diff != "" {
								t.Fatalf("r=%d workers=%d query %d %v: batch differs from exhaustive scan (-want +got):\n%s", r, workers, i, qs[i], diff)
							}
						}
					}
				}
			})
		}
	}
}
