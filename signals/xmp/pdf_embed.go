package xmp

import (
	"bytes"
	"crypto/md5"
	"errors"
	"fmt"

	"github.com/askfirst/askfirst/signals/internal/pdf"
)

// PDFMetadata is what EmbedPDF writes: the IPTC Data Mining reservation,
// the TDMRep properties, or both. A nil part leaves the file's existing
// properties of that kind as they are.
type PDFMetadata struct {
	IPTC *Reservation
	TDM  *TDM
}

// EmbedPDF returns doc with m written into its document metadata stream,
// as an incremental update (ISO 32000-1 §7.5.6): the original bytes are
// kept unchanged and followed by a new version of the metadata stream (the
// existing packet merged, so other metadata is kept), a new catalog when
// the document had no metadata stream, and a cross-reference section of
// the same kind as the file's newest one (a table, or a stream). Existing
// signatures keep covering the bytes they signed.
//
// It refuses, with an error wrapping ErrCannotEmbed, an encrypted file, a
// file whose certification signature permits no changes (DocMDP /P 1), and
// a file whose metadata stream it cannot decode (writing a new one would
// lose its content). A file whose structure cannot be read is an error
// wrapping ErrMalformed; the result is read back before it is returned.
func EmbedPDF(doc []byte, m PDFMetadata) ([]byte, error) {
	if m.IPTC == nil && m.TDM == nil {
		return nil, fmt.Errorf("embed xmp: nothing to write into the PDF")
	}
	if m.IPTC != nil {
		if err := m.IPTC.check(); err != nil {
			return nil, err
		}
	}
	f, err := pdf.Open(doc)
	if err != nil {
		return nil, fmt.Errorf("embed xmp: %v: %w", err, ErrMalformed)
	}
	if f.Encrypted() {
		return nil, fmt.Errorf("embed xmp: the PDF is encrypted: %w", ErrCannotEmbed)
	}
	cat, rootRef, err := f.Root()
	if err != nil {
		return nil, fmt.Errorf("embed xmp: %v: %w", err, ErrMalformed)
	}
	if p, err := docMDP(f, cat); err != nil {
		return nil, fmt.Errorf("embed xmp: certification signature unreadable (%v): %w", err, ErrCannotEmbed)
	} else if p == 1 {
		return nil, fmt.Errorf("embed xmp: the PDF's certification signature permits no changes (DocMDP /P 1): %w", ErrCannotEmbed)
	}
	old, ref, ok, err := f.Metadata(MaxPacketSize)
	if err != nil {
		return nil, fmt.Errorf("embed xmp: the existing metadata cannot be read (%v), so it cannot be kept: %w", err, ErrCannotEmbed)
	}
	packet := []byte(emptyPacket)
	if ok {
		packet = old
	}
	var descs []string
	drop := func(space, local string) bool {
		return m.IPTC != nil && dropIPTC(space, local) || m.TDM != nil && dropTDM(space, local)
	}
	if m.IPTC != nil {
		descs = append(descs, m.IPTC.description())
	}
	if m.TDM != nil {
		descs = append(descs, m.TDM.description())
	}
	packet, err = mergeDescriptions(packet, drop, descs...)
	if err != nil {
		return nil, err
	}
	stream := &pdf.Stream{Dict: &pdf.Dict{}, Raw: packet}
	stream.Dict.Set("Type", pdf.Name("Metadata"))
	stream.Dict.Set("Subtype", pdf.Name("XML"))
	var objs []pdf.Indirect
	if ok {
		// A new version of the same object: the catalog already names it.
		objs = append(objs, pdf.Indirect{Ref: ref, Object: stream})
	} else {
		ref = pdf.Ref{Num: f.Size()}
		cat = cat.Clone()
		cat.Set("Metadata", ref)
		objs = append(objs, pdf.Indirect{Ref: ref, Object: stream}, pdf.Indirect{Ref: rootRef, Object: cat})
	}
	sum := md5.Sum(append(append([]byte(nil), doc[:min(len(doc), 1<<20)]...), packet...))
	upd, err := f.Update(objs, sum[:])
	if err != nil {
		return nil, fmt.Errorf("embed xmp: %w", err)
	}
	out := make([]byte, 0, len(doc)+len(upd))
	out = append(append(out, doc...), upd...)
	// Read the result back: a file that does not say what was written is
	// never returned.
	g, err := pdf.Open(out)
	if err == nil {
		var got []byte
		if got, _, ok, err = g.Metadata(MaxPacketSize); err == nil && (!ok || !bytes.Equal(got, packet)) {
			err = errors.New("the metadata read back differs from what was written")
		}
	}
	if err != nil {
		return nil, fmt.Errorf("embed xmp: the updated PDF does not read back (%v): %w", err, ErrCannotEmbed)
	}
	return out, nil
}

// docMDP returns the /P of the document's certification signature (ISO
// 32000-1 §12.8.2.2), 0 when there is none.
func docMDP(f *pdf.File, cat *pdf.Dict) (int64, error) {
	perms, err := f.Get(cat.Get("Perms"))
	if err != nil || perms == nil {
		return 0, err
	}
	pd, ok := perms.(*pdf.Dict)
	if !ok {
		return 0, nil
	}
	sig, err := f.Get(pd.Get("DocMDP"))
	if err != nil || sig == nil {
		return 0, err
	}
	sd, ok := sig.(*pdf.Dict)
	if !ok {
		return 0, nil
	}
	refs, err := f.Get(sd.Get("Reference"))
	if err != nil {
		return 0, err
	}
	arr, _ := refs.([]pdf.Object)
	for _, r := range arr {
		ro, err := f.Get(r)
		if err != nil {
			return 0, err
		}
		rd, ok := ro.(*pdf.Dict)
		if !ok || rd.Get("TransformMethod") != pdf.Name("DocMDP") {
			continue
		}
		tp, err := f.Get(rd.Get("TransformParams"))
		if err != nil {
			return 0, err
		}
		if td, ok := tp.(*pdf.Dict); ok {
			if p, ok := td.Get("P").(int64); ok {
				return p, nil
			}
		}
		return 2, nil // the default (§12.8.2.2, Table 254)
	}
	return 0, nil
}
