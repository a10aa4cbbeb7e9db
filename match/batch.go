package match

import (
	"context"
	"fmt"
	"math/bits"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
)

// A batch of queries is answered by a join rather than query by query. A
// single query probes a few hundred buckets spread over tables of tens of
// megabytes, and each probe waits for memory. For a chunk of queries, the
// batch path instead lists every (probe key, query) pair of a table,
// partitions the pairs by the top bits of the key (one counting-sort pass),
// and then walks the partitions in order: consecutive pairs fall in the same
// few kilobytes of offsets and entries, which stay in cache, and the table
// is read once per chunk, front to back, instead of once per probe. For
// 256-bit codes, whose entries are bare positions, the candidates the tables
// yield are collected and then verified in order of position, so that their
// codes too are read front to back rather than at random.
// The answers are exactly those of Search: the same pigeonhole radii, the
// same filters, the same rule that a code is reported by the first table
// where it is within that table's radius.

// batchChunk is the number of queries a worker takes at a time on the
// query-by-query path; the read lock is taken per chunk so writers are not
// starved by a long batch.
const batchChunk = 512

// joinChunk is the most queries a worker joins at a time, and joinPairs the
// most (key, query) pairs it lists for one table and the most 256-bit
// candidates it collects before verifying them (8 bytes each: 32 MiB).
// Larger chunks read the tables fewer times. A chunk runs on a view of the
// index taken when it starts, without holding the lock.
const (
	joinChunk = 16384
	joinPairs = 1 << 22
)

// joinPartBits is the number of top key bits the pairs are partitioned on:
// within a partition, keys differ only in their low width-joinPartBits bits.
const joinPartBits = 11

// searchBatch runs nq queries (query i at qs[i*w:]) on up to workers
// goroutines.
func (c *core) searchBatch(ctx context.Context, qs []uint64, r, workers int) ([][]Result, error) {
	w := c.w
	nq := len(qs) / w
	res := make([][]Result, nq)
	if nq == 0 {
		return res, nil
	}
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	// Join when the batch is large, the index would probe rather than scan,
	// and the radius leaves room for chunks of a useful size.
	chunk, join := batchChunk, false
	c.mu.RLock()
	if nq >= 4*batchChunk && !c.main.scans(r) {
		if jc := c.main.joinChunk(r); jc >= batchChunk {
			chunk, join = min(jc, max(batchChunk, nq/workers)), true
		}
	}
	c.mu.RUnlock()
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(workers, (nq+chunk-1)/chunk) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var j joiner
			for ctx.Err() == nil {
				lo := int(next.Add(int64(chunk))) - chunk
				if lo >= nq {
					return
				}
				hi := min(lo+chunk, nq)
				if join {
					// A join takes up to seconds: it runs on a view, so
					// that adds and removes need not wait for it.
					v := c.view()
					j.run(v.main, qs[lo*w:hi*w], r, v.dead, res[lo:hi])
					for i := lo; i < hi; i++ {
						res[i] = scanDelta(w, v.dIDs, v.dCodes, v.dDead, qs[i*w:i*w+w], r, res[i])
						sortResults(res[i])
					}
					continue
				}
				c.mu.RLock()
				for i := lo; i < hi; i++ {
					res[i] = c.search(qs[i*w:i*w+w], r, nil)
				}
				c.mu.RUnlock()
			}
		}()
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("match: batch search: %w", err)
	}
	return res, nil
}

// joinChunk returns how many queries at radius r a join may take at a time
// within joinPairs pairs per table.
func (s *segment) joinChunk(r int) int {
	rs := radii(len(s.tables), r)
	most := 1.0
	for i, t := range s.tables {
		if rs[i] >= 0 {
			most = max(most, ballSize(t.width, rs[i]))
		}
	}
	return min(joinChunk, int(joinPairs/most))
}

// joiner holds the buffers of one worker's joins, reused across chunks.
type joiner struct {
	sorted   []uint64 // key<<32 | query index within the chunk, by partition
	qkey     []uint32 // per query: key in the current table
	qsk      []uint64 // per query: sketch in the current table
	ends     []uint32 // per partition: end of its pairs in sorted
	masks    []uint32
	cands    []uint64 // 256-bit codes: position<<32 | table<<16 | query, to verify
	csorted  []uint64 // cands ordered by the top bits of the position
	shift    uint     // partition = key >> shift
	prefetch uint64   // keeps the reads that warm a partition's window alive
	maxCands int      // candidates collected before verifying; 0: joinPairs
}

func (j *joiner) candLimit() int {
	if j.maxCands > 0 {
		return j.maxCands
	}
	return joinPairs
}

