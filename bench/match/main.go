// Command match benchmarks the match package against an exhaustive scan on
// the same data, and writes that data to files so that run.sh can put it
// through FAISS binary indexes side by side.
//
// The data set for each code size has N codes: a third uniform random, a
// third clustered (variants of random bases at 1..r bits, as re-encodings
// of registered works land), a third biased (each bit 1 with p = 0.3).
// Queries come from the same three shapes; half of them are planted
// near-duplicates (a stored code with 0..r+1 bits flipped).
//
// Usage:
//
//	go run ./bench/match -n 10000000 -dir /tmp/matchbench
package main

import (
	"bufio"
	"context"
	"encoding/binary"
	"flag"
	"fmt"
	"math/bits"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/askfirst/askfirst/match"
)

type config struct {
	n, single, batch, truth, batch256 int
	single256, truth256               int
	snapshot                          bool
	dir                               string
	sizes                             string
	substrings64, substrings256       int
}

func main() {
	var c config
	flag.IntVar(&c.n, "n", 10_000_000, "codes per data set")
	flag.IntVar(&c.single, "single", 10_000, "single queries timed one by one")
	flag.IntVar(&c.batch, "batch", 1_000_000, "queries in the timed batch (64-bit)")
	flag.IntVar(&c.batch256, "batch256", 1_000_000, "queries in the timed batch (256-bit)")
	flag.IntVar(&c.truth, "truth", 1000, "queries checked against (and timed with) the exhaustive scan (64-bit)")
	flag.IntVar(&c.single256, "single256", 10_000, "single queries timed one by one (256-bit)")
	flag.IntVar(&c.truth256, "truth256", 1000, "queries checked against the exhaustive scan (256-bit)")
	flag.StringVar(&c.dir, "dir", "", "write codes, queries and exhaustive results here for FAISS (empty: do not write)")
	flag.StringVar(&c.sizes, "sizes", "64,256", "code sizes to run: 64, 256 or 64,256")
	flag.IntVar(&c.substrings64, "m64", 0, "force the number of substrings for 64-bit codes (0: automatic)")
	flag.IntVar(&c.substrings256, "m256", 0, "force the number of substrings for 256-bit codes (0: automatic)")
	flag.BoolVar(&c.snapshot, "snapshot", true, "time writing and reading a snapshot")
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile to this file")
	flag.Parse()
	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err != nil {
			fmt.Fprintln(os.Stderr, "bench/match:", err)
			os.Exit(1)
		}
		pprof.StartCPUProfile(f)
		defer pprof.StopCPUProfile()
	}
	if c.dir != "" {
		if err := os.MkdirAll(c.dir, 0o755); err != nil {
			fmt.Fprintln(os.Stderr, "bench/match:", err)
			os.Exit(1)
		}
	}
	fmt.Printf("# match benchmark: N=%d, GOMAXPROCS=%d, %s, load average at start: %s\n", c.n, runtime.GOMAXPROCS(0), runtime.Version(), loadavg())
	defer func() { fmt.Printf("# load average at end: %s\n", loadavg()) }()
	for _, s := range []struct {
		name string
		w, r int
	}{{"64", 1, 8}, {"256", 4, 31}} {
		if !slices.Contains(splitComma(c.sizes), s.name) {
			continue
		}
		if err := run(c, s.w, s.r); err != nil {
			fmt.Fprintln(os.Stderr, "bench/match:", err)
			pprof.StopCPUProfile()
			os.Exit(1)
		}
	}
}

