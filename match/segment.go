package match

import (
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
// also carries a 32-bit sketch (the 32 bits after the key, cyclically),
// which rejects nearly every candidate before its code is read: a candidate
// can only match if the distance on the key plus the distance on the sketch
// is at most r.
type segment struct {
	w      int      // 64-bit words per code: 1 or 4
	n      int      // number of codes
	ids    []uint64 // id of each position
	codes  []uint64 // n*w words, position p at codes[p*w:]
	byID   []uint32 // positions in increasing id order
	tables []table
}

type table struct {
	off, width int      // substring bit offset and width (width <= maxWidth)
	skOff      int      // bit offset of the 32-bit sketch (64-bit codes)
	offsets    []uint32 // 1<<width + 1 entries
	pos        []uint32 // 256-bit codes: positions grouped by key
	ent        []uint64 // 64-bit codes: sketch<<32 | position, grouped by key
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

// sketch returns the 32 bits of a 64-bit code starting at bit off, cyclically.
func sketch(c uint64, off int) uint32 { return uint32(bits.RotateLeft64(c, -off)) }

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
// (see bench/README.md). Layouts whose offsets would take more than 8 bytes
// per code, or whose tables would exceed the memory budget (MemoryBudget64,
// MemoryBudget256 bytes per code beyond the codes), are not considered; the
// budget is reckoned at 2^20 codes or more, below which offsets dominate.
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
		if offBytes > 8*nn || perCode > budget {
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
// that the automatic layout keeps to, at 65536 codes or more.
const (
	MemoryBudget64  = 40
	MemoryBudget256 = 80
)

// Cost model constants, in nanoseconds per operation, measured on the
// benchmark machine.
const (
	costProbe   = 60.0 // one bucket lookup: offsets and bucket start miss cache
	costSeq64   = 0.8  // one code read sequentially in table 0 (64-bit)
	costSeq256  = 2.5  // one code read sequentially in table 0 (256-bit)
	costSketch  = 0.8  // one sketch test (64-bit tables 1..m-1)
	costRandom  = 40.0 // one random read of a code (256-bit tables 1..m-1)
	costScan64  = 0.6  // one code in a linear scan, 64-bit
	costScan256 = 2.2  // one code in a linear scan, 256-bit
)

// probeCost estimates the time of a multi-index probe of n uniform codes.
func probeCost(nbits int, ws, rs []int, n int) float64 {
	var cost float64
	for i, w := range ws {
		if rs[i] < 0 {
			continue
		}
		p := ballSize(w, rs[i])
		cands := p * float64(n) / float64(uint64(1)<<uint(w))
		cost += p * costProbe
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
	s := &segment{w: w, n: n}
	ws := splitWidths(64*w, m)
	s.tables = make([]table, m)
	off := 0
	for i := range s.tables {
		t := &s.tables[i]
		t.off, t.width = off, ws[i]
		// The sketch is the 32 bits right after the key, cyclically; it is
		// disjoint from the key because widths are at most maxWidth <= 32.
		t.skOff = (off + ws[i]) % 64
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
			t.ent[j] = uint64(sketch(c[0], t.skOff))<<32 | uint64(p)
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
	m := len(s.tables)
	var rsBuf, wsBuf [64]int
	rs := rsBuf[:m]
	copy(rs, radii(m, r))
	ws := wsBuf[:m]
	for i, t := range s.tables {
		ws[i] = t.width
	}
	scan := float64(s.n) * costScan64
	if s.w == 4 {
		scan = float64(s.n) * costScan256
	}
	if probeCost(64*s.w, ws, rs, s.n) > scan {
		return s.scan(q, r, dead, out)
	}
	p := prober{s: s, q: q, r: r, rs: rs, dead: dead, out: out}
	for i := range s.tables {
		if rs[i] < 0 {
			continue
		}
		p.ti = i
		t := &s.tables[i]
		qk := sub(q, t.off, t.width)
		p.qs = sketch(q[0], t.skOff)
		p.enumerate(qk, t.width, rs[i])
	}
	return p.out
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
	s    *segment
	q    []uint64
	r    int
	rs   []int
	dead []uint64
	out  []Result
	ti   int    // table being probed
	qs   uint32 // query sketch for that table
	pick [32]uint8
}

// enumerate probes every key within radius of qk (width bits), in order of
// increasing distance, as combinations of flipped bit positions.
func (p *prober) enumerate(qk uint32, width, radius int) {
	p.bucket(qk, 0)
	for d := 1; d <= radius && d <= width; d++ {
		idx := p.pick[:d]
		for i := range idx {
			idx[i] = uint8(i)
		}
		for {
			var mask uint32
			for _, b := range idx {
				mask |= 1 << b
			}
			p.bucket(qk^mask, d)
			// Next combination of d positions out of width.
			i := d - 1
			for i >= 0 && int(idx[i]) == width-d+i {
				i--
			}
			if i < 0 {
				break
			}
			idx[i]++
			for j := i + 1; j < d; j++ {
				idx[j] = idx[j-1] + 1
			}
		}
	}
}

// bucket verifies every entry of key in the current table; dk is the
// distance of key from the query's key.
func (p *prober) bucket(key uint32, dk int) {
	s := p.s
	t := &s.tables[p.ti]
	lo, hi := t.offsets[key], t.offsets[key+1]
	if lo == hi {
		return
	}
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
		for _, e := range t.ent[lo:hi] {
			if bits.OnesCount32(uint32(e>>32)^qs) <= budget {
				p.verify(uint32(e))
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
	if d > p.r {
		return
	}
	for j := 0; j < p.ti; j++ {
		t := &s.tables[j]
		if p.rs[j] >= 0 && bits.OnesCount32(sub(c, t.off, t.width)^sub(p.q, t.off, t.width)) <= p.rs[j] {
			return // found by table j already
		}
	}
	p.report(int(ps), d)
}

func (p *prober) report(ps, d int) {
	if isDead(p.dead, ps) {
		return
	}
	p.out = append(p.out, Result{ID: p.s.ids[ps], Distance: d})
}
