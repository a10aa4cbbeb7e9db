package identify

import (
	"os"
	"strings"
	"testing"

	"github.com/askfirst/askfirst/internal/testfiles"
)

func TestParseMP7(t *testing.T) {
	data, err := os.ReadFile("testdata/testsrc.mp7")
	if err != nil {
		t.Fatal(err)
	}
	sigs, err := parseMP7(data)
	if err != nil {
		t.Fatalf("parseMP7(testsrc.mp7): %v", err)
	}
	// testsrc.mp4 is 4 s long, sampled at 5 frames per second.
	if len(sigs) != 20 {
		t.Fatalf("parseMP7(testsrc.mp7): got %d frames, want 20", len(sigs))
	}
	distinct := map[string]bool{}
	for i, s := range sigs {
		if len(s) != 380 {
			t.Fatalf("frame %d: got %d values, want 380", i, len(s))
		}
		var sb strings.Builder
		for _, v := range s {
			if v < 0 || v > 2 {
				t.Fatalf("frame %d: value %d out of 0..2", i, v)
			}
			sb.WriteByte(byte('0' + v))
		}
		distinct[sb.String()] = true
	}
	if len(distinct) < 2 {
		t.Errorf("parseMP7(testsrc.mp7): all frames equal; the moving test pattern should differ")
	}
	for _, n := range []int{0, 10, 100, len(data) - 1} {
		if _, err := parseMP7(data[:n]); err == nil {
			t.Errorf("parseMP7(first %d bytes): got no error", n)
		}
	}
}

func FuzzParseMP7(f *testing.F) {
	data, err := os.ReadFile("testdata/testsrc.mp7")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(data)
	f.Add(data[:200])
	f.Fuzz(func(t *testing.T, b []byte) {
		sigs, err := parseMP7(b)
		if err != nil {
			return
		}
		if len(sigs)*mp7FrameBits > len(b)*8 {
			t.Fatalf("%d frames from %d bytes", len(sigs), len(b))
		}
	})
}

func TestParseFpcalcJSON(t *testing.T) {
	tests := []struct {
		in      string
		want    []int32
		wantErr bool
	}{
		{`{"duration": 5.00, "fingerprint": [554449231,-1,2147483647,-2147483648]}`, []int32{554449231, -1, 2147483647, -2147483648}, false},
		{`{"duration": 0.5, "fingerprint": []}`, []int32{}, false},
		{`{"duration": 5.00, "fingerprint": [2147483648]}`, nil, true},
		{`{"duration": 5.00, "fingerprint": "AQAA"}`, nil, true},
		{`not json`, nil, true},
	}
	for _, tt := range tests {
		got, err := parseFpcalcJSON([]byte(tt.in))
		if (err != nil) != tt.wantErr {
			t.Errorf("parseFpcalcJSON(%s): error %v, want error %v", tt.in, err, tt.wantErr)
			continue
		}
		if len(got) != len(tt.want) {
			t.Errorf("parseFpcalcJSON(%s) = %v, want %v", tt.in, got, tt.want)
			continue
		}
		for i := range got {
			if got[i] != tt.want[i] {
				t.Errorf("parseFpcalcJSON(%s) = %v, want %v", tt.in, got, tt.want)
				break
			}
		}
	}
}

func TestHTMLText(t *testing.T) {
	doc := `<!DOCTYPE html><html><head><title> The
 Title </title><meta content="About it" NAME="Description"><style>p{color:red}</style><script>var x = "<p>no</p>";</script></head>
<body><h1>Heading</h1><p>One &amp; two.</p><script>alert(1)</script><noscript>no js</noscript>
<p>Three<br>four</p><svg><text>drawn</text></svg></body></html>`
	text, title, desc := htmlText([]byte(doc))
	if desc != "About it" {
		t.Errorf("description = %q, want %q", desc, "About it")
	}
	if title != "The Title" {
		t.Errorf("title = %q, want %q", title, "The Title")
	}
	for _, want := range []string{"Heading", "One & two.", "Three", "four"} {
		if !strings.Contains(text, want) {
			t.Errorf("text %q does not contain %q", text, want)
		}
	}
	for _, bad := range []string{"color", "alert", "var x", "no js", "drawn", "Title", "<"} {
		if strings.Contains(text, bad) {
			t.Errorf("text %q contains %q", text, bad)
		}
	}
	// Charset from <meta>.
	latin := []byte("<html><head><meta charset=\"iso-8859-1\"></head><body>caf\xe9</body></html>")
	if text, _, _ := htmlText(latin); text != "café" {
		t.Errorf("ISO-8859-1 document: text = %q, want %q", text, "café")
	}
}

