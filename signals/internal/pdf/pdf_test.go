package pdf_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/askfirst/askfirst/signals/internal/pdf"
)

func seeds(f *testing.F) {
	files, _ := filepath.Glob("../../xmp/testdata/*.pdf")
	if len(files) == 0 {
		f.Fatal("no seed PDFs in ../../xmp/testdata")
	}
	for _, p := range files {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte("%PDF-1.7\n1 0 obj<</Type/Catalog>>endobj\nxref\n0 2\n0000000000 65535 f\r\n0000000009 00000 n\r\ntrailer<</Size 2/Root 1 0 R>>\nstartxref\n38\n%%EOF"))
}

// FuzzOpen checks that no input makes the reader panic, and that an
// update of any file it opens reads back as written and keeps the
// original bytes.
func FuzzOpen(f *testing.F) {
	seeds(f)
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := pdf.Open(b)
		if err != nil {
			return
		}
		if _, _, err := p.Root(); err != nil {
			return
		}
		if _, _, _, err := p.Metadata(1 << 20); err != nil {
			return
		}
		s := &pdf.Stream{Dict: &pdf.Dict{}, Raw: []byte("<x/>")}
		s.Dict.Set("Type", pdf.Name("Metadata"))
		ref := pdf.Ref{Num: p.Size()}
		upd, err := p.Update([]pdf.Indirect{{Ref: ref, Object: s}}, []byte("0123456789abcdef"))
		if err != nil {
			t.Fatalf("Update: %v", err)
		}
		out := append(append([]byte(nil), b...), upd...)
		q, err := pdf.Open(out)
		if err != nil {
			t.Fatalf("the updated file does not open: %v", err)
		}
		got, err := q.Resolve(ref)
		if err != nil {
			t.Fatalf("the new object does not resolve: %v", err)
		}
		if gs, ok := got.(*pdf.Stream); !ok || !bytes.Equal(gs.Raw, s.Raw) {
			t.Fatalf("read back %#v", got)
		}
	})
}

func TestAppendRoundTrip(t *testing.T) {
	d := &pdf.Dict{}
	d.Set("Name with space#", pdf.Name("a/b"))
	d.Set("S", pdf.String("(\\)\x00\xff"))
	d.Set("A", []pdf.Object{int64(-3), pdf.Real("1.50"), true, nil, pdf.Ref{Num: 4, Gen: 1}})
	b := pdf.Append(nil, d)
	doc := append([]byte("%PDF-1.7\n1 0 obj\n"), b...)
	doc = append(doc, "\nendobj\nxref\n0 2\n0000000000 65535 f\r\n0000000009 00000 n\r\ntrailer\n<< /Size 2 /Root 1 0 R >>\nstartxref\n"...)
	doc = append(doc, []byte(strconv.Itoa(len(doc)-len("xref\n0 2\n0000000000 65535 f\r\n0000000009 00000 n\r\ntrailer\n<< /Size 2 /Root 1 0 R >>\nstartxref\n")))...)
	doc = append(doc, "\n%%EOF\n"...)
	f, err := pdf.Open(doc)
	if err != nil {
		t.Fatalf("Open(%s): %v", doc, err)
	}
	got, _, err := f.Root()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(pdf.Append(nil, got), b) {
		t.Errorf("round trip:\n got %s\nwant %s", pdf.Append(nil, got), b)
	}
}
