package xmp

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"slices"
)

// VP8X flag bits (WebP container specification, "Extended File Format").
const (
	vp8xXMP   = 0x04
	vp8xAlpha = 0x10
)

type riffChunk struct {
	fourcc     string
	start, end int // the chunk, header and padding included
	data       []byte
}

// webpChunks walks the chunks of a WebP file.
func webpChunks(img []byte) ([]riffChunk, error) {
	if len(img) < 12 || string(img[:4]) != "RIFF" || string(img[8:12]) != "WEBP" {
		return nil, fmt.Errorf("embed xmp: not a WebP file: %w", ErrMalformed)
	}
	riffEnd := 8 + int64(binary.LittleEndian.Uint32(img[4:]))
	if riffEnd > int64(len(img)) {
		return nil, malformed("webp", fmt.Sprintf("RIFF size %d past end of file", riffEnd-8), 4)
	}
	var chunks []riffChunk
	for pos := int64(12); pos < riffEnd; {
		if len(chunks) >= MaxSegments {
			return nil, fmt.Errorf("embed xmp: more than %d WebP chunks: %w", MaxSegments, ErrTooLarge)
		}
		if pos+8 > riffEnd {
			return nil, malformed("webp", "truncated chunk header", int(pos))
		}
		size := int64(binary.LittleEndian.Uint32(img[pos+4:]))
		end := pos + 8 + size + size&1
		if pos+8+size > riffEnd {
			return nil, malformed("webp", fmt.Sprintf("chunk %q size %d past end", img[pos:pos+4], size), int(pos))
		}
		end = min(end, riffEnd) // a missing last pad byte is tolerated
		chunks = append(chunks, riffChunk{fourcc: string(img[pos : pos+4]), start: int(pos), end: int(end), data: img[pos+8 : pos+8+size]})
		pos = end
	}
	if len(chunks) == 0 {
		return nil, malformed("webp", "no chunks", 12)
	}
	return chunks, nil
}

// chunkBytes returns a RIFF chunk with its padding.
func chunkBytes(fourcc string, data []byte) []byte {
	c := make([]byte, 0, 8+len(data)+1)
	c = append(c, fourcc...)
	c = binary.LittleEndian.AppendUint32(c, uint32(len(data)))
	c = append(c, data...)
	if len(data)%2 == 1 {
		c = append(c, 0)
	}
	return c
}

// webpCanvas reads the canvas size and alpha of a simple-format WebP from
// its VP8 or VP8L bitstream header (RFC 6386 §9.1; WebP lossless bitstream
// specification §3.2).
func webpCanvas(c riffChunk) (w, h uint32, alpha bool, err error) {
	switch c.fourcc {
	case "VP8 ":
		d := c.data
		if len(d) < 10 || d[3] != 0x9d || d[4] != 0x01 || d[5] != 0x2a {
			return 0, 0, false, malformed("webp", "VP8 frame header", c.start)
		}
		return uint32(binary.LittleEndian.Uint16(d[6:]) & 0x3fff), uint32(binary.LittleEndian.Uint16(d[8:]) & 0x3fff), false, nil
	case "VP8L":
		d := c.data
		if len(d) < 5 || d[0] != 0x2f {
			return 0, 0, false, malformed("webp", "VP8L header", c.start)
		}
		v := binary.LittleEndian.Uint32(d[1:])
		return v&0x3fff + 1, (v>>14)&0x3fff + 1, v>>28&1 == 1, nil
	}
	return 0, 0, false, malformed("webp", "first chunk "+c.fourcc+" is neither VP8X, VP8 nor VP8L", c.start)
}

// EmbedWebP returns a copy of the WebP img carrying r in its "XMP " chunk
// (WebP container specification, "Extended File Format"). An existing
// chunk is rewritten in place with MergePacket, keeping its other
// properties; otherwise the chunk is added after the image data and EXIF,
// where the specification orders it, and the VP8X header's XMP flag is
// set. A simple-format file (VP8 or VP8L only) is given a VP8X header with
// the canvas size of its bitstream; the bitstream itself is never touched.
// A file with a C2PA manifest ("C2PA" chunk) is refused unless
// r.BreakC2PA, with an error wrapping ErrCannotEmbed.
func EmbedWebP(img []byte, r Reservation) ([]byte, error) {
	if err := r.check(); err != nil {
		return nil, err
	}
	chunks, err := webpChunks(img)
	if err != nil {
		return nil, err
	}
	target := -1
	for i, c := range chunks {
		switch c.fourcc {
		case "C2PA":
			if err := refuseC2PA("WebP", r); err != nil {
				return nil, err
			}
		case "XMP ":
			if target < 0 {
				target = i
			}
		}
	}
	var packet []byte
	if target >= 0 {
		if err := checkOnlyTarget(img, int64(chunks[target].start), true); err != nil {
			return nil, err
		}
		packet, err = MergePacket(chunks[target].data, r)
	} else {
		packet, err = NewPacket(r)
	}
	if err != nil {
		return nil, err
	}
	var parts [][]byte
	parts = append(parts, img[:12])
	first := chunks[0]
	rest := chunks
	if first.fourcc == "VP8X" {
		if len(first.data) < 10 {
			return nil, malformed("webp", "VP8X chunk shorter than 10 bytes", first.start)
		}
		x := slices.Clone(first.data)
		x[0] |= vp8xXMP
		parts = append(parts, chunkBytes("VP8X", x))
		rest = chunks[1:]
	} else {
		w, h, alpha, err := webpCanvas(first)
		if err != nil {
			return nil, err
		}
		x := make([]byte, 10)
		x[0] = vp8xXMP
		if alpha {
			x[0] |= vp8xAlpha
		}
		x[4], x[5], x[6] = byte(w-1), byte((w-1)>>8), byte((w-1)>>16)
		x[7], x[8], x[9] = byte(h-1), byte((h-1)>>8), byte((h-1)>>16)
		parts = append(parts, chunkBytes("VP8X", x))
	}
	// The new chunk goes after the last image, animation or EXIF chunk.
	after := -1
	for i, c := range rest {
		switch c.fourcc {
		case "ICCP", "ANIM", "ANMF", "ALPH", "VP8 ", "VP8L", "EXIF":
			after = i
		}
	}
	xmpChunk := chunkBytes("XMP ", packet)
	for i, c := range rest {
		if target >= 0 && c.start == chunks[target].start {
			parts = append(parts, xmpChunk)
			continue
		}
		parts = append(parts, img[c.start:c.end])
		if c.end-c.start < 8+len(c.data)+len(c.data)%2 {
			parts = append(parts, []byte{0}) // restore a missing pad byte
		}
		if target < 0 && i == after {
			parts = append(parts, xmpChunk)
		}
	}
	if target < 0 && after < 0 {
		parts = append(parts, xmpChunk)
	}
	out := bytes.Join(parts, nil)
	if uint64(len(out)-8) > 0xFFFFFFFF {
		return nil, fmt.Errorf("embed xmp: WebP file over 4 GiB: %w", ErrTooLarge)
	}
	binary.LittleEndian.PutUint32(out[4:], uint32(len(out)-8))
	return out, nil
}
