package xmp

import (
	"bytes"
	"crypto/md5"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/askfirst/askfirst/internal/chunk"
)

// Caps on what a file may make this package read. Each one is checked
// before the corresponding allocation or loop.
const (
	// MaxPacketSize caps one XMP packet (main packet, chunk or tag).
	MaxPacketSize = 4 << 20
	// MaxExtendedSize caps the declared full length of one extended XMP
	// packet in JPEG.
	MaxExtendedSize = 16 << 20
	// MaxPackets caps how many packets one file may yield.
	MaxPackets = 32
	// MaxSegments caps the JPEG segments, PNG or RIFF chunks, GIF blocks or
	// TIFF IFD entries walked in one file.
	MaxSegments = 1 << 14
	// MaxIFDs caps the TIFF IFDs followed in the main chain.
	MaxIFDs = 64
)

// Errors returned by Extract and Read; each returned error wraps one of them.
var (
	// ErrMalformed: the container structure is broken or truncated.
	ErrMalformed = errors.New("malformed file")
	// ErrTooLarge: a size or count in the file exceeds one of the caps.
	ErrTooLarge = errors.New("exceeds limit")
)

// Container names reported in Location.Container.
const (
	ContainerJPEG = "jpeg"
	ContainerPNG  = "png"
	ContainerWebP = "webp"
	ContainerTIFF = "tiff"
	ContainerGIF  = "gif"
	// ContainerScan: found by packet scanning in a file of another format.
	ContainerScan = "scan"
)

// Location says where in a file an XMP packet was found.
type Location struct {
	// Container is one of the Container* names.
	Container string `json:"container"`
	// Segment names the carrier, such as "APP1", "extended XMP <GUID>",
	// "iTXt XML:com.adobe.xmp", "XMP chunk", "tag 700 IFD0" or
	// "application extension XMP DataXMP".
	Segment string `json:"segment"`
	// Offset is the byte offset of the segment, chunk or packet in the
	// file (for extended XMP, of its first chunk).
	Offset int64 `json:"offset"`
}

// String returns the location as "container segment @offset".
func (l Location) String() string {
	return fmt.Sprintf("%s %s @%d", l.Container, l.Segment, l.Offset)
}

// Packet is one XMP packet found in a file.
type Packet struct {
	Location
	// Data is the packet as stored (normally UTF-8 XML).
	Data []byte
	// Extended is true for a JPEG extended XMP packet.
	Extended bool
	// Warnings about this packet, such as an extended XMP GUID that does
	// not match its content.
	Warnings []string
}

// Extract returns the XMP packets embedded in data, detecting the container
// from its first bytes (JPEG, PNG, WebP, TIFF, GIF). For any other content it
// falls back to scanning for "<?xpacket" wrappers. It returns the format name
// it recognised (one of the Container* names).
//
// On a malformed or truncated file Extract returns the packets found before
// the damage together with an error wrapping ErrMalformed or ErrTooLarge.
func Extract(data []byte) (format string, packets []Packet, err error) {
	switch {
	case bytes.HasPrefix(data, []byte{0xFF, 0xD8, 0xFF}):
		packets, err = extractJPEG(data)
		return ContainerJPEG, packets, err
	case bytes.HasPrefix(data, pngSignature):
		packets, err = extractPNG(data)
		return ContainerPNG, packets, err
	case len(data) >= 12 && string(data[:4]) == "RIFF" && string(data[8:12]) == "WEBP":
		packets, err = extractWebP(data)
		return ContainerWebP, packets, err
	case bytes.HasPrefix(data, []byte("II*\x00")), bytes.HasPrefix(data, []byte("MM\x00*")),
		bytes.HasPrefix(data, []byte("II+\x00")), bytes.HasPrefix(data, []byte("MM\x00+")):
		packets, err = extractTIFF(data)
		return ContainerTIFF, packets, err
	case bytes.HasPrefix(data, []byte("GIF87a")), bytes.HasPrefix(data, []byte("GIF89a")):
		packets, err = extractGIF(data)
		return ContainerGIF, packets, err
	case isPDF(data):
		packets, err = extractPDF(data)
		return ContainerPDF, packets, err
	}
	packets, err = scanPackets(data)
	return ContainerScan, packets, err
}

