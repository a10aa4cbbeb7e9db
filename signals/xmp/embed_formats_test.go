package xmp_test

import (
	"bytes"
	"errors"
	"image"
	"image/draw"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/image/tiff"
	"golang.org/x/image/webp"

	"github.com/askfirst/askfirst/internal/exiftooltest"
	"github.com/askfirst/askfirst/signals/xmp"
)

const licenceURL = "https://pub.example/licence.xml"

func fixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// pixels decodes an image to NRGBA bytes.
func pixels(t testing.TB, decode func([]byte) (image.Image, error), b []byte) []byte {
	t.Helper()
	img, err := decode(b)
	if err != nil {
		t.Fatalf("decode: %v", err)
	}
	n := image.NewNRGBA(img.Bounds())
	draw.Draw(n, n.Bounds(), img, img.Bounds().Min, draw.Src)
	return n.Pix
}

func decodeWebP(b []byte) (image.Image, error) { return webp.Decode(bytes.NewReader(b)) }
func decodeTIFF(b []byte) (image.Image, error) { return tiff.Decode(bytes.NewReader(b)) }

// embedCase is one file to embed into, with what must survive.
type embedCase struct {
	file   string
	decode func([]byte) (image.Image, error) // nil: not decodable by Go
	keep   map[string]string                 // ExifTool tags that must survive
}

// checkEmbedded checks what every embedder must give: the value reads
// back alone, writing again replaces it, and the pixels are those of in.
func checkEmbedded(t *testing.T, c embedCase, in, out []byte, v xmp.Value, embed func([]byte, xmp.Reservation) ([]byte, error)) {
	t.Helper()
	r, err := xmp.Read(out)
	if err != nil {
		t.Fatalf("Read: %v", err)
	}
	if len(r.DataMining) != 1 || r.DataMining[0].Value != v {
		t.Fatalf("read back %+v, want one %s", r.DataMining, v)
	}
	if len(r.OtherConstraints) != 1 || r.OtherConstraints[0].Text != licenceURL {
		t.Errorf("plus:OtherConstraints read back %+v, want %s", r.OtherConstraints, licenceURL)
	}
	if c.decode != nil && !bytes.Equal(pixels(t, c.decode, in), pixels(t, c.decode, out)) {
		t.Errorf("decoded pixels changed")
	}
	again, err := embed(out, xmp.Reservation{DataMining: xmp.Allowed})
	if err != nil {
		t.Fatalf("embed again: %v", err)
	}
	if r, _ := xmp.Read(again); len(r.DataMining) != 1 || r.DataMining[0].Value != xmp.Allowed || len(r.OtherConstraints) != 0 {
		t.Errorf("embed again: read back %+v / %+v, want DMI-ALLOWED alone", r.DataMining, r.OtherConstraints)
	}
}

// exiftoolCheck reads back every written file with ExifTool.
func exiftoolCheck(t *testing.T, written map[string]xmp.Value, keep map[string]map[string]string) map[string]map[string]any {
	if len(written) == 0 {
		return nil
	}
	var files []string
	for f := range written {
		files = append(files, f)
	}
	tags := exiftooltest.Read(t, files...)
	for f, v := range written {
		got := tags[f]
		if s := exiftooltest.String(got, "XMP-plus:DataMining"); s != string(v) {
			t.Errorf("%s: ExifTool reads XMP-plus:DataMining %q, want %q", filepath.Base(f), s, v)
		}
		if s := exiftooltest.String(got, "XMP-plus:OtherConstraints"); s != licenceURL {
			t.Errorf("%s: ExifTool reads XMP-plus:OtherConstraints %q, want %q", filepath.Base(f), s, licenceURL)
		}
		for tag, want := range keep[f] {
			if s := exiftooltest.String(got, tag); s != want {
				t.Errorf("%s: ExifTool reads %s %q, want %q kept", filepath.Base(f), tag, s, want)
			}
		}
		if w := exiftooltest.String(got, "ExifTool:Warning"); w != "" {
			t.Errorf("%s: ExifTool warns %q", filepath.Base(f), w)
		}
	}
	return tags
}

