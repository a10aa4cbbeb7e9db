package epub_test

import (
	"archive/zip"
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/askfirst/askfirst/signals/epub"
)

const opf3 = `<?xml version="1.0" encoding="UTF-8"?>
<package xmlns="http://www.idpf.org/2007/opf" version="3.0" unique-identifier="uid" prefix="rendition: http://www.idpf.org/vocab/rendition/#">
  <metadata xmlns:dc="http://purl.org/dc/elements/1.1/">
    <dc:identifier id="uid">urn:uuid:11111111-1111-4111-8111-111111111111</dc:identifier>
    <dc:title>A Book &amp; Its Title</dc:title>
    <dc:language>en</dc:language>
    <meta property="dcterms:modified">2026-01-01T00:00:00Z</meta>%s
  </metadata>
  <manifest>
    <item id="c1" href="c1.xhtml" media-type="application/xhtml+xml"/>
  </manifest>
  <spine><itemref idref="c1"/></spine>
</package>
`

const opf2 = `<?xml version="1.0" encoding="UTF-8"?>
<package xmlns="http://www.idpf.org/2007/opf" version="2.0" unique-identifier="uid">
  <metadata xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:opf="http://www.idpf.org/2007/opf">
    <dc:identifier id="uid">isbn-0</dc:identifier>
    <dc:title>Old Book</dc:title>%s
  </metadata>
  <manifest><item id="c1" href="c1.xhtml" media-type="application/xhtml+xml"/></manifest>
  <spine><itemref idref="c1"/></spine>
</package>
`

// book builds an EPUB container with the package document opf and one
// chapter; extra entries are added as given.
func book(t testing.TB, opf string, extra map[string]string) []byte {
	t.Helper()
	var b bytes.Buffer
	w := zip.NewWriter(&b)
	mw, _ := w.CreateHeader(&zip.FileHeader{Name: "mimetype", Method: zip.Store})
	io.WriteString(mw, epub.MediaType)
	add := func(name, body string) {
		fw, err := w.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		io.WriteString(fw, body)
	}
	add("META-INF/container.xml", `<?xml version="1.0"?><container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container"><rootfiles><rootfile full-path="OEBPS/content.opf" media-type="application/oebps-package+xml"/></rootfiles></container>`)
	add("OEBPS/content.opf", opf)
	add("OEBPS/c1.xhtml", `<html xmlns="http://www.w3.org/1999/xhtml"><body><p>`+strings.Repeat("Chapter one. ", 50)+`</p></body></html>`)
	for name, body := range extra {
		add(name, body)
	}
	w.Close()
	return b.Bytes()
}

func TestRead(t *testing.T) {
	for _, tt := range []struct {
		name     string
		opf      string
		res, pol string
		warn     bool
	}{
		{"epub3", strings.Replace(strings.Replace(opf3, "%s", "\n    <meta property=\"tdm:reservation\">1</meta>\n    <meta property=\"tdm:policy\">https://pub.example/p.json</meta>", 1),
			`prefix="`, `prefix="tdm: http://www.w3.org/ns/tdmrep# `, 1), "1", "https://pub.example/p.json", false},
		{"epub3 undeclared prefix", strings.Replace(opf3, "%s", "\n    <meta property=\"tdm:reservation\">1</meta>", 1), "1", "", true},
		{"epub3 other prefix", strings.Replace(strings.Replace(opf3, "%s", "\n    <meta property=\"rsv:reservation\">1</meta>", 1),
			`prefix="`, `prefix="rsv: http://www.w3.org/ns/tdmrep# `, 1), "1", "", false},
		{"epub2", strings.Replace(opf2, "%s", "\n    <meta name=\"tdm:reservation\" content=\"0\"/>", 1), "0", "", false},
		{"refines ignored", strings.Replace(opf3, "%s", "\n    <meta refines=\"#uid\" property=\"tdm:reservation\">1</meta>", 1), "", "", true},
		{"none", strings.Replace(opf3, "%s", "", 1), "", "", false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r, err := epub.Read(book(t, tt.opf, nil))
			if err != nil {
				t.Fatal(err)
			}
			if got := strings.Join(r.Reservation, ","); got != tt.res {
				t.Errorf("reservation %q, want %q", got, tt.res)
			}
			if got := strings.Join(r.Policy, ","); got != tt.pol {
				t.Errorf("policy %q, want %q", got, tt.pol)
			}
			if (len(r.Warnings) > 0) != tt.warn {
				t.Errorf("warnings %v, want some: %v", r.Warnings, tt.warn)
			}
		})
	}
}

