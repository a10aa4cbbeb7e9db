package protect

import (
	"bytes"
	"errors"
	"fmt"
	"strings"

	"github.com/askfirst/askfirst/signals/epub"
	"github.com/askfirst/askfirst/signals/xmp"
)

// Formats Embed writes.
const (
	FormatJPEG = "jpeg"
	FormatPNG  = "png"
	FormatWebP = "webp"
	FormatTIFF = "tiff"
	FormatPDF  = "pdf"
	FormatEPUB = "epub"
)

// ErrUnsupported: Embed does not write this kind of file.
var ErrUnsupported = errors.New("unsupported file format")

// ErrInexpressible: the file's metadata formats cannot state any part of
// the policy exactly; the file is left as it is.
var ErrInexpressible = errors.New("the policy cannot be stated in this file's metadata")

// EmbedOptions are the consents Embed needs for files whose integrity
// data a change breaks.
type EmbedOptions struct {
	// BreakC2PA allows writing into a file with a C2PA manifest, whose
	// hard binding any change breaks.
	BreakC2PA bool
	// BreakSignatures allows writing into an EPUB with
	// META-INF/signatures.xml.
	BreakSignatures bool
}

// Embedded is a file with the policy written into it.
type Embedded struct {
	// Data is the new file.
	Data []byte
	// Format is one of the Format* names.
	Format string
	// Wrote lists the properties written, as "plus:DataMining
	// http://ns.useplus.org/ldf/vocab/DMI-PROHIBITED".
	Wrote []string
	// Warnings say what the file's formats cannot state, and what was
	// replaced.
	Warnings []Warning
}

// Detect returns the Format* name of a file Embed writes, "" for others.
func Detect(data []byte) string {
	switch {
	case bytes.HasPrefix(data, []byte{0xFF, 0xD8, 0xFF}):
		return FormatJPEG
	case bytes.HasPrefix(data, []byte("\x89PNG\r\n\x1a\n")):
		return FormatPNG
	case len(data) >= 12 && string(data[:4]) == "RIFF" && string(data[8:12]) == "WEBP":
		return FormatWebP
	case bytes.HasPrefix(data, []byte("II*\x00")), bytes.HasPrefix(data, []byte("MM\x00*")),
		bytes.HasPrefix(data, []byte("II+\x00")), bytes.HasPrefix(data, []byte("MM\x00+")):
		return FormatTIFF
	case bytes.Contains(data[:min(len(data), 1024)], []byte("%PDF-")):
		return FormatPDF
	case epub.IsEPUB(data):
		return FormatEPUB
	}
	return ""
}

