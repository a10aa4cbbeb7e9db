package xmp_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/google/go-cmp/cmp"

	"github.com/askfirst/askfirst/internal/testfiles"
	"github.com/askfirst/askfirst/signals/xmp"
)

func TestParseValue(t *testing.T) {
	tests := []struct {
		raw   string
		want  xmp.Value
		exact bool
		ok    bool
	}{
		{dmiURI + "DMI-PROHIBITED-AIMLTRAINING", xmp.ProhibitedAIMLTraining, true, true},
		{"  " + dmiURI + "DMI-ALLOWED\n", xmp.Allowed, true, true},
		{dmiURI + "DMI-PROHIBITED", xmp.Prohibited, true, true},
		{dmiURI + "DMI-PROHIBITED-EXCEPTSEARCHENGINEINDEXING", xmp.ProhibitedExceptSearch, true, true},
		{"DMI-PROHIBITED-GENAIMLTRAINING", xmp.ProhibitedGenAIMLTraining, false, true},
		{"dmi-prohibited", xmp.Prohibited, false, true},
		{"HTTP://NS.USEPLUS.ORG/LDF/VOCAB/DMI-UNSPECIFIED", xmp.Unspecified, false, true},
		{"https://ns.useplus.org/ldf/vocab/DMI-PROHIBITED-SEECONSTRAINT", xmp.ProhibitedSeeConstraint, false, true},
		{dmiURI + "dmi-prohibited-seeembeddedrightsexpr", xmp.ProhibitedSeeEmbeddedRightsExpr, false, true},
		{"DMI-PROHIBITED-SEELINKEDRIGHTSEXPR", xmp.ProhibitedSeeLinkedRightsExpr, false, true},
		{"DMI-MAYBE", "", false, false},
		{dmiURI, "", false, false},
		{"", "", false, false},
		{"http://example.com/vocab/DMI-ALLOWED", "", false, false},
	}
	for _, tt := range tests {
		v, exact, ok := xmp.ParseValue(tt.raw)
		if v != tt.want || exact != tt.exact || ok != tt.ok {
			t.Errorf("ParseValue(%q) = %q, %v, %v; want %q, %v, %v", tt.raw, v, exact, ok, tt.want, tt.exact, tt.ok)
		}
	}
}

