package match_test

import (
	"fmt"
	"math/bits"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/askfirst/askfirst/match"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// gen produces codes of one of the benchmark shapes.
type gen struct {
	name string
	// code returns n codes of w words.
	code func(rng *rand.Rand, n, w, r int) []uint64
}

func uniform(rng *rand.Rand, n, w, _ int) []uint64 {
	out := make([]uint64, n*w)
	for i := range out {
		out[i] = rng.Uint64()
	}
	return out
}

// biased sets each bit with probability 0.3.
func biased(rng *rand.Rand, n, w, _ int) []uint64 {
	out := make([]uint64, n*w)
	for i := range out {
		var v uint64
		for b := range 64 {
			if rng.Float64() < 0.3 {
				v |= 1 << b
			}
		}
		out[i] = v
	}
	return out
}

// flip flips k distinct random bits of code (w words).
func flip(rng *rand.Rand, code []uint64, k int) {
	nb := 64 * len(code)
	for _, b := range rng.Perm(nb)[:min(k, nb)] {
		code[b/64] ^= 1 << (b % 64)
	}
}

// clustered makes bases and variants of them at 1..r bits.
func clustered(rng *rand.Rand, n, w, r int) []uint64 {
	out := make([]uint64, n*w)
	nb := max(1, n/20)
	base := uniform(rng, nb, w, 0)
	for i := range n {
		b := rng.IntN(nb)
		c := out[i*w : i*w+w]
		copy(c, base[b*w:b*w+w])
		flip(rng, c, rng.IntN(min(max(r, 1), 64*w))+1)
	}
	return out
}

var gens = []gen{{"uniform", uniform}, {"clustered", clustered}, {"biased", biased}}

func dist(a, b []uint64) int {
	d := 0
	for i := range a {
		d += bits.OnesCount64(a[i] ^ b[i])
	}
	return d
}

// brute is the exhaustive reference: every live code within r of q.
type brute struct {
	w     int
	codes map[uint64][]uint64
}

func (b *brute) search(q []uint64, r int) []match.Result {
	var out []match.Result
	for id, c := range b.codes {
		if d := dist(c, q); d <= r {
			out = append(out, match.Result{ID: id, Distance: d})
		}
	}
	sortByDistance(out)
	return out
}

// sortByDistance puts results in the order searches return them.
func sortByDistance(rs []match.Result) {
	slices.SortFunc(rs, func(x, y match.Result) int {
		if x.Distance != y.Distance {
			return x.Distance - y.Distance
		}
		return cmpU(x.ID, y.ID)
	})
}

func cmpU(a, b uint64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// searcher abstracts Index64 and Index256 for the cross-check.
type searcher interface {
	add(id uint64, c []uint64)
	remove(id uint64) bool
	search(q []uint64, r int) []match.Result
	batch(qs []uint64, r int) [][]match.Result
	compact() error
	len() int
}

type s64 struct{ x *match.Index64 }

func (s s64) add(id uint64, c []uint64) { _ = s.x.Add(id, c[0]) }
func (s s64) remove(id uint64) bool     { return s.x.Remove(id) }
func (s s64) search(q []uint64, r int) []match.Result {
	return s.x.Search(q[0], r)
}
func (s s64) batch(qs []uint64, r int) [][]match.Result {
	res, err := s.x.SearchBatch(rctx, qs, r, 2)
	if err != nil {
		panic(err)
	}
	return res
}
func (s s64) compact() error { return s.x.Compact() }
func (s s64) len() int       { return s.x.Len() }

type s256 struct{ x *match.Index256 }

func (s s256) add(id uint64, c []uint64) { _ = s.x.Add(id, match.Code256(c)) }
func (s s256) remove(id uint64) bool     { return s.x.Remove(id) }
func (s s256) search(q []uint64, r int) []match.Result {
	return s.x.Search(match.Code256(q), r)
}
func (s s256) batch(qs []uint64, r int) [][]match.Result {
	cs := make([]match.Code256, len(qs)/4)
	for i := range cs {
		cs[i] = match.Code256(qs[4*i:])
	}
	res, err := s.x.SearchBatch(rctx, cs, r, 2)
	if err != nil {
		panic(err)
	}
	return res
}
func (s s256) compact() error { return s.x.Compact() }
func (s s256) len() int       { return s.x.Len() }

func build(t testing.TB, w int, cfg match.Config, ids, codes []uint64) searcher {
	t.Helper()
	if w == 1 {
		x, err := match.Build64(cfg, ids, codes)
		if err != nil {
			t.Fatal(err)
		}
		return s64{x}
	}
	cs := make([]match.Code256, len(ids))
	for i := range cs {
		cs[i] = match.Code256(codes[4*i:])
	}
	x, err := match.Build256(cfg, ids, cs)
	if err != nil {
		t.Fatal(err)
	}
	return s256{x}
}

// queries returns nq queries: half planted near existing codes, half fresh.
func queries(rng *rand.Rand, codes []uint64, w, nq, r int, g gen) []uint64 {
	n := len(codes) / w
	qs := g.code(rng, nq, w, r)
	for i := 0; i < nq; i += 2 {
		p := rng.IntN(n)
		q := qs[i*w : i*w+w]
		copy(q, codes[p*w:p*w+w])
		flip(rng, q, rng.IntN(r+2))
	}
	return qs
}

func check(t *testing.T, name string, s searcher, b *brute, qs []uint64, r int) {
	t.Helper()
	w := b.w
	opt := cmpopts.EquateEmpty()
	for i := 0; i < len(qs)/w; i++ {
		q := qs[i*w : i*w+w]
		got, want := s.search(q, r), b.search(q, r)
		if len(got) == 0 && len(want) == 0 || slices.Equal(got, want) {
			continue
		}
		if diff := cmp.Diff(want, got, opt); diff != "" {
			t.Fatalf("%s: search %x r=%d: results differ from exhaustive scan (-want +got):\n%s", name, q, r, diff)
		}
	}
	res := s.batch(qs, r)
	for i := range res {
		q := qs[i*w : i*w+w]
		want := b.search(q, r)
		if len(want) == 0 && len(res[i]) == 0 || slices.Equal(want, res[i]) {
			continue
		}
		if diff := cmp.Diff(want, res[i], opt); diff != "" {
			t.Fatalf("%s: batch query %d %x r=%d: results differ from exhaustive scan (-want +got):\n%s", name, i, q, r, diff)
		}
	}
}

func TestExhaustiveCrossCheck(t *testing.T) {
	type tc struct {
		w, n, tune int
		subs       []int
		radii      []int
	}
	cases := []tc{
		{w: 1, n: 3000, tune: 8, subs: []int{0, 3, 4, 5, 8}, radii: []int{0, 1, 2, 3, 5, 8, 9, 12, 16, 24, 40, 64}},
		{w: 4, n: 2000, tune: 31, subs: []int{0, 12, 16, 20, 32}, radii: []int{0, 1, 7, 15, 16, 31, 32, 40, 64, 128, 256}},
	}
	if raceEnabled || testing.Short() {
		cases[0].n, cases[0].subs, cases[0].radii = 800, []int{0, 3}, []int{0, 3, 8, 9, 20}
		cases[1].n, cases[1].subs, cases[1].radii = 500, []int{0, 16}, []int{0, 15, 31, 32, 100}
	}
	for _, c := range cases {
		for _, g := range gens {
			for _, m := range c.subs {
				name := fmt.Sprintf("%dbit/%s/m=%d", 64*c.w, g.name, m)
				t.Run(name, func(t *testing.T) {
					rng := rand.New(rand.NewPCG(uint64(c.w), uint64(m)))
					codes := g.code(rng, c.n, c.w, c.tune)
					ids := make([]uint64, c.n)
					b := &brute{w: c.w, codes: map[uint64][]uint64{}}
					for i := range ids {
						ids[i] = rng.Uint64() >> 1
						b.codes[ids[i]] = codes[i*c.w : i*c.w+c.w]
					}
					s := build(t, c.w, match.Config{Substrings: m}, ids, codes)
					for _, r := range c.radii {
						qs := queries(rng, codes, c.w, 40, r, g)
						check(t, fmt.Sprintf("built r=%d", r), s, b, qs, r)
					}
					// Adds (some replacing existing ids) and removes.
					extra := g.code(rng, 400, c.w, c.tune)
					for i := range 400 {
						id := rng.Uint64() >> 1
						if i%4 == 0 {
							id = ids[rng.IntN(len(ids))]
						}
						code := extra[i*c.w : i*c.w+c.w]
						s.add(id, code)
						b.codes[id] = code
					}
					for i := range 300 {
						id := ids[rng.IntN(len(ids))]
						if i%10 == 0 {
							id = rng.Uint64() // absent
						}
						_, want := b.codes[id]
						if got := s.remove(id); got != want {
							t.Fatalf("remove %d: got %v, want %v", id, got, want)
						}
						delete(b.codes, id)
					}
					if got, want := s.len(), len(b.codes); got != want {
						t.Fatalf("after updates: Len() = %d, want %d", got, want)
					}
					all := append(slices.Clone(codes), extra...)
					for _, r := range c.radii {
						check(t, fmt.Sprintf("updated r=%d", r), s, b, queries(rng, all, c.w, 30, r, g), r)
					}
					if err := s.compact(); err != nil {
						t.Fatal(err)
					}
					if got, want := s.len(), len(b.codes); got != want {
						t.Fatalf("after compact: Len() = %d, want %d", got, want)
					}
					for _, r := range c.radii {
						check(t, fmt.Sprintf("compacted r=%d", r), s, b, queries(rng, all, c.w, 30, r, g), r)
					}
				})
			}
		}
	}
}