// run appends to out[i] every live code of s within r of query i (at
// qs[i*w:], w words), unsorted; dead is the tombstone bitset over positions.
func (j *joiner) run(s *segment, qs []uint64, r int, dead []uint64, out [][]Result) {
	if s.n == 0 || r < 0 {
		return
	}
	m := len(s.tables)
	rs := radii(m, r)
	for ti := range s.tables {
		if rs[ti] < 0 {
			continue
		}
		t := &s.tables[ti]
		j.masks = ballMasks(j.masks[:0], t.width, rs[ti])
		j.partition(t, qs, s.w)
		switch {
		case ti == 0 && s.w == 1:
			j.joinCodes(s, t, qs, r, dead, out)
		case ti == 0:
			j.joinCodes256(s, t, qs, r, dead, out)
		case s.w == 1:
			j.joinSketches(s, ti, rs, qs, r, dead, out)
		default:
			j.joinPositions(s, ti, rs, qs, r, dead, out)
		}
	}
	if s.w == 4 {
		j.verify(s, rs, qs, r, dead, out)
	}
}

// partition lists every (key within the table's radius of a query's key,
// query) pair, ordered by the key's top joinPartBits bits, into j.sorted
// (a counting sort: one pass counts, one places); it also records each
// query's key and sketch in j.qkey and j.qsk.
func (j *joiner) partition(t *table, qs []uint64, w int) {
	nq := len(qs) / w
	np := nq * len(j.masks)
	j.sorted = slices.Grow(j.sorted[:0], np)[:np]
	j.qkey = slices.Grow(j.qkey[:0], nq)[:nq]
	j.qsk = slices.Grow(j.qsk[:0], nq)[:nq]
	j.shift = uint(max(0, t.width-joinPartBits))
	nparts := 1 << (uint(t.width) - j.shift)
	j.ends = slices.Grow(j.ends[:0], nparts+1)[:nparts+1]
	clear(j.ends)
	ends := j.ends[1:]
	for i := range nq {
		q := qs[i*w : i*w+w]
		qk := sub(q, t.off, t.width)
		j.qkey[i] = qk
		if w == 1 {
			j.qsk[i] = sketch(q[0], t.skOff, t.skBits)
		}
		for _, mk := range j.masks {
			ends[(qk^mk)>>j.shift]++
		}
	}
	// j.ends[p] is now where partition p starts; placing a pair advances it,
	// so afterwards j.ends[p] is where partition p ends.
	for p := 1; p < nparts; p++ {
		j.ends[p] += j.ends[p-1]
	}
	next := j.ends[:nparts]
	for i, qk := range j.qkey {
		for _, mk := range j.masks {
			key := qk ^ mk
			p := key >> j.shift
			j.sorted[next[p]] = uint64(key)<<32 | uint64(i)
			next[p]++
		}
	}
}

// parts calls f for every non-empty partition with its pairs, after warm
// has read the entries lo..hi its keys span once, front to back, so that
// the random reads f makes within them hit cache.
func (j *joiner) parts(t *table, warm func(lo, hi uint32) uint64, f func(pairs []uint64)) {
	start := uint32(0)
	for p, end := range j.ends[:len(j.ends)-1] {
		if start == end {
			continue
		}
		first := uint32(p) << j.shift
		last := min(uint32(p+1)<<j.shift, uint32(len(t.offsets)-1))
		sum := warm(t.offsets[first], t.offsets[last])
		for k := first; k < last; k += 16 { // the offsets too, a line at a time
			sum += uint64(t.offsets[k])
		}
		j.prefetch += sum
		f(j.sorted[start:end])
		start = end
	}
}

// warmWords reads one word per 64-byte line of words[lo*stride:hi*stride].
func warmWords(words []uint64, stride uint32) func(lo, hi uint32) uint64 {
	return func(lo, hi uint32) uint64 {
		var sum uint64
		for k := lo * stride; k < hi*stride; k += 8 {
			sum += words[k]
		}
		return sum
	}
}

// joinCodes probes table 0, whose buckets are runs of the code array.
func (j *joiner) joinCodes(s *segment, t *table, qs []uint64, r int, dead []uint64, out [][]Result) {
	j.parts(t, warmWords(s.codes, 1), func(pairs []uint64) {
		for _, pr := range pairs {
			key, i := uint32(pr>>32), uint32(pr)
			lo, hi := t.offsets[key], t.offsets[key+1]
			q := qs[i]
			for k, c := range s.codes[lo:hi] {
				if d := bits.OnesCount64(c ^ q); d <= r {
					p := int(lo) + k
					if !isDead(dead, p) {
						out[i] = append(out[i], Result{ID: s.ids[p], Distance: d})
					}
				}
			}
		}
	})
}

