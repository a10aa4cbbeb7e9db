package xmp_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"image"
	"image/jpeg"
	"image/png"
	"strings"
	"testing"

	"github.com/askfirst/askfirst/signals/xmp"
)

func TestEmbedRoundTrip(t *testing.T) {
	existing := packetWith(`<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:plus="http://ns.useplus.org/ldf/xmp/1.0/" plus:DataMining="` + dmiURI + `DMI-ALLOWED">` +
		`<dc:creator><rdf:Seq><rdf:li>Ada Creator</rdf:li></rdf:Seq></dc:creator>` +
		`<plus:OtherConstraints><rdf:Alt><rdf:li xml:lang="x-default">old</rdf:li></rdf:Alt></plus:OtherConstraints></rdf:Description>`)
	tests := []struct {
		name   string
		file   []byte
		embed  func([]byte, xmp.Reservation) ([]byte, error)
		decode func([]byte) (image.Image, error)
		keeps  string
	}{
		{"jpeg new", plainJPEG(t), xmp.EmbedJPEG, decodeJPEG, ""},
		{"jpeg exif first", jpegWith(t, app1("Exif\x00\x00", []byte("II*\x00\x08\x00\x00\x00\x00\x00"))), xmp.EmbedJPEG, decodeJPEG, ""},
		{"jpeg merge", jpegWith(t, mainXMPSegment(existing)), xmp.EmbedJPEG, decodeJPEG, "Ada Creator"},
		{"png new", plainPNG(t), xmp.EmbedPNG, decodePNG, ""},
		{"png merge compressed", pngWith(t, iTXt(xmp.PNGKeyword, []byte(existing), true)), xmp.EmbedPNG, decodePNG, "Ada Creator"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := xmp.Reservation{DataMining: xmp.ProhibitedSeeConstraint, OtherConstraints: "Licence: https://pub.example/l?a=1&b=<2>"}
			out, err := tt.embed(tt.file, res)
			if err != nil {
				t.Fatalf("embed(%s): %v", tt.name, err)
			}
			// Twice: the second write replaces the first.
			out, err = tt.embed(out, res)
			if err != nil {
				t.Fatalf("embed(%s) twice: %v", tt.name, err)
			}
			if _, err := tt.decode(out); err != nil {
				t.Errorf("embed(%s): image no longer decodes: %v", tt.name, err)
			}
			r, err := xmp.Read(out)
			if err != nil {
				t.Fatalf("Read(embed(%s)): %v", tt.name, err)
			}
			if len(r.DataMining) != 1 || r.DataMining[0].Value != xmp.ProhibitedSeeConstraint || len(r.DataMining[0].Warnings) != 0 {
				t.Errorf("Read(embed(%s)) DataMining = %+v, want one exact %s", tt.name, r.DataMining, xmp.ProhibitedSeeConstraint)
			}
			if len(r.OtherConstraints) != 1 || r.OtherConstraints[0].Text != res.OtherConstraints || r.OtherConstraints[0].Lang != "x-default" {
				t.Errorf("Read(embed(%s)) OtherConstraints = %+v, want %q", tt.name, r.OtherConstraints, res.OtherConstraints)
			}
			if r.Packets != 1 {
				t.Errorf("Read(embed(%s)) found %d packets, want 1", tt.name, r.Packets)
			}
			if tt.keeps != "" {
				_, packets, _ := xmp.Extract(out)
				if !bytes.Contains(packets[0].Data, []byte(tt.keeps)) {
					t.Errorf("embed(%s) lost %q from the existing packet:\n%s", tt.name, tt.keeps, packets[0].Data)
				}
			}
		})
	}
}

func decodeJPEG(b []byte) (image.Image, error) { return jpeg.Decode(bytes.NewReader(b)) }
func decodePNG(b []byte) (image.Image, error)  { return png.Decode(bytes.NewReader(b)) }

