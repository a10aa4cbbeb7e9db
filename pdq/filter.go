package pdq

// The Jarosz filter and the decimation to 64x64 (pdq/cpp/downscaling/
// downscaling.cpp: jaroszFilterFloat, box1DFloat, decimateFloat,
// computeJaroszFilterWindowSize).
//
// The reference blurs the whole luma image in place with four passes of a
// one-dimensional box filter — along rows, along columns, along rows, along
// columns — and then picks 64x64 samples. It needs two full-size float
// buffers. We compute the very same float32 operations in the same order
// for every output value, but stream the image row by row: the column
// passes keep one running sum per column and a ring of the last window+1
// rows, and the last column pass runs only over the 64 columns that the
// decimation reads. Memory is O(window * width) instead of O(width *
// height), and the result is bit-identical to the reference's (checked
// against a direct full-buffer transcription in the tests).

// The reference makes PDQ_NUM_JAROSZ_XY_PASSES = 2 pairs of X,Y box
// filters (two pairs make a tent filter); the streaming pipeline below
// hard-codes the two pairs.

// windowSize is computeJaroszFilterWindowSize(old, 64): half of one 64th of
// the dimension, rounded up, since two passes are made.
func windowSize(dim int) int {
	return (dim + 2*outDim - 1) / (2 * outDim)
}

// boxShape holds the phase lengths of the reference's box1DFloat for a
// window of full samples: the output at index o is the mean of the inputs
// o-(full-half) .. o+half-1 that exist, computed with a running sum.
type boxShape struct {
	full, half int
}

func newBoxShape(full int) boxShape {
	return boxShape{full: full, half: (full + 2) / 2}
}

// boxRow filters one vector (a row) exactly as box1DFloat does with stride 1.
// len(out) == len(in) >= full.
func boxRow(in, out []float32, s boxShape) {
	n := len(in)
	var sum float32
	cur := 0
	t := 0
	// Inputs that only fill the window.
	for ; t < s.half-1; t++ {
		sum += in[t]
		cur++
	}
	// Window still growing: add and write.
	o := 0
	for ; t < s.full; t++ {
		sum += in[t]
		cur++
		out[o] = sum / float32(cur)
		o++
	}
	// Full window: add the newest, drop the oldest, write.
	for ; t < n; t++ {
		sum += in[t]
		sum -= in[t-s.full]
		out[o] = sum / float32(cur)
		o++
	}
	// Window shrinking at the end: drop and write.
	for l := n - s.full; o < n; l++ {
		sum -= in[l]
		cur--
		out[o] = sum / float32(cur)
		o++
	}
}

// colBox runs box1DFloat down every column of a matrix whose rows arrive
// one at a time. Each column sees the same float32 operations in the same
// order as in the reference's strided loop.
type colBox struct {
	s     boxShape
	n     int         // number of rows (vector length)
	ring  [][]float32 // the last full+1 input rows, row t in ring[t%len]
	sum   []float32   // running sum per column
	cur   int         // current window size, shared by all columns
	t     int         // rows pushed so far
	o     int         // rows emitted so far
	out   []float32   // output row buffer, valid until the next call
	store []float32   // backing array for ring
}

func (c *colBox) reset(n, width, full int) {
	c.s = newBoxShape(full)
	c.n = n
	r := full + 1
	if cap(c.store) < r*width {
		c.store = make([]float32, r*width)
	}
	c.store = c.store[:r*width]
	if cap(c.ring) < r {
		c.ring = make([][]float32, r)
	}
	c.ring = c.ring[:r]
	for i := range c.ring {
		c.ring[i] = c.store[i*width : (i+1)*width : (i+1)*width]
	}
	if cap(c.sum) < width {
		c.sum = make([]float32, width)
		c.out = make([]float32, width)
	}
	c.sum = c.sum[:width]
	c.out = c.out[:width]
	clear(c.sum)
	c.cur, c.t, c.o = 0, 0, 0
}

// slot returns the ring row where input row t must be written before push.
func (c *colBox) slot() []float32 {
	return c.ring[c.t%len(c.ring)]
}

