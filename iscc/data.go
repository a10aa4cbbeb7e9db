package iscc

import (
	"errors"
	"fmt"
	"io"
)

// Content-defined chunking of the Data-Code (iscc-core cdc.py, compatible
// with the fastcdc Python package): average chunk 1024 bytes, minimum 256,
// maximum 8192, center 640, masks 0x7FF before the center and 0x1FF after.
const (
	cdcMin    = 256
	cdcMax    = 8192
	cdcCenter = 640
	cdcMaskS  = 0x7ff
	cdcMaskL  = 0x1ff
)

// cdcCut returns the length of the first chunk of buf, where len(buf) is the
// number of bytes available (at most cdcMax are examined). A buffer of at
// most cdcMin bytes is one chunk; the first cdcMin bytes of a chunk never
// enter the rolling hash. Note the right shift and addition of the gear
// values (not the paper's left shift).
func cdcCut(buf []byte) int {
	s := len(buf)
	if s <= cdcMin {
		return s
	}
	if s > cdcMax {
		buf = buf[:cdcMax]
	}
	center := min(cdcCenter, len(buf))
	pos, pattern, found := cdcScan(buf[:center], cdcMin, 0, cdcMaskS)
	if found || center == len(buf) {
		return pos
	}
	pos, _, _ = cdcScan(buf, center, pattern, cdcMaskL)
	return pos
}

// cdcScan rolls the gear hash over buf[i:] from state pattern and returns
// the cut position (one past the first byte whose pattern has no bit of
// mask set), or len(buf) and the final state if there is none.
//
// Two bytes are taken per step: with p' = p>>1 + g1, also
// p'>>1 = (p + 2·g1)>>2 (flooring twice equals flooring once), so both
// patterns come from p directly and the serial dependency per byte
// shrinks. Patterns stay below 2^32, so 64-bit arithmetic is exact.
func cdcScan(buf []byte, i int, pattern uint32, mask uint64) (int, uint32, bool) {
	p := uint64(pattern)
	for ; i+1 < len(buf); i += 2 {
		g1 := uint64(cdcGear[buf[i]])
		g2 := uint64(cdcGear[buf[i+1]])
		p1 := p>>1 + g1
		p2 := (p+2*g1)>>2 + g2
		if p1&mask == 0 {
			return i + 1, uint32(p1), true
		}
		if p2&mask == 0 {
			return i + 2, uint32(p2), true
		}
		p = p2
	}
	if i < len(buf) {
		p = p>>1 + uint64(cdcGear[buf[i]])
		i++
		if p&mask == 0 {
			return i, uint32(p), true
		}
	}
	return i, uint32(p), false
}

// The DataHasher's working buffer starts small, so hashing many small files
// stays cheap, and grows once to dataBufSize; memory use is constant.
const (
	dataBufStart = 4 * cdcMax
	dataBufSize  = 256 << 10
)

// DataHasher computes a Data-Code incrementally (ISO 24138 Data-Code,
// iscc-core DataHasherV0). It is an io.Writer, so one pass over a file can
// feed it and an InstanceHasher through io.MultiWriter. The result does not
// depend on how the input is split into writes. Memory use is constant. A
// DataHasher is not safe for concurrent use.
type DataHasher struct {
	bits   int
	buf    []byte // pending bytes; a chunk starts at buf[0]
	mh     minHash
	feats  []uint32
	nfeats int64
	// processed counts the bytes cut into chunks so far.
	processed int64
}

// NewDataHasher returns a DataHasher producing codes of the given length (a
// multiple of 32 from 32 to 256).
func NewDataHasher(bits int) (*DataHasher, error) {
	if err := checkBits(bits); err != nil {
		return nil, fmt.Errorf("new Data-Code hasher: %w", err)
	}
	return &DataHasher{
		bits:  bits,
		buf:   make([]byte, 0, dataBufStart),
		mh:    newMinHash(),
		feats: make([]uint32, 0, dataBufStart/cdcMin+1),
	}, nil
}