func TestParsePacket(t *testing.T) {
	const plusNS = `xmlns:plus="http://ns.useplus.org/ldf/xmp/1.0/"`
	tests := []struct {
		name   string
		packet string
		want   xmp.Properties
	}{
		{"attribute", dmPacket("DMI-PROHIBITED"),
			xmp.Properties{DataMining: []string{dmiURI + "DMI-PROHIBITED"}}},
		{"element text", packetWith(`<rdf:Description rdf:about="" ` + plusNS + `><plus:DataMining> ` + dmiURI + `DMI-ALLOWED </plus:DataMining></rdf:Description>`),
			xmp.Properties{DataMining: []string{dmiURI + "DMI-ALLOWED"}}},
		{"element resource", packetWith(`<rdf:Description ` + plusNS + `><plus:DataMining rdf:resource="` + dmiURI + `DMI-PROHIBITED-AIMLTRAINING"/></rdf:Description>`),
			xmp.Properties{DataMining: []string{dmiURI + "DMI-PROHIBITED-AIMLTRAINING"}}},
		{"other prefix, namespace by URI", packetWith(`<rdf:Description xmlns:p="http://ns.useplus.org/ldf/xmp/1.0/" p:DataMining="DMI-PROHIBITED"/>`),
			xmp.Properties{DataMining: []string{"DMI-PROHIBITED"}}},
		{"plus prefix bound elsewhere", packetWith(`<rdf:Description xmlns:plus="http://example.com/" plus:DataMining="DMI-PROHIBITED"/>`),
			xmp.Properties{}},
		{"default namespace", packetWith(`<rdf:Description><DataMining xmlns="http://ns.useplus.org/ldf/xmp/1.0/">DMI-PROHIBITED</DataMining></rdf:Description>`),
			xmp.Properties{DataMining: []string{"DMI-PROHIBITED"}}},
		{"bag", packetWith(`<rdf:Description ` + plusNS + `><plus:DataMining><rdf:Bag><rdf:li>DMI-PROHIBITED</rdf:li><rdf:li>DMI-ALLOWED</rdf:li></rdf:Bag></plus:DataMining></rdf:Description>`),
			xmp.Properties{DataMining: []string{"DMI-PROHIBITED", "DMI-ALLOWED"}}},
		{"empty", packetWith(`<rdf:Description ` + plusNS + `><plus:DataMining></plus:DataMining></rdf:Description>`),
			xmp.Properties{DataMining: []string{""}}},
		{"other constraints", packetWith(`<rdf:Description ` + plusNS + ` plus:DataMining="` + dmiURI + `DMI-PROHIBITED-SEECONSTRAINT"><plus:OtherConstraints><rdf:Alt>` +
			`<rdf:li xml:lang="x-default">Licence at https://ex.example/l</rdf:li><rdf:li xml:lang="de">Lizenz</rdf:li></rdf:Alt></plus:OtherConstraints></rdf:Description>`),
			xmp.Properties{
				DataMining:       []string{dmiURI + "DMI-PROHIBITED-SEECONSTRAINT"},
				OtherConstraints: []xmp.LangText{{Lang: "x-default", Text: "Licence at https://ex.example/l"}, {Lang: "de", Text: "Lizenz"}},
			}},
		{"extended reference", packetWith(`<rdf:Description xmlns:xmpNote="http://ns.adobe.com/xmp/note/" xmpNote:HasExtendedXMP="0123456789ABCDEF0123456789ABCDEF"/>`),
			xmp.Properties{HasExtendedXMP: "0123456789ABCDEF0123456789ABCDEF"}},
		{"two descriptions", packetWith(`<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:creator><rdf:Seq><rdf:li>A</rdf:li></rdf:Seq></dc:creator></rdf:Description>` +
			`<rdf:Description rdf:about="" ` + plusNS + ` plus:DataMining="DMI-PROHIBITED"/>`),
			xmp.Properties{DataMining: []string{"DMI-PROHIBITED"}}},
		{"trailing NULs", dmPacket("DMI-PROHIBITED") + "\x00\x00\x00",
			xmp.Properties{DataMining: []string{dmiURI + "DMI-PROHIBITED"}, Warnings: []string{"bytes after the XML root element ignored (XML syntax error on line 3: illegal character code U+0000)"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := xmp.ParsePacket([]byte(tt.packet))
			if err != nil {
				t.Fatalf("ParsePacket(%q): %v", tt.packet, err)
			}
			if diff := cmp.Diff(&tt.want, got); diff != "" {
				t.Errorf("ParsePacket(%q) mismatch (-want +got):\n%s", tt.packet, diff)
			}
		})
	}
}

// TestParsePacketTitle: the Dublin Core title and description, by which a
// file's work is named (internal/identify's Meta-Code), come with their
// languages.
func TestParsePacketTitle(t *testing.T) {
	p, err := xmp.ParsePacket(testfiles.Packet())
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]xmp.LangText{{Lang: "x-default", Text: "Lighthouse at dawn"}}, p.Title); diff != "" {
		t.Errorf("Title (-want +got):\n%s", diff)
	}
	if len(p.Description) != 0 || len(p.DataMining) != 1 {
		t.Errorf("Description = %+v, DataMining = %q; want none and one", p.Description, p.DataMining)
	}
}

func TestParsePacketUTF16(t *testing.T) {
	for _, bigEndian := range []bool{true, false} {
		u := utf16.Encode([]rune("\uFEFF" + dmPacket("DMI-PROHIBITED")))
		var b []byte
		for _, c := range u {
			if bigEndian {
				b = binary.BigEndian.AppendUint16(b, c)
			} else {
				b = binary.LittleEndian.AppendUint16(b, c)
			}
		}
		got, err := xmp.ParsePacket(b)
		if err != nil {
			t.Fatalf("ParsePacket(UTF-16, big endian %v): %v", bigEndian, err)
		}
		if want := []string{dmiURI + "DMI-PROHIBITED"}; !cmp.Equal(got.DataMining, want) {
			t.Errorf("ParsePacket(UTF-16, big endian %v) = %q, want %q", bigEndian, got.DataMining, want)
		}
	}
}

