package xmp_test

import (
	"bytes"
	"compress/zlib"
	"crypto/md5"
	"encoding/binary"
	"encoding/hex"
	"hash/crc32"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"strings"
	"testing"
)

// Builders of test files. Each produces a structurally valid file of its
// format; the JPEG, PNG and GIF ones start from the standard library's
// encoders so that the images also decode.

const dmiURI = "http://ns.useplus.org/ldf/vocab/"

func packetWith(body string) string {
	return "<?xpacket begin=\"\uFEFF\" id=\"W5M0MpCehiHzreSzNTczkc9d\"?>\n" +
		`<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">` +
		body + "</rdf:RDF></x:xmpmeta>\n<?xpacket end=\"w\"?>"
}

func dmPacket(key string) string {
	return packetWith(`<rdf:Description rdf:about="" xmlns:plus="http://ns.useplus.org/ldf/xmp/1.0/" plus:DataMining="` + dmiURI + key + `"/>`)
}

func testImage() image.Image {
	img := image.NewRGBA(image.Rect(0, 0, 16, 16))
	for y := range 16 {
		for x := range 16 {
			img.Set(x, y, color.RGBA{uint8(x * 16), uint8(y * 16), 128, 255})
		}
	}
	return img
}

func plainJPEG(t testing.TB) []byte {
	var b bytes.Buffer
	if err := jpeg.Encode(&b, testImage(), nil); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func plainPNG(t testing.TB) []byte {
	var b bytes.Buffer
	if err := png.Encode(&b, testImage()); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func app1(prefix string, payload []byte) []byte {
	seg := []byte{0xFF, 0xE1}
	seg = binary.BigEndian.AppendUint16(seg, uint16(2+len(prefix)+len(payload)))
	seg = append(seg, prefix...)
	return append(seg, payload...)
}

// jpegWith inserts segments right after SOI.
func jpegWith(t testing.TB, segs ...[]byte) []byte {
	j := plainJPEG(t)
	out := append([]byte{}, j[:2]...)
	for _, s := range segs {
		out = append(out, s...)
	}
	return append(out, j[2:]...)
}

func mainXMPSegment(packet string) []byte {
	return app1("http://ns.adobe.com/xap/1.0/\x00", []byte(packet))
}

// extendedSegments splits ext into chunks of size n and returns the
// extended XMP APP1 segments, in the given chunk order (nil: natural).
func extendedSegments(guid string, ext []byte, n int, order []int) [][]byte {
	var segs [][]byte
	for off := 0; off < len(ext); off += n {
		end := min(off+n, len(ext))
		var p []byte
		p = append(p, guid...)
		p = binary.BigEndian.AppendUint32(p, uint32(len(ext)))
		p = binary.BigEndian.AppendUint32(p, uint32(off))
		p = append(p, ext[off:end]...)
		segs = append(segs, app1("http://ns.adobe.com/xmp/extension/\x00", p))
	}
	if order != nil {
		re := make([][]byte, len(order))
		for i, o := range order {
			re[i] = segs[o]
		}
		segs = re
	}
	return segs
}

func guidOf(b []byte) string {
	s := md5.Sum(b)
	return strings.ToUpper(hex.EncodeToString(s[:]))
}

func pngChunk(typ string, data []byte) []byte {
	c := binary.BigEndian.AppendUint32(nil, uint32(len(data)))
	c = append(c, typ...)
	c = append(c, data...)
	return binary.BigEndian.AppendUint32(c, crc32.ChecksumIEEE(c[4:]))
}

func iTXt(keyword string, text []byte, compressed bool) []byte {
	body := append([]byte(keyword), 0)
	if compressed {
		var z bytes.Buffer
		zw := zlib.NewWriter(&z)
		zw.Write(text)
		zw.Close()
		body = append(body, 1, 0, 0, 0)
		body = append(body, z.Bytes()...)
	} else {
		body = append(body, 0, 0, 0, 0)
		body = append(body, text...)
	}
	return pngChunk("iTXt", body)
}

func zTXt(keyword string, text []byte) []byte {
	var z bytes.Buffer
	zw := zlib.NewWriter(&z)
	zw.Write(text)
	zw.Close()
	body := append([]byte(keyword), 0, 0)
	return pngChunk("zTXt", append(body, z.Bytes()...))
}

// pngWith inserts chunks after IHDR (8 + 25 bytes).
func pngWith(t testing.TB, chunks ...[]byte) []byte {
	p := plainPNG(t)
	out := append([]byte{}, p[:33]...)
	for _, c := range chunks {
		out = append(out, c...)
	}
	return append(out, p[33:]...)
}

func riffChunk(fourcc string, data []byte) []byte {
	c := append([]byte(fourcc), binary.LittleEndian.AppendUint32(nil, uint32(len(data)))...)
	c = append(c, data...)
	if len(data)%2 == 1 {
		c = append(c, 0)
	}
	return c
}

// webpWith builds an extended-format WebP: VP8X (XMP flag set), a VP8L
// chunk and the given chunks.
func webpWith(chunks ...[]byte) []byte {
	vp8x := []byte{0x04, 0, 0, 0, 0, 0, 0, 0, 0, 0} // XMP flag, 1x1 canvas
	body := []byte("WEBP")
	body = append(body, riffChunk("VP8X", vp8x)...)
	body = append(body, riffChunk("VP8L", []byte{0x2f, 0, 0, 0, 0x10, 0x07, 0x10, 0x11, 0x11, 0x88, 0x88, 0xfe, 0x07, 0})...)
	for _, c := range chunks {
		body = append(body, c...)
	}
	out := append([]byte("RIFF"), binary.LittleEndian.AppendUint32(nil, uint32(len(body)))...)
	return append(out, body...)
}

// tiffWith builds a one-strip 1x1 grey TIFF (or BigTIFF) whose IFD0 holds
// tag 700 with xmp.
type byteOrder interface {
	binary.ByteOrder
	binary.AppendByteOrder
}

func tiffWith(order byteOrder, bigTIFF bool, xmp []byte) []byte {
	type entry struct {
		tag, typ uint16
		count    uint64
		val      uint64 // inline value or offset
	}
	var b []byte
	if order == byteOrder(binary.LittleEndian) {
		b = []byte("II")
	} else {
		b = []byte("MM")
	}
	offSize, hdr := 4, 8
	if bigTIFF {
		offSize, hdr = 8, 16
		b = order.AppendUint16(b, 43)
		b = order.AppendUint16(b, 8)
		b = order.AppendUint16(b, 0)
	} else {
		b = order.AppendUint16(b, 42)
	}
	pixel := hdr
	xmpOff := pixel + 2
	ifd := xmpOff + len(xmp)
	if ifd%2 == 1 {
		ifd++
	}
	if bigTIFF {
		b = order.AppendUint64(b, uint64(ifd))
	} else {
		b = order.AppendUint32(b, uint32(ifd))
	}
	b = append(b, 0x80, 0)
	b = append(b, xmp...)
	for len(b) < ifd {
		b = append(b, 0)
	}
	entries := []entry{
		{256, 3, 1, 1}, {257, 3, 1, 1}, {258, 3, 1, 8}, {259, 3, 1, 1}, {262, 3, 1, 1},
		{273, 4, 1, uint64(pixel)}, {277, 3, 1, 1}, {278, 3, 1, 1}, {279, 4, 1, 1},
		{700, 1, uint64(len(xmp)), uint64(xmpOff)},
	}
	if bigTIFF {
		b = order.AppendUint64(b, uint64(len(entries)))
	} else {
		b = order.AppendUint16(b, uint16(len(entries)))
	}
	for _, e := range entries {
		b = order.AppendUint16(b, e.tag)
		b = order.AppendUint16(b, e.typ)
		val := make([]byte, offSize)
		switch {
		case e.typ == 3:
			order.PutUint16(val, uint16(e.val))
		case offSize == 8:
			order.PutUint64(val, e.val)
		default:
			order.PutUint32(val, uint32(e.val))
		}
		if offSize == 8 {
			b = order.AppendUint64(b, e.count)
		} else {
			b = order.AppendUint32(b, uint32(e.count))
		}
		b = append(b, val...)
	}
	b = append(b, make([]byte, offSize)...) // no next IFD
	return b
}

// gifWith encodes a small GIF and inserts an XMP application extension,
// with its magic trailer, before the first image descriptor.
func gifWith(t testing.TB, xmp []byte) []byte {
	pal := image.NewPaletted(image.Rect(0, 0, 4, 4), []color.Color{color.Black, color.White})
	var b bytes.Buffer
	if err := gif.Encode(&b, pal, nil); err != nil {
		t.Fatal(err)
	}
	g := b.Bytes()
	pos := 13
	if g[10]&0x80 != 0 {
		pos += 3 << (g[10]&7 + 1)
	}
	for g[pos] == 0x21 { // skip extensions written by the encoder
		p := pos + 2
		for g[p] != 0 {
			p += int(g[p]) + 1
		}
		pos = p + 1
	}
	ext := []byte{0x21, 0xFF, 11}
	ext = append(ext, "XMP DataXMP"...)
	ext = append(ext, xmp...)
	ext = append(ext, 0x01)
	for i := 0xFF; i >= 0; i-- {
		ext = append(ext, byte(i))
	}
	ext = append(ext, 0x00)
	out := append([]byte{}, g[:pos]...)
	out = append(out, ext...)
	return append(out, g[pos:]...)
}