func malformed(format, what string, off int) error {
	return fmt.Errorf("read %s: %s at offset %d: %w", format, what, off, ErrMalformed)
}

func checkPacket(format, what string, n int, off int) error {
	if n > MaxPacketSize {
		return fmt.Errorf("read %s: %s at offset %d is %d bytes, over %d: %w",
			format, what, off, n, MaxPacketSize, ErrTooLarge)
	}
	return nil
}

// JPEG (XMP Part 3 §1.1.3).
var (
	jpegXMPPrefix = []byte("http://ns.adobe.com/xap/1.0/\x00")
	jpegExtPrefix = []byte("http://ns.adobe.com/xmp/extension/\x00")
)

// jpegSegments returns the marker segments of a JPEG up to SOS or EOI
// (package chunk walks them), those read before any error. A stray SOI or
// a 0xFF00 pair among them is malformed; TEM and RSTn are skipped.
func jpegSegments(data []byte) ([]chunk.Segment, error) {
	var segs []chunk.Segment
	w := chunk.NewJPEG(data, MaxSegments)
	for s, ok := w.Next(); ok; s, ok = w.Next() {
		if err := checkJPEGMarker(s); err != nil {
			return segs, err
		}
		if s.Payload != nil {
			segs = append(segs, s)
		}
	}
	return segs, walkError("jpeg", "segments", w.Err())
}

// checkJPEGMarker refuses the markers that cannot come before the scan.
func checkJPEGMarker(s chunk.Segment) error {
	if s.Marker == 0x00 || s.Marker == 0xD8 {
		return malformed("jpeg", fmt.Sprintf("unexpected marker 0x%02X", s.Marker), s.Start)
	}
	return nil
}

// walkError words the error that ended a walk of package chunk in this
// package's errors.
func walkError(format, blocks string, err error) error {
	return chunk.Wrap(err, "read "+format, blocks, ErrMalformed, ErrTooLarge)
}

type extChunk struct {
	off  uint32
	data []byte
}

type extPacket struct {
	guid  string
	full  uint32
	first int
	parts []extChunk
}

func extractJPEG(data []byte) ([]Packet, error) {
	var packets []Packet
	var exts []*extPacket
	var byGUID map[string]*extPacket
	var err, extErr error
	w := chunk.NewJPEG(data, MaxSegments)
	w.Only(0xE1, 0x00, 0xD8)
	for s, ok := w.Next(); ok; s, ok = w.Next() {
		if err = checkJPEGMarker(s); err != nil {
			break
		}
		i := w.Segments() - 1 // index among the segments with a length
		switch {
		case bytes.HasPrefix(s.Payload, jpegXMPPrefix):
			if len(packets) >= MaxPackets {
				return packets, fmt.Errorf("read jpeg: more than %d XMP packets: %w", MaxPackets, ErrTooLarge)
			}
			p := Packet{
				Location: Location{Container: ContainerJPEG, Segment: fmt.Sprintf("APP1 #%d", i), Offset: int64(s.Start)},
				Data:     s.Payload[len(jpegXMPPrefix):],
			}
			if n := len(packets); n > 0 {
				p.Warnings = append(p.Warnings, fmt.Sprintf("more than one main XMP packet (%d before this one)", n))
			}
			packets = append(packets, p)
		case bytes.HasPrefix(s.Payload, jpegExtPrefix):
			b := s.Payload[len(jpegExtPrefix):]
			if len(b) < 40 {
				extErr = malformed("jpeg", "extended XMP header truncated", s.Start)
				continue
			}
			guid := string(b[:32])
			full := binary.BigEndian.Uint32(b[32:])
			off := binary.BigEndian.Uint32(b[36:])
			e := byGUID[guid]
			if e == nil {
				if len(exts) >= MaxPackets {
					return packets, fmt.Errorf("read jpeg: more than %d extended XMP packets: %w", MaxPackets, ErrTooLarge)
				}
				e = &extPacket{guid: guid, full: full, first: s.Start}
				if byGUID == nil {
					byGUID = map[string]*extPacket{}
				}
				byGUID[guid] = e
				exts = append(exts, e)
			}
			if full != e.full {
				extErr = malformed("jpeg", fmt.Sprintf("extended XMP %q declares two lengths", guid), s.Start)
				continue
			}
			e.parts = append(e.parts, extChunk{off: off, data: b[40:]})
		}
	}
	if err == nil {
		err = walkError("jpeg", "segments", w.Err())
	}
	for _, e := range exts {
		p, perr := assembleExtended(e, packets)
		if perr != nil {
			if extErr == nil {
				extErr = perr
			}
			continue
		}
		packets = append(packets, p)
	}
	if err == nil {
		err = extErr
	}
	return packets, err
}

