package c2pa

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"sort"

	"github.com/askfirst/askfirst/internal/chunk"
)

// Caps on the containers walked to find a manifest store.
const (
	// MaxSegments caps the JPEG segments, PNG chunks or top-level ISOBMFF
	// boxes walked in one file.
	MaxSegments = 1 << 16
)

// Errors returned by this package; each returned error wraps one of them.
var (
	// ErrNoManifest: the file holds no C2PA manifest store.
	ErrNoManifest = errors.New("no C2PA manifest store")
	// ErrMalformed: the container, JUMBF, CBOR or COSE structure is broken.
	ErrMalformed = errors.New("malformed")
	// ErrTooLarge: a size or count exceeds one of the caps.
	ErrTooLarge = errors.New("exceeds limit")
	// ErrUnsupported: the file format is not one this package reads.
	ErrUnsupported = errors.New("unsupported format")
)

// Container names reported in Location.Container.
const (
	ContainerJPEG = "jpeg"
	ContainerPNG  = "png"
	ContainerBMFF = "bmff"
	// ContainerRIFF: WebP, WAV or AVI.
	ContainerRIFF = "riff"
)

// BMFFUUID is the extended type of the top-level ISOBMFF "uuid" box that
// carries a C2PA manifest store.
var BMFFUUID = [16]byte{0xD8, 0xFE, 0xC3, 0xD6, 0x1B, 0x0E, 0x48, 0x3C, 0x92, 0x97, 0x58, 0x28, 0x87, 0x7E, 0xC4, 0x81}

// Range is a byte range of the asset.
type Range struct {
	Start  int64 `json:"start"`
	Length int64 `json:"length"`
}

// Location says where a manifest store was found.
type Location struct {
	// Container is one of the Container* names.
	Container string `json:"container"`
	// Segment names the carrier: "APP11 box instance 1 (3 segments)",
	// "caBX chunk", "uuid box".
	Segment string `json:"segment"`
	// Ranges are the byte ranges of the asset that carry the store (the
	// APP11 segments, the chunk, the box).
	Ranges []Range `json:"ranges"`
}

// String returns "container segment @offset".
func (l Location) String() string {
	var off int64
	if len(l.Ranges) > 0 {
		off = l.Ranges[0].Start
	}
	return fmt.Sprintf("%s %s @%d", l.Container, l.Segment, off)
}

// Locate finds the C2PA manifest store in a JPEG, PNG, ISOBMFF or RIFF
// (WebP, WAV, AVI) file and
// returns its JUMBF bytes (reassembled for JPEG) and where it was. It
// returns an error wrapping ErrNoManifest when there is none,
// ErrUnsupported for other formats, and ErrMalformed or ErrTooLarge for a
// damaged file.
func Locate(data []byte) ([]byte, Location, error) {
	switch {
	case bytes.HasPrefix(data, []byte{0xFF, 0xD8, 0xFF}):
		return locateJPEG(data)
	case bytes.HasPrefix(data, []byte(chunk.Signature)):
		return locatePNG(data)
	case len(data) >= 8 && isBMFFStart(string(data[4:8])):
		return locateBMFF(data)
	case len(data) >= 12 && string(data[:4]) == "RIFF":
		return locateRIFF(data)
	}
	return nil, Location{}, fmt.Errorf("locate c2pa manifest: %w", ErrUnsupported)
}

func isBMFFStart(typ string) bool {
	switch typ {
	case "ftyp", "styp", "moov", "mdat", "free", "skip", "wide", "uuid", "pnot", "jP  ":
		return true
	}
	return false
}

func malformed(format, what string, off int) error {
	return fmt.Errorf("locate c2pa manifest in %s: %s at offset %d: %w", format, what, off, ErrMalformed)
}

// JPEG: APP11 (0xFFEB) segments in the JPEG XT box format: "JP", a 2-byte
// box instance number, a 4-byte packet sequence number, then the box
// header (repeated in every segment) and the next part of its payload.
type app11Part struct {
	seq     uint32
	start   int
	end     int
	header  []byte
	payload []byte
}