// joinSketches probes table ti >= 1: entries whose sketch is too far from
// the query's are rejected before the code is read.
func (j *joiner) joinSketches(s *segment, ti int, rs []int, qs []uint64, r int, dead []uint64, out [][]Result) {
	t := &s.tables[ti]
	pb, pm := s.posBits, uint64(1)<<s.posBits-1
	j.parts(t, warmWords(t.ent, 1), func(pairs []uint64) {
		for _, pr := range pairs {
			key, i := uint32(pr>>32), uint32(pr)
			lo, hi := t.offsets[key], t.offsets[key+1]
			if lo == hi {
				continue
			}
			budget := r - bits.OnesCount32(key^j.qkey[i])
			qsk := j.qsk[i]
			for _, e := range t.ent[lo:hi] {
				if bits.OnesCount64(e>>pb^qsk) > budget {
					continue
				}
				p := uint32(e & pm)
				q := qs[i : i+1]
				d := bits.OnesCount64(s.codes[p] ^ q[0])
				if d > r || s.foundEarlier(s.codes[p:p+1], q, ti, rs) || isDead(dead, int(p)) {
					continue
				}
				out[i] = append(out[i], Result{ID: s.ids[p], Distance: d})
			}
		}
	})
}

// joinCodes256 probes table 0 of 256-bit codes, whose buckets are runs of
// the code array: it verifies them on the spot.
func (j *joiner) joinCodes256(s *segment, t *table, qs []uint64, r int, dead []uint64, out [][]Result) {
	j.parts(t, warmWords(s.codes, 4), func(pairs []uint64) {
		for _, pr := range pairs {
			key, i := uint32(pr>>32), uint32(pr)
			lo, hi := t.offsets[key], t.offsets[key+1]
			q := qs[i*4 : i*4+4]
			cs := s.codes[lo*4 : hi*4]
			for k := 0; k+3 < len(cs); k += 4 {
				d := bits.OnesCount64(cs[k]^q[0]) + bits.OnesCount64(cs[k+1]^q[1]) +
					bits.OnesCount64(cs[k+2]^q[2]) + bits.OnesCount64(cs[k+3]^q[3])
				if p := int(lo) + k/4; d <= r && !isDead(dead, p) {
					out[i] = append(out[i], Result{ID: s.ids[p], Distance: d})
				}
			}
		}
	})
}

// joinPositions probes table ti >= 1 of 256-bit codes. Its entries are bare
// positions, so every one is a candidate whose code must be read: they are
// collected and verified in order of position (verify), reading the codes
// front to back instead of at random.
func (j *joiner) joinPositions(s *segment, ti int, rs []int, qs []uint64, r int, dead []uint64, out [][]Result) {
	t := &s.tables[ti]
	j.parts(t, warmPositions(t.pos), func(pairs []uint64) {
		for _, pr := range pairs {
			key, i := uint32(pr>>32), uint64(pr)&0xffff
			for _, p := range t.pos[t.offsets[key]:t.offsets[key+1]] {
				j.cands = append(j.cands, uint64(p)<<32|uint64(ti)<<16|i)
			}
			if len(j.cands) >= j.candLimit() {
				j.verify(s, rs, qs, r, dead, out)
			}
		}
	})
}

func warmPositions(pos []uint32) func(lo, hi uint32) uint64 {
	return func(lo, hi uint32) uint64 {
		var sum uint64
		for k := lo; k < hi; k += 16 {
			sum += uint64(pos[k])
		}
		return sum
	}
}

// verify checks the collected candidates of 256-bit codes, in order of the
// top joinPartBits bits of their position, and empties the list. A code is
// reported only by the first table in which it is within that table's
// radius, as Search does.
func (j *joiner) verify(s *segment, rs []int, qs []uint64, r int, dead []uint64, out [][]Result) {
	if len(j.cands) == 0 {
		return
	}
	shift := uint(max(0, bits.Len(uint(s.n))-joinPartBits))
	var count [1<<joinPartBits + 1]uint32
	for _, c := range j.cands {
		count[c>>32>>shift+1]++
	}
	for p := 1; p < len(count); p++ {
		count[p] += count[p-1]
	}
	j.csorted = slices.Grow(j.csorted[:0], len(j.cands))[:len(j.cands)]
	for _, c := range j.cands {
		p := c >> 32 >> shift
		j.csorted[count[p]] = c
		count[p]++
	}
	for _, c := range j.csorted {
		p, ti, i := uint32(c>>32), int(c>>16&0xffff), uint32(c&0xffff)
		code, q := s.codes[p*4:p*4+4], qs[i*4:i*4+4]
		d := bits.OnesCount64(code[0]^q[0]) + bits.OnesCount64(code[1]^q[1]) +
			bits.OnesCount64(code[2]^q[2]) + bits.OnesCount64(code[3]^q[3])
		if d > r || s.foundEarlier(code, q, ti, rs) || isDead(dead, int(p)) {
			continue
		}
		out[i] = append(out[i], Result{ID: s.ids[p], Distance: d})
	}
	j.cands = j.cands[:0]
}
