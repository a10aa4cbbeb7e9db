package xmp_test

import (
	"bytes"
	"compress/zlib"
	"fmt"
	"testing"

	"github.com/askfirst/askfirst/signals/xmp"
)

// pdfOptions choose what buildPDF writes.
type pdfOptions struct {
	// metadata, if set, is the document's XMP packet.
	metadata string
	// deflate compresses the metadata stream.
	deflate bool
	// docMDP, if set, adds a certification signature with this /P.
	docMDP int
	// hybrid writes the catalog in an object stream named by a hybrid
	// file's /XRefStm, the table marking it free.
	hybrid bool
	// badLength writes a wrong /Length for the metadata stream.
	badLength bool
	// junk is written before the %PDF- header.
	junk string
}

// buildPDF writes a small, valid one-page PDF with a classic
// cross-reference table.
func buildPDF(t testing.TB, o pdfOptions) []byte {
	t.Helper()
	var b bytes.Buffer
	b.WriteString(o.junk)
	head := b.Len()
	b.WriteString("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
	offs := map[int]int{}
	obj := func(n int, body string) {
		offs[n] = b.Len() - head
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", n, body)
	}
	catalog := "<< /Type /Catalog /Pages 2 0 R"
	if o.metadata != "" {
		catalog += " /Metadata 4 0 R"
	}
	if o.docMDP != 0 {
		catalog += " /Perms << /DocMDP 5 0 R >>"
	}
	catalog += " >>"
	if !o.hybrid {
		obj(1, catalog)
	}
	obj(2, "<< /Type /Pages /Kids [3 0 R] /Count 1 >>")
	obj(3, "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>")
	if o.metadata != "" {
		data := []byte(o.metadata)
		filter := ""
		if o.deflate {
			var z bytes.Buffer
			w := zlib.NewWriter(&z)
			w.Write(data)
			w.Close()
			data, filter = z.Bytes(), " /Filter /FlateDecode"
		}
		n := len(data)
		if o.badLength {
			n += 7
		}
		obj(4, fmt.Sprintf("<< /Type /Metadata /Subtype /XML%s /Length %d >>\nstream\n%s\nendstream", filter, n, data))
	}
	if o.docMDP != 0 {
		obj(5, fmt.Sprintf("<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /adbe.pkcs7.detached /Reference [<< /Type /SigRef /TransformMethod /DocMDP /TransformParams << /Type /TransformParams /P %d /V /1.2 >> >>] /Contents <00> /ByteRange [0 0 0 0] >>", o.docMDP))
	}
	size := 6
	var xrefStm int
	if o.hybrid {
		// Object stream 6 holds the catalog (object 1).
		header := "1 0 "
		body := header + catalog
		offs[6] = b.Len() - head
		fmt.Fprintf(&b, "6 0 obj\n<< /Type /ObjStm /N 1 /First %d /Length %d >>\nstream\n%s\nendstream\nendobj\n", len(header), len(body), body)
		// Cross-reference stream 7: object 1 compressed in 6, index 0.
		xrefStm = b.Len() - head
		rows := []byte{2, 0, 6, 0}
		fmt.Fprintf(&b, "7 0 obj\n<< /Type /XRef /Size 8 /Index [1 1] /W [1 2 1] /Length %d >>\nstream\n", len(rows))
		b.Write(rows)
		b.WriteString("\nendstream\nendobj\n")
		offs[7] = xrefStm
		size = 8
	}
	xref := b.Len() - head
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f\r\n", size)
	for n := 1; n < size; n++ {
		if off, ok := offs[n]; ok {
			fmt.Fprintf(&b, "%010d 00000 n\r\n", off)
		} else {
			b.WriteString("0000000000 00000 f\r\n")
		}
	}
	trailer := fmt.Sprintf("<< /Size %d /Root 1 0 R", size)
	if o.hybrid {
		trailer += fmt.Sprintf(" /XRefStm %d", xrefStm)
	}
	fmt.Fprintf(&b, "trailer\n%s >>\nstartxref\n%d\n%%%%EOF\n", trailer, xref)
	return b.Bytes()
}

func TestReadPDF(t *testing.T) {
	meta := dmPacket("DMI-PROHIBITED-GENAIMLTRAINING")
	tdm := packetWith(`<rdf:Description rdf:about="" xmlns:tdm="http://www.w3.org/ns/tdmrep/"><tdm:reservation>1</tdm:reservation><tdm:policy>https://pub.example/p.json</tdm:policy></rdf:Description>`)
	for _, tt := range []struct {
		name     string
		doc      []byte
		wantDM   string
		wantTDM  string
		wantWarn bool
		wantErr  bool
	}{
		{name: "plain", doc: buildPDF(t, pdfOptions{metadata: meta}), wantDM: "DMI-PROHIBITED-GENAIMLTRAINING"},
		{name: "deflated", doc: buildPDF(t, pdfOptions{metadata: meta, deflate: true}), wantDM: "DMI-PROHIBITED-GENAIMLTRAINING"},
		{name: "hybrid", doc: buildPDF(t, pdfOptions{metadata: meta, hybrid: true}), wantDM: "DMI-PROHIBITED-GENAIMLTRAINING"},
		{name: "wrong length", doc: buildPDF(t, pdfOptions{metadata: meta, badLength: true}), wantDM: "DMI-PROHIBITED-GENAIMLTRAINING", wantWarn: true},
		{name: "junk before header", doc: buildPDF(t, pdfOptions{metadata: meta, junk: "garbage\n"}), wantDM: "DMI-PROHIBITED-GENAIMLTRAINING", wantWarn: true},
		{name: "tdmrep", doc: buildPDF(t, pdfOptions{metadata: tdm, deflate: true}), wantTDM: "1"},
		{name: "no metadata", doc: buildPDF(t, pdfOptions{})},
		{name: "qpdf object streams", doc: fixture(t, "pdf-qpdf-objstm.pdf"), wantDM: "DMI-PROHIBITED-AIMLTRAINING"},
		{name: "exiftool update", doc: fixture(t, "pdf-exiftool.pdf"), wantDM: "DMI-PROHIBITED-AIMLTRAINING"},
		{name: "encrypted", doc: fixture(t, "pdf-encrypted.pdf"), wantWarn: true, wantErr: true},
		// A broken cross-reference table: the packet is found by scanning,
		// and the damage reported.
		{name: "broken xref", doc: bytes.Replace(buildPDF(t, pdfOptions{metadata: meta}), []byte("startxref\n"), []byte("startxref\n9"), 1),
			wantDM: "DMI-PROHIBITED-GENAIMLTRAINING", wantWarn: true, wantErr: true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r, err := xmp.Read(tt.doc)
			if (err != nil) != tt.wantErr {
				t.Fatalf("Read error %v, want error %v", err, tt.wantErr)
			}
			if r.Format != xmp.ContainerPDF {
				t.Errorf("format %q", r.Format)
			}
			var dm string
			warned := len(r.Warnings) > 0
			for _, s := range r.DataMining {
				dm += string(s.Value)
				warned = warned || len(s.Warnings) > 0
			}
			if dm != tt.wantDM {
				t.Errorf("Data Mining %q, want %q", dm, tt.wantDM)
			}
			var res string
			for _, s := range r.TDM {
				for _, v := range s.Reservation {
					res += v.Value
				}
			}
			if res != tt.wantTDM {
				t.Errorf("tdm:reservation %q, want %q", res, tt.wantTDM)
			}
			if warned != tt.wantWarn {
				t.Errorf("warnings %v / %+v, want some: %v", r.Warnings, r.DataMining, tt.wantWarn)
			}
		})
	}
}

// A superseded metadata packet left in the file by an incremental update
// is not read: only the newest version of the catalog's stream counts.
func TestReadPDFSuperseded(t *testing.T) {
	doc := buildPDF(t, pdfOptions{metadata: dmPacket("DMI-PROHIBITED")})
	out, err := xmp.EmbedPDF(doc, xmp.PDFMetadata{IPTC: &xmp.Reservation{DataMining: xmp.Allowed}})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(out, []byte("DMI-PROHIBITED\"")) {
		t.Fatal("the old packet should still be in the bytes")
	}
	r, err := xmp.Read(out)
	if err != nil || len(r.DataMining) != 1 || r.DataMining[0].Value != xmp.Allowed {
		t.Errorf("Read = %+v, %v; want only the new DMI-ALLOWED", r.DataMining, err)
	}
}