func locateJPEG(data []byte) ([]byte, Location, error) {
	instances := map[uint16][]app11Part{}
	var order []uint16
	var walkErr error
	w := chunk.NewJPEG(data, MaxSegments)
	w.Only(0xEB, 0x00, 0xD8)
	for s, ok := w.Next(); ok; s, ok = w.Next() {
		if s.Marker == 0x00 || s.Marker == 0xD8 {
			walkErr = malformed("jpeg", fmt.Sprintf("unexpected marker 0x%02X", s.Marker), s.Start)
			break
		}
		seg := s.Payload
		if s.Marker != 0xEB || len(seg) < 16 || seg[0] != 'J' || seg[1] != 'P' {
			continue
		}
		en := binary.BigEndian.Uint16(seg[2:])
		z := binary.BigEndian.Uint32(seg[4:])
		hdr := 8
		if binary.BigEndian.Uint32(seg[8:]) == 1 {
			hdr = 16
		}
		if len(seg) < 8+hdr {
			walkErr = malformed("jpeg", "APP11 box header truncated", s.Start)
			break
		}
		if _, ok := instances[en]; !ok {
			if len(order) >= MaxSegments {
				break
			}
			order = append(order, en)
		}
		instances[en] = append(instances[en], app11Part{seq: z, start: s.Start, end: s.End, header: seg[8 : 8+hdr], payload: seg[8+hdr:]})
	}
	if walkErr == nil {
		walkErr = walkError("jpeg", "segments", w.Err())
	}
	for _, en := range order {
		parts := instances[en]
		sort.SliceStable(parts, func(i, j int) bool { return parts[i].seq < parts[j].seq })
		if string(parts[0].header[4:8]) != "jumb" {
			continue
		}
		total := int64(binary.BigEndian.Uint32(parts[0].header))
		if total == 1 {
			total = int64(binary.BigEndian.Uint64(parts[0].header[8:]))
		}
		if total > MaxStoreSize || total < 0 {
			return nil, Location{}, fmt.Errorf("locate c2pa manifest in jpeg: APP11 box instance %d declares %d bytes, over %d: %w", en, total, MaxStoreSize, ErrTooLarge)
		}
		buf := make([]byte, 0, min(total, 1<<20))
		buf = append(buf, parts[0].header...)
		loc := Location{Container: ContainerJPEG, Segment: fmt.Sprintf("APP11 box instance %d (%d segments)", en, len(parts))}
		for i, p := range parts {
			if i > 0 && p.seq == parts[i-1].seq {
				return nil, Location{}, malformed("jpeg", fmt.Sprintf("APP11 box instance %d repeats sequence number %d", en, p.seq), p.start)
			}
			if i > 0 && !bytes.Equal(p.header, parts[0].header) {
				return nil, Location{}, malformed("jpeg", fmt.Sprintf("APP11 box instance %d changes its box header", en), p.start)
			}
			if int64(len(buf))+int64(len(p.payload)) > total {
				return nil, Location{}, malformed("jpeg", fmt.Sprintf("APP11 box instance %d longer than its declared %d bytes", en, total), p.start)
			}
			buf = append(buf, p.payload...)
			loc.Ranges = appendRange(loc.Ranges, int64(p.start), int64(p.end-p.start))
		}
		if int64(len(buf)) != total {
			err := malformed("jpeg", fmt.Sprintf("APP11 box instance %d holds %d of its %d bytes", en, len(buf), total), parts[0].start)
			return nil, Location{}, err
		}
		if !isStore(buf) {
			continue
		}
		return buf, loc, nil
	}
	if walkErr != nil {
		return nil, Location{}, walkErr
	}
	return nil, Location{}, fmt.Errorf("locate c2pa manifest in jpeg: %w", ErrNoManifest)
}

// appendRange adds a range, merging it with the last one when adjacent.
func appendRange(rs []Range, start, length int64) []Range {
	if n := len(rs); n > 0 && rs[n-1].Start+rs[n-1].Length == start {
		rs[n-1].Length += length
		return rs
	}
	return append(rs, Range{Start: start, Length: length})
}

// isStore reports whether b starts a jumb superbox whose description box
// has the manifest store type.
func isStore(b []byte) bool {
	if len(b) < 8+8+17 || string(b[4:8]) != "jumb" {
		return false
	}
	hdr := 8
	if binary.BigEndian.Uint32(b) == 1 {
		hdr = 16
	}
	d := b[hdr:]
	if len(d) < 8+16 || string(d[4:8]) != "jumd" {
		return false
	}
	return bytes.Equal(d[8:24], TypeManifestStore[:])
}

