package xmp

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/askfirst/askfirst/internal/chunk"
)

// PNG (XMP Part 3 §1.1.5; PNG 1.2 §4.2.3 and §11.3.4).
var pngSignature = []byte(chunk.Signature)

// PNGKeyword is the iTXt keyword of an XMP packet in PNG.
const PNGKeyword = "XML:com.adobe.xmp"

// pngRawProfileKeyword is ImageMagick's hex-encoded variant.
const pngRawProfileKeyword = "Raw profile type xmp"

// pngChunks returns the chunks of a PNG up to IEND (package chunk walks
// them), those read before any error.
func pngChunks(data []byte) ([]chunk.Chunk, error) {
	var chunks []chunk.Chunk
	w := chunk.NewPNG(data, MaxSegments)
	for c, ok := w.Next(); ok; c, ok = w.Next() {
		chunks = append(chunks, c)
	}
	return chunks, walkError("png", "chunks", w.Err())
}

func extractPNG(data []byte) ([]Packet, error) {
	var packets []Packet
	w := chunk.NewPNG(data, MaxSegments)
	w.Only("iTXt", "tEXt", "zTXt")
	for c, ok := w.Next(); ok; c, ok = w.Next() {
		typ := c.Name()
		kw, text, cerr := pngText(c)
		if cerr != nil {
			if kw == PNGKeyword || kw == pngRawProfileKeyword {
				return packets, cerr
			}
			continue
		}
		var p Packet
		switch kw {
		case PNGKeyword:
			p = Packet{Data: text}
			if typ != "iTXt" {
				p.Warnings = append(p.Warnings, "XMP in a "+typ+" chunk; the standard carrier is iTXt")
			}
		case pngRawProfileKeyword:
			raw, rerr := decodeRawProfile(text)
			if rerr != nil {
				return packets, fmt.Errorf("read png %s chunk %q at offset %d: %w", typ, kw, c.Start, rerr)
			}
			p = Packet{Data: raw, Warnings: []string{"XMP in ImageMagick's \"Raw profile type xmp\" " + typ + " chunk"}}
		default:
			continue
		}
		if len(packets) >= MaxPackets {
			return packets, fmt.Errorf("read png: more than %d XMP packets: %w", MaxPackets, ErrTooLarge)
		}
		p.Location = Location{Container: ContainerPNG, Segment: typ + " " + kw, Offset: int64(c.Start)}
		packets = append(packets, p)
	}
	return packets, walkError("png", "chunks", w.Err())
}

// pngText decodes a tEXt, zTXt or iTXt chunk into its keyword and text.
func pngText(c chunk.Chunk) (keyword string, text []byte, err error) {
	typ := c.Name()
	kw, rest, ok := bytes.Cut(c.Data, []byte{0})
	if !ok {
		return "", nil, malformed("png", typ+" chunk without keyword terminator", c.Start)
	}
	keyword = string(kw)
	switch typ {
	case "tEXt":
		return keyword, rest, nil
	case "zTXt":
		if len(rest) < 1 || rest[0] != 0 {
			return keyword, nil, malformed("png", "zTXt chunk with unknown compression", c.Start)
		}
		text, err = inflate(rest[1:], c.Start)
		return keyword, text, err
	}
	// iTXt: compression flag, method, language tag NUL, translated keyword NUL, text.
	if len(rest) < 2 {
		return keyword, nil, malformed("png", "iTXt chunk truncated", c.Start)
	}
	flag, method := rest[0], rest[1]
	rest = rest[2:]
	_, rest, ok1 := bytes.Cut(rest, []byte{0})
	_, rest, ok2 := bytes.Cut(rest, []byte{0})
	if !ok1 || !ok2 {
		return keyword, nil, malformed("png", "iTXt chunk without language or translated keyword", c.Start)
	}
	switch {
	case flag == 0:
		return keyword, rest, nil
	case flag == 1 && method == 0:
		text, err = inflate(rest, c.Start)
		return keyword, text, err
	}
	return keyword, nil, malformed("png", fmt.Sprintf("iTXt chunk with compression %d/%d", flag, method), c.Start)
}

func inflate(b []byte, off int) ([]byte, error) {
	zr, err := zlib.NewReader(bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("read png: inflate text chunk at offset %d: %v: %w", off, err, ErrMalformed)
	}
	out, err := io.ReadAll(io.LimitReader(zr, MaxPacketSize+1))
	if err != nil {
		return nil, fmt.Errorf("read png: inflate text chunk at offset %d: %v: %w", off, err, ErrMalformed)
	}
	if len(out) > MaxPacketSize {
		return nil, fmt.Errorf("read png: text chunk at offset %d inflates past %d bytes: %w", off, MaxPacketSize, ErrTooLarge)
	}
	return out, nil
}

