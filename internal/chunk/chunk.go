// Package chunk walks the block structure of image files: the marker
// segments of a JPEG file (ITU-T T.81 §B.1.1, as JFIF and Exif use it) and
// the chunks of a PNG file (PNG, W3C Recommendation 2003, §5.3). It is the
// one walker of those structures for package iscc (EXIF orientation) and
// the signals packages (XMP, C2PA).
//
// The walkers read in place (no copies), check every length against the
// data before using it, and stop at a caller's cap on the blocks walked.
// A caller that reads few kinds of block says which (Only), and the others
// are skipped in the walker's own loop: a function call per block would
// cost more than the hand-written loops this package replaced.
// They interpret no block: what a segment or chunk means, and whether a
// damaged file is still worth reading, is the caller's decision. They are
// in internal/ because no caller outside this module needs them and iscc
// must not depend on the signals packages.
package chunk

import (
	"encoding/binary"
	"fmt"
)

// Error says where and how a walk stopped on damaged or oversized input.
type Error struct {
	// What says what was wrong: "truncated marker", "segment 0xE1 length
	// 70000 past end", ...
	What string
	// Offset is the byte offset in the file where it was found.
	Offset int
	// TooMany is true when the caller's cap on blocks (Max) was reached;
	// What is then empty.
	TooMany bool
	Max     int
}

func (e *Error) Error() string {
	if e.TooMany {
		return fmt.Sprintf("more than %d blocks", e.Max)
	}
	return fmt.Sprintf("%s at offset %d", e.What, e.Offset)
}

// Wrap words the error that ended a walk (Err) in a caller's error family:
// "op: what at offset N" wrapping malformed, or "op: more than N blocks"
// wrapping tooLarge, blocks naming what was walked ("segments"). nil stays
// nil.
func Wrap(err error, op, blocks string, malformed, tooLarge error) error {
	e, ok := err.(*Error)
	switch {
	case err == nil || !ok:
		return err
	case e.TooMany:
		return fmt.Errorf("%s: more than %d %s: %w", op, e.Max, blocks, tooLarge)
	}
	return fmt.Errorf("%s: %s at offset %d: %w", op, e.What, e.Offset, malformed)
}

// Segment is one JPEG marker, with its segment when it has one.
type Segment struct {
	// Marker is the marker code, the byte after 0xFF (0xE1 for APP1).
	Marker byte
	// Start is the offset of the marker's first 0xFF (fill bytes
	// included); End the offset just after the segment.
	Start, End int
	// Payload is the segment's data after its length field, nil for the
	// markers that have no segment (SOI, TEM, RSTn) and for the 0xFF00
	// byte pair, which is no marker outside entropy-coded data.
	Payload []byte
}

// Standalone reports whether the marker has no segment: SOI, TEM, RSTn, or
// the byte pair 0xFF00.
func (s Segment) Standalone() bool { return standalone(s.Marker) }

func standalone(m byte) bool {
	return m == 0xD8 || m == 0x01 || m == 0x00 || m >= 0xD0 && m <= 0xD7
}

// walk is the state both walkers share.
type walk struct {
	data []byte
	pos  int // offset of the next block
	n    int // blocks yielded
	max  int
	err  error
	done bool
}

// next reports whether another block may be read, failing the walk at the
// cap.
func (w *walk) next() bool {
	if w.done {
		return false
	}
	if w.n >= w.max {
		w.stop(&Error{TooMany: true, Max: w.max})
		return false
	}
	return true
}

func (w *walk) stop(err error) { w.err, w.done = err, true }

// Err returns the error that ended the walk, nil when it ended at the end
// of the structure (SOS or EOI, IEND) or has not ended.
func (w *walk) Err() error { return w.err }

// JPEG walks the markers of a JPEG file after its SOI marker, up to the
// first SOS (start of scan: no metadata follows) or EOI. Create it with
// NewJPEG; it is not safe for concurrent use.
type JPEG struct {
	walk
	only     bool      // Next returns only the markers in want
	want     [4]uint64 // a bit per marker code
	segments int       // markers with a segment walked
}

// Only makes Next return only the given markers; the others are still
// walked, checked and counted, in a tight loop (a call per block would
// cost more than the walk itself).
func (w *JPEG) Only(markers ...byte) {
	w.only = true
	for _, m := range markers {
		w.want[m>>6] |= 1 << (m & 63)
	}
}

// Segments returns how many markers with a segment have been walked,
// including the one Next returned last.
func (w *JPEG) Segments() int { return w.segments }

// NewJPEG returns a walker over data, which starts with the SOI marker
// (0xFFD8; not checked), that yields at most max markers before failing
// with a TooMany Error.
func NewJPEG(data []byte, max int) JPEG { return JPEG{walk: walk{data: data, pos: 2, max: max}} }

