package iscc

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
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
func jpegExif(data []byte) []byte {
	p := 2
	for n := 0; n < exifMaxSegments && p+4 <= len(data); n++ {
		if data[p] != 0xFF {
			return nil
		}
		marker := data[p+1]
		if marker == 0xFF { // fill byte
			p++
			continue
		}
		if marker == 0xD8 || (marker >= 0xD0 && marker <= 0xD7) || marker == 0x01 {
			p += 2
			continue
		}
		if marker == 0xDA || marker == 0xD9 { // start of scan, end of image
			return nil
		}
		size := int(binary.BigEndian.Uint16(data[p+2:]))
		if size < 2 || p+2+size > len(data) {
			return nil
		}
		seg := data[p+4 : p+2+size]
		if marker == 0xE1 && bytes.HasPrefix(seg, []byte("Exif\x00\x00")) {
			return seg
		}
		p += 2 + size
	}
	return nil
}

// pngExif returns the data of the eXIf chunk before the first IDAT. Chunks
// with a wrong CRC are ignored.
func pngExif(data []byte) []byte {
	p := 8
	for n := 0; n < exifMaxSegments && p+12 <= len(data); n++ {
		size := binary.BigEndian.Uint32(data[p:])
		if size > uint32(len(data)-p-12) {
			return nil
		}
		end := p + 8 + int(size)
		kind := string(data[p+4 : p+8])
		if kind == "IDAT" || kind == "IEND" {
			return nil
		}
		if kind == "eXIf" && crc32.ChecksumIEEE(data[p+4:end]) == binary.BigEndian.Uint32(data[end:]) {
			return data[p+8 : end]
		}
		p = end + 4
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