func runEmbedCases(t *testing.T, cases []embedCase, ext string, embed func([]byte, xmp.Reservation) ([]byte, error), extra func(t *testing.T, in, out []byte)) {
	dir := t.TempDir()
	written := map[string]xmp.Value{}
	keep := map[string]map[string]string{}
	for _, c := range cases {
		in := fixture(t, c.file)
		for _, v := range xmp.Values {
			t.Run(c.file+"/"+string(v), func(t *testing.T) {
				out, err := embed(in, xmp.Reservation{DataMining: v, OtherConstraints: licenceURL})
				if err != nil {
					t.Fatalf("embed: %v", err)
				}
				checkEmbedded(t, c, in, out, v, embed)
				if extra != nil {
					extra(t, in, out)
				}
				p := filepath.Join(dir, strings.TrimSuffix(c.file, ext)+"-"+string(v)+ext)
				if err := os.WriteFile(p, out, 0o644); err != nil {
					t.Fatal(err)
				}
				written[p], keep[p] = v, c.keep
			})
		}
	}
	t.Run("exiftool", func(t *testing.T) { exiftoolCheck(t, written, keep) })
}

func TestEmbedWebP(t *testing.T) {
	kept := map[string]string{"IFD0:Artist": "Jane Doe", "XMP-dc:Title": "Gradient"}
	cases := []embedCase{
		{file: "webp-lossy.webp", decode: decodeWebP},
		{file: "webp-lossless.webp", decode: decodeWebP},
		{file: "webp-alpha.webp", decode: decodeWebP},
		{file: "webp-exiftool.webp", decode: decodeWebP, keep: kept},
	}
	runEmbedCases(t, cases, ".webp", xmp.EmbedWebP, func(t *testing.T, in, out []byte) {
		cfgIn, _ := webp.DecodeConfig(bytes.NewReader(in))
		cfgOut, err := webp.DecodeConfig(bytes.NewReader(out))
		if err != nil || cfgIn.Width != cfgOut.Width || cfgIn.Height != cfgOut.Height {
			t.Errorf("canvas %+v (%v), want %+v", cfgOut, err, cfgIn)
		}
		// Every chunk of the input is still there, byte for byte.
		for _, fourcc := range []string{"VP8 ", "VP8L", "ALPH", "EXIF"} {
			if i := bytes.Index(in, []byte(fourcc)); i >= 0 && !bytes.Contains(out, in[i:i+8]) {
				t.Errorf("chunk %q changed", fourcc)
			}
		}
	})
}

func TestEmbedTIFF(t *testing.T) {
	kept := map[string]string{"IFD0:Artist": "Jane Doe", "XMP-dc:Title": "Gradient"}
	cases := []embedCase{
		{file: "tiff-ffmpeg.tif", decode: decodeTIFF},
		{file: "tiff-exiftool.tif", decode: decodeTIFF, keep: kept},
		{file: "le.tif", decode: decodeTIFF},
		{file: "be.tif", decode: decodeTIFF},
		{file: "big.tif"}, // BigTIFF: checked byte for byte below
	}
	runEmbedCases(t, cases, ".tif", xmp.EmbedTIFF, func(t *testing.T, in, out []byte) {
		// Nothing moves: the input is a prefix of the output except the
		// header's first-IFD offset.
		hdr := 4
		if in[2] == 43 || in[3] == 43 {
			hdr = 8
		}
		if !bytes.Equal(in[:hdr], out[:hdr]) || !bytes.Equal(in[2*hdr:], out[2*hdr:len(in)]) {
			t.Errorf("bytes of the input other than the first-IFD offset changed")
		}
	})
}

// pdfCase is one PDF to embed into.
type pdfCase struct {
	file string
	keep map[string]string
}

var pdfCases = []pdfCase{
	{file: "pdf-chromium.pdf", keep: map[string]string{"PDF:Title": "Test document"}},
	{file: "pdf-exiftool.pdf", keep: map[string]string{"XMP-dc:Title": "Test document", "XMP-dc:Creator": "Jane Doe"}},
	{file: "pdf-qpdf-objstm.pdf", keep: map[string]string{"XMP-dc:Title": "Test document", "XMP-dc:Creator": "Jane Doe"}},
}