// assembleExtended joins the chunks of one extended XMP packet by offset
// (XMP Part 3 §1.1.3.1) and checks them against the GUID, the MD5 digest of
// the full serialised packet, and against the main packets' references.
func assembleExtended(e *extPacket, main []Packet) (Packet, error) {
	loc := Location{Container: ContainerJPEG, Segment: "extended XMP " + e.guid, Offset: int64(e.first)}
	if e.full > MaxExtendedSize {
		return Packet{}, fmt.Errorf("read jpeg: %s declares %d bytes, over %d: %w", loc.Segment, e.full, MaxExtendedSize, ErrTooLarge)
	}
	sort.SliceStable(e.parts, func(i, j int) bool { return e.parts[i].off < e.parts[j].off })
	buf := make([]byte, e.full)
	var next uint64
	for _, c := range e.parts {
		end := uint64(c.off) + uint64(len(c.data))
		if end > uint64(e.full) {
			return Packet{}, malformed("jpeg", loc.Segment+" chunk past declared length", e.first)
		}
		if uint64(c.off) > next {
			return Packet{}, malformed("jpeg", fmt.Sprintf("%s missing bytes %d-%d", loc.Segment, next, c.off), e.first)
		}
		copy(buf[c.off:], c.data)
		next = max(next, end)
	}
	if next != uint64(e.full) {
		return Packet{}, malformed("jpeg", fmt.Sprintf("%s incomplete: %d of %d bytes", loc.Segment, next, e.full), e.first)
	}
	p := Packet{Location: loc, Data: buf, Extended: true}
	sum := md5.Sum(buf)
	if !strings.EqualFold(hex.EncodeToString(sum[:]), e.guid) {
		p.Warnings = append(p.Warnings, "extended XMP GUID does not match the MD5 digest of its content")
	}
	referenced := false
	for _, m := range main {
		if bytes.Contains(m.Data, []byte(e.guid)) {
			referenced = true
		}
	}
	if !referenced {
		p.Warnings = append(p.Warnings, "extended XMP not referenced by xmpNote:HasExtendedXMP in the main packet")
	}
	return p, nil
}

// scanPackets finds "<?xpacket begin=" … "<?xpacket end=…?>" wrappers in
// data of an unknown format (XMP Part 3 §1.1, packet scanning).
func scanPackets(data []byte) ([]Packet, error) {
	var packets []Packet
	begin, endTag := []byte("<?xpacket begin="), []byte("<?xpacket end=")
	pos := 0
	for {
		i := bytes.Index(data[pos:], begin)
		if i < 0 {
			return packets, nil
		}
		start := pos + i
		j := bytes.Index(data[start:], endTag)
		if j < 0 {
			return packets, malformed("xmp packet scan", "packet without end wrapper", start)
		}
		k := bytes.Index(data[start+j:], []byte("?>"))
		if k < 0 {
			return packets, malformed("xmp packet scan", "unterminated end wrapper", start+j)
		}
		end := start + j + k + 2
		if err := checkPacket("xmp packet scan", "packet", end-start, start); err != nil {
			return packets, err
		}
		if len(packets) >= MaxPackets {
			return packets, fmt.Errorf("read xmp packet scan: more than %d packets: %w", MaxPackets, ErrTooLarge)
		}
		packets = append(packets, Packet{
			Location: Location{Container: ContainerScan, Segment: "xpacket", Offset: int64(start)},
			Data:     data[start:end],
			Warnings: []string{"found by packet scanning, not by the file format's own rules"},
		})
		pos = end
	}
}
