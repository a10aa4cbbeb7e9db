package iscc

import (
	"encoding/base32"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
)

// MainType is the first header field of an ISCC (ISO 24138 §5, iscc-core
// constants.MT): the kind of unit or composite.
type MainType uint8

// MainTypes of ISO 24138:2024.
const (
	MainTypeMeta     MainType = 0 // Meta-Code: metadata similarity
	MainTypeSemantic MainType = 1 // Semantic-Code (no generator here)
	MainTypeContent  MainType = 2 // Content-Code: Text, Image, Audio, Video, Mixed
	MainTypeData     MainType = 3 // Data-Code: similarity of the raw bytes
	MainTypeInstance MainType = 4 // Instance-Code: BLAKE3 checksum
	MainTypeISCC     MainType = 5 // ISCC-CODE: composite of units
	MainTypeID       MainType = 6 // ISCC-ID
	MainTypeFlake    MainType = 7 // Flake-Code
)

var mainTypeNames = [...]string{"META", "SEMANTIC", "CONTENT", "DATA", "INSTANCE", "ISCC", "ID", "FLAKE"}

// String returns the reference name of the MainType, for example "CONTENT".
func (m MainType) String() string {
	if int(m) < len(mainTypeNames) {
		return mainTypeNames[m]
	}
	return fmt.Sprintf("MainType(%d)", uint8(m))
}

// SubType is the second header field; its meaning depends on the MainType
// (and, for ISCC-IDs, on the version).
type SubType uint8

// SubTypes. Several names share a value because each MainType has its own
// table (iscc-core constants ST, ST_CC, ST_ISCC, ST_ID, ST_ID_REALM).
const (
	// SubTypeNone is the only SubType of Meta-, Data-, Instance- and Flake-Codes.
	SubTypeNone SubType = 0

	// Content- and Semantic-Code SubTypes; an ISCC-CODE uses the same values
	// for the kind of content it contains.
	SubTypeText  SubType = 0
	SubTypeImage SubType = 1
	SubTypeAudio SubType = 2
	SubTypeVideo SubType = 3
	SubTypeMixed SubType = 4

	// ISCC-CODE only SubTypes.
	SubTypeSum      SubType = 5 // Data- and Instance-Code only
	SubTypeISCCNone SubType = 6 // Meta-, Data- and Instance-Code, no content
	SubTypeWide     SubType = 7 // 128-bit Data- and 128-bit Instance-Code

	// ISCC-ID v1 realms.
	SubTypeRealm0 SubType = 0 // test network
	SubTypeRealm1 SubType = 1 // first operational network

	// Legacy ISCC-ID v0 SubTypes (the chain the ID was minted on).
	SubTypePrivate  SubType = 0
	SubTypeBitcoin  SubType = 1
	SubTypeEthereum SubType = 2
	SubTypePolygon  SubType = 3
)

// DefaultBits is the default length of a unit body in bits.
const DefaultBits = 64

// MinBits and MaxBits bound the body length of generated units.
const (
	MinBits = 32
	MaxBits = 256
)

// MaxCodeLen caps the length of a code string accepted by the decoders. A
// canonical ISCC is at most 5+68 characters; the cap leaves room for dashed
// sequences of units and multiformat encodings.
const MaxCodeLen = 1024

var subTypeNames = map[MainType][]string{
	MainTypeMeta:     {"NONE"},
	MainTypeSemantic: {"TEXT", "IMAGE", "AUDIO", "VIDEO", "MIXED"},
	MainTypeContent:  {"TEXT", "IMAGE", "AUDIO", "VIDEO", "MIXED"},
	MainTypeData:     {"NONE"},
	MainTypeInstance: {"NONE"},
	MainTypeISCC:     {"TEXT", "IMAGE", "AUDIO", "VIDEO", "MIXED", "SUM", "NONE", "WIDE"},
	MainTypeID:       {"PRIVATE", "BITCOIN", "ETHEREUM", "POLYGON"},
	MainTypeFlake:    {"NONE"},
}

var realmNames = []string{"REALM_0", "REALM_1"}