func TestEmbedPDF(t *testing.T) {
	dir := t.TempDir()
	written := map[string]xmp.Value{}
	keep := map[string]map[string]string{}
	tdm := map[string]xmp.TDM{}
	for _, c := range pdfCases {
		in := fixture(t, c.file)
		for i, v := range xmp.Values {
			// Both reservation values, with and without a policy.
			td := xmp.TDM{Reserved: i%2 == 0}
			if i%3 == 0 {
				td.Policy = "https://pub.example/tdm-policy.json"
			}
			t.Run(c.file+"/"+string(v), func(t *testing.T) {
				out, err := xmp.EmbedPDF(in, xmp.PDFMetadata{IPTC: &xmp.Reservation{DataMining: v, OtherConstraints: licenceURL}, TDM: &td})
				if err != nil {
					t.Fatalf("EmbedPDF: %v", err)
				}
				if !bytes.HasPrefix(out, in) {
					t.Fatalf("the original bytes were not kept as a prefix (incremental update)")
				}
				r, err := xmp.Read(out)
				if err != nil {
					t.Fatalf("Read: %v", err)
				}
				if r.Format != xmp.ContainerPDF || len(r.DataMining) != 1 || r.DataMining[0].Value != v {
					t.Fatalf("read back %s %+v, want one %s", r.Format, r.DataMining, v)
				}
				wantRes := "0"
				if td.Reserved {
					wantRes = "1"
				}
				if len(r.TDM) != 1 || len(r.TDM[0].Reservation) != 1 || r.TDM[0].Reservation[0].Value != wantRes {
					t.Fatalf("TDMRep read back %+v, want reservation %s", r.TDM, wantRes)
				}
				if td.Policy != "" && (len(r.TDM[0].Policy) != 1 || r.TDM[0].Policy[0].Value != td.Policy) {
					t.Errorf("tdm:policy read back %+v, want %s", r.TDM[0].Policy, td.Policy)
				}
				if len(r.TDM[0].Warnings) != 0 {
					t.Errorf("TDMRep warnings %v", r.TDM[0].Warnings)
				}
				// Writing again replaces, through a second update.
				again, err := xmp.EmbedPDF(out, xmp.PDFMetadata{IPTC: &xmp.Reservation{DataMining: xmp.Allowed}})
				if err != nil {
					t.Fatalf("EmbedPDF again: %v", err)
				}
				if r, _ := xmp.Read(again); len(r.DataMining) != 1 || r.DataMining[0].Value != xmp.Allowed || len(r.TDM) != 1 {
					t.Errorf("again: read back %+v %+v, want DMI-ALLOWED with the TDMRep properties kept", r.DataMining, r.TDM)
				}
				if v == xmp.Values[0] {
					qpdfCheck(t, out) // the structure does not depend on the value
				}
				p := filepath.Join(dir, strings.TrimSuffix(c.file, ".pdf")+"-"+string(v)+".pdf")
				if err := os.WriteFile(p, out, 0o644); err != nil {
					t.Fatal(err)
				}
				written[p], keep[p], tdm[p] = v, c.keep, td
			})
		}
	}
	t.Run("exiftool", func(t *testing.T) {
		tags := exiftoolCheck(t, written, keep)
		for f, td := range tdm {
			want := "0"
			if td.Reserved {
				want = "1"
			}
			if got := exiftooltest.String(tags[f], "XMP-tdm:Reservation"); got != want {
				t.Errorf("%s: ExifTool reads XMP-tdm:Reservation %q, want %q", filepath.Base(f), got, want)
			}
			if got := exiftooltest.String(tags[f], "XMP-tdm:Policy"); got != td.Policy {
				t.Errorf("%s: ExifTool reads XMP-tdm:Policy %q, want %q", filepath.Base(f), got, td.Policy)
			}
		}
	})
}

// qpdfCheck runs qpdf --check on a PDF when qpdf is installed.
func qpdfCheck(t *testing.T, pdf []byte) {
	t.Helper()
	q, err := exec.LookPath("qpdf")
	if err != nil {
		t.Log("qpdf not installed (apt-get install qpdf): structure not cross-checked")
		return
	}
	p := filepath.Join(t.TempDir(), "check.pdf")
	os.WriteFile(p, pdf, 0o644)
	if out, err := exec.Command(q, "--check", p).CombinedOutput(); err != nil {
		t.Errorf("qpdf --check: %v\n%s", err, out)
	}
}

func TestEmbedPDFRefuses(t *testing.T) {
	res := xmp.PDFMetadata{TDM: &xmp.TDM{Reserved: true}}
	for _, tt := range []struct {
		name string
		doc  []byte
		want error
	}{
		{"not a pdf", []byte("hello"), xmp.ErrMalformed},
		{"no startxref", []byte("%PDF-1.7\n1 0 obj<<>>endobj\n"), xmp.ErrMalformed},
		{"encrypted", fixture(t, "pdf-encrypted.pdf"), xmp.ErrCannotEmbed},
		{"certified, no changes", buildPDF(t, pdfOptions{docMDP: 1}), xmp.ErrCannotEmbed},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := xmp.EmbedPDF(tt.doc, res)
			if !errors.Is(err, tt.want) {
				t.Errorf("EmbedPDF = %v, want %v", err, tt.want)
			}
		})
	}
	// A certification that permits form filling (P 2) still takes an update.
	if _, err := xmp.EmbedPDF(buildPDF(t, pdfOptions{docMDP: 2}), res); err != nil {
		t.Errorf("EmbedPDF(DocMDP /P 2) = %v", err)
	}
}
