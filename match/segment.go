package match

import (
	"math"
	"math/bits"
	"sync"
)

// A segment is the immutable, multi-index-hashed part of an index
// (Norouzi, Punjani, Fleet, "Fast search in Hamming space with multi-index
// hashing", CVPR 2012). Codes are split into m disjoint substrings; table i
// maps the value of substring i to the codes having that value, stored
// CSR-style: offsets (2^width+1 uint32) and entries grouped by key.
// By the generalised pigeonhole principle, if a code is within r of the query
// and the per-table radii r_i satisfy sum(r_i+1) >= r+1, then some substring i
// is within r_i of the query's substring i, so probing every key within r_i
// of the query key in every table finds every answer.
//
// Positions are ordered by the key of table 0, so table 0 needs no entries:
// its buckets are ranges of the code array itself, scanned sequentially.
// Entries of the other tables are positions; for 64-bit codes each entry
// is one word holding the position in its low posBits bits and, above it, a
// sketch: the 64-posBits bits after the key, cyclically (40 bits at 10^7
// codes). Key and sketch together cover all but posBits-width bits of the
// code (3 of 64 at 10^7), so a candidate can only match if the distance on
// the key plus the distance on the sketch is at most r, a test that rejects
// nearly every non-matching candidate before its code is read.
type segment struct {
	w      int      // 64-bit words per code: 1 or 4
	n      int      // number of codes
	ids    []uint64 // id of each position
	codes  []uint64 // n*w words, position p at codes[p*w:]
	byID   []uint32 // positions in increasing id order
	tables []table
	// 64-bit codes: an entry of tables 1..m-1 is sketch<<posBits | position.
	posBits uint
}

type table struct {
	off, width int      // substring bit offset and width (width <= maxWidth)
	skOff      int      // bit offset of the sketch (64-bit codes)
	skBits     int      // sketch width: 64-posBits, at most 64-width
	offsets    []uint32 // 1<<width + 1 entries
	pos        []uint32 // 256-bit codes: positions grouped by key
	ent        []uint64 // 64-bit codes: sketch<<posBits | position, grouped by key
}

const (
	maxWidth = 26 // widest substring: offsets then take 256 MiB per table
	minWidth = 8
)

// sub returns width bits of code starting at bit off (bit k is bit k%64 of
// word k/64).
func sub(code []uint64, off, width int) uint32 {
	wi, s := off>>6, uint(off&63)
	v := code[wi] >> s
	if int(s)+width > 64 {
		v |= code[wi+1] << (64 - s)
	}
	return uint32(v & (1<<uint(width) - 1))
}

// sketch returns the n bits of a 64-bit code starting at bit off, cyclically.
func sketch(c uint64, off, n int) uint64 {
	return bits.RotateLeft64(c, -off) & (1<<uint(n) - 1)
}

// splitWidths splits nbits into m substrings whose widths differ by at most one.
func splitWidths(nbits, m int) []int {
	ws := make([]int, m)
	for i := range ws {
		ws[i] = nbits / m
		if i < nbits%m {
			ws[i]++
		}
	}
	return ws
}

// chooseSubstrings picks the number of substrings for n codes of nbits bits
// tuned for radius r, by a cost model calibrated on the benchmark machine
// (see bench/README.md). Layouts whose ids, tables and offsets would exceed
// the memory budget (MemoryBudget64, MemoryBudget256 bytes per code beyond
// the codes) are not considered; the budget is reckoned at 2^20 codes or
// more, below which the offsets of any layout dominate.
func chooseSubstrings(nbits, n, r int) int {
	best, bestCost := 0, 0.0
	lean, leanBytes := 0, 0.0
	entry, budget := 8.0, float64(MemoryBudget64)
	if nbits == 256 {
		entry, budget = 4.0, float64(MemoryBudget256)
	}
	nn := float64(max(n, 1<<20))
	for m := (nbits + maxWidth - 1) / maxWidth; m <= nbits/minWidth; m++ {
		ws := splitWidths(nbits, m)
		var offBytes float64
		for _, w := range ws {
			offBytes += float64(uint64(1)<<uint(w)) * 4
		}
		perCode := 12 + float64(m-1)*entry + offBytes/nn
		if lean == 0 || perCode < leanBytes {
			lean, leanBytes = m, perCode
		}
		if perCode > budget {
			continue
		}
		c := probeCost(nbits, ws, radii(m, r), n)
		if best == 0 || c < bestCost {
			best, bestCost = m, c
		}
	}
	if best == 0 {
		best = lean
	}
	return best
}

// Memory budgets in bytes per code beyond the codes (ids, tables, offsets)
// that the automatic layout keeps to, reckoned at 2^20 codes or more.
const (
	MemoryBudget64  = 40
	MemoryBudget256 = 80
)

