// Package epub reads and writes the W3C TDM Reservation Protocol
// properties of an EPUB publication (TDMRep, Final Community Group Report
// 2024-05-10, §"EPUB"; askfirst's signals digest §3.2): tdm:reservation and
// tdm:policy in the package document's metadata, written
//
//   - in EPUB 3 as <meta property="tdm:reservation">1</meta>, the prefix
//     declared on the package element as tdm: http://www.w3.org/ns/tdmrep#;
//   - in EPUB 2 as <meta name="tdm:reservation" content="1"/>.
//
// The package document is the first rootfile that META-INF/container.xml
// names (EPUB Open Container Format 3.3 §4.2.6.3.1). The properties cover
// the whole publication; TDMRep defines no per-part rights, so a meta
// element that refines another element is ignored with a warning.
//
// Read is lenient with reservations, as the digest asks (§14.6): both
// forms are read in either EPUB version, and a "tdm:" property whose
// prefix the package does not declare is read with a warning. Embed
// rewrites only the package document: every other entry of the ZIP
// container is copied with its compressed bytes unchanged, the mimetype
// entry first and stored.
//
// It does not validate EPUB, decrypt resources, or map the properties to
// askfirst's uses (package signals: reserved denies training and AI input,
// digest §3.5). All functions are pure and safe for concurrent use.
package epub

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"path"
	"strings"
)

// Caps on untrusted input.
const (
	// MaxEntries caps the entries of the ZIP container.
	MaxEntries = 1 << 16
	// MaxPackage caps the package document and container.xml.
	MaxPackage = 4 << 20
	// MaxMetas caps the meta elements read.
	MaxMetas = 4096
)

// MediaType is the content of an EPUB's mimetype entry.
const MediaType = "application/epub+zip"

// NSTDMRep is the IRI the tdm: prefix maps to in EPUB 3.
const NSTDMRep = "http://www.w3.org/ns/tdmrep#"

// Errors; every error returned wraps one of them.
var (
	// ErrNotEPUB: not a ZIP container with an EPUB package document.
	ErrNotEPUB = errors.New("not an EPUB publication")
	// ErrMalformed: the container or package document is broken.
	ErrMalformed = errors.New("malformed EPUB")
	// ErrTooLarge: a size or count exceeds one of the caps.
	ErrTooLarge = errors.New("exceeds limit")
)

// IsEPUB reports whether data looks like an EPUB container: a ZIP file
// whose first entry is the mimetype (OCF 3.3 §4.3), or a ZIP with the
// media type somewhere in its first bytes.
func IsEPUB(data []byte) bool {
	return bytes.HasPrefix(data, []byte("PK\x03\x04")) && bytes.Contains(data[:min(len(data), 256)], []byte(MediaType))
}

// Result is what Read found.
type Result struct {
	// Version is the package element's version attribute ("3.0", "2.0").
	Version string `json:"version"`
	// Package is the path of the package document in the container.
	Package string `json:"package"`
	// Reservation and Policy hold the tdm:reservation and tdm:policy
	// values in document order.
	Reservation []string `json:"reservation,omitempty"`
	Policy      []string `json:"policy,omitempty"`
	// Warnings: lenient readings, ignored refinements.
	Warnings []string `json:"warnings,omitempty"`
}

// archive opens the container and its package document.
type archive struct {
	zr      *zip.Reader
	opf     *zip.File
	opfPath string
	doc     []byte
	warn    []string
}