// PNG: the "caBX" chunk holds the manifest store.
func locatePNG(data []byte) ([]byte, Location, error) {
	w := chunk.NewPNG(data, MaxSegments)
	w.Only("caBX", "IEND")
	for c, ok := w.Next(); ok; c, ok = w.Next() {
		switch {
		case c.Is("caBX"):
			if len(c.Data) > MaxStoreSize {
				return nil, Location{}, fmt.Errorf("locate c2pa manifest in png: caBX chunk of %d bytes over %d: %w", len(c.Data), MaxStoreSize, ErrTooLarge)
			}
			return c.Data, Location{Container: ContainerPNG, Segment: "caBX chunk",
				Ranges: []Range{{Start: int64(c.Start), Length: int64(c.End - c.Start)}}}, nil
		case c.Is("IEND"):
			return nil, Location{}, fmt.Errorf("locate c2pa manifest in png: %w", ErrNoManifest)
		}
	}
	return nil, Location{}, walkError("png", "chunks", w.Err())
}

// walkError words the error that ended a walk of package chunk in this
// package's errors.
func walkError(format, blocks string, err error) error {
	return chunk.Wrap(err, "locate c2pa manifest in "+format, blocks, ErrMalformed, ErrTooLarge)
}

// ISOBMFF: a top-level "uuid" box with extended type BMFFUUID, then a full
// box header (version, flags), a NUL-terminated purpose ("manifest"), for
// that purpose an 8-byte offset to the Merkle data, and the store.
func locateBMFF(data []byte) ([]byte, Location, error) {
	pos := 0
	for n := 0; pos < len(data); n++ {
		if n >= MaxSegments {
			return nil, Location{}, fmt.Errorf("locate c2pa manifest in bmff: more than %d top-level boxes: %w", MaxSegments, ErrTooLarge)
		}
		typ, hdr, size, err := boxHeader(data, pos, len(data))
		if err != nil {
			return nil, Location{}, fmt.Errorf("locate c2pa manifest in bmff: %w", err)
		}
		if typ == "uuid" && size >= hdr+16 && bytes.Equal(data[pos+hdr:pos+hdr+16], BMFFUUID[:]) {
			body := data[pos+hdr+16 : pos+size]
			if len(body) < 4 {
				return nil, Location{}, malformed("bmff", "C2PA uuid box truncated", pos)
			}
			purpose, rest, ok := bytes.Cut(body[4:], []byte{0})
			if !ok {
				return nil, Location{}, malformed("bmff", "C2PA uuid box purpose not terminated", pos)
			}
			if string(purpose) == "manifest" {
				if len(rest) < 8 {
					return nil, Location{}, malformed("bmff", "C2PA uuid box truncated", pos)
				}
				store := rest[8:]
				if len(store) > MaxStoreSize {
					return nil, Location{}, fmt.Errorf("locate c2pa manifest in bmff: store of %d bytes over %d: %w", len(store), MaxStoreSize, ErrTooLarge)
				}
				return store, Location{Container: ContainerBMFF, Segment: "uuid box",
					Ranges: []Range{{Start: int64(pos), Length: int64(size)}}}, nil
			}
		}
		pos += size
	}
	return nil, Location{}, fmt.Errorf("locate c2pa manifest in bmff: %w", ErrNoManifest)
}

// RIFF (WebP, WAV, AVI): a top-level "C2PA" chunk holds the store.
func locateRIFF(data []byte) ([]byte, Location, error) {
	end := 8 + int64(binary.LittleEndian.Uint32(data[4:]))
	if end > int64(len(data)) {
		return nil, Location{}, malformed("riff", fmt.Sprintf("RIFF size %d past end of file", end-8), 4)
	}
	pos := int64(12)
	for n := 0; pos < end; n++ {
		if n >= MaxSegments {
			return nil, Location{}, fmt.Errorf("locate c2pa manifest in riff: more than %d chunks: %w", MaxSegments, ErrTooLarge)
		}
		if pos+8 > end {
			return nil, Location{}, malformed("riff", "truncated chunk header", int(pos))
		}
		id := string(data[pos : pos+4])
		size := int64(binary.LittleEndian.Uint32(data[pos+4:]))
		if pos+8+size > end {
			return nil, Location{}, malformed("riff", fmt.Sprintf("chunk %q size %d past end", id, size), int(pos))
		}
		if id == "C2PA" {
			if size > MaxStoreSize {
				return nil, Location{}, fmt.Errorf("locate c2pa manifest in riff: C2PA chunk of %d bytes over %d: %w", size, MaxStoreSize, ErrTooLarge)
			}
			return data[pos+8 : pos+8+size], Location{Container: ContainerRIFF, Segment: "C2PA chunk",
				Ranges: []Range{{Start: pos, Length: 8 + size + size&1}}}, nil
		}
		pos += 8 + size + size&1
	}
	return nil, Location{}, fmt.Errorf("locate c2pa manifest in riff: %w", ErrNoManifest)
}