func splitComma(s string) []string {
	var out []string
	start := 0
	for i := 0; i <= len(s); i++ {
		if i == len(s) || s[i] == ',' {
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	return out
}

// Shapes of generated codes.
const (
	shapeUniform = iota
	shapeClustered
	shapeBiased
	nShapes
)

var shapeNames = [nShapes]string{"uniform", "clustered", "biased"}

// generator produces codes of the three shapes deterministically.
type generator struct {
	rng   *rand.Rand
	w, r  int
	bases []uint64 // cluster bases
}

func (g *generator) code(shape int, dst []uint64) {
	switch shape {
	case shapeUniform:
		for i := range dst {
			dst[i] = g.rng.Uint64()
		}
	case shapeClustered:
		nb := len(g.bases) / g.w
		b := g.rng.IntN(nb)
		copy(dst, g.bases[b*g.w:b*g.w+g.w])
		g.flip(dst, 1+g.rng.IntN(g.r))
	case shapeBiased:
		for i := range dst {
			var v uint64
			// Each bit is 1 with probability 0.3: compare 8-bit uniform
			// samples with 77 (77/256 = 0.3008).
			for b := 0; b < 64; b += 8 {
				x := g.rng.Uint64()
				for k := range 8 {
					if byte(x>>(8*k)) < 77 {
						v |= 1 << (b + k)
					}
				}
			}
			dst[i] = v
		}
	}
}

func (g *generator) flip(c []uint64, k int) {
	nb := 64 * len(c)
	var seen [4]uint64
	for k > 0 {
		b := g.rng.IntN(nb)
		if seen[b/64]&(1<<(b%64)) != 0 {
			continue
		}
		seen[b/64] |= 1 << (b % 64)
		c[b/64] ^= 1 << (b % 64)
		k--
	}
}

// data is one benchmark data set.
type data struct {
	w, r    int
	codes   []uint64 // n*w
	ids     []uint64
	queries []uint64 // (single+batch)*w: single queries first
	qshape  []uint8
}

func generate(c config, w, r, nbatch int) *data {
	g := &generator{rng: rand.New(rand.NewPCG(uint64(w), 2026)), w: w, r: r}
	nb := max(1, c.n/3/20) // clusters of about 20 variants
	g.bases = make([]uint64, nb*w)
	g.code(shapeUniform, g.bases)
	d := &data{w: w, r: r, codes: make([]uint64, c.n*w), ids: make([]uint64, c.n)}
	for i := range c.n {
		d.ids[i] = uint64(i)
		g.code(i*nShapes/c.n, d.codes[i*w:i*w+w])
	}
	nq := c.single + nbatch
	d.queries = make([]uint64, nq*w)
	d.qshape = make([]uint8, nq)
	for i := range nq {
		q := d.queries[i*w : i*w+w]
		if i%2 == 0 {
			// Planted near-duplicate of a stored code: 0..r+1 bits away.
			p := g.rng.IntN(c.n)
			copy(q, d.codes[p*w:p*w+w])
			g.flip(q, g.rng.IntN(r+2))
			d.qshape[i] = uint8(p * nShapes / c.n)
			continue
		}
		s := g.rng.IntN(nShapes)
		g.code(s, q)
		d.qshape[i] = uint8(s)
	}
	return d
}

// exhaustive returns every code within r of q (ids ascending).
func exhaustive(w int, codes, q []uint64, r int, out []uint64) []uint64 {
	if w == 1 {
		// Four independent popcounts per step: the fastest plain scan we
		// found (it is bound by memory bandwidth at 10^7 codes).
		q0 := q[0]
		p := 0
		for ; p+4 <= len(codes); p += 4 {
			d0, d1 := bits.OnesCount64(codes[p]^q0), bits.OnesCount64(codes[p+1]^q0)
			d2, d3 := bits.OnesCount64(codes[p+2]^q0), bits.OnesCount64(codes[p+3]^q0)
			if min(d0, d1, d2, d3) > r {
				continue
			}
			for k, d := range [4]int{d0, d1, d2, d3} {
				if d <= r {
					out = append(out, uint64(p+k))
				}
			}
		}
		for ; p < len(codes); p++ {
			if bits.OnesCount64(codes[p]^q0) <= r {
				out = append(out, uint64(p))
			}
		}
		return out
	}
	q0, q1, q2, q3 := q[0], q[1], q[2], q[3]
	for p := 0; p+3 < len(codes); p += 4 {
		d := bits.OnesCount64(codes[p]^q0) + bits.OnesCount64(codes[p+1]^q1) +
			bits.OnesCount64(codes[p+2]^q2) + bits.OnesCount64(codes[p+3]^q3)
		if d <= r {
			out = append(out, uint64(p/4))
		}
	}
	return out
}

// cpuTime returns the CPU time (user+system) this process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// timing is wall and CPU time of one phase.
type timing struct{ wall, cpu time.Duration }

func measure(f func()) timing {
	c0, t0 := cpuTime(), time.Now()
	f()
	return timing{time.Since(t0), cpuTime() - c0}
}

func loadavg() string {
	b, _ := os.ReadFile("/proc/loadavg")
	return strings.TrimSpace(string(b))
}

// parallel runs f(i) for i in [0,n) on t goroutines and returns the times.
func parallel(n, t int, f func(i int)) timing {
	c0 := cpuTime()
	start := time.Now()
	var wg sync.WaitGroup
	for k := range t {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := k; i < n; i += t {
				f(i)
			}
		}()
	}
	wg.Wait()
	return timing{time.Since(start), cpuTime() - c0}
}

func us(d time.Duration, n int) float64 { return float64(d.Microseconds()) / float64(n) }

func run(c config, w, r int) error {
	nbatch := c.batch
	if w == 4 {
		nbatch, c.single, c.truth = c.batch256, c.single256, c.truth256
	}
	bitsN := 64 * w
	fmt.Printf("\n## %d-bit codes, N=%d, r=%d\n", bitsN, c.n, r)
	t0 := time.Now()
	d := generate(c, w, r, nbatch)
	fmt.Printf("generate: %.1fs\n", time.Since(t0).Seconds())

	var ms0, ms1 runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&ms0)
	t0 = time.Now()
	c0 := cpuTime()
	var search func(q []uint64) []match.Result
	var batch func(qs []uint64, workers int) ([][]match.Result, error)
	var stats func() match.Stats
	var snap func() (int64, time.Duration, time.Duration, error)
	ctx := context.Background()
	if w == 1 {
		x, err := match.Build64(match.Config{Radius: r, Substrings: c.substrings64}, d.ids, d.codes)
		if err != nil {
			return err
		}
		search = func(q []uint64) []match.Result { return x.Search(q[0], r) }
		batch = func(qs []uint64, k int) ([][]match.Result, error) { return x.SearchBatch(ctx, qs, r, k) }
		stats = x.Stats
		snap = func() (int64, time.Duration, time.Duration, error) {
			return snapshot(func(f *os.File) (int64, error) { return x.WriteTo(f) },
				func(f *bufio.Reader) error { _, err := match.ReadIndex64(f, match.Config{Radius: r}); return err })
		}
	} else {
		cs := make([]match.Code256, c.n)
		for i := range cs {
			cs[i] = match.Code256(d.codes[4*i:])
		}
		x, err := match.Build256(match.Config{Radius: r, Substrings: c.substrings256}, d.ids, cs)
		if err != nil {
			return err
		}
		cs = nil
		search = func(q []uint64) []match.Result { return x.Search(match.Code256(q), r) }
		batch = func(qs []uint64, k int) ([][]match.Result, error) {
			q2 := make([]match.Code256, len(qs)/4)
			for i := range q2 {
				q2[i] = match.Code256(qs[4*i:])
			}
			return x.SearchBatch(ctx, q2, r, k)
		}
		stats = x.Stats
		snap = func() (int64, time.Duration, time.Duration, error) {
			return snapshot(func(f *os.File) (int64, error) { return x.WriteTo(f) },
				func(f *bufio.Reader) error { _, err := match.ReadIndex256(f, match.Config{Radius: r}); return err })
		}
	}
	build := time.Since(t0)
	buildCPU := cpuTime() - c0
	runtime.GC()
	runtime.ReadMemStats(&ms1)
	st := stats()
	heap := float64(int64(ms1.HeapAlloc)-int64(ms0.HeapAlloc)-st.CodeBytes) / float64(c.n)
	fmt.Printf("match build: %.2fs wall (%.2fs CPU), substrings %d, index bytes/code beyond the codes: %.1f (Stats), %.1f (Go heap growth minus code bytes)\n",
		build.Seconds(), buildCPU.Seconds(), st.Substrings, st.BytesPerCode, heap)

	if c.snapshot {
		size, wt, rt, err := snap()
		if err != nil {
			return err
		}
		fmt.Printf("snapshot: %.0f MB, write %.2fs, read+rebuild %.2fs\n", float64(size)/1e6, wt.Seconds(), rt.Seconds())
	}

	// Exhaustive ground truth and timing on the first truth queries.
	nt := min(c.truth, c.single)
	truth := make([][]uint64, nt)
	var exh [3]timing
	for _, t := range []int{1, 2} {
		exh[t] = parallel(nt, t, func(i int) {
			truth[i] = exhaustive(w, d.codes, d.queries[i*w:i*w+w], r, nil)
		})
	}
	// Single queries.
	single := make([][]match.Result, c.single)
	var one [3]timing
	for _, t := range []int{1, 2} {
		one[t] = parallel(c.single, t, func(i int) {
			single[i] = search(d.queries[i*w : i*w+w])
		})
	}
	// Recall: the index must return exactly the exhaustive set.
	var found, want, extra [nShapes]int
	var results int
	for i := range nt {
		got := make([]uint64, len(single[i]))
		for k, res := range single[i] {
			got[k] = res.ID
			if res.Distance > r {
				extra[d.qshape[i]]++
			}
		}
		slices.Sort(got)
		results += len(got)
		s := d.qshape[i]
		want[s] += len(truth[i])
		for _, id := range truth[i] {
			if _, ok := slices.BinarySearch(got, id); ok {
				found[s]++
			}
		}
		extra[s] += len(got) - countIn(got, truth[i])
	}
	for s := range nShapes {
		rec := 1.0
		if want[s] > 0 {
			rec = float64(found[s]) / float64(want[s])
		}
		fmt.Printf("recall vs exhaustive (%s queries): %.4f (%d of %d), extra results %d\n", shapeNames[s], rec, found[s], want[s], extra[s])
	}
	fmt.Printf("results per query (first %d): %.1f\n", nt, float64(results)/float64(nt))
	for _, t := range []int{1, 2} {
		e, o := us(exh[t].wall, nt), us(one[t].wall, c.single)
		ec, oc := us(exh[t].cpu, nt), us(one[t].cpu, c.single)
		fmt.Printf("threads=%d: exhaustive %.1f µs/query wall (%.1f CPU), match single %.1f µs/query wall (%.1f CPU): %.0fx faster by wall, %.0fx by CPU\n",
			t, e, ec, o, oc, e/o, ec/oc)
	}
	if c.dir != "" {
		if err := writeFiles(c, d, truth); err != nil {
			return err
		}
	}
	// Batch.
	bq := d.queries[c.single*w:]
	for _, t := range []int{1, 2} {
		if nbatch == 0 {
			break
		}
		var res [][]match.Result
		var err error
		tm := measure(func() { res, err = batch(bq, t) })
		if err != nil {
			return err
		}
		el := tm.wall
		n := 0
		for _, rs := range res {
			n += len(rs)
		}
		fmt.Printf("threads=%d: match batch of %d: %.1fs wall (%.1fs CPU), %.0f queries/s, %.1f µs/query wall, %d results\n",
			t, nbatch, el.Seconds(), tm.cpu.Seconds(), float64(nbatch)/el.Seconds(), us(el, nbatch), n)
		// The batch path must answer exactly as single queries do (which
		// were checked against the exhaustive scan above).
		k := min(nbatch, 1000)
		for i := range k {
			if !slices.Equal(res[i], search(bq[i*w:i*w+w])) {
				return fmt.Errorf("batch query %d: results differ from a single search", i)
			}
		}
		fmt.Printf("threads=%d: batch results equal single-query results on the first %d batch queries\n", t, k)
	}
	return nil
}

