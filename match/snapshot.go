package match

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
)

// Snapshot format, version 1 (all integers little-endian):
//
//	offset  size  field
//	0       8     magic "AFMATCH\x00"
//	8       2     version, 1
//	10      2     code size in bits, 64 or 256
//	12      4     reserved, 0
//	16      8     count, the number of records
//	24      ...   count records, ids strictly increasing:
//	              id (8 bytes), then the code as 1 or 4 words of 8 bytes
//	              (Code256 word 0 first)
//	end     4     CRC-32C (Castagnoli) of every preceding byte
//
// The multi-index tables are not stored: they are rebuilt on load by a
// counting sort, which is linear and takes about as long as reading the
// records from disk (figures in bench/README.md). A snapshot therefore
// holds 16 bytes per 64-bit code and 40 per 256-bit code.
const (
	snapshotMagic   = "AFMATCH\x00"
	snapshotVersion = 1
	headerSize      = 24
)

// MaxSnapshotCodes caps the record count a snapshot may declare; readers
// reject larger counts before allocating.
const MaxSnapshotCodes = MaxCodes

// ErrSnapshot is wrapped by every error ReadIndex64 and ReadIndex256 return
// for malformed input.
var ErrSnapshot = errors.New("invalid match snapshot")

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// WriteTo writes a snapshot of every live code to w and returns the number
// of bytes written. It sees one consistent state of the index; concurrent
// updates wait only while the live codes are copied.
func (x *Index64) WriteTo(w io.Writer) (int64, error) { return x.c.writeTo(w) }

// WriteTo writes a snapshot of every live code to w; see Index64.WriteTo.
func (x *Index256) WriteTo(w io.Writer) (int64, error) { return x.c.writeTo(w) }

// ReadIndex64 reads a snapshot written by Index64.WriteTo and builds an
// index with cfg. It reads exactly the snapshot's bytes from r. Malformed
// input yields an error wrapping ErrSnapshot; input is never trusted.
func ReadIndex64(r io.Reader, cfg Config) (*Index64, error) {
	c, err := readCore(r, 1, cfg)
	if err != nil {
		return nil, err
	}
	return &Index64{c}, nil
}

// ReadIndex256 reads a snapshot written by Index256.WriteTo; see ReadIndex64.
func ReadIndex256(r io.Reader, cfg Config) (*Index256, error) {
	c, err := readCore(r, 4, cfg)
	if err != nil {
		return nil, err
	}
	return &Index256{c}, nil
}

type countingWriter struct {
	w   *bufio.Writer
	n   int64
	crc uint32
}

func (cw *countingWriter) Write(p []byte) (int, error) {
	cw.crc = crc32.Update(cw.crc, castagnoli, p)
	n, err := cw.w.Write(p)
	cw.n += int64(n)
	return n, err
}

func (c *core) writeTo(w io.Writer) (int64, error) {
	ids, codes := c.liveSorted()
	cw := &countingWriter{w: bufio.NewWriterSize(w, 1<<16)}
	var h [headerSize]byte
	copy(h[:8], snapshotMagic)
	binary.LittleEndian.PutUint16(h[8:], snapshotVersion)
	binary.LittleEndian.PutUint16(h[10:], uint16(64*c.w))
	binary.LittleEndian.PutUint64(h[16:], uint64(len(ids)))
	if _, err := cw.Write(h[:]); err != nil {
		return cw.n, fmt.Errorf("match: write snapshot: %w", err)
	}
	rec := make([]byte, 8*(1+c.w))
	for i, id := range ids {
		binary.LittleEndian.PutUint64(rec, id)
		for k := range c.w {
			binary.LittleEndian.PutUint64(rec[8+8*k:], codes[i*c.w+k])
		}
		if _, err := cw.Write(rec); err != nil {
			return cw.n, fmt.Errorf("match: write snapshot: %w", err)
		}
	}
	var t [4]byte
	binary.LittleEndian.PutUint32(t[:], cw.crc)
	if _, err := cw.w.Write(t[:]); err != nil {
		return cw.n, fmt.Errorf("match: write snapshot: %w", err)
	}
	cw.n += 4
	if err := cw.w.Flush(); err != nil {
		return cw.n, fmt.Errorf("match: write snapshot: %w", err)
	}
	return cw.n, nil
}

// readChunk is the number of records read (and allocated) at a time, so a
// snapshot that declares more records than it holds costs little memory.
const readChunk = 1 << 15

func readCore(r io.Reader, w int, cfg Config) (*core, error) {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("match: read snapshot: %s: %w", fmt.Sprintf(format, args...), ErrSnapshot)
	}
	var h [headerSize]byte
	if _, err := io.ReadFull(r, h[:]); err != nil {
		return nil, bad("header: %v", err)
	}
	if string(h[:8]) != snapshotMagic {
		return nil, bad("bad magic %q", h[:8])
	}
	if v := binary.LittleEndian.Uint16(h[8:]); v != snapshotVersion {
		return nil, bad("unsupported version %d (want %d)", v, snapshotVersion)
	}
	if b := binary.LittleEndian.Uint16(h[10:]); int(b) != 64*w {
		return nil, bad("holds %d-bit codes, want %d-bit", b, 64*w)
	}
	if v := binary.LittleEndian.Uint32(h[12:]); v != 0 {
		return nil, bad("reserved field is %#x, want 0", v)
	}
	count := binary.LittleEndian.Uint64(h[16:])
	if count > MaxSnapshotCodes {
		return nil, bad("declares %d codes, more than the limit %d", count, uint64(MaxSnapshotCodes))
	}
	crc := crc32.Update(0, castagnoli, h[:])
	n := int(count)
	recSize := 8 * (1 + w)
	ids := make([]uint64, 0, min(n, readChunk))
	codes := make([]uint64, 0, min(n, readChunk)*w)
	buf := make([]byte, readChunk*recSize)
	for done := 0; done < n; {
		k := min(readChunk, n-done)
		b := buf[:k*recSize]
		if _, err := io.ReadFull(r, b); err != nil {
			return nil, bad("record %d of %d: %v", done, n, err)
		}
		crc = crc32.Update(crc, castagnoli, b)
		for j := range k {
			rec := b[j*recSize:]
			id := binary.LittleEndian.Uint64(rec)
			if len(ids) > 0 && id <= ids[len(ids)-1] {
				return nil, bad("record %d: id %d not greater than previous id %d", done+j, id, ids[len(ids)-1])
			}
			ids = append(ids, id)
			for q := range w {
				codes = append(codes, binary.LittleEndian.Uint64(rec[8+8*q:]))
			}
		}
		done += k
	}
	var t [4]byte
	if _, err := io.ReadFull(r, t[:]); err != nil {
		return nil, bad("checksum: %v", err)
	}
	if got := binary.LittleEndian.Uint32(t[:]); got != crc {
		return nil, bad("checksum %#08x, computed %#08x", got, crc)
	}
	c, err := newCore(w, cfg, ids, codes)
	if err != nil {
		return nil, fmt.Errorf("match: read snapshot: %w", err)
	}
	return c, nil
}
