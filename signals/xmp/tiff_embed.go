package xmp

import (
	"encoding/binary"
	"fmt"
	"slices"
)

// tiffTagC2PA is the TIFF tag of a C2PA manifest store (C2PA 2.x,
// "Embedding manifests into TIFF").
const tiffTagC2PA = 52545

// tiffEntry is one raw IFD entry: its tag and its bytes as stored.
type tiffEntry struct {
	tag uint16
	raw []byte
}

// EmbedTIFF returns a copy of the TIFF (or BigTIFF) img carrying r in tag
// 700 (XMLPacket) of its first IFD (XMP Part 3 §1.1.6). Nothing is
// re-encoded and no existing offset moves: the packet (an existing one
// merged with MergePacket, keeping its other properties) and a copy of
// IFD0 with tag 700 set are appended, and the header's first-IFD offset
// points to the copy, whose next-IFD offset is the old one's. The old IFD0
// stays in the file unreferenced. A file with a C2PA manifest (tag 52545)
// is refused unless r.BreakC2PA, with an error wrapping ErrCannotEmbed.
func EmbedTIFF(img []byte, r Reservation) ([]byte, error) {
	if err := r.check(); err != nil {
		return nil, err
	}
	if len(img) < 8 {
		return nil, fmt.Errorf("embed xmp: not a TIFF file: %w", ErrMalformed)
	}
	var bo binary.ByteOrder
	switch string(img[:2]) {
	case "II":
		bo = binary.LittleEndian
	case "MM":
		bo = binary.BigEndian
	default:
		return nil, fmt.Errorf("embed xmp: not a TIFF file: %w", ErrMalformed)
	}
	big := bo.Uint16(img[2:]) == 43
	if !big && bo.Uint16(img[2:]) != 42 {
		return nil, fmt.Errorf("embed xmp: not a TIFF file: %w", ErrMalformed)
	}
	offSize, countSize, entrySize, headerOff := 4, 2, 12, 4
	if big {
		offSize, countSize, entrySize, headerOff = 8, 8, 20, 8
		if len(img) < 16 {
			return nil, malformed("tiff", "truncated BigTIFF header", 0)
		}
	}
	get := func(off uint64, n int) (uint64, bool) {
		if off+uint64(n) > uint64(len(img)) || off+uint64(n) < off {
			return 0, false
		}
		switch n {
		case 2:
			return uint64(bo.Uint16(img[off:])), true
		case 4:
			return uint64(bo.Uint32(img[off:])), true
		}
		return bo.Uint64(img[off:]), true
	}
	ifd0, _ := get(uint64(headerOff), offSize)
	n, ok := get(ifd0, countSize)
	if !ok || ifd0 == 0 {
		return nil, malformed("tiff", "IFD0 offset past end", headerOff)
	}
	if n > MaxSegments {
		return nil, fmt.Errorf("embed xmp: IFD0 has %d entries, over %d: %w", n, MaxSegments, ErrTooLarge)
	}
	base := ifd0 + uint64(countSize)
	end := base + n*uint64(entrySize)
	next, ok := get(end, offSize)
	if !ok {
		return nil, malformed("tiff", "IFD0 truncated", int(ifd0))
	}
	var entries []tiffEntry
	var old []byte
	oldOff := int64(-1)
	for i := uint64(0); i < n; i++ {
		e := img[base+i*uint64(entrySize) : base+(i+1)*uint64(entrySize)]
		tag := bo.Uint16(e)
		if tag == tiffTagC2PA {
			if err := refuseC2PA("TIFF", r); err != nil {
				return nil, err
			}
		}
		if tag == tiffTagXMP {
			count, _ := get(base+i*uint64(entrySize)+4, offSize)
			valOff := base + i*uint64(entrySize) + 4 + uint64(offSize)
			if count > uint64(offSize) {
				valOff, _ = get(valOff, offSize)
			}
			if count > MaxPacketSize || valOff+count > uint64(len(img)) {
				return nil, malformed("tiff", "tag 700 value past end", int(base+i*uint64(entrySize)))
			}
			old, oldOff = trimNUL(img[valOff:valOff+count]), int64(valOff)
			continue
		}
		entries = append(entries, tiffEntry{tag: tag, raw: e})
	}
	if err := checkOnlyTarget(img, oldOff, oldOff >= 0); err != nil {
		return nil, err
	}
	var packet []byte
	var err error
	if old != nil {
		packet, err = MergePacket(old, r)
	} else {
		packet, err = NewPacket(r)
	}
	if err != nil {
		return nil, err
	}
	out := slices.Clip(slices.Clone(img))
	if len(out)%2 == 1 {
		out = append(out, 0) // values and IFDs start on a word boundary
	}
	packetOff := uint64(len(out))
	out = append(out, packet...)
	if len(out)%2 == 1 {
		out = append(out, 0)
	}
	newIFD := uint64(len(out))
	xe := make([]byte, entrySize)
	bo.PutUint16(xe, tiffTagXMP)
	bo.PutUint16(xe[2:], 7) // UNDEFINED
	put := func(b []byte, v uint64) {
		if offSize == 4 {
			bo.PutUint32(b, uint32(v))
		} else {
			bo.PutUint64(b, v)
		}
	}
	put(xe[4:], uint64(len(packet)))
	put(xe[4+offSize:], packetOff)
	entries = append(entries, tiffEntry{tag: tiffTagXMP, raw: xe})
	slices.SortStableFunc(entries, func(a, b tiffEntry) int { return int(a.tag) - int(b.tag) })
	cnt := make([]byte, countSize)
	if countSize == 2 {
		bo.PutUint16(cnt, uint16(len(entries)))
	} else {
		bo.PutUint64(cnt, uint64(len(entries)))
	}
	out = append(out, cnt...)
	for _, e := range entries {
		out = append(out, e.raw...)
	}
	nx := make([]byte, offSize)
	put(nx, next)
	out = append(out, nx...)
	if !big && uint64(len(out)) > 0xFFFFFFFF {
		return nil, fmt.Errorf("embed xmp: TIFF over 4 GiB after embedding (use BigTIFF): %w", ErrTooLarge)
	}
	put(out[headerOff:], newIFD)
	return out, nil
}

// trimNUL drops the NUL padding some writers leave after a packet.
func trimNUL(b []byte) []byte {
	for len(b) > 0 && b[len(b)-1] == 0 {
		b = b[:len(b)-1]
	}
	return b
}
