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

// A batch of 64-bit queries is answered by a join rather than query by
// query. A single query probes a few hundred buckets spread over tables of
// tens of megabytes, and each probe waits for memory. For a chunk of
// queries, the batch path instead lists every (probe key, query) pair of a
// table, partitions the pairs by the top bits of the key (one counting-sort
// pass), and then walks the partitions in order: consecutive pairs fall in
// the same few kilobytes of offsets and entries, which stay in cache, and the
// table is read once per chunk, front to back, instead of once per probe.
// The answers are exactly those of Search: the same pigeonhole radii, the
// same filters, the same rule that a code is reported by the first table
// where it is within that table's radius.
//
// 256-bit codes keep the query-by-query path: their candidates must be
// verified against the full code, a random read per candidate that a join
// over keys does not remove.

// batchChunk is the number of queries a worker takes at a time on the
// query-by-query path; the read lock is taken per chunk so writers are not
// starved by a long batch.
const batchChunk = 512

// joinChunk is the most queries a worker joins at a time, and joinPairs the
// most (key, query) pairs it lists for one table (8 bytes each: 32 MiB).
// Larger chunks read the tables fewer times; each chunk holds the read lock
// while it runs (a few hundred milliseconds at most).
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
	if w == 1 && nq >= 4*batchChunk && !c.main.scans(r) {
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
				c.mu.RLock()
				if join {
					j.run(c.main, qs[lo:hi], r, c.dead, res[lo:hi])
					for i := lo; i < hi; i++ {
						res[i] = c.searchDelta(qs[i:i+1], r, res[i])
						sortResults(res[i])
					}
				} else {
					for i := lo; i < hi; i++ {
						res[i] = c.search(qs[i*w:i*w+w], r, nil)
					}
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
	shift    uint   // partition = key >> shift
	prefetch uint64 // keeps the reads that warm a partition's window alive
}

// run appends to out[i] every live code of s (64-bit codes) within r of
// qs[i], unsorted; dead is the tombstone bitset over positions.
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
		j.partition(t, qs)
		if ti == 0 {
			j.joinCodes(s, t, qs, r, dead, out)
		} else {
			j.joinSketches(s, ti, rs, qs, r, dead, out)
		}
	}
}

// partition lists every (key within the table's radius of a query's key,
// query) pair, ordered by the key's top joinPartBits bits, into j.sorted
// (a counting sort: one pass counts, one places); it also records each
// query's key and sketch in j.qkey and j.qsk.
func (j *joiner) partition(t *table, qs []uint64) {
	np := len(qs) * len(j.masks)
	j.sorted = slices.Grow(j.sorted[:0], np)[:np]
	j.qkey = slices.Grow(j.qkey[:0], len(qs))[:len(qs)]
	j.qsk = slices.Grow(j.qsk[:0], len(qs))[:len(qs)]
	j.shift = uint(max(0, t.width-joinPartBits))
	nparts := 1 << (uint(t.width) - j.shift)
	j.ends = slices.Grow(j.ends[:0], nparts+1)[:nparts+1]
	clear(j.ends)
	ends := j.ends[1:]
	for i, q := range qs {
		qk := sub(qs[i:i+1], t.off, t.width)
		j.qkey[i] = qk
		j.qsk[i] = sketch(q, t.skOff, t.skBits)
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

// parts calls f for every non-empty partition with its pairs, after reading
// the table entries its keys span once, front to back, so that the random
// reads f makes within them hit cache. entry returns the first of n entries
// (64-bit words) at an entry index.
func (j *joiner) parts(t *table, words []uint64, f func(pairs []uint64)) {
	start := uint32(0)
	for p, end := range j.ends[:len(j.ends)-1] {
		if start == end {
			continue
		}
		lo := t.offsets[uint32(p)<<j.shift]
		hi := t.offsets[min(uint32(p+1)<<j.shift, uint32(len(t.offsets)-1))]
		var sum uint64
		for k := lo; k < hi; k += 8 { // one read per 64-byte line
			sum += words[k]
		}
		for k := uint32(p) << j.shift; k < min(uint32(p+1)<<j.shift, uint32(len(t.offsets))); k += 16 {
			sum += uint64(t.offsets[k])
		}
		j.prefetch += sum
		f(j.sorted[start:end])
		start = end
	}
}

// joinCodes probes table 0, whose buckets are runs of the code array.
func (j *joiner) joinCodes(s *segment, t *table, qs []uint64, r int, dead []uint64, out [][]Result) {
	j.parts(t, s.codes, func(pairs []uint64) {
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
	j.parts(t, t.ent, func(pairs []uint64) {
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