// decodeRawProfile decodes ImageMagick's "\nxmp\n   <length>\n<hex…>" text.
func decodeRawProfile(b []byte) ([]byte, error) {
	fields := strings.Fields(string(b))
	if len(fields) < 2 {
		return nil, fmt.Errorf("raw profile header: %w", ErrMalformed)
	}
	n, err := strconv.Atoi(fields[1])
	if err != nil || n < 0 {
		return nil, fmt.Errorf("raw profile length %q: %w", fields[1], ErrMalformed)
	}
	if n > MaxPacketSize {
		return nil, fmt.Errorf("raw profile length %d over %d: %w", n, MaxPacketSize, ErrTooLarge)
	}
	out, err := hex.DecodeString(strings.Join(fields[2:], ""))
	if err != nil {
		return nil, fmt.Errorf("raw profile hex: %v: %w", err, ErrMalformed)
	}
	if len(out) != n {
		return nil, fmt.Errorf("raw profile declares %d bytes, holds %d: %w", n, len(out), ErrMalformed)
	}
	return out, nil
}

// WebP: RIFF container, "XMP " chunk (WebP container specification,
// "Extended File Format"; XMP Part 3 §1.1 by reference).
func extractWebP(data []byte) ([]Packet, error) {
	riffEnd := 8 + int64(binary.LittleEndian.Uint32(data[4:]))
	var err error
	if riffEnd > int64(len(data)) {
		err = malformed("webp", fmt.Sprintf("RIFF size %d past end of file", riffEnd-8), 4)
		riffEnd = int64(len(data))
	}
	var packets []Packet
	pos := int64(12)
	for n := 0; pos+8 <= riffEnd; n++ {
		if n >= MaxSegments {
			return packets, fmt.Errorf("read webp: more than %d chunks: %w", MaxSegments, ErrTooLarge)
		}
		fourcc := string(data[pos : pos+4])
		size := int64(binary.LittleEndian.Uint32(data[pos+4:]))
		if pos+8+size > riffEnd {
			return packets, malformed("webp", fmt.Sprintf("chunk %q size %d past end", fourcc, size), int(pos))
		}
		if fourcc == "XMP " {
			if cerr := checkPacket("webp", "XMP chunk", int(size), int(pos)); cerr != nil {
				return packets, cerr
			}
			if len(packets) >= MaxPackets {
				return packets, fmt.Errorf("read webp: more than %d XMP chunks: %w", MaxPackets, ErrTooLarge)
			}
			packets = append(packets, Packet{
				Location: Location{Container: ContainerWebP, Segment: "XMP chunk", Offset: pos},
				Data:     data[pos+8 : pos+8+size],
			})
		}
		pos += 8 + size + size&1
	}
	if err == nil && pos < riffEnd {
		err = malformed("webp", "trailing bytes in RIFF", int(pos))
	}
	return packets, err
}

// TIFF (TIFF 6.0; tag 700 XMLPacket per XMP Part 3 §1.1.6) and BigTIFF.
const tiffTagXMP = 700

func extractTIFF(data []byte) ([]Packet, error) {
	var bo binary.ByteOrder = binary.LittleEndian
	if data[0] == 'M' {
		bo = binary.BigEndian
	}
	big := bo.Uint16(data[2:]) == 43
	u := func(off uint64, n int) (uint64, bool) {
		if off+uint64(n) > uint64(len(data)) || off+uint64(n) < off {
			return 0, false
		}
		switch n {
		case 2:
			return uint64(bo.Uint16(data[off:])), true
		case 4:
			return uint64(bo.Uint32(data[off:])), true
		}
		return bo.Uint64(data[off:]), true
	}
	offSize, countSize, entrySize := 4, 2, 12
	first, ok := u(4, 4)
	if big {
		offSize, countSize, entrySize = 8, 8, 20
		if bs, _ := u(4, 2); bs != 8 {
			return nil, malformed("tiff", "BigTIFF offset size is not 8", 4)
		}
		first, ok = u(8, 8)
	}
	if !ok {
		return nil, malformed("tiff", "truncated header", 0)
	}
	var packets []Packet
	seen := map[uint64]bool{}
	entries := 0
	for ifd, off := 0, first; off != 0; ifd++ {
		if ifd >= MaxIFDs {
			return packets, fmt.Errorf("read tiff: more than %d IFDs: %w", MaxIFDs, ErrTooLarge)
		}
		if seen[off] {
			return packets, malformed("tiff", "IFD loop", int(off))
		}
		seen[off] = true
		n, ok := u(off, countSize)
		if !ok {
			return packets, malformed("tiff", fmt.Sprintf("IFD%d truncated", ifd), int(off))
		}
		if entries += int(min(n, MaxSegments+1)); entries > MaxSegments {
			return packets, fmt.Errorf("read tiff: more than %d IFD entries: %w", MaxSegments, ErrTooLarge)
		}
		base := off + uint64(countSize)
		for i := uint64(0); i < n; i++ {
			e := base + i*uint64(entrySize)
			tag, ok1 := u(e, 2)
			typ, ok2 := u(e+2, 2)
			count, ok3 := u(e+4, offSize)
			if !ok1 || !ok2 || !ok3 {
				return packets, malformed("tiff", fmt.Sprintf("IFD%d entry %d truncated", ifd, i), int(e))
			}
			if tag != tiffTagXMP {
				continue
			}
			if typ != 1 && typ != 2 && typ != 7 { // BYTE, ASCII, UNDEFINED
				return packets, malformed("tiff", fmt.Sprintf("tag 700 of type %d", typ), int(e))
			}
			if count > MaxPacketSize {
				return packets, fmt.Errorf("read tiff: tag 700 in IFD%d is %d bytes, over %d: %w", ifd, count, MaxPacketSize, ErrTooLarge)
			}
			valOff := e + 4 + uint64(offSize)
			if count > uint64(offSize) {
				if valOff, ok = u(valOff, offSize); !ok {
					return packets, malformed("tiff", "tag 700 offset truncated", int(e))
				}
			}
			if valOff+count > uint64(len(data)) {
				return packets, malformed("tiff", fmt.Sprintf("tag 700 value of %d bytes past end", count), int(e))
			}
			if len(packets) >= MaxPackets {
				return packets, fmt.Errorf("read tiff: more than %d XMP packets: %w", MaxPackets, ErrTooLarge)
			}
			packets = append(packets, Packet{
				Location: Location{Container: ContainerTIFF, Segment: fmt.Sprintf("tag 700 IFD%d", ifd), Offset: int64(valOff)},
				Data:     bytes.TrimRight(data[valOff:valOff+count], "\x00"),
			})
		}
		next, ok := u(base+n*uint64(entrySize), offSize)
		if !ok {
			return packets, malformed("tiff", fmt.Sprintf("IFD%d next offset truncated", ifd), int(off))
		}
		off = next
	}
	return packets, nil
}