// Write adds p to the hashed data. It never fails.
func (h *DataHasher) Write(p []byte) (int, error) {
	n := len(p)
	for len(p) > 0 {
		k := copy(h.buf[len(h.buf):cap(h.buf)], p)
		h.buf = h.buf[:len(h.buf)+k]
		p = p[k:]
		if len(h.buf) == cap(h.buf) {
			h.process()
		}
	}
	return n, nil
}

// ReadFrom reads r until EOF directly into the hasher's buffer (so io.Copy
// needs no intermediate buffer) and returns the number of bytes read.
func (h *DataHasher) ReadFrom(r io.Reader) (int64, error) {
	var total int64
	for {
		if len(h.buf) == cap(h.buf) {
			h.process()
		}
		n, err := r.Read(h.buf[len(h.buf):cap(h.buf)])
		if n < 0 || n > cap(h.buf)-len(h.buf) {
			return total, errors.New("read Data-Code input: reader returned an invalid count")
		}
		h.buf = h.buf[:len(h.buf)+n]
		total += int64(n)
		if err == io.EOF {
			return total, nil
		}
		if err != nil {
			return total, err
		}
	}
}

// process cuts every chunk whose extent is certain (at least cdcMax bytes
// available from its start) and keeps the rest for later.
func (h *DataHasher) process() {
	buf := h.buf
	pos := 0
	for len(buf)-pos >= cdcMax {
		cut := cdcCut(buf[pos : pos+cdcMax])
		h.feats = append(h.feats, xxh32(buf[pos:pos+cut]))
		pos += cut
	}
	h.flush()
	rest := buf[pos:]
	h.processed += int64(pos)
	if cap(h.buf) < dataBufSize && h.processed >= dataBufSize {
		// The input is not small: grow to the full buffer once.
		h.buf = make([]byte, 0, dataBufSize)
		h.feats = make([]uint32, 0, dataBufSize/cdcMin+1)
	}
	h.buf = h.buf[:copy(h.buf[:cap(h.buf)], rest)]
}

func (h *DataHasher) flush() {
	h.mh.add(h.feats)
	h.nfeats += int64(len(h.feats))
	h.feats = h.feats[:0]
}

// digest returns the 256-bit Data-Hash of everything written so far without
// changing the hasher's state.
func (h *DataHasher) digest() []byte {
	mh := h.mh
	var feats []uint32
	rest := h.buf
	for len(rest) > 0 {
		cut := cdcCut(rest)
		feats = append(feats, xxh32(rest[:cut]))
		rest = rest[cut:]
	}
	feats = append(feats, h.feats...)
	if h.nfeats == 0 && len(feats) == 0 {
		feats = append(feats, xxh32(nil)) // the empty stream is one empty chunk
	}
	mh.add(feats)
	return mh.digest256()
}

// Code returns the Data-Code of the data written so far. Writing may
// continue afterwards.
func (h *DataHasher) Code() (*DataCode, error) {
	c, err := newUnit(MainTypeData, SubTypeNone, 0, h.bits, h.digest())
	if err != nil {
		return nil, fmt.Errorf("generate Data-Code: %w", err)
	}
	return &DataCode{ISCC: c.String()}, nil
}

// DataCode is the result of GenDataCode.
type DataCode struct {
	// ISCC is the Data-Code in canonical form.
	ISCC string `json:"iscc"`
}

// GenDataCode reads r once to EOF and returns its Data-Code (ISO 24138
// Data-Code, iscc-core gen_data_code_v0): content-defined chunks, xxHash32
// of each chunk, MinHash. Memory use is constant for input of any size.
func GenDataCode(r io.Reader, bits int) (*DataCode, error) {
	h, err := NewDataHasher(bits)
	if err != nil {
		return nil, fmt.Errorf("generate Data-Code: %w", err)
	}
	if _, err := h.ReadFrom(r); err != nil {
		return nil, fmt.Errorf("generate Data-Code: read input: %w", err)
	}
	return h.Code()
}