func open(data []byte) (*archive, error) {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, fmt.Errorf("epub: %v: %w", err, ErrNotEPUB)
	}
	if len(zr.File) > MaxEntries {
		return nil, fmt.Errorf("epub: %d entries, over %d: %w", len(zr.File), MaxEntries, ErrTooLarge)
	}
	a := &archive{zr: zr}
	if len(zr.File) == 0 || zr.File[0].Name != "mimetype" {
		a.warn = append(a.warn, "the first entry is not mimetype (OCF §4.3)")
	}
	var container *zip.File
	byName := map[string]*zip.File{}
	for _, f := range zr.File {
		byName[f.Name] = f
		if f.Name == "META-INF/container.xml" {
			container = f
		}
	}
	if container == nil {
		return nil, fmt.Errorf("epub: no META-INF/container.xml: %w", ErrNotEPUB)
	}
	cx, err := readEntry(container)
	if err != nil {
		return nil, err
	}
	var c struct {
		Rootfiles []struct {
			FullPath  string `xml:"full-path,attr"`
			MediaType string `xml:"media-type,attr"`
		} `xml:"rootfiles>rootfile"`
	}
	if err := xml.Unmarshal(cx, &c); err != nil {
		return nil, fmt.Errorf("epub: META-INF/container.xml: %v: %w", err, ErrMalformed)
	}
	for _, r := range c.Rootfiles {
		if r.MediaType == "" || r.MediaType == "application/oebps-package+xml" {
			a.opfPath = path.Clean(strings.TrimPrefix(r.FullPath, "/"))
			break
		}
	}
	if a.opfPath == "" {
		return nil, fmt.Errorf("epub: container.xml names no package document: %w", ErrMalformed)
	}
	if a.opf = byName[a.opfPath]; a.opf == nil {
		return nil, fmt.Errorf("epub: package document %s is missing: %w", a.opfPath, ErrMalformed)
	}
	if a.doc, err = readEntry(a.opf); err != nil {
		return nil, err
	}
	return a, nil
}

// readEntry reads one entry of at most MaxPackage bytes.
func readEntry(f *zip.File) ([]byte, error) {
	if f.UncompressedSize64 > MaxPackage {
		return nil, fmt.Errorf("epub: %s is %d bytes, over %d: %w", f.Name, f.UncompressedSize64, MaxPackage, ErrTooLarge)
	}
	r, err := f.Open()
	if err != nil {
		return nil, fmt.Errorf("epub: %s: %v: %w", f.Name, err, ErrMalformed)
	}
	defer r.Close()
	b, err := io.ReadAll(io.LimitReader(r, MaxPackage+1))
	if err != nil {
		return nil, fmt.Errorf("epub: %s: %v: %w", f.Name, err, ErrMalformed)
	}
	if len(b) > MaxPackage {
		return nil, fmt.Errorf("epub: %s inflates past %d bytes: %w", f.Name, MaxPackage, ErrTooLarge)
	}
	return b, nil
}

// Read returns the TDMRep properties of an EPUB publication.
func Read(data []byte) (*Result, error) {
	a, err := open(data)
	if err != nil {
		return nil, err
	}
	doc, err := scan(a.doc)
	if err != nil {
		return nil, fmt.Errorf("epub: %s: %w", a.opfPath, err)
	}
	r := &Result{Version: doc.version, Package: a.opfPath, Warnings: append(a.warn, doc.warnings...)}
	for _, m := range doc.metas {
		switch m.prop {
		case "reservation":
			r.Reservation = append(r.Reservation, m.value)
		case "policy":
			r.Policy = append(r.Policy, m.value)
		}
	}
	return r, nil
}

// opfMeta is one TDMRep meta element of the package document.
type opfMeta struct {
	prop       string // "reservation" or "policy"
	value      string
	start, end int // byte range of the element, end tag included
}

// opfDoc is what scan found in a package document.
type opfDoc struct {
	version  string
	prefix   string // the package element's prefix attribute
	declared bool   // the prefix attribute maps tdm: to NSTDMRep
	metas    []opfMeta
	warnings []string
	// pkg is the package start tag, at pkgStart..pkgEnd.
	pkg              xml.StartElement
	pkgStart, pkgEnd int
	// metadataEnd is the offset of the metadata end tag.
	metadataEnd         int
	metadataSelfClosing bool
}