// subTypeName returns the reference name of st for (mt, version), or "" if
// the combination is not defined.
func subTypeName(mt MainType, st SubType, version int) string {
	names := subTypeNames[mt]
	if mt == MainTypeID && version == 1 {
		names = realmNames
	}
	if int(st) < len(names) {
		return names[st]
	}
	return ""
}

// b32 is RFC 4648 base32 without padding, the string form of ISO 24138.
var b32 = base32.StdEncoding.WithPadding(base32.NoPadding)

// Code is a decoded ISCC: one unit (Meta, Content, Data, Instance, ID...) or
// an ISCC-CODE composite. The zero Code is not valid. A Code is immutable and
// safe for concurrent use.
type Code struct {
	mt      MainType
	st      SubType
	version int
	length  int // raw header length field
	body    []byte
}

// Decode parses one ISCC unit or ISCC-CODE. It accepts the canonical form
// "ISCC:..." as well as the bare base32 string, any letter case, and the
// multiformat encodings of iscc-core (multibase f, b, v, z, u with the 0xCC01
// multicodec prefix). The body length must equal the length the header
// declares; use Decompose for concatenated sequences of units.
func Decode(s string) (Code, error) {
	raw, err := decodeRaw(s)
	if err != nil {
		return Code{}, fmt.Errorf("decode ISCC %q: %w", truncate(s), err)
	}
	c, rest, err := parseOne(raw)
	if err != nil {
		return Code{}, fmt.Errorf("decode ISCC %q: %w", truncate(s), err)
	}
	if len(rest) != 0 {
		return Code{}, fmt.Errorf("decode ISCC %q: %d bytes after the %d-bit body (a sequence of units? use Decompose)", truncate(s), len(rest), c.Bits())
	}
	return c, nil
}

// truncate shortens untrusted input for error messages.
func truncate(s string) string {
	if len(s) > 80 {
		return s[:80] + "..."
	}
	return s
}

// decodeRaw cleans a code string and returns its header+body bytes.
func decodeRaw(s string) ([]byte, error) {
	if len(s) > MaxCodeLen {
		return nil, fmt.Errorf("longer than %d characters", MaxCodeLen)
	}
	code, err := clean(s)
	if err != nil {
		return nil, err
	}
	if code == "" {
		return nil, errors.New("empty code")
	}
	if raw, ok, err := decodeMultiformat(code); ok {
		return raw, err
	}
	raw, err := b32.DecodeString(strings.ToUpper(code))
	if err != nil {
		return nil, fmt.Errorf("invalid base32: %w", err)
	}
	return raw, nil
}

// clean follows iscc-core iscc_clean: trim whitespace, check an optional
// "iscc:" scheme (any case), remove dashes (not from multiformat strings).
func clean(s string) (string, error) {
	s = strings.TrimSpace(s)
	parts := strings.Split(s, ":")
	switch len(parts) {
	case 1:
		code := parts[0]
		if code != "" && strings.IndexByte(multibasePrefixes, code[0]) >= 0 {
			return code, nil
		}
		return strings.ReplaceAll(code, "-", ""), nil
	case 2:
		scheme, code := strings.TrimSpace(parts[0]), strings.TrimSpace(parts[1])
		if !strings.EqualFold(scheme, "iscc") {
			return "", fmt.Errorf("invalid scheme %q (want ISCC)", truncate(scheme))
		}
		return strings.ReplaceAll(code, "-", ""), nil
	default:
		return "", errors.New("more than one ':'")
	}
}

// header is a decoded ISCC header.
type header struct {
	mt      MainType
	st      SubType
	version int
	length  int
}