// Cost model constants, in nanoseconds per operation, fitted to single-query
// times measured with bench/match at 10^6 and 10^7 codes for several layouts
// (bench/README.md, "Choosing the layout").
const (
	costProbe   = 10.0 // one bucket lookup, its loads overlapped with a group's
	costEmpty   = 40.0 // a mispredicted "is the bucket empty" branch
	costSeq64   = 2.4  // one code read sequentially in table 0 (64-bit)
	costSeq256  = 6.0  // one code read sequentially in table 0 (256-bit)
	costSketch  = 2.4  // one sketch test (64-bit tables 1..m-1)
	costRandom  = 90.0 // one random read of a code (256-bit tables 1..m-1)
	costScan64  = 1.9  // one code in a linear scan, 64-bit
	costScan256 = 6.7  // one code in a linear scan, 256-bit
)

// probeCost estimates the time of a multi-index probe of n uniform codes.
func probeCost(nbits int, ws, rs []int, n int) float64 {
	var cost float64
	for i, w := range ws {
		if rs[i] < 0 {
			continue
		}
		p := ballSize(w, rs[i])
		load := float64(n) / float64(uint64(1)<<uint(w))
		cands := p * load
		// Whether a bucket is empty is a coin toss the branch predictor
		// loses when about half the buckets are.
		empty := math.Exp(-load)
		cost += p * (costProbe + costEmpty*2*min(empty, 1-empty))
		switch {
		case i == 0 && nbits == 64:
			cost += cands * costSeq64
		case i == 0:
			cost += cands * costSeq256
		case nbits == 64:
			cost += cands * costSketch
		default:
			cost += cands * costRandom
		}
	}
	return cost
}

// ballSize returns the number of width-bit keys within r of a key.
func ballSize(width, r int) float64 {
	s, c := 0.0, 1.0
	for d := 0; d <= r && d <= width; d++ {
		s += c
		c = c * float64(width-d) / float64(d+1)
	}
	return s
}

// ballMasks appends every width-bit mask of at most radius set bits.
func ballMasks(dst []uint32, width, radius int) []uint32 {
	dst = append(dst, 0)
	var pick [32]uint8
	for d := 1; d <= radius && d <= width; d++ {
		idx := pick[:d]
		for i := range idx {
			idx[i] = uint8(i)
		}
		for {
			var mask uint32
			for _, b := range idx {
				mask |= 1 << b
			}
			dst = append(dst, mask)
			i := d - 1
			for i >= 0 && int(idx[i]) == width-d+i {
				i--
			}
			if i < 0 {
				break
			}
			idx[i]++
			for k := i + 1; k < d; k++ {
				idx[k] = idx[k-1] + 1
			}
		}
	}
	return dst
}

// radii returns per-table probe radii for query radius r over m tables:
// sum(r_i+1) = r+1, so by pigeonhole some table i has its substring within
// r_i; a radius of -1 means the table is not probed.
func radii(m, r int) []int {
	rs := make([]int, m)
	q, rem := (r+1)/m, (r+1)%m
	for i := range rs {
		rs[i] = q - 1
		if i < rem {
			rs[i] = q
		}
	}
	return rs
}

// buildSegment indexes codes (n*w words) under ids (strictly increasing,
// checked by the caller) into m tables. It reorders copies of ids and codes
// by the key of table 0, and uses up to two goroutines.
func buildSegment(w int, ids, codes []uint64, m int) *segment {
	n := len(ids)
	s := &segment{w: w, n: n, posBits: uint(max(1, bits.Len(uint(n))))}
	ws := splitWidths(64*w, m)
	s.tables = make([]table, m)
	off := 0
	for i := range s.tables {
		t := &s.tables[i]
		t.off, t.width = off, ws[i]
		// The sketch is the bits right after the key, cyclically, as many
		// as the entry has room for and never overlapping the key.
		t.skOff = (off + ws[i]) % 64
		t.skBits = min(64-int(s.posBits), 64-ws[i])
		off += ws[i]
	}
	// Table 0: counting sort of positions by key.
	t0 := &s.tables[0]
	nk := 1 << uint(t0.width)
	t0.offsets = make([]uint32, nk+1)
	for k := range n {
		t0.offsets[sub(codes[k*w:], t0.off, t0.width)+1]++
	}
	for k := 1; k <= nk; k++ {
		t0.offsets[k] += t0.offsets[k-1]
	}
	next := make([]uint32, nk)
	copy(next, t0.offsets[:nk])
	s.ids = make([]uint64, n)
	s.codes = make([]uint64, n*w)
	s.byID = make([]uint32, n)
	for k := range n {
		c := codes[k*w : k*w+w]
		key := sub(c, t0.off, t0.width)
		p := next[key]
		next[key]++
		s.ids[p] = ids[k]
		copy(s.codes[int(p)*w:], c)
		s.byID[k] = p
	}
	next = nil
	var wg sync.WaitGroup
	sem := make(chan struct{}, 2)
	for i := 1; i < m; i++ {
		wg.Add(1)
		sem <- struct{}{}
		go func(t *table) {
			defer wg.Done()
			defer func() { <-sem }()
			s.buildTable(t)
		}(&s.tables[i])
	}
	wg.Wait()
	return s
}