// scan walks the package document with offsets, for Read and Embed.
func scan(b []byte) (*opfDoc, error) {
	d := xml.NewDecoder(bytes.NewReader(b))
	d.Strict = true
	doc := &opfDoc{pkgStart: -1, metadataEnd: -1}
	depth := 0
	inMetadata := 0 // depth of the metadata element, 0 outside
	var open *opfMeta
	var text strings.Builder
	prefixes := map[string]string{}
	for n := 0; ; n++ {
		if n > 1<<20 {
			return nil, fmt.Errorf("more than %d XML tokens: %w", 1<<20, ErrTooLarge)
		}
		start := int(d.InputOffset())
		tok, err := d.RawToken()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("package document not well formed: %v: %w", err, ErrMalformed)
		}
		end := int(d.InputOffset())
		switch t := tok.(type) {
		case xml.StartElement:
			depth++
			selfClosing := bytes.HasSuffix(b[start:end], []byte("/>"))
			switch {
			case depth == 1 && t.Name.Local == "package":
				for _, at := range t.Attr {
					switch {
					case at.Name.Space == "" && at.Name.Local == "version":
						doc.version = at.Value
					case at.Name.Space == "" && at.Name.Local == "prefix":
						doc.prefix = at.Value
						f := strings.Fields(at.Value)
						for i := 0; i+1 < len(f); i += 2 {
							prefixes[strings.TrimSuffix(f[i], ":")] = f[i+1]
						}
					}
				}
				doc.pkg, doc.pkgStart, doc.pkgEnd = t.Copy(), start, end
				doc.declared = prefixes["tdm"] == NSTDMRep
			case depth == 2 && t.Name.Local == "metadata":
				inMetadata = depth
				if selfClosing {
					doc.metadataSelfClosing = true
					doc.metadataEnd = start
				}
			case inMetadata > 0 && depth == inMetadata+1 && t.Name.Local == "meta":
				m, ok := doc.metaElement(t, prefixes)
				if !ok {
					break
				}
				if len(doc.metas) >= MaxMetas {
					return nil, fmt.Errorf("more than %d TDMRep meta elements: %w", MaxMetas, ErrTooLarge)
				}
				m.start = start
				if selfClosing {
					m.end = end
					doc.metas = append(doc.metas, m)
				} else {
					open = &m
					text.Reset()
				}
			}
		case xml.EndElement:
			if open != nil && depth == inMetadata+1 {
				if open.value == "" {
					open.value = strings.TrimSpace(text.String())
				}
				open.end = end
				doc.metas = append(doc.metas, *open)
				open = nil
			}
			if inMetadata > 0 && depth == inMetadata {
				if !doc.metadataSelfClosing {
					doc.metadataEnd = start
				}
				inMetadata = 0
			}
			depth--
		case xml.CharData:
			if open != nil {
				text.Write(t)
			}
		}
	}
	if doc.pkgStart < 0 {
		return nil, fmt.Errorf("no package element: %w", ErrMalformed)
	}
	if doc.metadataEnd < 0 {
		return nil, fmt.Errorf("no metadata element: %w", ErrMalformed)
	}
	return doc, nil
}

// metaElement reads a meta element naming a TDMRep property, in EPUB 3
// (property, text content) or EPUB 2 (name, content) form.
func (doc *opfDoc) metaElement(t xml.StartElement, prefixes map[string]string) (opfMeta, bool) {
	var property, name, content, refines string
	for _, a := range t.Attr {
		if a.Name.Space != "" {
			continue
		}
		switch a.Name.Local {
		case "property":
			property = strings.TrimSpace(a.Value)
		case "name":
			name = strings.TrimSpace(a.Value)
		case "content":
			content = a.Value
		case "refines":
			refines = a.Value
		}
	}
	var m opfMeta
	switch {
	case property != "":
		pfx, local, ok := strings.Cut(property, ":")
		if !ok || (local != "reservation" && local != "policy") {
			return m, false
		}
		iri, declared := prefixes[pfx]
		switch {
		case declared && iri == NSTDMRep:
		case declared && strings.TrimRight(iri, "#/") == strings.TrimRight(NSTDMRep, "#"):
			doc.warnings = append(doc.warnings, fmt.Sprintf("prefix %s: is %s; TDMRep specifies %s", pfx, iri, NSTDMRep))
		case !declared && pfx == "tdm":
			doc.warnings = append(doc.warnings, "property tdm:"+local+" without a tdm: prefix declared on the package element; read as TDMRep's")
		default:
			return m, false
		}
		m.prop = local
	case strings.HasPrefix(name, "tdm:"):
		local := strings.TrimPrefix(name, "tdm:")
		if local != "reservation" && local != "policy" {
			return m, false
		}
		m.prop, m.value = local, strings.TrimSpace(content)
	default:
		return m, false
	}
	if refines != "" {
		doc.warnings = append(doc.warnings, fmt.Sprintf("tdm:%s refines %s: TDMRep defines no per-part rights; ignored", m.prop, refines))
		return m, false
	}
	return m, true
}