// readVarnibble reads one varnibble (ISO 24138 header encoding) starting at
// nibble position pos of data.
func readVarnibble(data []byte, pos int) (value, next int, err error) {
	nibble := func(i int) (int, bool) {
		if i/2 >= len(data) {
			return 0, false
		}
		b := data[i/2]
		if i%2 == 0 {
			return int(b >> 4), true
		}
		return int(b & 0x0f), true
	}
	first, ok := nibble(pos)
	if !ok {
		return 0, 0, errors.New("header truncated")
	}
	var n, base, payloadMask int
	switch {
	case first&0x8 == 0:
		return first, pos + 1, nil
	case first&0xc == 0x8:
		n, base, payloadMask = 2, 8, 0x3f
	case first&0xe == 0xc:
		n, base, payloadMask = 3, 72, 0x1ff
	case first&0xf == 0xe:
		n, base, payloadMask = 4, 584, 0xfff
	default:
		return 0, 0, errors.New("invalid varnibble prefix 1111 in header")
	}
	v := 0
	for i := 0; i < n; i++ {
		x, ok := nibble(pos + i)
		if !ok {
			return 0, 0, errors.New("header truncated")
		}
		v = v<<4 | x
	}
	return v&payloadMask + base, pos + n, nil
}

// readHeader decodes the four header varnibbles and returns the body bytes
// that follow (which may hold further units).
func readHeader(data []byte) (header, []byte, error) {
	return readHeaderMode(data, true)
}

// readHeaderMode is readHeader; with strict false, SubTypes unknown for the
// MainType are accepted (the reference's Mixed-Code generator does not check
// them, and its official vectors use one).
func readHeaderMode(data []byte, strict bool) (header, []byte, error) {
	var f [4]int
	pos := 0
	for i := range f {
		var err error
		f[i], pos, err = readVarnibble(data, pos)
		if err != nil {
			return header{}, nil, err
		}
	}
	if pos%2 == 1 {
		// An odd number of nibbles is followed by a 0000 padding nibble.
		if data[pos/2]&0x0f != 0 {
			return header{}, nil, errors.New("header padding nibble is not zero")
		}
		pos++
	}
	if f[0] > int(MainTypeFlake) {
		return header{}, nil, fmt.Errorf("unknown MainType %d", f[0])
	}
	h := header{mt: MainType(f[0]), version: f[2], length: f[3]}
	if h.version != 0 && !(h.mt == MainTypeID && h.version == 1) {
		return header{}, nil, fmt.Errorf("invalid version %d for MainType %s", h.version, h.mt)
	}
	if f[1] > 0xff || strict && subTypeName(h.mt, SubType(f[1]), h.version) == "" {
		return header{}, nil, fmt.Errorf("invalid SubType %d for MainType %s version %d", f[1], h.mt, h.version)
	}
	h.st = SubType(f[1])
	return h, data[pos/2:], nil
}

// bodyBits returns the body length in bits the header declares
// (iscc-core decode_length).
func (h header) bodyBits() (int, error) {
	switch h.mt {
	case MainTypeISCC:
		if h.length > 7 {
			return 0, fmt.Errorf("invalid unit combination %d in ISCC-CODE header", h.length)
		}
		if h.st == SubTypeWide {
			if h.length != 0 {
				return 0, fmt.Errorf("WIDE ISCC-CODE with optional units (combination %d)", h.length)
			}
			return 256, nil
		}
		return optionalUnits(h.length)*64 + 128, nil
	case MainTypeID:
		if h.version == 1 {
			if h.length != 0 {
				return 0, fmt.Errorf("invalid length field %d for ISCC-ID v1", h.length)
			}
			return 64, nil
		}
		if h.length > 4 {
			return 0, fmt.Errorf("invalid length field %d for ISCC-ID v0", h.length)
		}
		return h.length*8 + 64, nil
	default:
		bits := (h.length + 1) * 32
		if bits > MaxBits {
			return 0, fmt.Errorf("length %d bits exceeds %d", bits, MaxBits)
		}
		return bits, nil
	}
}

// optionalUnits counts the optional units (Meta=4, Semantic=2, Content=1
// flags) of an ISCC-CODE unit combination.
func optionalUnits(comb int) int {
	return comb&1 + comb>>1&1 + comb>>2&1
}

// parseOne decodes the first unit or ISCC-CODE of raw and returns the rest.
func parseOne(raw []byte) (Code, []byte, error) {
	return parseOneMode(raw, true)
}