// Next returns the next marker before SOS or EOI, and false when the walk
// is over: at SOS or EOI (Err nil), or on damaged data or the cap (Err
// says which).
func (w *JPEG) Next() (Segment, bool) {
	d, pos := w.data, w.pos
	for {
		if !w.next() {
			return Segment{}, false
		}
		if pos >= len(d) {
			return w.fail("truncated before start of scan", pos)
		}
		if d[pos] != 0xFF {
			return w.fail("missing marker", pos)
		}
		start := pos
		for pos < len(d) && d[pos] == 0xFF {
			pos++
		}
		if pos >= len(d) {
			return w.fail("truncated marker", start)
		}
		m := d[pos]
		pos++
		w.n++
		switch {
		case m == 0xD9 || m == 0xDA:
			w.done = true
			return Segment{}, false
		case standalone(m):
			w.pos = pos
			if w.only && w.want[m>>6]&(1<<(m&63)) == 0 {
				continue
			}
			return Segment{Marker: m, Start: start, End: pos}, true
		}
		if pos+2 > len(d) {
			return w.fail("truncated segment length", pos)
		}
		n := int(d[pos])<<8 | int(d[pos+1])
		if n < 2 || pos+n > len(d) {
			return w.failLength(m, n, start)
		}
		w.segments++
		pos += n
		w.pos = pos
		if w.only && w.want[m>>6]&(1<<(m&63)) == 0 {
			continue
		}
		return Segment{Marker: m, Start: start, End: pos, Payload: d[pos-n+2 : pos]}, true
	}
}

func (w *JPEG) fail(what string, off int) (Segment, bool) {
	w.stop(&Error{What: what, Offset: off})
	return Segment{}, false
}

func (w *JPEG) failLength(m byte, n, start int) (Segment, bool) {
	return w.fail(fmt.Sprintf("segment 0x%02X length %d past end", m, n), start)
}

// Signature is the 8-byte signature that starts every PNG file.
const Signature = "\x89PNG\r\n\x1a\n"

// Chunk is one PNG chunk.
type Chunk struct {
	// Type is the chunk type's four bytes, big-endian ("IHDR" is
	// 0x49484452); see Is and Name. (A number, not an array, so that a
	// Chunk is returned in registers: the walk is in the hot path of every
	// image read.)
	Type uint32
	// Start is the offset of the length field; End the offset after the
	// CRC.
	Start, End int
	// Data is the chunk data, between the type and the CRC (the CRC is
	// not read: most walks never need it, and reading it costs a memory
	// access per chunk; it is the 4 bytes at End-4).
	Data []byte
}

// Is reports whether the chunk has type typ, four ASCII letters.
func (c Chunk) Is(typ string) bool {
	return len(typ) == 4 && c.Type == uint32(typ[0])<<24|uint32(typ[1])<<16|uint32(typ[2])<<8|uint32(typ[3])
}

// Name returns the chunk type as a string ("IHDR").
func (c Chunk) Name() string {
	return string([]byte{byte(c.Type >> 24), byte(c.Type >> 16), byte(c.Type >> 8), byte(c.Type)})
}

// PNG walks the chunks of a PNG file after its signature, up to and
// including IEND. Create it with NewPNG; it is not safe for concurrent
// use.
type PNG struct {
	walk
	want  [8]uint32 // chunk types Next returns, when nwant > 0
	nwant int
}

// Only makes Next return only chunks of the given types (at most 8, four
// ASCII letters each); the others are still walked and checked, in a
// tight loop. The walk still ends after IEND.
func (w *PNG) Only(types ...string) {
	for _, t := range types {
		if w.nwant == len(w.want) || len(t) != 4 {
			panic("chunk: PNG.Only takes at most 8 types of 4 letters")
		}
		w.want[w.nwant] = uint32(t[0])<<24 | uint32(t[1])<<16 | uint32(t[2])<<8 | uint32(t[3])
		w.nwant++
	}
}

func (w *PNG) wants(t uint32) bool {
	for _, x := range w.want[:w.nwant] {
		if x == t {
			return true
		}
	}
	return false
}

// NewPNG returns a walker over data, which starts with Signature (not
// checked), that yields at most max chunks before failing with a TooMany
// Error.
func NewPNG(data []byte, max int) PNG {
	return PNG{walk: walk{data: data, pos: len(Signature), max: max}}
}

// Next returns the next chunk, and false when the walk is over: after IEND
// (Err nil), or on damaged data or the cap (Err says which). A file that
// ends without IEND is damaged.
func (w *PNG) Next() (Chunk, bool) {
	d := w.data
	for {
		if !w.next() {
			return Chunk{}, false
		}
		p := w.pos
		if p == len(d) {
			return w.failPNG(&Error{What: "missing IEND", Offset: p})
		}
		if p+8 > len(d) {
			return w.failPNG(&Error{What: "truncated chunk header", Offset: p})
		}
		n := binary.BigEndian.Uint32(d[p:])
		t := binary.BigEndian.Uint32(d[p+4:])
		if n > 1<<31-1 || uint64(p)+12+uint64(n) > uint64(len(d)) {
			return w.failPNG(&Error{What: fmt.Sprintf("chunk %q length %d past end", d[p+4:p+8], n), Offset: p})
		}
		end := p + 12 + int(n)
		w.pos = end
		w.n++
		if t == 0x49454E44 { // IEND
			w.done = true
		}
		if w.nwant > 0 && !w.wants(t) {
			continue
		}
		return Chunk{Type: t, Start: p, End: end, Data: d[p+8 : end-4]}, true
	}
}

func (w *PNG) failPNG(err error) (Chunk, bool) {
	w.stop(err)
	return Chunk{}, false
}