// Embed writes p into data without re-encoding anything: IPTC
// plus:DataMining (with plus:OtherConstraints naming the licence) into the
// XMP of JPEG, PNG, WebP, TIFF and PDF, and the TDMRep properties
// (tdm:reservation, tdm:policy set to the offer's terms) where TDMRep
// defines them, in PDF XMP and EPUB package metadata. Each is written only
// where it states the policy exactly (see the package doc); the rest is
// in the warnings. It returns an error wrapping ErrUnsupported for other
// files, ErrInexpressible when nothing can be written, and the embedding
// errors of packages xmp and epub (a damaged file, a C2PA manifest or
// signature not to break, an encrypted PDF).
func Embed(data []byte, p Policy, o EmbedOptions) (*Embedded, error) {
	q, warns, err := p.Normalize()
	if err != nil {
		return nil, err
	}
	x := q.express()
	e := &Embedded{Format: Detect(data), Warnings: warns}
	keep := func(formats ...string) {
		for _, w := range x.warnings {
			for _, f := range formats {
				if w.Format == f {
					e.Warnings = append(e.Warnings, w)
				}
			}
		}
	}
	var res *xmp.Reservation
	if x.iptc != "" {
		res = &xmp.Reservation{DataMining: x.iptc, BreakC2PA: o.BreakC2PA}
		if q.Licensed() {
			res.OtherConstraints = otherConstraints(q)
		}
	}
	var tdm *xmp.TDM
	if x.tdm != nil {
		tdm = &xmp.TDM{Reserved: x.tdm.reserved}
		if x.tdm.policy {
			tdm.Policy = q.Offer.Terms
		}
	}
	e.replaced(data, res, tdm)
	switch e.Format {
	case FormatJPEG, FormatPNG, FormatWebP, FormatTIFF:
		keep("iptc")
		if res == nil {
			return nil, fmt.Errorf("%s: IPTC Data Mining cannot state %s exactly: %w", e.Format, q, ErrInexpressible)
		}
		embed := map[string]func([]byte, xmp.Reservation) ([]byte, error){
			FormatJPEG: xmp.EmbedJPEG, FormatPNG: xmp.EmbedPNG, FormatWebP: xmp.EmbedWebP, FormatTIFF: xmp.EmbedTIFF,
		}[e.Format]
		e.Data, err = embed(data, *res)
	case FormatPDF:
		keep("iptc", "tdmrep")
		if res == nil && tdm == nil {
			return nil, fmt.Errorf("pdf: neither IPTC Data Mining nor TDMRep can state %s exactly: %w", q, ErrInexpressible)
		}
		e.Data, err = xmp.EmbedPDF(data, xmp.PDFMetadata{IPTC: res, TDM: tdm})
		if bytes.Contains(data, []byte("http://www.aiim.org/pdfa/ns/id/")) {
			e.Warnings = append(e.Warnings, Warning{"pdf", "the file claims PDF/A conformance, and plus: and tdm: are not PDF/A predefined schemas: a PDF/A validator will flag them unless an extension schema describes them"})
		}
	case FormatEPUB:
		keep("tdmrep")
		if tdm == nil {
			return nil, fmt.Errorf("epub: TDMRep cannot state %s exactly: %w", q, ErrInexpressible)
		}
		res = nil
		e.Data, err = epub.Embed(data, epub.Properties{Reserved: tdm.Reserved, Policy: tdm.Policy, BreakSignatures: o.BreakSignatures})
	default:
		return nil, fmt.Errorf("not JPEG, PNG, WebP, TIFF, PDF or EPUB: %w", ErrUnsupported)
	}
	if err != nil {
		return nil, err
	}
	if res != nil {
		e.Wrote = append(e.Wrote, "plus:DataMining "+res.DataMining.URI())
		if res.OtherConstraints != "" {
			e.Wrote = append(e.Wrote, "plus:OtherConstraints "+res.OtherConstraints)
		}
	}
	if tdm != nil && e.Format != FormatJPEG && e.Format != FormatPNG && e.Format != FormatWebP && e.Format != FormatTIFF {
		v := "0"
		if tdm.Reserved {
			v = "1"
		}
		e.Wrote = append(e.Wrote, "tdm:reservation "+v)
		if tdm.Policy != "" {
			e.Wrote = append(e.Wrote, "tdm:policy "+tdm.Policy)
		}
	}
	return e, nil
}

// otherConstraints is the plus:OtherConstraints text naming the licence.
func otherConstraints(p Policy) string {
	s := "AI-use licence: " + p.Offer.Terms
	if p.Offer.Price != "" {
		s += fmt.Sprintf(" (%s %s per item)", p.Offer.Price, p.Offer.Currency)
	}
	return s
}

// replaced warns about existing values that differ from what is written.
func (e *Embedded) replaced(data []byte, res *xmp.Reservation, tdm *xmp.TDM) {
	newTDM := ""
	if tdm != nil {
		newTDM = map[bool]string{true: "1", false: "0"}[tdm.Reserved]
	}
	var old []string
	oldTDM := func(v string) {
		if newTDM != "" && v != newTDM {
			old = append(old, "tdm:reservation "+v)
		}
	}
	switch e.Format {
	case FormatEPUB:
		if r, err := epub.Read(data); err == nil {
			for _, v := range r.Reservation {
				oldTDM(v)
			}
		}
	case FormatJPEG, FormatPNG, FormatWebP, FormatTIFF, FormatPDF:
		if r, _ := xmp.Read(data); r != nil {
			for _, s := range r.DataMining {
				if res != nil && s.Value != res.DataMining {
					old = append(old, "plus:DataMining "+s.Raw)
				}
			}
			for _, t := range r.TDM {
				for _, v := range t.Reservation {
					oldTDM(v.Value)
				}
			}
		}
	}
	if len(old) > 0 {
		e.Warnings = append(e.Warnings, Warning{e.Format, "the file said " + strings.Join(old, ", ") + " before; replaced"})
	}
}