func parseOneMode(raw []byte, strict bool) (Code, []byte, error) {
	h, rest, err := readHeaderMode(raw, strict)
	if err != nil {
		return Code{}, nil, err
	}
	bits, err := h.bodyBits()
	if err != nil {
		return Code{}, nil, err
	}
	n := bits / 8
	if len(rest) < n {
		return Code{}, nil, fmt.Errorf("%s header declares %d body bits, got %d", h.mt, bits, len(rest)*8)
	}
	body := make([]byte, n)
	copy(body, rest)
	return Code{mt: h.mt, st: h.st, version: h.version, length: h.length, body: body}, rest[n:], nil
}

// encodeHeader writes MainType, SubType, Version and Length as varnibbles
// (ISO 24138 header), padded with a 0000 nibble to whole bytes.
func encodeHeader(mt MainType, st SubType, version, length int) ([]byte, error) {
	var nibbles []byte
	for _, v := range [4]int{int(mt), int(st), version, length} {
		switch {
		case v < 0:
			return nil, fmt.Errorf("negative header value %d", v)
		case v < 8:
			nibbles = append(nibbles, byte(v))
		case v < 72:
			x := v - 8 | 0x80
			nibbles = append(nibbles, byte(x>>4), byte(x&0xf))
		case v < 584:
			x := v - 72 | 0xc00
			nibbles = append(nibbles, byte(x>>8), byte(x>>4&0xf), byte(x&0xf))
		case v < 4680:
			x := v - 584 | 0xe000
			nibbles = append(nibbles, byte(x>>12), byte(x>>8&0xf), byte(x>>4&0xf), byte(x&0xf))
		default:
			return nil, fmt.Errorf("header value %d exceeds 4679", v)
		}
	}
	if len(nibbles)%2 == 1 {
		nibbles = append(nibbles, 0)
	}
	out := make([]byte, len(nibbles)/2)
	for i := range out {
		out[i] = nibbles[2*i]<<4 | nibbles[2*i+1]
	}
	return out, nil
}

// checkBits validates a requested unit body length.
func checkBits(bits int) error {
	if bits < MinBits || bits > MaxBits || bits%32 != 0 {
		return fmt.Errorf("invalid bit length %d (want a multiple of 32 from %d to %d)", bits, MinBits, MaxBits)
	}
	return nil
}

// newUnit builds a unit Code from a digest truncated to bits (iscc-core
// encode_component). It refuses MainType ISCC.
func newUnit(mt MainType, st SubType, version, bits int, digest []byte) (Code, error) {
	var length int
	switch mt {
	case MainTypeISCC:
		return Code{}, errors.New("an ISCC-CODE is not a unit")
	case MainTypeID:
		if bits < 64 || bits > 96 || bits%8 != 0 {
			return Code{}, fmt.Errorf("invalid ISCC-ID length %d bits", bits)
		}
		length = (bits - 64) / 8
	default:
		if err := checkBits(bits); err != nil {
			return Code{}, err
		}
		length = bits/32 - 1
	}
	if len(digest) < bits/8 {
		return Code{}, fmt.Errorf("digest of %d bits is shorter than %d bits", len(digest)*8, bits)
	}
	if subTypeName(mt, st, version) == "" {
		return Code{}, fmt.Errorf("invalid SubType %d for MainType %s version %d", st, mt, version)
	}
	body := make([]byte, bits/8)
	copy(body, digest)
	return Code{mt: mt, st: st, version: version, length: length, body: body}, nil
}

// NewUnit builds an ISCC unit from its header fields and a digest, truncating
// the digest to bits (a multiple of 32 from 32 to 256; for ISCC-IDs the
// legacy 64..96). It is the low-level encoder the generators use.
func NewUnit(mt MainType, st SubType, version, bits int, digest []byte) (Code, error) {
	c, err := newUnit(mt, st, version, bits, digest)
	if err != nil {
		return Code{}, fmt.Errorf("encode %s unit: %w", mt, err)
	}
	return c, nil
}

// Bytes returns header and body, the binary form of the code.
func (c Code) Bytes() []byte {
	h, err := encodeHeader(c.mt, c.st, c.version, c.length)
	if err != nil {
		return nil
	}
	return append(h, c.body...)
}