// push consumes the row written to slot() and reports whether an output row
// (index c.o-1, contents c.out) was produced.
func (c *colBox) push() bool {
	in := c.ring[c.t%len(c.ring)]
	sum := c.sum
	in = in[:len(sum)]
	t := c.t
	c.t++
	switch {
	case t < c.s.half-1:
		for j := range sum {
			sum[j] += in[j]
		}
		c.cur++
		return false
	case t < c.s.full:
		c.cur++
		d := float32(c.cur)
		out := c.out[:len(sum)]
		for j := range sum {
			sum[j] += in[j]
			out[j] = sum[j] / d
		}
	default:
		old := c.ring[(t-c.s.full)%len(c.ring)]
		old = old[:len(sum)]
		d := float32(c.cur)
		out := c.out[:len(sum)]
		for j := range sum {
			sum[j] += in[j]
			sum[j] -= old[j]
			out[j] = sum[j] / d
		}
	}
	c.o++
	return true
}

// drain produces one of the final outputs after all rows were pushed,
// reporting false when there are none left.
func (c *colBox) drain() bool {
	if c.o >= c.n {
		return false
	}
	l := c.n - c.s.full + (c.o - (c.n - c.s.half + 1))
	old := c.ring[l%len(c.ring)]
	sum := c.sum
	old = old[:len(sum)]
	c.cur--
	d := float32(c.cur)
	out := c.out[:len(sum)]
	for j := range sum {
		sum[j] -= old[j]
		out[j] = sum[j] / d
	}
	c.o++
	return true
}

// decimationIndex is decimateFloat's choice of input index for output i of
// 64 ("target centers not corners"): floor((i+0.5)*n/64), in integers.
func decimationIndex(i, n int) int {
	return (2*i + 1) * n / (2 * outDim)
}

// rowSource yields the luma of one image row at a time.
type rowSource interface {
	// row writes the luma of row y (0 <= y < rows) to dst (len cols).
	row(y int, dst []float32)
}

// downsampler is the streaming Jarosz filter plus decimation. Its zero value
// is ready to use; buffers are reused across calls.
type downsampler struct {
	luma   []float32
	rowA   []float32 // output of the first row pass
	rowC   []float32 // output of the second row pass
	b      colBox    // first column pass, full width
	d      colBox    // second column pass, only the 64 decimated columns
	colIdx [outDim]int
}

// run blurs and decimates the rows x cols image from src into out, exactly
// as jaroszFilterFloat followed by decimateFloat in the reference.
func (ds *downsampler) run(src rowSource, rows, cols int, out *[outDim][outDim]float32) {
	wRows := newBoxShape(windowSize(cols)) // windowSizeAlongRows
	wCols := windowSize(rows)              // windowSizeAlongCols
	ds.luma = grow(ds.luma, cols)
	ds.rowA = grow(ds.rowA, cols)
	ds.rowC = grow(ds.rowC, cols)
	ds.b.reset(rows, cols, wCols)
	ds.d.reset(rows, outDim, wCols)
	for j := range ds.colIdx {
		ds.colIdx[j] = decimationIndex(j, cols)
	}
	nextOut := 0 // next row of out to fill
	emitD := func() {
		o := ds.d.o - 1
		for nextOut < outDim && decimationIndex(nextOut, rows) == o {
			copy(out[nextOut][:], ds.d.out)
			nextOut++
		}
	}
	// Second row pass on a first-column-pass output row, then feed the
	// 64 sampled columns to the second column pass.
	emitB := func() {
		boxRow(ds.b.out, ds.rowC, wRows)
		dst := ds.d.slot()
		for j, c := range ds.colIdx {
			dst[j] = ds.rowC[c]
		}
		if ds.d.push() {
			emitD()
		}
	}
	for y := 0; y < rows; y++ {
		src.row(y, ds.luma)
		boxRow(ds.luma, ds.b.slot(), wRows)
		if ds.b.push() {
			emitB()
		}
	}
	for ds.b.drain() {
		emitB()
	}
	for ds.d.drain() {
		emitD()
	}
}

func grow(b []float32, n int) []float32 {
	if cap(b) < n {
		return make([]float32, n)
	}
	return b[:n]
}
