package registry

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/askfirst/askfirst/internal/store"
	"github.com/askfirst/askfirst/iscc"
	"github.com/askfirst/askfirst/match"
)

// Index is the registry's in-memory similarity index over the content
// codes of every registered work (DESIGN §4): candidates are retrieved on
// Content-, Data- and PDQ units with the match package's exact radius
// search and confirmed on every other unit both sides have. It is rebuilt
// from the store at start-up and kept current by Sync, which follows the
// log (so several processes over one database all see every work).
//
// An Index is safe for concurrent use.
type Index struct {
	mu         sync.RWMutex
	thresholds match.Thresholds
	works      []string // position → work ID
	pos        map[string]uint64
	units      [][]match.Unit // position → the work's units
	by64       map[match.Kind]*match.Index64
	by256      map[match.Kind]*match.Index256
	applied    int64 // log entries applied
	// One background compaction at most per unit kind; none while loading.
	compacting map[match.Kind]*atomic.Bool
	loading    bool
}

// retrieval lists the unit types searched for candidates; Meta-Code is
// only used to confirm (titles collide too easily to retrieve on).
var retrieval = []match.UnitType{match.ISCCContentText, match.ISCCContentImage, match.ISCCContentAudio,
	match.ISCCContentVideo, match.ISCCContentMixed, match.ISCCData, match.PDQ}

func newIndex() *Index {
	return &Index{thresholds: match.DefaultThresholds(), pos: map[string]uint64{},
		by64: map[match.Kind]*match.Index64{}, by256: map[match.Kind]*match.Index256{},
		compacting: map[match.Kind]*atomic.Bool{}}
}