func FuzzHTMLText(f *testing.F) {
	for _, name := range []string{"../../testdata/samples/article.html"} {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte("<title>a<script>b</title></script><p>c"))
	f.Fuzz(func(t *testing.T, b []byte) {
		htmlText(b)
	})
}

func TestDecodeText(t *testing.T) {
	tests := []struct {
		name string
		in   []byte
		want string
	}{
		{"utf-8", []byte("grüße"), "grüße"},
		{"utf-8 bom", []byte("\xef\xbb\xbfgrüße"), "grüße"},
		{"utf-16le bom", []byte("\xff\xfeg\x00r\x00\xfc\x00"), "grü"},
		{"utf-16be bom", []byte("\xfe\xff\x00g\x00r\x00\xfc"), "grü"},
		{"windows-1252", []byte("caf\xe9 \x80"), "café €"},
	}
	for _, tt := range tests {
		if got := decodeText(tt.in); got != tt.want {
			t.Errorf("decodeText(%s) = %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestXMPTitle(t *testing.T) {
	packet := []byte(`<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?><x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
<rdf:Description xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title><rdf:Alt>
<rdf:li xml:lang="de">Leuchtturm</rdf:li><rdf:li xml:lang="x-default">Lighthouse</rdf:li>
</rdf:Alt></dc:title><dc:description><rdf:Alt><rdf:li xml:lang="x-default">At dawn</rdf:li></rdf:Alt></dc:description></rdf:Description></rdf:RDF></x:xmpmeta><?xpacket end="w"?>`)
	for name, data := range map[string][]byte{
		"jpeg APP1": testfiles.JPEG(packet, 100),
		"png iTXt":  testfiles.PNG(packet, 100),
	} {
		if got, desc := xmpTitle(data); got != "Lighthouse" || desc != "At dawn" {
			t.Errorf("%s: xmpTitle = %q, %q; want %q, %q", name, got, desc, "Lighthouse", "At dawn")
		}
	}
	// XMP-looking bytes outside the container's XMP carrier (here the
	// entropy-coded data after the scan) are no title, and a damaged
	// packet yields none.
	notXMP := append(testfiles.JPEG(nil, 100), packet...)
	if got, _ := xmpTitle(notXMP); got != "" {
		t.Errorf("xmpTitle(XMP bytes after the scan) = %q, want empty", got)
	}
	if got, _ := xmpTitle(testfiles.JPEG([]byte("<x:xmpmeta>unterminated"), 100)); got != "" {
		t.Errorf("xmpTitle(unterminated) = %q, want empty", got)
	}
}

func TestParseProbeTags(t *testing.T) {
	out := []byte(`{"programs": [], "streams": [{"tags": {"TITLE": "Stream title", "encoder": "x"}}],
		"format": {"tags": {"title": " Format title ", "comment": "A comment", "ISCC:DESCRIPTION": "desc"}}}`)
	tests := []struct {
		mode               Mode
		title, description string
	}{
		{ModeAudio, "Format title", "desc"},
		{ModeVideo, "Format title", "A comment"},
	}
	for _, tt := range tests {
		title, desc := parseProbeTags(out, tt.mode)
		if title != tt.title || desc != tt.description {
			t.Errorf("parseProbeTags(%s) = %q, %q; want %q, %q", tt.mode, title, desc, tt.title, tt.description)
		}
	}
	ogg := []byte(`{"streams": [{"tags": {"TITLE": "Vorbis title"}}], "format": {}}`)
	if title, _ := parseProbeTags(ogg, ModeAudio); title != "Vorbis title" {
		t.Errorf("parseProbeTags(ogg) title = %q, want %q", title, "Vorbis title")
	}
	if title, desc := parseProbeTags([]byte("garbage"), ModeVideo); title != "" || desc != "" {
		t.Errorf("parseProbeTags(garbage) = %q, %q; want empty", title, desc)
	}
}
