package xmp

import (
	"bytes"
	"errors"
	"fmt"

	"github.com/askfirst/askfirst/signals/internal/pdf"
)

// ContainerPDF: a PDF file, whose document metadata is the stream the
// catalog's /Metadata names (ISO 32000-1 §14.3.2; XMP Part 3 §2.2).
const ContainerPDF = "pdf"

// isPDF reports a PDF header within the first 1024 bytes, where readers
// look for it.
func isPDF(data []byte) bool {
	return bytes.Contains(data[:min(len(data), 1024)], []byte("%PDF-"))
}

// extractPDF returns the document's XMP packet: the newest version of the
// catalog's metadata stream, through every incremental update, so that a
// superseded packet still present in the file's bytes is not read. Page
// and image metadata describe parts, not the document, and are skipped. A
// file whose structure cannot be read is searched by packet scanning, with
// the structural error returned.
func extractPDF(data []byte) ([]Packet, error) {
	f, err := pdf.Open(data)
	if err != nil {
		return scanFallback(data, err)
	}
	if f.Encrypted() {
		if enc, _ := f.Get(f.Trailer.Get("Encrypt")); enc != nil {
			if d, ok := enc.(*pdf.Dict); !ok || d.Get("EncryptMetadata") != false {
				return nil, fmt.Errorf("read pdf: the file is encrypted and so is its metadata: %w", ErrMalformed)
			}
		}
	}
	meta, ref, ok, err := f.Metadata(MaxPacketSize)
	if err != nil {
		if errors.Is(err, pdf.ErrTooLarge) {
			return nil, fmt.Errorf("read %v: %w", err, ErrTooLarge)
		}
		return scanFallback(data, err)
	}
	if !ok {
		return nil, nil
	}
	p := Packet{
		Location: Location{Container: ContainerPDF, Segment: fmt.Sprintf("Metadata stream %d %d R", ref.Num, ref.Gen), Offset: f.Offset(ref)},
		Data:     meta,
		Warnings: f.Warnings,
	}
	return []Packet{p}, nil
}

// scanFallback reads a PDF whose structure is broken by packet scanning:
// what it finds counts (a reservation is still one), and the structural
// error is returned, so that the caller knows newer metadata may exist.
func scanFallback(data []byte, cause error) ([]Packet, error) {
	packets, err := scanPackets(data)
	for i := range packets {
		packets[i].Warnings = append(packets[i].Warnings, fmt.Sprintf("PDF structure unreadable (%v); packet found by scanning may be superseded", cause))
	}
	if err == nil {
		err = fmt.Errorf("read %v: %w", cause, ErrMalformed)
	}
	return packets, err
}
