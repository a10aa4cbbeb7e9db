package registry

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/askfirst/askfirst/internal/store"
	"github.com/askfirst/askfirst/match"
)

// pdqWorks returns n works with random PDQ hashes.
func pdqWorks(rng *rand.Rand, n int) []store.Work {
	ws := make([]store.Work, n)
	for i := range ws {
		h := make([]byte, 32)
		for k := range h {
			h[k] = byte(rng.Uint32())
		}
		ws[i] = store.Work{ID: fmt.Sprintf("w%d-%d", rng.Uint64(), i), PDQ: h}
	}
	return ws
}

// TestIndexCompacts checks that the match indexes do not stay linear scans:
// a build ends with every code in the multi-index tables, and codes added
// while serving are folded in once the delta is large.
func TestIndexCompacts(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	x := newIndex()
	x.loading = true // as BuildIndex does
	for _, w := range pdqWorks(rng, 3000) {
		x.add(w)
	}
	x.compact()
	x.loading = false
	st := x.Stats()
	if len(st) != 1 || st[0].Kind != (match.Kind{Type: match.PDQ, Bits: 256}) || st[0].Stats.Codes != 3000 || st[0].Stats.Delta != 0 || st[0].Stats.Substrings == 0 {
		t.Fatalf("after a build of 3000 works: %+v, want one PDQ index of 3000 codes in its tables, none in the delta", st)
	}

	more := pdqWorks(rng, 20_000)
	x.Add(more...)
	deadline := time.Now().Add(time.Minute)
	for {
		st = x.Stats()
		if st[0].Stats.Delta <= 4096 && !x.Compacting() {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("20,000 works added: delta still %d codes after a minute", st[0].Stats.Delta)
		}
		time.Sleep(10 * time.Millisecond)
	}
	if st[0].Stats.Codes != 23_000 {
		t.Fatalf("after adds: %d codes, want 23000", st[0].Stats.Codes)
	}
	// Every work is still found at distance 0.
	for _, w := range append(pdqWorks(rand.New(rand.NewPCG(1, 2)), 3000)[:50], more[len(more)-50:]...) {
		hits := x.Search(WorkUnits(w))
		if len(hits) == 0 || hits[0].WorkID != w.ID || hits[0].Distance != 0 {
			t.Fatalf("work %s not found by its own PDQ: %+v", w.ID, hits)
		}
	}
}
