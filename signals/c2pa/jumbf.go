package c2pa

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"fmt"
)

// Caps on the JUMBF read from one file.
const (
	// MaxStoreSize caps a reassembled manifest store.
	MaxStoreSize = 32 << 20
	// MaxBoxes caps the boxes parsed in one JUMBF tree.
	MaxBoxes = 1 << 14
	// MaxBoxDepth caps the nesting of JUMBF superboxes.
	MaxBoxDepth = 16
)

// UUID is a JUMBF type UUID.
type UUID [16]byte

// String returns u in the 8-4-4-4-12 form, upper case.
func (u UUID) String() string {
	h := hex.EncodeToString(u[:])
	return fmt.Sprintf("%s-%s-%s-%s-%s", h[:8], h[8:12], h[12:16], h[16:20], h[20:])
}

func c2paUUID(tag string) UUID {
	u := UUID{0, 0, 0, 0, 0x00, 0x11, 0x00, 0x10, 0x80, 0x00, 0x00, 0xAA, 0x00, 0x38, 0x9B, 0x71}
	copy(u[:4], tag)
	return u
}

// JUMBF type UUIDs used by C2PA (C2PA Technical Specification, "C2PA box
// details"): each is a four-character code followed by the ISO suffix
// 0011-0010-8000-00AA00389B71.
var (
	TypeManifestStore  = c2paUUID("c2pa")
	TypeManifest       = c2paUUID("c2ma")
	TypeUpdateManifest = c2paUUID("c2um")
	TypeAssertionStore = c2paUUID("c2as")
	TypeClaim          = c2paUUID("c2cl")
	TypeSignature      = c2paUUID("c2cs")
	TypeCBOR           = c2paUUID("cbor")
	TypeJSON           = c2paUUID("json")
)

// Box is one ISO BMFF-style box of a JUMBF tree.
type Box struct {
	// Type is the four-character box type, such as "jumb" or "cbor".
	Type string
	// Offset is the box's offset in the bytes given to ParseJUMBF.
	Offset int
	// Raw is the whole box, header included.
	Raw []byte
	// Payload is the box without its header (LBox, TBox, XLBox).
	Payload []byte
	// Desc is the description box of a "jumb" superbox; nil otherwise.
	Desc *Description
	// Children are the boxes after the description box of a superbox.
	Children []*Box
}

// Description is a JUMBF description box ("jumd").
type Description struct {
	// Type is the type UUID of the superbox's content (TypeManifest, ...).
	Type UUID
	// Toggles is the bit field saying which optional fields follow
	// (0x01 requestable, 0x02 label, 0x04 ID, 0x08 signature, 0x10 private).
	Toggles byte
	// Label is present when Toggles&0x02 is set.
	Label string
	// ID is present when Toggles&0x04 is set.
	ID *uint32
	// Signature is the 32-byte SHA-256 present when Toggles&0x08 is set.
	Signature []byte
	// Private is the raw private box (C2PA: a "c2sh" salt) present when
	// Toggles&0x10 is set.
	Private []byte
}

// Child returns the first child superbox whose label is label, or nil.
func (b *Box) Child(label string) *Box {
	for _, c := range b.Children {
		if c.Desc != nil && c.Desc.Label == label {
			return c
		}
	}
	return nil
}

// Content returns the payload of the first content box of type typ
// ("cbor", "json") in superbox b.
func (b *Box) Content(typ string) ([]byte, bool) {
	for _, c := range b.Children {
		if c.Type == typ {
			return c.Payload, true
		}
	}
	return nil, false
}

// Label returns the superbox label, or "" for a plain box.
func (b *Box) Label() string {
	if b.Desc == nil {
		return ""
	}
	return b.Desc.Label
}

// ParseJUMBF parses one JUMBF superbox that spans all of data. It returns
// an error wrapping ErrMalformed when the boxes do not nest exactly, or
// ErrTooLarge past MaxStoreSize, MaxBoxes or MaxBoxDepth.
func ParseJUMBF(data []byte) (*Box, error) {
	if len(data) > MaxStoreSize {
		return nil, fmt.Errorf("parse jumbf: %d bytes over %d: %w", len(data), MaxStoreSize, ErrTooLarge)
	}
	p := &jumbfParser{data: data}
	boxes, err := p.boxes(0, len(data), 0)
	if err != nil {
		return nil, err
	}
	if len(boxes) != 1 || boxes[0].Type != "jumb" {
		return nil, fmt.Errorf("parse jumbf: want one jumb superbox, found %d boxes: %w", len(boxes), ErrMalformed)
	}
	return boxes[0], nil
}

