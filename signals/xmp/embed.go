package xmp

import (
	"bytes"
	"encoding/binary"
	"encoding/xml"
	"errors"
	"fmt"
	"hash/crc32"
	"slices"
	"strings"
)

// MaxJPEGPacket is the largest main XMP packet one JPEG APP1 segment holds
// (65535 minus the length field and the namespace prefix, XMP Part 3
// §1.1.3).
const MaxJPEGPacket = 65535 - 2 - 29

// ErrCannotEmbed: the file's existing metadata prevents a safe rewrite (for
// example a Data Mining value inside JPEG extended XMP, which EmbedJPEG does
// not rewrite).
var ErrCannotEmbed = errors.New("cannot embed")

// Reservation is what EmbedJPEG and EmbedPNG write.
type Reservation struct {
	// DataMining is the vocabulary key written as plus:DataMining (its full
	// URI is written). Required; must be one of Values.
	DataMining Value
	// OtherConstraints, if not empty, is written as the x-default item of
	// plus:OtherConstraints (for DMI-PROHIBITED-SEECONSTRAINT).
	OtherConstraints string
	// BreakC2PA allows writing into a file that carries a C2PA manifest
	// store. Any change to such a file breaks the manifest's hard binding,
	// so its Content Credentials then read as tampered; without BreakC2PA
	// the Embed functions refuse with an error wrapping ErrCannotEmbed.
	BreakC2PA bool
}

// c2paStoreType is the start of the JUMBF type UUID of a C2PA manifest
// store ("c2pa" 0011-0010-8000-00AA00389B71).
var c2paStoreType = []byte("c2pa\x00\x11\x00\x10\x80\x00\x00\xaa\x00\x38\x9b\x71")

func refuseC2PA(format string, r Reservation) error {
	if r.BreakC2PA {
		return nil
	}
	return fmt.Errorf("embed xmp: the %s file carries a C2PA manifest; writing would break its hard binding (set BreakC2PA to write anyway): %w", format, ErrCannotEmbed)
}

func (r Reservation) check() error {
	if !slices.Contains(Values, r.DataMining) {
		return fmt.Errorf("embed xmp: Data Mining value %q is not in the PLUS vocabulary", r.DataMining)
	}
	return nil
}

// description returns the rdf:Description that carries r. It declares its
// own prefixes so that it is valid wherever it is inserted.
func (r Reservation) description() string {
	var b strings.Builder
	b.WriteString(`<rdf:Description xmlns:rdf="` + NSRDF + `" xmlns:plus="` + NSPlus + `" rdf:about="" plus:DataMining="`)
	xml.EscapeText(&b, []byte(r.DataMining.URI()))
	b.WriteString(`"`)
	if r.OtherConstraints == "" {
		b.WriteString("/>")
		return b.String()
	}
	b.WriteString(`><plus:OtherConstraints><rdf:Alt><rdf:li xml:lang="x-default">`)
	xml.EscapeText(&b, []byte(r.OtherConstraints))
	b.WriteString(`</rdf:li></rdf:Alt></plus:OtherConstraints></rdf:Description>`)
	return b.String()
}

// NewPacket returns a complete XMP packet, with its xpacket wrapper, that
// holds only r.
func NewPacket(r Reservation) ([]byte, error) {
	if err := r.check(); err != nil {
		return nil, err
	}
	return MergePacket([]byte(emptyPacket), r)
}

// MergePacket returns packet with every plus:DataMining and
// plus:OtherConstraints property removed and r added as a new
// rdf:Description at the end of rdf:RDF. All other bytes of the packet are
// kept as they were. The packet must be well-formed XML with an rdf:RDF
// element.
func MergePacket(packet []byte, r Reservation) ([]byte, error) {
	if err := r.check(); err != nil {
		return nil, err
	}
	return mergeDescriptions(packet, dropIPTC, r.description())
}

// checkOnlyTarget refuses to write when a Data Mining property sits in a
// packet other than the one being rewritten: the file would then carry two
// values.
func checkOnlyTarget(img []byte, target int64, hasTarget bool) error {
	r, _ := Read(img)
	for _, s := range r.DataMining {
		if !hasTarget || s.Location.Offset != target {
			return fmt.Errorf("embed xmp: the file already holds plus:DataMining in %s, which cannot be rewritten: %w", s.Location, ErrCannotEmbed)
		}
	}
	for _, c := range r.OtherConstraints {
		if !hasTarget || c.Location.Offset != target {
			return fmt.Errorf("embed xmp: the file already holds plus:OtherConstraints in %s, which cannot be rewritten: %w", c.Location, ErrCannotEmbed)
		}
	}
	return nil
}

