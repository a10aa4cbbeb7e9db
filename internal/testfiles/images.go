// Package testfiles builds files with the structure of real ones, for the
// tests and benchmarks of the code that walks them: JPEG and PNG files laid
// out as photographs are (for iscc, signals/xmp and signals/c2pa, which walk
// JPEG marker segments and PNG chunks), and web pages (for the HTML <meta>
// readers of package signals). The files are structurally valid; their
// pixel data is not meant to be decoded.
package testfiles

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"math/rand/v2"
)

// JPEG returns a JPEG laid out as a camera and an editor leave it: SOI,
// APP0 JFIF, APP1 Exif (orientation 6), APP1 XMP holding packet when it is
// not nil, APP2 ICC profile (3 KiB), APP13 Photoshop, two DQT, SOF0, four
// DHT, SOS, scan bytes of entropy bytes (no 0xFF), EOI.
func JPEG(packet []byte, entropy int) []byte {
	var b bytes.Buffer
	b.Write([]byte{0xFF, 0xD8})
	seg := func(marker byte, payload []byte) {
		b.Write([]byte{0xFF, marker})
		binary.Write(&b, binary.BigEndian, uint16(len(payload)+2))
		b.Write(payload)
	}
	seg(0xE0, []byte("JFIF\x00\x01\x02\x00\x00\x48\x00\x48\x00\x00"))
	seg(0xE1, exif())
	if packet != nil {
		seg(0xE1, append([]byte("http://ns.adobe.com/xap/1.0/\x00"), packet...))
	}
	seg(0xE2, append([]byte("ICC_PROFILE\x00\x01\x01"), filler(3072, 2)...))
	seg(0xED, append([]byte("Photoshop 3.0\x00"), filler(600, 3)...))
	seg(0xDB, filler(65, 4))
	seg(0xDB, filler(65, 5))
	seg(0xC0, []byte{8, 0x0C, 0x00, 0x10, 0x00, 3, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1})
	for i := range 4 {
		seg(0xC4, filler(180, uint64(6+i)))
	}
	seg(0xDA, []byte{3, 1, 0, 2, 0x11, 3, 0x11, 0, 0x3F, 0})
	b.Write(filler(entropy, 10))
	b.Write([]byte{0xFF, 0xD9})
	return b.Bytes()
}

// PNG returns a PNG laid out as libpng writes a photograph: IHDR, pHYs, an
// iTXt XML:com.adobe.xmp chunk holding packet when it is not nil, eXIf
// (orientation 6), idat bytes of image data in IDAT chunks of 8 KiB, IEND,
// every CRC correct.
func PNG(packet []byte, idat int) []byte {
	var b bytes.Buffer
	b.WriteString("\x89PNG\r\n\x1a\n")
	chunk := func(typ string, data []byte) {
		binary.Write(&b, binary.BigEndian, uint32(len(data)))
		start := b.Len()
		b.WriteString(typ)
		b.Write(data)
		binary.Write(&b, binary.BigEndian, crc32.ChecksumIEEE(b.Bytes()[start:]))
	}
	chunk("IHDR", []byte{0, 0, 0x10, 0, 0, 0, 0x0C, 0, 8, 2, 0, 0, 0})
	chunk("pHYs", []byte{0, 0, 0x0B, 0x13, 0, 0, 0x0B, 0x13, 1})
	if packet != nil {
		chunk("iTXt", append([]byte("XML:com.adobe.xmp\x00\x00\x00\x00\x00"), packet...))
	}
	chunk("eXIf", exif()[len("Exif\x00\x00"):])
	data := filler(idat, 11)
	for len(data) > 0 {
		n := min(len(data), 8192)
		chunk("IDAT", data[:n])
		data = data[n:]
	}
	chunk("IEND", nil)
	return b.Bytes()
}

// exif returns an APP1 Exif payload: "Exif\0\0" and a little-endian TIFF
// header whose IFD0 holds Orientation 6 and two more entries.
func exif() []byte {
	var b bytes.Buffer
	b.WriteString("Exif\x00\x00II*\x00")
	binary.Write(&b, binary.LittleEndian, uint32(8))
	binary.Write(&b, binary.LittleEndian, uint16(3))
	for _, e := range [][3]uint32{{0x010F, 2, 0}, {0x0112, 3, 6}, {0x011A, 5, 0}} {
		binary.Write(&b, binary.LittleEndian, uint16(e[0]))
		binary.Write(&b, binary.LittleEndian, uint16(e[1]))
		binary.Write(&b, binary.LittleEndian, uint32(1))
		binary.Write(&b, binary.LittleEndian, e[2])
	}
	binary.Write(&b, binary.LittleEndian, uint32(0))
	return b.Bytes()
}

// filler returns n pseudo-random bytes without 0xFF, the same for a seed.
func filler(n int, seed uint64) []byte {
	r := rand.New(rand.NewPCG(seed, seed))
	out := make([]byte, n)
	for i := range out {
		out[i] = byte(r.IntN(255))
	}
	return out
}

// Packet returns an XMP packet as photo editors write one: a title, a
// creator, rights, the IPTC Data Mining reservation
// DMI-PROHIBITED-AIMLTRAINING, and the usual padding.
func Packet() []byte {
	var b bytes.Buffer
	b.WriteString(`<?xpacket begin="` + "\uFEFF" + `" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:plus="http://ns.useplus.org/ldf/xmp/1.0/"
 xmlns:xmp="http://ns.adobe.com/xap/1.0/" xmp:CreatorTool="Editor 1.0" xmp:CreateDate="2026-05-01T10:00:00Z">
<dc:title><rdf:Alt><rdf:li xml:lang="x-default">Lighthouse at dawn</rdf:li></rdf:Alt></dc:title>
<dc:creator><rdf:Seq><rdf:li>Jane Doe</rdf:li></rdf:Seq></dc:creator>
<dc:rights><rdf:Alt><rdf:li xml:lang="x-default">© 2026 Jane Doe. All rights reserved.</rdf:li></rdf:Alt></dc:rights>
<plus:DataMining rdf:resource="http://ns.useplus.org/ldf/vocab/DMI-PROHIBITED-AIMLTRAINING"/>
</rdf:Description></rdf:RDF></x:xmpmeta>
`)
	for range 20 {
		b.WriteString(string(bytes.Repeat([]byte(" "), 99)) + "\n")
	}
	b.WriteString(`<?xpacket end="w"?>`)
	return b.Bytes()
}