// GIF89a: the "XMP DataXMP" application extension (XMP Part 3 §1.1.2). The
// packet is stored raw and followed by a 258-byte "magic trailer" that lets
// sub-block readers skip it.
const gifXMPAppID = "XMP DataXMP"

func extractGIF(data []byte) ([]Packet, error) {
	if len(data) < 13 {
		return nil, malformed("gif", "truncated header", 0)
	}
	pos := 13
	if data[10]&0x80 != 0 {
		pos += 3 << (data[10]&7 + 1)
	}
	// skipBlocks walks data sub-blocks from p and returns the offset after
	// the block terminator.
	skipBlocks := func(p int) (int, bool) {
		for n := 0; n < MaxSegments*64; n++ {
			if p >= len(data) {
				return p, false
			}
			l := int(data[p])
			p++
			if l == 0 {
				return p, true
			}
			p += l
		}
		return p, false
	}
	var packets []Packet
	for n := 0; ; n++ {
		if n >= MaxSegments {
			return packets, fmt.Errorf("read gif: more than %d blocks: %w", MaxSegments, ErrTooLarge)
		}
		if pos >= len(data) {
			return packets, malformed("gif", "missing trailer", pos)
		}
		start := pos
		switch data[pos] {
		case 0x3B: // trailer
			return packets, nil
		case 0x2C: // image descriptor
			if pos+10 > len(data) {
				return packets, malformed("gif", "truncated image descriptor", pos)
			}
			flags := data[pos+9]
			pos += 10
			if flags&0x80 != 0 {
				pos += 3 << (flags&7 + 1)
			}
			pos++ // LZW minimum code size
			var ok bool
			if pos, ok = skipBlocks(pos); !ok {
				return packets, malformed("gif", "truncated image data", start)
			}
		case 0x21: // extension
			if pos+2 > len(data) {
				return packets, malformed("gif", "truncated extension", pos)
			}
			label := data[pos+1]
			pos += 2
			if label == 0xFF && pos+12 <= len(data) && data[pos] == 11 && string(data[pos+1:pos+12]) == gifXMPAppID {
				body := pos + 12
				end, ok := skipBlocks(body)
				if !ok {
					return packets, malformed("gif", "truncated XMP application extension", start)
				}
				raw := data[body : end-1]
				if i := bytes.Index(raw, []byte{0x01, 0xFF, 0xFE}); i >= 0 {
					raw = raw[:i]
				}
				if err := checkPacket("gif", "XMP application extension", len(raw), start); err != nil {
					return packets, err
				}
				if len(packets) >= MaxPackets {
					return packets, fmt.Errorf("read gif: more than %d XMP packets: %w", MaxPackets, ErrTooLarge)
				}
				packets = append(packets, Packet{
					Location: Location{Container: ContainerGIF, Segment: "application extension " + gifXMPAppID, Offset: int64(start)},
					Data:     raw,
				})
				pos = end
				continue
			}
			var ok bool
			if pos, ok = skipBlocks(pos); !ok {
				return packets, malformed("gif", "truncated extension", start)
			}
		default:
			return packets, malformed("gif", fmt.Sprintf("unknown block 0x%02X", data[pos]), pos)
		}
	}
}