// EmbedJPEG returns a copy of the JPEG img carrying r in its main XMP
// packet. An existing main packet (APP1 "http://ns.adobe.com/xap/1.0/") is
// rewritten in place with MergePacket, keeping its other properties;
// otherwise a new APP1 segment is inserted after the leading APP0/APP1
// (JFIF, Exif) segments. Extended XMP is left as it is; if it holds a Data
// Mining property, EmbedJPEG returns an error wrapping ErrCannotEmbed, as it
// does for a file with a C2PA manifest (APP11 JUMBF) unless r.BreakC2PA.
func EmbedJPEG(img []byte, r Reservation) ([]byte, error) {
	if err := r.check(); err != nil {
		return nil, err
	}
	if !bytes.HasPrefix(img, []byte{0xFF, 0xD8, 0xFF}) {
		return nil, fmt.Errorf("embed xmp: not a JPEG file: %w", ErrMalformed)
	}
	segs, err := jpegSegments(img)
	if err != nil {
		return nil, fmt.Errorf("embed xmp: %w", err)
	}
	for _, s := range segs {
		if s.Marker == 0xEB && bytes.HasPrefix(s.Payload, []byte("JP")) && bytes.Contains(s.Payload, c2paStoreType) {
			if err := refuseC2PA("JPEG", r); err != nil {
				return nil, err
			}
		}
	}
	target := -1
	insertAt := 2
	leading := true
	for i, s := range segs {
		if s.Marker == 0xE1 && bytes.HasPrefix(s.Payload, jpegXMPPrefix) {
			target = i
			break
		}
		if leading && (s.Marker == 0xE0 || s.Marker == 0xE1) {
			insertAt = s.End
		} else {
			leading = false
		}
	}
	var packet []byte
	var from, to int
	if target >= 0 {
		s := segs[target]
		if err := checkOnlyTarget(img, int64(s.Start), true); err != nil {
			return nil, err
		}
		packet, err = MergePacket(s.Payload[len(jpegXMPPrefix):], r)
		from, to = s.Start, s.End
	} else {
		if err := checkOnlyTarget(img, 0, false); err != nil {
			return nil, err
		}
		packet, err = NewPacket(r)
		from, to = insertAt, insertAt
	}
	if err != nil {
		return nil, err
	}
	if len(packet) > MaxJPEGPacket {
		return nil, fmt.Errorf("embed xmp: main XMP packet of %d bytes does not fit one APP1 segment (%d): %w", len(packet), MaxJPEGPacket, ErrTooLarge)
	}
	seg := make([]byte, 0, 4+len(jpegXMPPrefix)+len(packet))
	seg = append(seg, 0xFF, 0xE1)
	seg = binary.BigEndian.AppendUint16(seg, uint16(2+len(jpegXMPPrefix)+len(packet)))
	seg = append(seg, jpegXMPPrefix...)
	seg = append(seg, packet...)
	return slices.Concat(img[:from], seg, img[to:]), nil
}

// EmbedPNG returns a copy of the PNG img carrying r in an uncompressed iTXt
// chunk "XML:com.adobe.xmp" (XMP Part 3 §1.1.5). The first existing iTXt
// XMP chunk is rewritten in place with MergePacket; otherwise the chunk is
// inserted right after IHDR. If another chunk (tEXt, zTXt, ImageMagick raw
// profile) already holds a Data Mining property, EmbedPNG returns an error
// wrapping ErrCannotEmbed, as it does for a file with a C2PA manifest
// ("caBX" chunk) unless r.BreakC2PA.
func EmbedPNG(img []byte, r Reservation) ([]byte, error) {
	if err := r.check(); err != nil {
		return nil, err
	}
	if !bytes.HasPrefix(img, pngSignature) {
		return nil, fmt.Errorf("embed xmp: not a PNG file: %w", ErrMalformed)
	}
	chunks, err := pngChunks(img)
	if err != nil {
		return nil, fmt.Errorf("embed xmp: %w", err)
	}
	if len(chunks) == 0 || !chunks[0].Is("IHDR") {
		return nil, fmt.Errorf("embed xmp: PNG does not start with IHDR: %w", ErrMalformed)
	}
	for _, c := range chunks {
		if c.Is("caBX") {
			if err := refuseC2PA("PNG", r); err != nil {
				return nil, err
			}
		}
	}
	var packet []byte
	from, to := chunks[0].End, chunks[0].End
	found := false
	for _, c := range chunks {
		if !c.Is("iTXt") {
			continue
		}
		kw, text, terr := pngText(c)
		if kw != PNGKeyword {
			continue
		}
		if terr != nil {
			return nil, fmt.Errorf("embed xmp: %w", terr)
		}
		if err := checkOnlyTarget(img, int64(c.Start), true); err != nil {
			return nil, err
		}
		if packet, err = MergePacket(text, r); err != nil {
			return nil, err
		}
		from, to, found = c.Start, c.End, true
		break
	}
	if !found {
		if err := checkOnlyTarget(img, 0, false); err != nil {
			return nil, err
		}
		if packet, err = NewPacket(r); err != nil {
			return nil, err
		}
	}
	body := slices.Concat([]byte(PNGKeyword), []byte{0, 0, 0, 0, 0}, packet)
	chunk := binary.BigEndian.AppendUint32(nil, uint32(len(body)))
	chunk = append(chunk, "iTXt"...)
	chunk = append(chunk, body...)
	chunk = binary.BigEndian.AppendUint32(chunk, crc32.ChecksumIEEE(chunk[4:]))
	return slices.Concat(img[:from], chunk, img[to:]), nil
}
