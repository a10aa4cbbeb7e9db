package match

import (
	"errors"
	"fmt"
	"slices"
	"sort"
	"sync"
)

// Config tunes an index. The zero value is useful: it tunes the index for
// the radius DESIGN §4 uses for the code size (8 for 64-bit, 31 for 256-bit)
// and picks the number of substrings from the number of codes.
type Config struct {
	// Radius is the query radius the layout is tuned for. Queries may use any
	// radius and are exact at every radius; only their speed depends on it.
	// Zero means the default for the code size.
	Radius int
	// Substrings forces the number of multi-index substrings (tables).
	// Zero chooses it from Radius and the number of codes at each build.
	// 64-bit codes need at least 3 (substrings are at most 26 bits wide).
	Substrings int
	// DeltaLimit is the number of codes added since the last build above
	// which NeedsCompaction reports true. Zero means 1/256 of the codes in
	// the tables, at least 4096: searches scan the delta linearly, so it is
	// kept to a small part of a search's time, while a compaction, which
	// costs time in proportion to all the codes, runs at most once per
	// 1/256 of them added.
	DeltaLimit int
}

// Default tuning radii (DESIGN §4): ISCC 64-bit units and PDQ.
const (
	DefaultRadius64  = 8
	DefaultRadius256 = 31
)

// MaxCodes is the largest number of codes an index holds; positions are
// stored as uint32.
const MaxCodes = 1<<32 - 1

// ErrFull is returned when an index already holds MaxCodes codes.
var ErrFull = errors.New("match: index full")

func (c Config) validate(w int) (Config, error) {
	nbits := 64 * w
	if c.Radius < 0 || c.Radius > nbits {
		return c, fmt.Errorf("match: config Radius %d: want 0..%d", c.Radius, nbits)
	}
	if c.Radius == 0 {
		c.Radius = DefaultRadius64
		if w == 4 {
			c.Radius = DefaultRadius256
		}
	}
	if c.Substrings != 0 {
		minM := (nbits + maxWidth - 1) / maxWidth
		if c.Substrings < minM || c.Substrings > nbits/minWidth {
			return c, fmt.Errorf("match: config Substrings %d: want 0 or %d..%d for %d-bit codes", c.Substrings, minM, nbits/minWidth, nbits)
		}
	}
	if c.DeltaLimit < 0 {
		return c, fmt.Errorf("match: config DeltaLimit %d: want >= 0", c.DeltaLimit)
	}
	return c, nil
}

// core is the index shared by Index64 and Index256, over codes of w words.
// All fields after mu are guarded by mu; main is immutable once built.
type core struct {
	w   int
	cfg Config

	mu    sync.RWMutex
	main  *segment
	dead  []uint64 // bitset over main positions
	ndead int
	// The delta holds codes added since the last build; entries are never
	// moved until the next build, removed ones are marked dead.
	dIDs   []uint64
	dCodes []uint64
	dDead  []bool
	dByID  map[uint64]int
	dLive  int
	// While a compaction builds a new main segment outside the lock, ids
	// removed or replaced are recorded here and applied to the new segment.
	compacting bool
	pending    []uint64
}

func newCore(w int, cfg Config, ids, codes []uint64) (*core, error) {
	cfg, err := cfg.validate(w)
	if err != nil {
		return nil, err
	}
	if len(codes) != len(ids)*w {
		return nil, fmt.Errorf("match: build: %d ids but %d code words (want %d per code)", len(ids), len(codes), w)
	}
	if len(ids) > MaxCodes {
		return nil, fmt.Errorf("match: build %d codes: %w", len(ids), ErrFull)
	}
	ids, codes = sortByID(w, ids, codes) // buildSegment copies again, reordered
	for i := 1; i < len(ids); i++ {
		if ids[i] == ids[i-1] {
			return nil, fmt.Errorf("match: build: duplicate id %d", ids[i])
		}
	}
	c := &core{w: w, cfg: cfg, dByID: map[uint64]int{}}
	c.main = c.build(ids, codes)
	c.dead = make([]uint64, (len(ids)+63)/64)
	return c, nil
}

// sortByID returns ids and codes ordered by id: the slices themselves if they
// are sorted, else sorted copies. buildSegment never modifies them.
func sortByID(w int, ids, codes []uint64) ([]uint64, []uint64) {
	if slices.IsSorted(ids) {
		return ids, codes
	}
	perm := make([]uint32, len(ids))
	for i := range perm {
		perm[i] = uint32(i)
	}
	sort.Slice(perm, func(a, b int) bool { return ids[perm[a]] < ids[perm[b]] })
	ids2 := make([]uint64, len(ids))
	codes2 := make([]uint64, len(codes))
	for i, p := range perm {
		ids2[i] = ids[p]
		copy(codes2[i*w:i*w+w], codes[int(p)*w:int(p)*w+w])
	}
	return ids2, codes2
}