type jumbfParser struct {
	data  []byte
	count int
}

// boxHeader reads the header of the box at off within [off, end). It
// returns the header length and the total box length.
func boxHeader(data []byte, off, end int) (typ string, hdr, size int, err error) {
	if end-off < 8 {
		return "", 0, 0, fmt.Errorf("box header at offset %d truncated: %w", off, ErrMalformed)
	}
	n := uint64(binary.BigEndian.Uint32(data[off:]))
	typ = string(data[off+4 : off+8])
	hdr = 8
	switch n {
	case 0: // to the end of the enclosing space
		n = uint64(end - off)
	case 1:
		if end-off < 16 {
			return "", 0, 0, fmt.Errorf("box %q at offset %d: XLBox truncated: %w", typ, off, ErrMalformed)
		}
		n = binary.BigEndian.Uint64(data[off+8:])
		hdr = 16
	}
	if n < uint64(hdr) || n > uint64(end-off) {
		return "", 0, 0, fmt.Errorf("box %q at offset %d: length %d outside %d available: %w", typ, off, n, end-off, ErrMalformed)
	}
	return typ, hdr, int(n), nil
}

func (p *jumbfParser) boxes(off, end, depth int) ([]*Box, error) {
	if depth > MaxBoxDepth {
		return nil, fmt.Errorf("parse jumbf: superboxes nested deeper than %d: %w", MaxBoxDepth, ErrTooLarge)
	}
	var out []*Box
	for off < end {
		p.count++
		if p.count > MaxBoxes {
			return nil, fmt.Errorf("parse jumbf: more than %d boxes: %w", MaxBoxes, ErrTooLarge)
		}
		typ, hdr, size, err := boxHeader(p.data, off, end)
		if err != nil {
			return nil, fmt.Errorf("parse jumbf: %w", err)
		}
		b := &Box{Type: typ, Offset: off, Raw: p.data[off : off+size], Payload: p.data[off+hdr : off+size]}
		if typ == "jumb" {
			kids, err := p.boxes(off+hdr, off+size, depth+1)
			if err != nil {
				return nil, err
			}
			if len(kids) == 0 || kids[0].Type != "jumd" {
				return nil, fmt.Errorf("parse jumbf: superbox at offset %d does not start with a description box: %w", off, ErrMalformed)
			}
			d, err := parseDescription(kids[0].Payload)
			if err != nil {
				return nil, fmt.Errorf("parse jumbf: description box at offset %d: %w", kids[0].Offset, err)
			}
			b.Desc = d
			b.Children = kids[1:]
		}
		out = append(out, b)
		off += size
	}
	return out, nil
}

func parseDescription(b []byte) (*Description, error) {
	if len(b) < 17 {
		return nil, fmt.Errorf("%d bytes, want at least 17: %w", len(b), ErrMalformed)
	}
	d := &Description{Toggles: b[16]}
	copy(d.Type[:], b[:16])
	rest := b[17:]
	if d.Toggles&0x02 != 0 {
		label, after, ok := bytes.Cut(rest, []byte{0})
		if !ok {
			return nil, fmt.Errorf("label not terminated: %w", ErrMalformed)
		}
		d.Label = string(label)
		rest = after
	}
	if d.Toggles&0x04 != 0 {
		if len(rest) < 4 {
			return nil, fmt.Errorf("ID truncated: %w", ErrMalformed)
		}
		id := binary.BigEndian.Uint32(rest)
		d.ID = &id
		rest = rest[4:]
	}
	if d.Toggles&0x08 != 0 {
		if len(rest) < 32 {
			return nil, fmt.Errorf("signature truncated: %w", ErrMalformed)
		}
		d.Signature = rest[:32]
		rest = rest[32:]
	}
	if d.Toggles&0x10 != 0 {
		_, _, size, err := boxHeader(rest, 0, len(rest))
		if err != nil {
			return nil, fmt.Errorf("private box: %w", err)
		}
		d.Private = rest[:size]
		rest = rest[size:]
	}
	if len(rest) != 0 {
		return nil, fmt.Errorf("%d trailing bytes: %w", len(rest), ErrMalformed)
	}
	return d, nil
}