func TestEmbedRefuses(t *testing.T) {
	ext := []byte(dmPacket("DMI-ALLOWED"))
	guid := guidOf(ext)
	tests := []struct {
		name    string
		run     func() ([]byte, error)
		wantErr error
	}{
		{"unknown value", func() ([]byte, error) {
			return xmp.EmbedJPEG(plainJPEG(t), xmp.Reservation{DataMining: "DMI-MAYBE"})
		}, nil},
		{"jpeg extended holds value", func() ([]byte, error) {
			return xmp.EmbedJPEG(jpegWith(t, extendedSegments(guid, ext, 100, nil)...), xmp.Reservation{DataMining: xmp.Prohibited})
		}, xmp.ErrCannotEmbed},
		{"png ztxt holds value", func() ([]byte, error) {
			return xmp.EmbedPNG(pngWith(t, zTXt(xmp.PNGKeyword, ext)), xmp.Reservation{DataMining: xmp.Prohibited})
		}, xmp.ErrCannotEmbed},
		{"jpeg with c2pa manifest", func() ([]byte, error) {
			return xmp.EmbedJPEG(jpegWith(t, app11C2PA()), xmp.Reservation{DataMining: xmp.Prohibited})
		}, xmp.ErrCannotEmbed},
		{"png with c2pa manifest", func() ([]byte, error) {
			return xmp.EmbedPNG(pngWith(t, pngChunk("caBX", c2paStore())), xmp.Reservation{DataMining: xmp.Prohibited})
		}, xmp.ErrCannotEmbed},
		{"not a jpeg", func() ([]byte, error) {
			return xmp.EmbedJPEG(plainPNG(t), xmp.Reservation{DataMining: xmp.Prohibited})
		}, xmp.ErrMalformed},
		{"not a png", func() ([]byte, error) {
			return xmp.EmbedPNG(plainJPEG(t), xmp.Reservation{DataMining: xmp.Prohibited})
		}, xmp.ErrMalformed},
		{"packet too large for APP1", func() ([]byte, error) {
			filler := packetWith(`<rdf:Description><x></x></rdf:Description>`)
			big := packetWith(`<rdf:Description><x>` + strings.Repeat("a", xmp.MaxJPEGPacket-len(filler)-10) + `</x></rdf:Description>`)
			return xmp.EmbedJPEG(jpegWith(t, mainXMPSegment(big)), xmp.Reservation{DataMining: xmp.Prohibited})
		}, xmp.ErrTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := tt.run()
			if err == nil || out != nil {
				t.Fatalf("%s: got %d bytes, err %v; want an error", tt.name, len(out), err)
			}
			if tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
				t.Errorf("%s: error = %v, want %v", tt.name, err, tt.wantErr)
			}
		})
	}
}

func TestMergePacketKeepsBytes(t *testing.T) {
	in := packetWith(`<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/"><!-- keep me --><dc:rights>© 2026</dc:rights></rdf:Description>`)
	out, err := xmp.MergePacket([]byte(in), xmp.Reservation{DataMining: xmp.ProhibitedGenAIMLTraining})
	if err != nil {
		t.Fatal(err)
	}
	i := strings.Index(in, "</rdf:RDF>")
	if !strings.HasPrefix(string(out), in[:i]) || !strings.HasSuffix(string(out), in[i:]) {
		t.Errorf("MergePacket changed bytes outside the inserted description:\n%s", out)
	}
	if _, err := xmp.MergePacket([]byte("<a>no rdf</a>"), xmp.Reservation{DataMining: xmp.Prohibited}); !errors.Is(err, xmp.ErrMalformed) {
		t.Errorf("MergePacket(no rdf:RDF) error = %v, want ErrMalformed", err)
	}
}

// c2paStore is the start of a C2PA manifest store: a jumb superbox whose
// description box has the store type; enough for the writer to notice it.
func c2paStore() []byte {
	desc := append([]byte("c2pa\x00\x11\x00\x10\x80\x00\x00\xaa\x00\x38\x9b\x71"), 0x03)
	desc = append(desc, "c2pa\x00"...)
	jumd := binary.BigEndian.AppendUint32(nil, uint32(8+len(desc)))
	jumd = append(append(jumd, "jumd"...), desc...)
	jumb := binary.BigEndian.AppendUint32(nil, uint32(8+len(jumd)))
	return append(append(jumb, "jumb"...), jumd...)
}

// app11C2PA wraps c2paStore in one APP11 JPEG XT segment.
func app11C2PA() []byte {
	st := c2paStore()
	seg := []byte{0xFF, 0xEB}
	seg = binary.BigEndian.AppendUint16(seg, uint16(2+8+len(st)))
	seg = append(seg, 'J', 'P', 0, 1, 0, 0, 0, 1)
	return append(seg, st...)
}

func TestEmbedBreakC2PA(t *testing.T) {
	for name, f := range map[string]struct {
		file  []byte
		embed func([]byte, xmp.Reservation) ([]byte, error)
	}{
		"jpeg": {jpegWith(t, app11C2PA()), xmp.EmbedJPEG},
		"png":  {pngWith(t, pngChunk("caBX", c2paStore())), xmp.EmbedPNG},
	} {
		out, err := f.embed(f.file, xmp.Reservation{DataMining: xmp.Prohibited, BreakC2PA: true})
		if err != nil {
			t.Fatalf("embed(%s, BreakC2PA): %v", name, err)
		}
		r, err := xmp.Read(out)
		if err != nil || len(r.DataMining) != 1 || r.DataMining[0].Value != xmp.Prohibited {
			t.Errorf("Read(embed(%s, BreakC2PA)) = %+v, %v; want DMI-PROHIBITED", name, r, err)
		}
	}
}
