package match

import (
	"math/bits"
	"sync"
)

// A segment is the immutable, multi-index-hashed part of an index
// (Norouzi, Punjani, Fleet, "Fast search in Hamming space with multi-index
// hashing", CVPR 2012). Codes are split into m disjoint substrings; table i
// maps the value of substring i to the positions whose code has that value,
// stored CSR-style: offsets (2^width+1 uint32) and positions grouped by key.
// By the generalised pigeonhole principle, if a code is within r of the query
// and the per-table radii r_i satisfy sum(r_i+1) >= r+1, then some substring i
// is within r_i of the query's substring i, so probing every key within r_i
// of the query key in every table finds every answer.
//
// For 64-bit codes each table entry also carries a 16-bit sketch (the first
// 16 bits of the next substring), which rejects most candidates before the
// full code is read: a candidate can only match if the distance on the probed
// key plus the distance on the sketch is at most r.
type segment struct {
	w      int      // 64-bit words per code: 1 or 4
	n      int      // number of codes
	ids    []uint64 // strictly increasing
	codes  []uint64 // n*w words, position p at codes[p*w:]
	tables []table
}

type table struct {
	off, width int      // substring bit offset and width (width <= maxWidth)
	skOff      int      // bit offset of the 16-bit sketch, -1 when there is none
	offsets    []uint32 // 1<<width + 1 entries
	pos        []uint32 // positions, grouped by key, increasing within a key
	sk         []uint16 // sketch per entry, parallel to pos (64-bit codes only)
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

// sketch returns the 16 bits of a 64-bit code starting at bit off, cyclically.
func sketch(c uint64, off int) uint16 { return uint16(bits.RotateLeft64(c, -off)) }

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
// (see bench/README.md): each probe costs about one cache miss, each
// candidate a sketch test (64-bit) or a random read of its code (256-bit).
// Tables whose offsets would outweigh the codes are not considered.
func chooseSubstrings(nbits, n, r int) int {
	best, bestCost := 0, 0.0
	for m := nbits / maxWidth; m <= nbits/minWidth; m++ {
		if m < 1 {
			continue
		}
		ws := splitWidths(nbits, m)
		if ws[0] > maxWidth {
			continue
		}
		offBytes := float64(m) * float64(uint64(1)<<uint(ws[0])) * 4
		if offBytes > 8*float64(max(n, 1<<16)) {
			continue
		}
		c := probeCost(nbits, ws, radii(m, r), n)
		if best == 0 || c < bestCost {
			best, bestCost = m, c
		}
	}
	if best == 0 {
		best = nbits / minWidth
	}
	return best
}

// Cost model constants, in nanoseconds, measured on the benchmark machine.
const (
	costProbe    = 40.0 // one bucket lookup: offsets and the bucket start miss cache
	costSketch   = 0.7  // one sketch test in a bucket scan
	costRandom   = 25.0 // one random read of a code (memory-level parallel)
	costScan64   = 0.6  // one code in a linear scan, 64-bit
	costScan256  = 2.2  // one code in a linear scan, 256-bit
	sketchFilter = 0.01 // fraction of random candidates passing a 16-bit sketch at r=8
)

// probeCost estimates the time of a multi-index probe.
func probeCost(nbits int, ws, rs []int, n int) float64 {
	var probes, cands float64
	for i, w := range ws {
		if rs[i] < 0 {
			continue
		}
		p := ballSize(w, rs[i])
		probes += p
		cands += p * float64(n) / float64(uint64(1)<<uint(w))
	}
	if nbits == 64 {
		return probes*costProbe + cands*(costSketch+sketchFilter*costRandom)
	}
	return probes*costProbe + cands*costRandom
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

// buildSegment indexes codes (n*w words) with ids (strictly increasing,
// checked by the caller) into m tables. It uses up to two goroutines.
func buildSegment(w int, ids, codes []uint64, m int) *segment {
	s := &segment{w: w, n: len(ids), ids: ids, codes: codes}
	nbits := 64 * w
	ws := splitWidths(nbits, m)
	s.tables = make([]table, m)
	off := 0
	for i := range s.tables {
		t := &s.tables[i]
		t.off, t.width, t.skOff = off, ws[i], -1
		off += ws[i]
	}
	if w == 1 {
		// The sketch is the 16 bits right after the key, cyclically; it is
		// disjoint from the key because widths are at most maxWidth < 48.
		for i := range s.tables {
			t := &s.tables[i]
			t.skOff = (t.off + t.width) % 64
		}
	}
	var wg sync.WaitGroup
	sem := make(chan struct{}, 2)
	for i := range s.tables {
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

// buildTable fills one table by counting sort on its substring.
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
	t.pos = make([]uint32, s.n)
	if t.skOff >= 0 {
		t.sk = make([]uint16, s.n)
	}
	next := make([]uint32, nk)
	copy(next, t.offsets[:nk])
	for p := range s.n {
		c := s.codes[p*w:]
		k := sub(c, t.off, t.width)
		j := next[k]
		next[k]++
		t.pos[j] = uint32(p)
		if t.sk != nil {
			t.sk[j] = sketch(c[0], t.skOff)
		}
	}
}

// bytes returns the memory the segment uses beyond its codes.
func (s *segment) bytes() int64 {
	b := int64(len(s.ids)) * 8
	for _, t := range s.tables {
		b += int64(len(t.offsets))*4 + int64(len(t.pos))*4 + int64(len(t.sk))*2
	}
	return b
}

// search appends to out every live code of s within r of q (w words).
// dead is a bitset over positions (nil: none dead). Each code is reported
// once: by the first table in which it is within that table's radius.
func (s *segment) search(q []uint64, r int, dead []uint64, out []Result) []Result {
	if s.n == 0 || r < 0 {
		return out
	}
	m := len(s.tables)
	rs := radii(m, r)
	ws := make([]int, m)
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
		if t.sk != nil {
			p.qs = sketch(q[0], t.skOff)
		}
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
	qs   uint16 // query sketch for that table
	pick [64]uint8
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
	t := &p.s.tables[p.ti]
	lo, hi := t.offsets[key], t.offsets[key+1]
	if lo == hi {
		return
	}
	pos := t.pos[lo:hi]
	if t.sk != nil {
		sk := t.sk[lo:hi]
		budget := p.r - dk
		qs := p.qs
		for j, v := range sk {
			if bits.OnesCount16(v^qs) <= budget {
				p.verify(pos[j])
			}
		}
		return
	}
	for _, ps := range pos {
		p.verify(ps)
	}
}

// verify checks the full code at position ps and reports it if it is within
// r, live, and not reachable from an earlier table.
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
	if isDead(p.dead, int(ps)) {
		return
	}
	p.out = append(p.out, Result{ID: s.ids[ps], Distance: d})
}
