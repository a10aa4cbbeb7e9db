package iscc

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"

	"github.com/askfirst/askfirst/internal/chunk"
)

// EXIF orientation (Exif 2.32 / TIFF 6.0 tag 0x0112 in IFD0), read from the
// containers Pillow reads it from: a JPEG APP1 "Exif" segment, a PNG eXIf
// chunk, a WebP EXIF chunk, or the first IFD of a TIFF file. The parser reads
// only what it needs, checks every offset against the data and stops after
// exifMaxSegments container segments and exifMaxIFDEntries directory entries.

const (
	exifMaxSegments    = 1024
	exifMaxIFDEntries  = 1024
	exifTagOrientation = 0x0112
)

// ExifOrientation returns the EXIF Orientation (1 to 8) stored in the
// encoded image data (JPEG, PNG, WebP or TIFF), or 1 when there is none or
// it cannot be read. It never panics on malformed input.
func ExifOrientation(data []byte) int {
	var tiffData []byte
	switch {
	case bytes.HasPrefix(data, []byte{0xFF, 0xD8}):
		tiffData = jpegExif(data)
	case bytes.HasPrefix(data, []byte("\x89PNG\r\n\x1a\n")):
		tiffData = pngExif(data)
	case len(data) >= 12 && string(data[:4]) == "RIFF" && string(data[8:12]) == "WEBP":
		tiffData = webpExif(data)
	case bytes.HasPrefix(data, []byte("II*\x00")), bytes.HasPrefix(data, []byte("MM\x00*")):
		tiffData = data
	}
	if tiffData == nil {
		return 1
	}
	tiffData = bytes.TrimPrefix(tiffData, []byte("Exif\x00\x00"))
	o := tiffOrientation(tiffData)
	if o < 1 || o > 8 {
		return 1
	}
	return o
}

// jpegExif returns the payload of the first APP1 segment that starts with
// "Exif\0\0", walking the marker segments up to the start of scan.
// Markers without a segment (a stray SOI, 0xFF00) are skipped, as Pillow
// skips them.
func jpegExif(data []byte) []byte {
	w := chunk.NewJPEG(data, exifMaxSegments)
	w.Only(0xE1)
	for s, ok := w.Next(); ok; s, ok = w.Next() {
		if bytes.HasPrefix(s.Payload, []byte("Exif\x00\x00")) {
			return s.Payload
		}
	}
	return nil
}

// pngExif returns the data of the eXIf chunk before the first IDAT. Chunks
// with a wrong CRC are ignored.
func pngExif(data []byte) []byte {
	w := chunk.NewPNG(data, exifMaxSegments)
	w.Only("eXIf", "IDAT", "IEND")
	for c, ok := w.Next(); ok; c, ok = w.Next() {
		if c.Is("IDAT") || c.Is("IEND") {
			return nil
		}
		if c.Is("eXIf") && crc32.ChecksumIEEE(data[c.Start+4:c.End-4]) == binary.BigEndian.Uint32(data[c.End-4:]) {
			return c.Data
		}
	}
	return nil
}

// webpExif returns the data of the EXIF chunk of an extended WebP file.
func webpExif(data []byte) []byte {
	p := 12
	for n := 0; n < exifMaxSegments && p+8 <= len(data); n++ {
		size := binary.LittleEndian.Uint32(data[p+4:])
		if size > uint32(len(data)-p-8) {
			return nil
		}
		if string(data[p:p+4]) == "EXIF" {
			return data[p+8 : p+8+int(size)]
		}
		p += 8 + int(size) + int(size&1)
	}
	return nil
}

// tiffOrientation reads tag 0x0112 (SHORT) from IFD0 of TIFF-structured
// data, returning 0 when absent or unreadable.
func tiffOrientation(b []byte) int {
	if len(b) < 8 {
		return 0
	}
	var order binary.ByteOrder
	switch string(b[:2]) {
	case "II":
		order = binary.LittleEndian
	case "MM":
		order = binary.BigEndian
	default:
		return 0
	}
	if order.Uint16(b[2:]) != 42 {
		return 0
	}
	ifd := order.Uint32(b[4:])
	if ifd > uint32(len(b)-2) {
		return 0
	}
	count := int(order.Uint16(b[ifd:]))
	if count > exifMaxIFDEntries {
		return 0
	}
	for i := 0; i < count; i++ {
		e := int(ifd) + 2 + 12*i
		if e+12 > len(b) {
			return 0
		}
		if order.Uint16(b[e:]) != exifTagOrientation {
			continue
		}
		typ, n := order.Uint16(b[e+2:]), order.Uint32(b[e+4:])
		switch {
		case typ == 3 && n >= 1: // SHORT, value inline
			return int(order.Uint16(b[e+8:]))
		case typ == 4 && n >= 1: // LONG, tolerated
			return int(order.Uint32(b[e+8:]))
		}
		return 0
	}
	return 0
}
