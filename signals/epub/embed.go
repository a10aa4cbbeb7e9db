package epub

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"sort"
	"strings"
)

// Properties are the TDMRep properties Embed writes.
type Properties struct {
	// Reserved writes tdm:reservation 1, otherwise 0.
	Reserved bool
	// Policy, if not empty, is written as tdm:policy (the TDM Policy URL).
	Policy string
	// BreakSignatures allows writing into a publication that carries
	// META-INF/signatures.xml: the package document changes, so
	// signatures over it no longer verify. Without it Embed refuses.
	BreakSignatures bool
}

// ErrCannotEmbed: the publication's state prevents a safe rewrite.
var ErrCannotEmbed = errors.New("cannot embed")

// Embed returns a copy of the EPUB with p written into its package
// document: existing tdm:reservation and tdm:policy meta elements are
// removed and the new ones added at the end of the metadata (EPUB 3 form
// with the tdm: prefix declared, or EPUB 2 form, by the package version).
// All other bytes of the package document are kept, and every other entry
// of the container is copied compressed as it was.
func Embed(data []byte, p Properties) ([]byte, error) {
	a, err := open(data)
	if err != nil {
		return nil, err
	}
	for _, f := range a.zr.File {
		if f.Name == "META-INF/signatures.xml" && !p.BreakSignatures {
			return nil, fmt.Errorf("epub: the publication carries META-INF/signatures.xml; changing its package document breaks signatures over it: %w", ErrCannotEmbed)
		}
	}
	doc, err := scan(a.doc)
	if err != nil {
		return nil, fmt.Errorf("epub: %s: %w", a.opfPath, err)
	}
	if doc.metadataSelfClosing {
		return nil, fmt.Errorf("epub: %s: the metadata element is empty: %w", a.opfPath, ErrMalformed)
	}
	opf := rewrite(a.doc, doc, p)
	var out bytes.Buffer
	w := zip.NewWriter(&out)
	for _, f := range a.zr.File {
		if f != a.opf {
			if err := w.Copy(f); err != nil {
				return nil, fmt.Errorf("epub: copy %s: %w", f.Name, err)
			}
			continue
		}
		fh := &zip.FileHeader{Name: f.Name, Comment: f.Comment, Method: f.Method, Modified: f.Modified,
			ExternalAttrs: f.ExternalAttrs, CreatorVersion: f.CreatorVersion, NonUTF8: f.NonUTF8}
		fw, err := w.CreateHeader(fh)
		if err != nil {
			return nil, fmt.Errorf("epub: write %s: %w", f.Name, err)
		}
		if _, err := fw.Write(opf); err != nil {
			return nil, fmt.Errorf("epub: write %s: %w", f.Name, err)
		}
	}
	if err := w.SetComment(a.zr.Comment); err != nil {
		return nil, fmt.Errorf("epub: %w", err)
	}
	if err := w.Close(); err != nil {
		return nil, fmt.Errorf("epub: %w", err)
	}
	return out.Bytes(), nil
}

type edit struct {
	start, end int
	text       string
}

// rewrite returns the package document with p's meta elements in place of
// the old ones, and for EPUB 3 the tdm: prefix declared.
func rewrite(b []byte, doc *opfDoc, p Properties) []byte {
	var edits []edit
	for _, m := range doc.metas {
		start := m.start
		// Take the element's own line with it when it stands alone.
		if i := bytes.LastIndexByte(b[:start], '\n'); i >= 0 && len(bytes.TrimSpace(b[i+1:start])) == 0 {
			start = i
		}
		edits = append(edits, edit{start, m.end, ""})
	}
	epub3 := strings.HasPrefix(strings.TrimSpace(doc.version), "3")
	indent := "\n    "
	if i := bytes.LastIndexByte(b[:doc.metadataEnd], '\n'); i >= 0 {
		if ws := b[i+1 : doc.metadataEnd]; len(bytes.TrimSpace(ws)) == 0 {
			indent = "\n" + string(ws) + "  "
		}
	}
	res := "0"
	if p.Reserved {
		res = "1"
	}
	var ins strings.Builder
	if epub3 {
		ins.WriteString(indent + `<meta property="tdm:reservation">` + res + `</meta>`)
		if p.Policy != "" {
			ins.WriteString(indent + `<meta property="tdm:policy">` + escape(p.Policy) + `</meta>`)
		}
	} else {
		ins.WriteString(indent + `<meta name="tdm:reservation" content="` + res + `"/>`)
		if p.Policy != "" {
			ins.WriteString(indent + `<meta name="tdm:policy" content="` + escape(p.Policy) + `"/>`)
		}
	}
	// Insert before the white space that precedes </metadata>.
	at := doc.metadataEnd
	for at > 0 && (b[at-1] == ' ' || b[at-1] == '\t' || b[at-1] == '\n' || b[at-1] == '\r') {
		at--
	}
	edits = append(edits, edit{at, at, ins.String()})
	if epub3 && !doc.declared {
		edits = append(edits, edit{doc.pkgStart, doc.pkgEnd, packageTag(b[doc.pkgStart:doc.pkgEnd], doc.pkg)})
	}
	sort.SliceStable(edits, func(i, j int) bool { return edits[i].start < edits[j].start })
	var out bytes.Buffer
	pos := 0
	for _, e := range edits {
		if e.start < pos {
			e.start = pos
		}
		out.Write(b[pos:e.start])
		out.WriteString(e.text)
		pos = max(pos, e.end)
	}
	out.Write(b[pos:])
	return out.Bytes()
}

// packageTag returns the package start tag with tdm: mapped to NSTDMRep
// in its prefix attribute (added when absent; an existing tdm: mapping is
// replaced). A tag without a prefix attribute keeps its bytes.
func packageTag(raw []byte, t xml.StartElement) string {
	for _, a := range t.Attr {
		if a.Name.Space == "" && a.Name.Local == "prefix" {
			f := strings.Fields(a.Value)
			var kept []string
			for i := 0; i+1 < len(f); i += 2 {
				if strings.TrimSuffix(f[i], ":") != "tdm" {
					kept = append(kept, f[i], f[i+1])
				}
			}
			kept = append(kept, "tdm:", NSTDMRep)
			return startTag(t, strings.Join(kept, " "))
		}
	}
	end := len(raw) - 1
	if bytes.HasSuffix(raw, []byte("/>")) {
		end--
	}
	return string(raw[:end]) + ` prefix="tdm: ` + NSTDMRep + `"` + string(raw[end:])
}

// startTag writes t again with its prefix attribute set to prefix.
func startTag(t xml.StartElement, prefix string) string {
	qname := func(n xml.Name) string {
		if n.Space == "" {
			return n.Local
		}
		return n.Space + ":" + n.Local
	}
	var b strings.Builder
	b.WriteString("<" + qname(t.Name))
	for _, a := range t.Attr {
		v := a.Value
		if a.Name.Space == "" && a.Name.Local == "prefix" {
			v = prefix
		}
		b.WriteString(" " + qname(a.Name) + `="` + escape(v) + `"`)
	}
	b.WriteString(">")
	return b.String()
}

func escape(s string) string {
	var b strings.Builder
	xml.EscapeText(&b, []byte(s))
	return b.String()
}
