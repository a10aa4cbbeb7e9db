package match_test

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/askfirst/askfirst/match"
)

// BenchmarkSearch measures single queries on 10^6 codes of each shape; the
// exhaustive scan of the same codes runs beside it for the ratio.
// bench/match measures at 10^7 with FAISS beside it.
func BenchmarkSearch(b *testing.B) {
	const n = 1_000_000
	for _, w := range []int{1, 4} {
		r := map[int]int{1: 8, 4: 31}[w]
		for _, g := range gens {
			rng := rand.New(rand.NewPCG(3, uint64(w)))
			codes := g.code(rng, n, w, r)
			ids := make([]uint64, n)
			for i := range ids {
				ids[i] = uint64(i)
			}
			s := build(b, w, match.Config{}, ids, codes)
			qs := queries(rng, codes, w, 1024, r, g)
			b.Run(fmt.Sprintf("%dbit/%s/index", 64*w, g.name), func(b *testing.B) {
				i := 0
				for b.Loop() {
					s.search(qs[i%1024*w:i%1024*w+w], r)
					i++
				}
			})
			b.Run(fmt.Sprintf("%dbit/%s/exhaustive", 64*w, g.name), func(b *testing.B) {
				i := 0
				for b.Loop() {
					q := qs[i%1024*w : i%1024*w+w]
					cnt := 0
					for p := 0; p < n; p++ {
						if dist(codes[p*w:p*w+w], q) <= r {
							cnt++
						}
					}
					i++
				}
			})
		}
	}
}