// buildTable fills one table (not table 0) by counting sort on its substring.
func (s *segment) buildTable(t *table) {
	w := s.w
	nk := 1 << uint(t.width)
	t.offsets = make([]uint32, nk+1)
	for p := range s.n {
		t.offsets[sub(s.codes[p*w:], t.off, t.width)+1]++
	}
	for k := 1; k <= nk; k++ {
		t.offsets[k] += t.offsets[k-1]
	}
	if w == 1 {
		t.ent = make([]uint64, s.n)
	} else {
		t.pos = make([]uint32, s.n)
	}
	next := make([]uint32, nk)
	copy(next, t.offsets[:nk])
	for p := range s.n {
		c := s.codes[p*w:]
		k := sub(c, t.off, t.width)
		j := next[k]
		next[k]++
		if w == 1 {
			t.ent[j] = sketch(c[0], t.skOff, t.skBits)<<s.posBits | uint64(p)
		} else {
			t.pos[j] = uint32(p)
		}
	}
}

// bytes returns the memory the segment uses beyond its codes.
func (s *segment) bytes() int64 {
	b := int64(len(s.ids))*8 + int64(len(s.byID))*4
	for _, t := range s.tables {
		b += int64(len(t.offsets))*4 + int64(len(t.pos))*4 + int64(len(t.ent))*8
	}
	return b
}