// String returns the canonical form "ISCC:" + base32, or "" for the zero Code.
func (c Code) String() string {
	if c.body == nil {
		return ""
	}
	return "ISCC:" + b32.EncodeToString(c.Bytes())
}

// MarshalText implements encoding.TextMarshaler with the canonical form.
func (c Code) MarshalText() ([]byte, error) {
	if c.body == nil {
		return nil, errors.New("marshal ISCC: zero Code")
	}
	return []byte(c.String()), nil
}

// UnmarshalText implements encoding.TextUnmarshaler with Decode.
func (c *Code) UnmarshalText(b []byte) error {
	d, err := Decode(string(b))
	if err != nil {
		return err
	}
	*c = d
	return nil
}

// MainType returns the MainType of the code.
func (c Code) MainType() MainType { return c.mt }

// SubType returns the SubType of the code.
func (c Code) SubType() SubType { return c.st }

// Version returns the algorithm version (0, or 1 for ISCC-ID v1).
func (c Code) Version() int { return c.version }

// Bits returns the body length in bits.
func (c Code) Bits() int { return len(c.body) * 8 }

// Body returns a copy of the body (the digest without header).
func (c Code) Body() []byte { return append([]byte(nil), c.body...) }

// Units returns, for an ISCC-CODE, the MainTypes of its units in order
// (optional Meta, Semantic, Content, then Data and Instance); for a unit it
// returns the unit's own MainType.
func (c Code) Units() []MainType {
	if c.mt != MainTypeISCC {
		return []MainType{c.mt}
	}
	var out []MainType
	if c.st != SubTypeWide {
		for _, f := range []struct {
			flag int
			mt   MainType
		}{{4, MainTypeMeta}, {2, MainTypeSemantic}, {1, MainTypeContent}} {
			if c.length&f.flag != 0 {
				out = append(out, f.mt)
			}
		}
	}
	return append(out, MainTypeData, MainTypeInstance)
}

// TypeID returns the reference type identifier "<MT>-<ST>-<VS>-<length>",
// for example "CONTENT-TEXT-V0-64" or "ISCC-IMAGE-V0-MCDI" (iscc-core
// iscc_type_id), usable as an index name per kind of unit.
func (c Code) TypeID() string {
	length := fmt.Sprint(c.Bits())
	if c.mt == MainTypeISCC {
		var b strings.Builder
		for _, u := range c.Units() {
			b.WriteByte(u.String()[0])
		}
		length = b.String()
	}
	return fmt.Sprintf("%s-%s-V%d-%s", c.mt, subTypeName(c.mt, c.st, c.version), c.version, length)
}

// Explain returns the human readable form of iscc-core iscc_explain:
// TypeID and the hex body, e.g. "META-NONE-V0-64-9bee9e8f...". ISCC-ID v1
// renders as "ID-REALM_<r>-V1-64-<timestamp µs>-<hub id>".
func (c Code) Explain() string {
	if c.mt == MainTypeID && c.version == 1 && len(c.body) == 8 {
		v := uint64(0)
		for _, b := range c.body {
			v = v<<8 | uint64(b)
		}
		return fmt.Sprintf("ID-%s-V1-64-%d-%d", subTypeName(c.mt, c.st, 1), v>>12, v&0xfff)
	}
	if c.mt == MainTypeID && len(c.body) > 8 {
		counter, n := uvarint(c.body[8:])
		if n > 0 {
			return fmt.Sprintf("%s-%s-%d", c.TypeID(), hex.EncodeToString(c.body[:8]), counter)
		}
	}
	return c.TypeID() + "-" + hex.EncodeToString(c.body)
}

// uvarint decodes an unsigned LEB128 varint (the ISCC-ID v0 counter).
func uvarint(b []byte) (uint64, int) {
	var x uint64
	var s uint
	for i, c := range b {
		if i == 10 {
			return 0, 0
		}
		if c < 0x80 {
			return x | uint64(c)<<s, i + 1
		}
		x |= uint64(c&0x7f) << s
		s += 7
	}
	return 0, 0
}