func TestParsePacketDamaged(t *testing.T) {
	t.Run("lenient", func(t *testing.T) {
		p := packetWith(`<rdf:Description xmlns:plus="http://ns.useplus.org/ldf/xmp/1.0/" plus:DataMining="DMI-PROHIBITED"><dc:title>A & B</dc:title></rdf:Description>`)
		got, err := xmp.ParsePacket([]byte(p))
		if err != nil {
			t.Fatalf("ParsePacket(%q): %v", p, err)
		}
		if !cmp.Equal(got.DataMining, []string{"DMI-PROHIBITED"}) || len(got.Warnings) != 1 {
			t.Errorf("ParsePacket(%q) = %+v, want DMI-PROHIBITED and one warning", p, got)
		}
	})
	t.Run("truncated keeps earlier value", func(t *testing.T) {
		p := dmPacket("DMI-PROHIBITED")
		p = p[:strings.Index(p, "</rdf:RDF>")]
		got, err := xmp.ParsePacket([]byte(p))
		if !errors.Is(err, xmp.ErrMalformed) {
			t.Fatalf("ParsePacket(truncated) error = %v, want ErrMalformed", err)
		}
		if !cmp.Equal(got.DataMining, []string{dmiURI + "DMI-PROHIBITED"}) {
			t.Errorf("ParsePacket(truncated) = %q, want the value before the damage", got.DataMining)
		}
	})
	t.Run("too deep", func(t *testing.T) {
		p := strings.Repeat("<a>", xmp.MaxXMLDepth+1) + strings.Repeat("</a>", xmp.MaxXMLDepth+1)
		if _, err := xmp.ParsePacket([]byte(p)); !errors.Is(err, xmp.ErrTooLarge) {
			t.Errorf("ParsePacket(nested %d) error = %v, want ErrTooLarge", xmp.MaxXMLDepth+1, err)
		}
	})
}