func countIn(sorted, ids []uint64) int {
	n := 0
	for _, id := range ids {
		if _, ok := slices.BinarySearch(sorted, id); ok {
			n++
		}
	}
	return n
}

func snapshot(write func(*os.File) (int64, error), read func(*bufio.Reader) error) (int64, time.Duration, time.Duration, error) {
	f, err := os.CreateTemp("", "matchsnap")
	if err != nil {
		return 0, 0, 0, err
	}
	defer os.Remove(f.Name())
	defer f.Close()
	t0 := time.Now()
	n, err := write(f)
	if err != nil {
		return 0, 0, 0, err
	}
	wt := time.Since(t0)
	if _, err := f.Seek(0, 0); err != nil {
		return 0, 0, 0, err
	}
	t0 = time.Now()
	if err := read(bufio.NewReaderSize(f, 1<<20)); err != nil {
		return 0, 0, 0, err
	}
	return n, wt, time.Since(t0), nil
}

// writeFiles writes codes, single queries and exhaustive results as raw
// little-endian binary for run.sh's FAISS script:
// codes<bits>.bin (n*bits/8 bytes), queries<bits>.bin (single queries),
// truth<bits>.bin (per truth query: uint32 count, then count uint64 ids).
func writeFiles(c config, d *data, truth [][]uint64) error {
	bitsN := 64 * d.w
	put := func(name string, words []uint64) error {
		f, err := os.Create(filepath.Join(c.dir, fmt.Sprintf("%s%d.bin", name, bitsN)))
		if err != nil {
			return err
		}
		bw := bufio.NewWriterSize(f, 1<<20)
		var b [8]byte
		for _, v := range words {
			binary.LittleEndian.PutUint64(b[:], v)
			bw.Write(b[:])
		}
		if err := bw.Flush(); err != nil {
			f.Close()
			return err
		}
		return f.Close()
	}
	if err := put("codes", d.codes); err != nil {
		return err
	}
	if err := put("queries", d.queries[:c.single*d.w]); err != nil {
		return err
	}
	var tw []uint64
	f, err := os.Create(filepath.Join(c.dir, fmt.Sprintf("truth%d.bin", bitsN)))
	if err != nil {
		return err
	}
	bw := bufio.NewWriter(f)
	for _, ids := range truth {
		binary.Write(bw, binary.LittleEndian, uint32(len(ids)))
		binary.Write(bw, binary.LittleEndian, ids)
	}
	_ = tw
	if err := bw.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