func (c *core) build(ids, codes []uint64) *segment {
	m := c.cfg.Substrings
	if m == 0 {
		m = chooseSubstrings(64*c.w, len(ids), c.cfg.Radius)
	}
	return buildSegment(c.w, ids, codes, m)
}

// findMain returns the live main position of id, or -1.
func (c *core) findMain(id uint64) int {
	p := c.main.findID(id)
	if p < 0 || isDead(c.dead, p) {
		return -1
	}
	return p
}

// remove deletes id; c.mu must be held for writing.
func (c *core) remove(id uint64) bool {
	found := false
	if p := c.findMain(id); p >= 0 {
		c.dead[p>>6] |= 1 << uint(p&63)
		c.ndead++
		found = true
	}
	if j, ok := c.dByID[id]; ok {
		c.dDead[j] = true
		delete(c.dByID, id)
		c.dLive--
		found = true
	}
	if found && c.compacting {
		c.pending = append(c.pending, id)
	}
	return found
}

func (c *core) add(id uint64, code []uint64) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.remove(id)
	if c.main.n-c.ndead+c.dLive >= MaxCodes || len(c.dIDs) >= MaxCodes {
		return fmt.Errorf("match: add id %d: %w", id, ErrFull)
	}
	c.dByID[id] = len(c.dIDs)
	c.dIDs = append(c.dIDs, id)
	c.dCodes = append(c.dCodes, code...)
	c.dDead = append(c.dDead, false)
	c.dLive++
	return nil
}

func (c *core) removeLocked(id uint64) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.remove(id)
}

func (c *core) len() int {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.main.n - c.ndead + c.dLive
}

func (c *core) needsCompaction() bool {
	c.mu.RLock()
	defer c.mu.RUnlock()
	limit := c.cfg.DeltaLimit
	if limit == 0 {
		limit = max(minDeltaLimit, c.main.n/256)
	}
	return len(c.dIDs) > limit || c.ndead > c.main.n/4+limit
}

// minDeltaLimit is the least automatic DeltaLimit.
const minDeltaLimit = 4096

// search returns every live code within r of q, sorted. c.mu must be held
// for reading.
func (c *core) search(q []uint64, r int, out []Result) []Result {
	out = c.main.search(q, r, c.dead, out)
	out = c.searchDelta(q, r, out)
	sortResults(out)
	return out
}

// searchDelta appends every live code of the delta within r of q.
// c.mu must be held for reading.
func (c *core) searchDelta(q []uint64, r int, out []Result) []Result {
	return scanDelta(c.w, c.dIDs, c.dCodes, c.dDead, q, r, out)
}

// scanDelta appends every code of a delta (ids, codes of w words, removed
// flags) within r of q.
func scanDelta(w int, ids, codes []uint64, dead []bool, q []uint64, r int, out []Result) []Result {
	for j, id := range ids {
		if dead[j] {
			continue
		}
		if d := distWords(codes[j*w:j*w+w], q); d <= r {
			out = append(out, Result{ID: id, Distance: d})
		}
	}
	return out
}

// view is what a search reads, as it was at one instant: the main segment
// (immutable), copies of the tombstones (nil when there are none) and of
// the delta's removed flags, and the delta's ids and codes up to their
// length then (later adds only append beyond it, and a compaction replaces
// the slices rather than changing them).
type view struct {
	main         *segment
	dead         []uint64
	dIDs, dCodes []uint64
	dDead        []bool
}

// view returns the index as it is now, for a long search that must not hold
// the lock (writers would wait for it).
func (c *core) view() view {
	c.mu.RLock()
	defer c.mu.RUnlock()
	v := view{main: c.main, dIDs: c.dIDs, dCodes: c.dCodes, dDead: slices.Clone(c.dDead)}
	if c.ndead > 0 {
		v.dead = slices.Clone(c.dead)
	}
	return v
}

func distWords(a, b []uint64) int {
	if len(a) == 1 {
		return Distance64(a[0], b[0])
	}
	return Distance256(Code256(a[:4]), Code256(b[:4]))
}

func sortResults(rs []Result) {
	slices.SortFunc(rs, func(a, b Result) int {
		if a.Distance != b.Distance {
			return a.Distance - b.Distance
		}
		switch {
		case a.ID < b.ID:
			return -1
		case a.ID > b.ID:
			return 1
		}
		return 0
	})
}

func (c *core) searchOne(q []uint64, r int) []Result {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.search(q, r, nil)
}

// ErrCompacting is returned by Compact when another compaction is running.
var ErrCompacting = errors.New("match: compaction already running")