func TestReadContainers(t *testing.T) {
	prohibited := dmPacket("DMI-PROHIBITED-AIMLTRAINING")
	ext := []byte(dmPacket("DMI-PROHIBITED-GENAIMLTRAINING") + strings.Repeat(" ", 300))
	guid := guidOf(ext)
	mainRef := packetWith(`<rdf:Description rdf:about="" xmlns:xmpNote="http://ns.adobe.com/xmp/note/" xmpNote:HasExtendedXMP="` + guid + `"/>`)
	extSegs := extendedSegments(guid, ext, 250, []int{2, 0, 1})

	type want struct {
		format  string
		values  []xmp.Value
		segment []string
		warns   int
	}
	tests := []struct {
		name string
		file []byte
		want want
	}{
		{"jpeg", jpegWith(t, mainXMPSegment(prohibited)),
			want{"jpeg", []xmp.Value{xmp.ProhibitedAIMLTraining}, []string{"APP1 #0"}, 0}},
		{"jpeg after exif", jpegWith(t, app1("Exif\x00\x00", []byte("II*\x00\x08\x00\x00\x00\x00\x00")), mainXMPSegment(prohibited)),
			want{"jpeg", []xmp.Value{xmp.ProhibitedAIMLTraining}, []string{"APP1 #1"}, 0}},
		{"jpeg extended", jpegWith(t, append([][]byte{mainXMPSegment(mainRef)}, extSegs...)...),
			want{"jpeg", []xmp.Value{xmp.ProhibitedGenAIMLTraining}, []string{"extended XMP " + guid}, 0}},
		{"jpeg extended unreferenced and wrong guid", jpegWith(t, extendedSegments(strings.Repeat("A", 32), ext, 200, nil)...),
			want{"jpeg", []xmp.Value{xmp.ProhibitedGenAIMLTraining}, []string{"extended XMP " + strings.Repeat("A", 32)}, 2}},
		{"png itxt", pngWith(t, iTXt("XML:com.adobe.xmp", []byte(prohibited), false)),
			want{"png", []xmp.Value{xmp.ProhibitedAIMLTraining}, []string{"iTXt XML:com.adobe.xmp"}, 0}},
		{"png itxt compressed", pngWith(t, iTXt("XML:com.adobe.xmp", []byte(prohibited), true)),
			want{"png", []xmp.Value{xmp.ProhibitedAIMLTraining}, []string{"iTXt XML:com.adobe.xmp"}, 0}},
		{"png ztxt", pngWith(t, zTXt("XML:com.adobe.xmp", []byte(prohibited))),
			want{"png", []xmp.Value{xmp.ProhibitedAIMLTraining}, []string{"zTXt XML:com.adobe.xmp"}, 1}},
		{"png imagemagick raw profile", pngWith(t, zTXt("Raw profile type xmp", rawProfile([]byte(prohibited)))),
			want{"png", []xmp.Value{xmp.ProhibitedAIMLTraining}, []string{"zTXt Raw profile type xmp"}, 1}},
		{"png other text", pngWith(t, pngChunk("tEXt", []byte("Comment\x00DMI-PROHIBITED"))),
			want{"png", nil, nil, 0}},
		{"webp", webpWith(riffChunk("XMP ", []byte(prohibited+" "))),
			want{"webp", []xmp.Value{xmp.ProhibitedAIMLTraining}, []string{"XMP chunk"}, 0}},
		{"tiff little endian", tiffWith(binary.LittleEndian, false, []byte(prohibited)),
			want{"tiff", []xmp.Value{xmp.ProhibitedAIMLTraining}, []string{"tag 700 IFD0"}, 0}},
		{"tiff big endian", tiffWith(binary.BigEndian, false, []byte(prohibited)),
			want{"tiff", []xmp.Value{xmp.ProhibitedAIMLTraining}, []string{"tag 700 IFD0"}, 0}},
		{"bigtiff", tiffWith(binary.LittleEndian, true, []byte(prohibited)),
			want{"tiff", []xmp.Value{xmp.ProhibitedAIMLTraining}, []string{"tag 700 IFD0"}, 0}},
		{"gif", gifWith(t, []byte(prohibited)),
			want{"gif", []xmp.Value{xmp.ProhibitedAIMLTraining}, []string{"application extension XMP DataXMP"}, 0}},
		{"scan", []byte("\x00\x00\x00\x18ftypmp42 uuid" + prohibited),
			want{"scan", []xmp.Value{xmp.ProhibitedAIMLTraining}, []string{"xpacket"}, 1}},
		{"jpeg without xmp", plainJPEG(t), want{"jpeg", nil, nil, 0}},
		{"png without xmp", plainPNG(t), want{"png", nil, nil, 0}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := xmp.Read(tt.file)
			if err != nil {
				t.Fatalf("Read(%s): %v", tt.name, err)
			}
			var got want
			got.format = r.Format
			for _, s := range r.DataMining {
				got.values = append(got.values, s.Value)
				got.segment = append(got.segment, s.Location.Segment)
				got.warns += len(s.Warnings)
				if s.Location.Container != r.Format {
					t.Errorf("Read(%s): statement container %q, format %q", tt.name, s.Location.Container, r.Format)
				}
			}
			if diff := cmp.Diff(tt.want, got, cmp.AllowUnexported(want{})); diff != "" {
				t.Errorf("Read(%s) mismatch (-want +got):\n%s\nresult: %+v", tt.name, diff, r)
			}
		})
	}
}

func rawProfile(b []byte) []byte {
	var s strings.Builder
	s.WriteString("\nxmp\n")
	s.WriteString(strings.Repeat(" ", 4))
	s.WriteString(strings.TrimSpace(strings.Repeat(" ", 3)) + itoa(len(b)) + "\n")
	const hexd = "0123456789abcdef"
	for i, c := range b {
		s.WriteByte(hexd[c>>4])
		s.WriteByte(hexd[c&15])
		if i%36 == 35 {
			s.WriteByte('\n')
		}
	}
	s.WriteByte('\n')
	return []byte(s.String())
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b []byte
	for ; n > 0; n /= 10 {
		b = append([]byte{byte('0' + n%10)}, b...)
	}
	return string(b)
}