// findID returns the position of id, or -1.
func (s *segment) findID(id uint64) int {
	lo, hi := 0, s.n
	for lo < hi {
		mid := int(uint(lo+hi) >> 1)
		if s.ids[s.byID[mid]] < id {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	if lo < s.n && s.ids[s.byID[lo]] == id {
		return int(s.byID[lo])
	}
	return -1
}

// search appends to out every live code of s within r of q (w words).
// dead is a bitset over positions (nil: none dead). Each code is reported
// once: by the first table in which it is within that table's radius.
func (s *segment) search(q []uint64, r int, dead []uint64, out []Result) []Result {
	if s.n == 0 || r < 0 {
		return out
	}
	if s.scans(r) {
		return s.scan(q, r, dead, out)
	}
	p := prober{s: s, q: q, r: r, rs: radii(len(s.tables), r), dead: dead, out: out}
	for i := range s.tables {
		if p.rs[i] < 0 {
			continue
		}
		p.ti = i
		t := &s.tables[i]
		p.qk = sub(q, t.off, t.width)
		p.qs = sketch(q[0], t.skOff, t.skBits)
		p.masks = ballMasks(p.masks[:0], t.width, p.rs[i])
		for len(p.masks) > 0 {
			k := min(len(p.masks), probeGroup)
			p.probe(p.masks[:k])
			p.masks = p.masks[k:]
		}
	}
	return p.out
}

// scans reports whether a search at radius r reads every code instead of
// probing: when probing would cost more by the cost model.
func (s *segment) scans(r int) bool {
	m := len(s.tables)
	var wsBuf [64]int
	ws := wsBuf[:m]
	for i, t := range s.tables {
		ws[i] = t.width
	}
	scan := float64(s.n) * costScan64
	if s.w == 4 {
		scan = float64(s.n) * costScan256
	}
	return probeCost(64*s.w, ws, radii(m, r), s.n) > scan
}

// scan is the exhaustive fallback, used when the radius is so large that
// probing would cost more than reading every code.
func (s *segment) scan(q []uint64, r int, dead []uint64, out []Result) []Result {
	if s.w == 1 {
		q0 := q[0]
		for p, c := range s.codes[:s.n] {
			if d := bits.OnesCount64(c ^ q0); d <= r && !isDead(dead, p) {
				out = append(out, Result{ID: s.ids[p], Distance: d})
			}
		}
		return out
	}
	for p := range s.n {
		c := s.codes[p*4 : p*4+4]
		d := bits.OnesCount64(c[0]^q[0]) + bits.OnesCount64(c[1]^q[1]) +
			bits.OnesCount64(c[2]^q[2]) + bits.OnesCount64(c[3]^q[3])
		if d <= r && !isDead(dead, p) {
			out = append(out, Result{ID: s.ids[p], Distance: d})
		}
	}
	return out
}

func isDead(dead []uint64, p int) bool {
	return dead != nil && dead[p>>6]&(1<<uint(p&63)) != 0
}

// prober holds the state of one multi-index probe.
type prober struct {
	s     *segment
	q     []uint64
	r     int
	rs    []int
	dead  []uint64
	out   []Result
	ti    int      // table being probed
	qk    uint32   // query key in that table
	qs    uint64   // query sketch in that table
	masks []uint32 // keys still to probe in that table, as masks over qk
	sink  uint64   // keeps the early loads of bucket starts alive
}

// probeGroup is the number of keys whose buckets are fetched together.
const probeGroup = 64

// probe probes the keys qk^mask for up to probeGroup masks. A probe is bound
// by memory latency, so the bounds of every bucket and its first entry are
// loaded first (independent loads whose cache misses the CPU overlaps), and
// only then are the buckets scanned.
func (p *prober) probe(masks []uint32) {
	t := &p.s.tables[p.ti]
	var lo, hi [probeGroup]uint32
	for i, mk := range masks {
		k := p.qk ^ mk
		lo[i], hi[i] = t.offsets[k], t.offsets[k+1]
	}
	var sink uint64
	switch {
	case p.ti == 0:
		w := uint32(p.s.w)
		for i := range masks {
			if lo[i] != hi[i] {
				sink += p.s.codes[lo[i]*w]
			}
		}
	case p.s.w == 1:
		for i := range masks {
			if lo[i] != hi[i] {
				sink += t.ent[lo[i]]
			}
		}
	default:
		for i := range masks {
			if lo[i] != hi[i] {
				sink += uint64(t.pos[lo[i]])
			}
		}
	}
	p.sink += sink
	for i, mk := range masks {
		if lo[i] != hi[i] {
			p.bucket(lo[i], hi[i], bits.OnesCount32(mk))
		}
	}
}

// bucket verifies the entries lo..hi of the current table; dk is the
// distance of their key from the query's key.
func (p *prober) bucket(lo, hi uint32, dk int) {
	s := p.s
	t := &s.tables[p.ti]
	if p.ti == 0 {
		// Table 0 is the code array itself; every code found here is new.
		if s.w == 1 {
			q0 := p.q[0]
			for j, c := range s.codes[lo:hi] {
				if d := bits.OnesCount64(c ^ q0); d <= p.r {
					p.report(int(lo)+j, d)
				}
			}
			return
		}
		q := p.q[:4]
		cs := s.codes[lo*4 : hi*4]
		for j := 0; j+3 < len(cs); j += 4 {
			d := bits.OnesCount64(cs[j]^q[0]) + bits.OnesCount64(cs[j+1]^q[1]) +
				bits.OnesCount64(cs[j+2]^q[2]) + bits.OnesCount64(cs[j+3]^q[3])
			if d <= p.r {
				p.report(int(lo)+j/4, d)
			}
		}
		return
	}
	if s.w == 1 {
		budget := p.r - dk
		qs := p.qs
		pb, pm := s.posBits, uint64(1)<<s.posBits-1
		for _, e := range t.ent[lo:hi] {
			if bits.OnesCount64(e>>pb^qs) <= budget {
				p.verify(uint32(e & pm))
			}
		}
		return
	}
	for _, ps := range t.pos[lo:hi] {
		p.verify(ps)
	}
}

// verify checks the full code at position ps and reports it if it is within
// r and not reachable from an earlier table.
func (p *prober) verify(ps uint32) {
	s := p.s
	var d int
	var c []uint64
	if s.w == 1 {
		c = s.codes[ps : ps+1]
		d = bits.OnesCount64(c[0] ^ p.q[0])
	} else {
		c = s.codes[ps*4 : ps*4+4]
		q := p.q[:4]
		d = bits.OnesCount64(c[0]^q[0]) + bits.OnesCount64(c[1]^q[1]) +
			bits.OnesCount64(c[2]^q[2]) + bits.OnesCount64(c[3]^q[3])
	}
	if d > p.r || s.foundEarlier(c, p.q, p.ti, p.rs) {
		return
	}
	p.report(int(ps), d)
}

// foundEarlier reports whether code c is within the probe radius of query q
// in a table before ti, so that an earlier table has reported it already.
func (s *segment) foundEarlier(c, q []uint64, ti int, rs []int) bool {
	for j := 0; j < ti; j++ {
		t := &s.tables[j]
		if rs[j] >= 0 && bits.OnesCount32(sub(c, t.off, t.width)^sub(q, t.off, t.width)) <= rs[j] {
			return true
		}
	}
	return false
}

func (p *prober) report(ps, d int) {
	if isDead(p.dead, ps) {
		return
	}
	p.out = append(p.out, Result{ID: p.s.ids[ps], Distance: d})
}