func TestEmbed(t *testing.T) {
	for _, tt := range []struct {
		name string
		opf  string
		want []string // substrings of the new package document
	}{
		{"epub3 with a prefix attribute", strings.Replace(opf3, "%s", "\n    <meta property=\"tdm:reservation\">0</meta>", 1),
			[]string{`prefix="rendition: http://www.idpf.org/vocab/rendition/# tdm: http://www.w3.org/ns/tdmrep#"`, `<meta property="tdm:reservation">1</meta>`, `<meta property="tdm:policy">https://pub.example/p.json?a=1&amp;b=2</meta>`}},
		{"epub3 without a prefix attribute", strings.Replace(strings.Replace(opf3, "%s", "", 1), ` prefix="rendition: http://www.idpf.org/vocab/rendition/#"`, "", 1),
			[]string{`unique-identifier="uid" prefix="tdm: http://www.w3.org/ns/tdmrep#">`, `<meta property="tdm:reservation">1</meta>`}},
		{"epub2", strings.Replace(opf2, "%s", "", 1),
			[]string{`<meta name="tdm:reservation" content="1"/>`, `<meta name="tdm:policy" content="https://pub.example/p.json?a=1&amp;b=2"/>`}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			in := book(t, tt.opf, map[string]string{"OEBPS/image.svg": "<svg/>"})
			out, err := epub.Embed(in, epub.Properties{Reserved: true, Policy: "https://pub.example/p.json?a=1&b=2"})
			if err != nil {
				t.Fatal(err)
			}
			r, err := epub.Read(out)
			if err != nil {
				t.Fatal(err)
			}
			if strings.Join(r.Reservation, ",") != "1" || strings.Join(r.Policy, ",") != "https://pub.example/p.json?a=1&b=2" || len(r.Warnings) > 0 {
				t.Errorf("read back %+v", r)
			}
			zin, _ := zip.NewReader(bytes.NewReader(in), int64(len(in)))
			zout, err := zip.NewReader(bytes.NewReader(out), int64(len(out)))
			if err != nil {
				t.Fatal(err)
			}
			if len(zin.File) != len(zout.File) || zout.File[0].Name != "mimetype" || zout.File[0].Method != zip.Store {
				t.Fatalf("entries changed: %d -> %d, first %s", len(zin.File), len(zout.File), zout.File[0].Name)
			}
			for i, f := range zin.File {
				g := zout.File[i]
				if g.Name != f.Name {
					t.Errorf("entry %d is %s, was %s", i, g.Name, f.Name)
				}
				if f.Name == "OEBPS/content.opf" {
					doc := entry(t, g)
					for _, w := range tt.want {
						if !strings.Contains(doc, w) {
							t.Errorf("package document lacks %s:\n%s", w, doc)
						}
					}
					// Everything else of the document is kept.
					for _, line := range strings.Split(entry(t, f), "\n") {
						if !strings.Contains(line, "tdm:") && !strings.Contains(line, "<package") && !strings.Contains(doc, line) {
							t.Errorf("line %q lost", line)
						}
					}
					continue
				}
				if !bytes.Equal(raw(t, f), raw(t, g)) || f.CRC32 != g.CRC32 {
					t.Errorf("%s: compressed bytes changed", f.Name)
				}
			}
			// Embedding again replaces, never duplicates.
			again, err := epub.Embed(out, epub.Properties{})
			if err != nil {
				t.Fatal(err)
			}
			if r, _ := epub.Read(again); strings.Join(r.Reservation, ",") != "0" || len(r.Policy) != 0 {
				t.Errorf("again: %+v", r)
			}
		})
	}
}

func TestEmbedRefuses(t *testing.T) {
	signed := book(t, strings.Replace(opf3, "%s", "", 1), map[string]string{"META-INF/signatures.xml": "<signatures/>"})
	if _, err := epub.Embed(signed, epub.Properties{Reserved: true}); !errors.Is(err, epub.ErrCannotEmbed) {
		t.Errorf("signed: %v, want ErrCannotEmbed", err)
	}
	if _, err := epub.Embed(signed, epub.Properties{Reserved: true, BreakSignatures: true}); err != nil {
		t.Errorf("signed with BreakSignatures: %v", err)
	}
	for name, b := range map[string][]byte{
		"not a zip":    []byte("hello"),
		"no container": func() []byte { var b bytes.Buffer; w := zip.NewWriter(&b); w.Create("x"); w.Close(); return b.Bytes() }(),
	} {
		if _, err := epub.Read(b); !errors.Is(err, epub.ErrNotEPUB) {
			t.Errorf("%s: %v, want ErrNotEPUB", name, err)
		}
	}
	if _, err := epub.Read(book(t, "<package version='3.0'><metadata>", nil)); !errors.Is(err, epub.ErrMalformed) {
		t.Errorf("broken package document: %v, want ErrMalformed", err)
	}
}

func entry(t *testing.T, f *zip.File) string {
	r, err := f.Open()
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(r)
	return string(b)
}

func raw(t *testing.T, f *zip.File) []byte {
	r, err := f.OpenRaw()
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(r)
	return b
}

func FuzzRead(f *testing.F) {
	f.Add(book(f, strings.Replace(opf3, "%s", "<meta property=\"tdm:reservation\">1</meta>", 1), nil))
	f.Add(book(f, strings.Replace(opf2, "%s", "", 1), nil))
	f.Fuzz(func(t *testing.T, b []byte) {
		if _, err := epub.Read(b); err != nil {
			return
		}
		out, err := epub.Embed(b, epub.Properties{Reserved: true})
		if err != nil {
			return
		}
		r, err := epub.Read(out)
		if err != nil || strings.Join(r.Reservation, ",") != "1" {
			t.Fatalf("embedded 1, read back %+v, %v", r, err)
		}
	})
}