// BuildIndex indexes every work in st.
func BuildIndex(ctx context.Context, st store.Store) (*Index, error) {
	x := newIndex()
	// No background compaction while loading: the tables are built once, at
	// the end.
	x.loading = true
	err := st.View(ctx, func(tx store.ReadTx) error {
		n, err := tx.LogSize()
		if err != nil {
			return err
		}
		after := ""
		for {
			ws, err := tx.ListWorks(after, 1000)
			if err != nil {
				return err
			}
			for _, w := range ws {
				x.add(w)
			}
			if len(ws) < 1000 {
				break
			}
			after = ws[len(ws)-1].ID
		}
		x.applied = n
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("build content index: %w", err)
	}
	x.compact()
	x.loading = false
	return x, nil
}

// compact builds the multi-index tables of every index from the codes
// added so far (which until then are scanned linearly).
func (x *Index) compact() {
	for _, ix := range x.by64 {
		_ = ix.Compact() // its only error is ErrCompacting: one is running
	}
	for _, ix := range x.by256 {
		_ = ix.Compact()
	}
}

// IndexStats describes one of the match indexes of an Index.
type IndexStats struct {
	Kind  match.Kind
	Stats match.Stats
}

// Stats describes the match index of every unit kind, in no fixed order.
func (x *Index) Stats() []IndexStats {
	x.mu.RLock()
	defer x.mu.RUnlock()
	var out []IndexStats
	for k, ix := range x.by64 {
		out = append(out, IndexStats{k, ix.Stats()})
	}
	for k, ix := range x.by256 {
		out = append(out, IndexStats{k, ix.Stats()})
	}
	return out
}

// compactLater rebuilds the tables of the index of kind k in the
// background once enough codes wait in its delta (NeedsCompaction);
// searches and adds go on meanwhile. The caller holds x.mu.
func (x *Index) compactLater(k match.Kind, needs func() bool, compact func() error) {
	if x.loading {
		return
	}
	running := x.compacting[k]
	if running == nil {
		running = new(atomic.Bool)
		x.compacting[k] = running
	}
	if !needs() || !running.CompareAndSwap(false, true) {
		return
	}
	go func() {
		for {
			// Codes added during a compaction wait in the new delta: go on
			// while they are enough for another.
			for needs() {
				if compact() != nil { // only ErrCompacting: another is running
					break
				}
			}
			running.Store(false)
			if !needs() || !running.CompareAndSwap(false, true) {
				return
			}
		}
	}()
}

// Compacting reports whether a background compaction is running.
func (x *Index) Compacting() bool {
	x.mu.RLock()
	defer x.mu.RUnlock()
	for _, r := range x.compacting {
		if r.Load() {
			return true
		}
	}
	return false
}

// Len returns the number of works indexed.
func (x *Index) Len() int {
	x.mu.RLock()
	defer x.mu.RUnlock()
	return len(x.works)
}

// Sync indexes the works that log entries appended since the last Sync
// (or the build) describe.
func (x *Index) Sync(ctx context.Context, st store.Store) error {
	x.mu.RLock()
	from := x.applied
	x.mu.RUnlock()
	var works []store.Work
	var to int64
	err := st.View(ctx, func(tx store.ReadTx) error {
		n, err := tx.LogSize()
		if err != nil {
			return err
		}
		to = n
		for start := from; start < n; start += 1000 {
			end := min(start+1000, n)
			entries, err := tx.LogEntries(start, end)
			if err != nil {
				return err
			}
			for _, e := range entries {
				var head struct {
					Type string `json:"type"`
					ID   string `json:"id"`
				}
				if json.Unmarshal(e, &head) != nil || head.Type != "work" || x.has(head.ID) {
					continue
				}
				w, err := tx.Work(head.ID)
				if err != nil {
					return fmt.Errorf("work %s of the log: %w", head.ID, err)
				}
				works = append(works, w)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("sync content index: %w", err)
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.applied != from {
		return nil // another Sync got there first
	}
	for _, w := range works {
		x.add(w)
	}
	x.applied = to
	return nil
}

// has reports whether the work id is indexed.
func (x *Index) has(id string) bool {
	x.mu.RLock()
	defer x.mu.RUnlock()
	_, ok := x.pos[id]
	return ok
}

// Add indexes works just committed, so that a write need not read them
// back; Sync skips works already indexed.
func (x *Index) Add(works ...store.Work) {
	x.mu.Lock()
	defer x.mu.Unlock()
	for _, w := range works {
		x.add(w)
	}
}

// add indexes w; the caller holds mu (or owns x).
func (x *Index) add(w store.Work) {
	if _, ok := x.pos[w.ID]; ok {
		return
	}
	units := WorkUnits(w)
	p := uint64(len(x.works))
	x.works = append(x.works, w.ID)
	x.pos[w.ID] = p
	x.units = append(x.units, units)
	for _, u := range units {
		if !slices.Contains(retrieval, u.Type) {
			continue
		}
		if u.Bits == 64 {
			ix := x.by64[u.Kind]
			if ix == nil {
				ix, _ = match.New64(match.Config{})
				x.by64[u.Kind] = ix
			}
			ix.Add(p, u.Code[0])
			x.compactLater(u.Kind, ix.NeedsCompaction, ix.Compact)
		} else {
			ix := x.by256[u.Kind]
			if ix == nil {
				ix, _ = match.New256(match.Config{})
				x.by256[u.Kind] = ix
			}
			ix.Add(p, u.Code)
			x.compactLater(u.Kind, ix.NeedsCompaction, ix.Compact)
		}
	}
}

// family keeps the units that can confirm or refute a candidate found on
// a unit of type t: a re-encoded or edited copy has new bytes, so its
// Data-Code says nothing about a match found on content (and the reverse),
// and a Meta-Code differs with every retitling.
func family(t match.UnitType, units []match.Unit) []match.Unit {
	var out []match.Unit
	for _, u := range units {
		if u.Type == match.ISCCMeta || (u.Type == match.ISCCData) != (t == match.ISCCData) {
			continue
		}
		out = append(out, u)
	}
	return out
}

// WorkUnits returns the similarity units of a stored work.
func WorkUnits(w store.Work) []match.Unit {
	var codes []string
	for _, u := range w.Units {
		codes = append(codes, u.Code)
	}
	units := UnitsOf(codes)
	if len(w.PDQ) == 32 {
		units = append(units, match.Unit256(match.PDQ, match.Code256FromBytes([32]byte(w.PDQ))))
	}
	return units
}

// UnitsOf converts ISCC unit strings (and ISCC-CODEs, decomposed) to match
// units; codes that are not similarity units (Instance-Code) or do not
// decode are skipped, and each kind is kept once.
func UnitsOf(codes []string) []match.Unit {
	var out []match.Unit
	seen := map[match.Kind]bool{}
	for _, s := range codes {
		parts := []string{s}
		if c, err := iscc.Decode(s); err == nil && c.MainType() == iscc.MainTypeISCC {
			if ps, err := iscc.Decompose(s); err == nil {
				parts = ps
			}
		}
		for _, p := range parts {
			u, ok := unitOf(p)
			if ok && !seen[u.Kind] {
				seen[u.Kind] = true
				out = append(out, u)
			}
		}
	}
	return out
}

func unitOf(s string) (match.Unit, bool) {
	c, err := iscc.Decode(s)
	if err != nil {
		return match.Unit{}, false
	}
	var t match.UnitType
	switch c.MainType() {
	case iscc.MainTypeMeta:
		t = match.ISCCMeta
	case iscc.MainTypeData:
		t = match.ISCCData
	case iscc.MainTypeContent:
		t = map[iscc.SubType]match.UnitType{iscc.SubTypeText: match.ISCCContentText, iscc.SubTypeImage: match.ISCCContentImage,
			iscc.SubTypeAudio: match.ISCCContentAudio, iscc.SubTypeVideo: match.ISCCContentVideo, iscc.SubTypeMixed: match.ISCCContentMixed}[c.SubType()]
	}
	if t == "" {
		return match.Unit{}, false
	}
	body := c.Body()
	switch len(body) {
	case 8:
		return match.Unit64(t, binary.BigEndian.Uint64(body)), true
	case 32:
		return match.Unit256(t, match.Code256FromBytes([32]byte(body))), true
	}
	return match.Unit{}, false
}

// Hit is a work found similar to a query.
type Hit struct {
	WorkID     string
	Unit       string // the unit kind it was found on, e.g. "iscc-content-image/64"
	Distance   int
	Confidence match.Confidence
	// Units compares every unit both sides have.
	Units []match.Evidence
	// why says why a rejected hit was rejected when Units does not.
	why string
}

// Outcomes of confirmEqual.
const (
	equalStands   = iota // an exact match
	equalPossible        // a possible match (the Hit)
	equalDropped         // no match at all
)

// confirmEqual checks a work found by a unit equal to the query's code c
// (DESIGN §4). An equal Meta-Code says only that title and description
// are alike: no match when the query has content codes to match on, else
// a possible match. An equal Content-Code refuted by another unit both
// sides have beyond its threshold (a PDQ 40 bits away) is a possible
// match. Anything else stands: Instance- and Data-Codes, ISCC-CODEs,
// confirmed or unconfirmed content, a work not yet indexed.
func (x *Index) confirmEqual(workID, c string, query []match.Unit) (Hit, int) {
	u, ok := unitOf(c)
	if !ok || u.Type == match.ISCCData {
		return Hit{}, equalStands
	}
	x.mu.RLock()
	defer x.mu.RUnlock()
	p, ok := x.pos[workID]
	if !ok {
		return Hit{}, equalStands
	}
	h := Hit{WorkID: workID, Unit: u.Kind.String(), Confidence: match.Rejected}
	if u.Type == match.ISCCMeta {
		for _, q := range query {
			if slices.Contains(retrieval, q.Type) {
				return Hit{}, equalDropped
			}
		}
		h.why = "only the Meta-Code (title and description) is equal, and titles collide"
		return h, equalPossible
	}
	conf, err := x.thresholds.Confirm(u.Kind, family(u.Type, query), family(u.Type, x.units[p]))
	if err != nil || conf.Confidence != match.Rejected {
		return Hit{}, equalStands
	}
	h.Units = conf.Units
	return h, equalPossible
}

// Search returns the works whose units are within their thresholds of
// the query's, confirmed per DESIGN §4, best first: confirmed, then
// unconfirmed, then rejected ones (found within the threshold of one unit
// but beyond another's: possible matches, never deciding). A work rejected
// on one family of units (content) may still be found on another (data).
func (x *Index) Search(query []match.Unit) []Hit {
	x.mu.RLock()
	defer x.mu.RUnlock()
	best := map[uint64]Hit{}
	for _, q := range query {
		r, ok := x.thresholds[q.Kind]
		if !ok || !slices.Contains(retrieval, q.Type) {
			continue
		}
		var found []match.Result
		if q.Bits == 64 {
			if ix := x.by64[q.Kind]; ix != nil {
				found = ix.Search(q.Code[0], r)
			}
		} else if ix := x.by256[q.Kind]; ix != nil {
			found = ix.Search(q.Code, r)
		}
		for _, f := range found {
			if h, done := best[f.ID]; done && h.Confidence != match.Rejected {
				continue
			}
			conf, err := x.thresholds.Confirm(q.Kind, family(q.Type, query), family(q.Type, x.units[f.ID]))
			if err != nil {
				continue
			}
			if _, done := best[f.ID]; done && conf.Confidence == match.Rejected {
				continue // the first rejection found stays
			}
			best[f.ID] = Hit{WorkID: x.works[f.ID], Unit: q.Kind.String(), Distance: f.Distance, Confidence: conf.Confidence, Units: conf.Units}
		}
	}
	out := make([]Hit, 0, len(best))
	for _, h := range best {
		out = append(out, h)
	}
	rank := map[match.Confidence]int{match.Confirmed: 0, match.Unconfirmed: 1, match.Rejected: 2}
	slices.SortFunc(out, func(a, b Hit) int {
		if a.Confidence != b.Confidence {
			return rank[a.Confidence] - rank[b.Confidence]
		}
		if a.Distance != b.Distance {
			return a.Distance - b.Distance
		}
		return compareStrings(a.WorkID, b.WorkID)
	})
	return out
}

func compareStrings(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