// compact rebuilds the main segment from every live code. Searches, adds
// and removes proceed while the new segment is built; the lock is held only
// to take a consistent snapshot and to swap.
func (c *core) compact() error {
	c.mu.Lock()
	if c.compacting {
		c.mu.Unlock()
		return ErrCompacting
	}
	c.compacting = true
	old := c.main
	dead := slices.Clone(c.dead)
	k := len(c.dIDs)
	dIDs := slices.Clone(c.dIDs)
	dCodes := slices.Clone(c.dCodes)
	dDead := slices.Clone(c.dDead)
	c.mu.Unlock()

	ids, codes := c.merge(old, dead, dIDs, dCodes, dDead)
	seg := c.build(ids, codes)

	c.mu.Lock()
	defer c.mu.Unlock()
	c.main = seg
	c.dead = make([]uint64, (seg.n+63)/64)
	c.ndead = 0
	for _, id := range c.pending {
		if p := seg.findID(id); p >= 0 && !isDead(c.dead, p) {
			c.dead[p>>6] |= 1 << uint(p&63)
			c.ndead++
		}
	}
	// Codes added since the snapshot stay in the delta.
	var nIDs, nCodes []uint64
	var nDead []bool
	c.dByID = map[uint64]int{}
	c.dLive = 0
	for j := k; j < len(c.dIDs); j++ {
		if c.dDead[j] {
			continue
		}
		c.dByID[c.dIDs[j]] = len(nIDs)
		nIDs = append(nIDs, c.dIDs[j])
		nCodes = append(nCodes, c.dCodes[j*c.w:j*c.w+c.w]...)
		nDead = append(nDead, false)
		c.dLive++
	}
	c.dIDs, c.dCodes, c.dDead = nIDs, nCodes, nDead
	c.compacting = false
	c.pending = nil
	return nil
}

// merge returns the live codes of a main segment and a delta, sorted by id.
func (c *core) merge(s *segment, dead []uint64, dIDs, dCodes []uint64, dDead []bool) ([]uint64, []uint64) {
	w := c.w
	type ent struct {
		id uint64
		j  int
	}
	var delta []ent
	for j, id := range dIDs {
		if !dDead[j] {
			delta = append(delta, ent{id, j})
		}
	}
	slices.SortFunc(delta, func(a, b ent) int {
		switch {
		case a.id < b.id:
			return -1
		case a.id > b.id:
			return 1
		}
		return 0
	})
	n := len(delta)
	for p := range s.n {
		if !isDead(dead, p) {
			n++
		}
	}
	ids := make([]uint64, 0, n)
	codes := make([]uint64, 0, n*w)
	di := 0
	// Walk the main segment in id order (byID) and merge the delta in.
	for k := 0; k < s.n || di < len(delta); {
		var p int
		if k < s.n {
			p = int(s.byID[k])
			if isDead(dead, p) {
				k++
				continue
			}
		}
		if di < len(delta) && (k >= s.n || delta[di].id < s.ids[p]) {
			j := delta[di].j
			ids = append(ids, delta[di].id)
			codes = append(codes, dCodes[j*w:j*w+w]...)
			di++
			continue
		}
		ids = append(ids, s.ids[p])
		codes = append(codes, s.codes[p*w:p*w+w]...)
		k++
	}
	return ids, codes
}

// liveSorted returns a consistent copy of every live code sorted by id.
func (c *core) liveSorted() ([]uint64, []uint64) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.merge(c.main, c.dead, c.dIDs, c.dCodes, c.dDead)
}

// Stats describes the size of an index.
type Stats struct {
	Codes        int     // live codes
	Substrings   int     // multi-index tables in the main segment
	Delta        int     // codes added since the last build (live or removed)
	Removed      int     // removed codes still in the main segment
	CodeBytes    int64   // bytes holding the codes of the main segment and delta
	IndexBytes   int64   // bytes beyond the codes: ids, tables, tombstones, delta bookkeeping
	BytesPerCode float64 // IndexBytes per code in the main segment and delta
}

func (c *core) stats() Stats {
	c.mu.RLock()
	defer c.mu.RUnlock()
	st := Stats{
		Codes:      c.main.n - c.ndead + c.dLive,
		Substrings: len(c.main.tables),
		Delta:      len(c.dIDs),
		Removed:    c.ndead,
		CodeBytes:  int64(len(c.main.codes)+len(c.dCodes)) * 8,
	}
	// Go maps of int keys cost about 40 bytes per entry with overhead.
	st.IndexBytes = c.main.bytes() + int64(len(c.dead))*8 +
		int64(len(c.dIDs))*9 + int64(len(c.dByID))*40
	if n := c.main.n + len(c.dIDs); n > 0 {
		st.BytesPerCode = float64(st.IndexBytes) / float64(n)
	}
	return st
}