func TestReadDamaged(t *testing.T) {
	prohibited := dmPacket("DMI-PROHIBITED")
	ext := []byte(dmPacket("DMI-ALLOWED"))
	guid := guidOf(ext)
	good := jpegWith(t, mainXMPSegment(prohibited))
	xmpEnd := 2 + 4 + 29 + len(prohibited)

	hugeExt := extendedSegments(guid, ext, 64, nil)
	for _, seg := range hugeExt {
		binary.BigEndian.PutUint32(seg[4+35+32:], xmp.MaxExtendedSize+1)
	}

	tiffLoop := tiffWith(binary.LittleEndian, false, []byte(prohibited))
	binary.LittleEndian.PutUint32(tiffLoop[len(tiffLoop)-4:], binary.LittleEndian.Uint32(tiffLoop[4:]))

	pngBad := pngWith(t, iTXt("XML:com.adobe.xmp", []byte(prohibited), false))
	binary.BigEndian.PutUint32(pngBad[33:], 1<<30)

	tests := []struct {
		name    string
		file    []byte
		wantErr error
		values  int
	}{
		{"jpeg truncated after xmp", good[:xmpEnd+10], xmp.ErrMalformed, 1},
		{"jpeg truncated inside xmp", good[:xmpEnd-20], xmp.ErrMalformed, 0},
		{"jpeg extended incomplete", jpegWith(t, extendedSegments(guid, ext, 64, nil)[1:]...), xmp.ErrMalformed, 0},
		{"jpeg extended too large", jpegWith(t, hugeExt...), xmp.ErrTooLarge, 0},
		{"png chunk past end", pngBad, xmp.ErrMalformed, 0},
		{"png truncated", pngWith(t, iTXt("XML:com.adobe.xmp", []byte(prohibited), false))[:200], xmp.ErrMalformed, 0},
		{"tiff ifd loop", tiffLoop, xmp.ErrMalformed, 1},
		{"tiff truncated", tiffWith(binary.BigEndian, false, []byte(prohibited))[:30], xmp.ErrMalformed, 0},
		{"webp chunk past end", webpWith(riffChunk("XMP ", []byte(prohibited)))[:100], xmp.ErrMalformed, 0},
		{"gif truncated", gifWith(t, []byte(prohibited))[:60], xmp.ErrMalformed, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := xmp.Read(tt.file)
			if !errors.Is(err, tt.wantErr) {
				t.Errorf("Read(%s) error = %v, want %v", tt.name, err, tt.wantErr)
			}
			if r == nil {
				t.Fatalf("Read(%s) returned a nil Result", tt.name)
			}
			if len(r.DataMining) != tt.values {
				t.Errorf("Read(%s) found %d values, want %d: %+v", tt.name, len(r.DataMining), tt.values, r.DataMining)
			}
			if len(r.Warnings) == 0 {
				t.Errorf("Read(%s) has no warning for the damage", tt.name)
			}
		})
	}
}

func TestReadConflict(t *testing.T) {
	f := pngWith(t, iTXt("XML:com.adobe.xmp", []byte(dmPacket("DMI-ALLOWED")), false),
		iTXt("XML:com.adobe.xmp", []byte(dmPacket("DMI-PROHIBITED")), false))
	r, err := xmp.Read(f)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.DataMining) != 2 || len(r.Warnings) != 1 || !strings.Contains(r.Warnings[0], "conflicting") {
		t.Errorf("Read(two packets) = %+v, want both values and a conflict warning", r)
	}
}

func TestReadUnknownValue(t *testing.T) {
	r, err := xmp.Read(jpegWith(t, mainXMPSegment(dmPacket("DMI-SOMETHING"))))
	if err != nil {
		t.Fatal(err)
	}
	if len(r.DataMining) != 1 || r.DataMining[0].Value != "" || !bytes.Contains([]byte(strings.Join(r.DataMining[0].Warnings, ";")), []byte("unknown")) {
		t.Errorf("Read(unknown value) = %+v, want an unrecognised value with a warning", r.DataMining)
	}
}
