package xmp

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf16"
)

// Caps on the XML of one packet.
const (
	// MaxXMLDepth caps the element nesting of a packet.
	MaxXMLDepth = 256
	// MaxXMLTokens caps the XML tokens read from one packet.
	MaxXMLTokens = 1 << 20
	// MaxValues caps the DataMining and OtherConstraints values kept from
	// one packet.
	MaxValues = 64
)

// Properties are the rights properties found in one XMP packet.
type Properties struct {
	// DataMining holds every plus:DataMining value as written (attribute,
	// rdf:resource, text or list item), in document order.
	DataMining []string
	// OtherConstraints holds every plus:OtherConstraints item.
	OtherConstraints []LangText
	// HasExtendedXMP is the xmpNote:HasExtendedXMP GUID, if any.
	HasExtendedXMP string
	// Title and Description hold the items of dc:title and
	// dc:description (Dublin Core language alternatives), for callers that
	// name a work after its embedded title.
	Title, Description []LangText
	// TDMReservation and TDMPolicy hold every tdm:reservation and
	// tdm:policy value (W3C TDMRep, PDF; see tdm.go), in document order.
	TDMReservation, TDMPolicy []TDMValue
	// Warnings about the packet, such as XML read in lenient mode.
	Warnings []string
}

// LangText is one item of a language alternative.
type LangText struct {
	// Lang is the xml:lang of the item ("x-default", "en", or "").
	Lang string `json:"lang,omitempty"`
	// Text is the item's text, surrounding white space removed.
	Text string `json:"text"`
}

// ParsePacket reads the RDF/XML of one XMP packet and returns the Data Mining
// related properties in it. Namespaces are matched by URI, never by prefix.
//
// XML that is not well formed is read a second time in encoding/xml's
// lenient mode, with a warning. If even that fails, ParsePacket returns what
// it found before the error and an error wrapping ErrMalformed; it returns
// ErrTooLarge when the packet exceeds MaxPacketSize, MaxXMLDepth or
// MaxXMLTokens.
func ParsePacket(packet []byte) (*Properties, error) {
	if len(packet) > MaxPacketSize {
		return &Properties{}, fmt.Errorf("parse xmp: packet of %d bytes over %d: %w", len(packet), MaxPacketSize, ErrTooLarge)
	}
	packet = toUTF8(packet)
	props, err := parseRDF(packet, true)
	if err == nil || errors.Is(err, ErrTooLarge) {
		return props, err
	}
	lenient, lerr := parseRDF(packet, false)
	if lerr != nil {
		// Keep what the strict pass found; a value seen before the damage
		// still counts.
		if len(lenient.DataMining)+len(lenient.OtherConstraints) > len(props.DataMining)+len(props.OtherConstraints) {
			props = lenient
		}
		return props, fmt.Errorf("parse xmp: %v: %w", err, ErrMalformed)
	}
	lenient.Warnings = append(lenient.Warnings, fmt.Sprintf("XML not well formed (%v); read leniently", err))
	return lenient, nil
}

// toUTF8 converts a UTF-16 packet (XMP Part 1 §7.1 allows UTF-16 and
// UTF-32; UTF-16 is the one seen in files) to UTF-8.
func toUTF8(b []byte) []byte {
	var be bool
	switch {
	case bytes.HasPrefix(b, []byte{0xFE, 0xFF}), len(b) >= 2 && b[0] == 0 && b[1] != 0:
		be = true
	case bytes.HasPrefix(b, []byte{0xFF, 0xFE}), len(b) >= 2 && b[0] != 0 && b[1] == 0:
	default:
		return b
	}
	u := make([]uint16, 0, len(b)/2)
	for i := 0; i+1 < len(b); i += 2 {
		if be {
			u = append(u, uint16(b[i])<<8|uint16(b[i+1]))
		} else {
			u = append(u, uint16(b[i+1])<<8|uint16(b[i]))
		}
	}
	s := string(utf16.Decode(u))
	return []byte(strings.TrimPrefix(s, "\uFEFF"))
}

// charsetReader accepts the encodings an XMP packet may declare. UTF-16
// packets were converted before parsing, so their declaration is ignored.
func charsetReader(label string, input io.Reader) (io.Reader, error) {
	switch strings.ToLower(label) {
	case "utf-8", "utf8", "us-ascii", "ascii", "utf-16", "utf-16le", "utf-16be", "utf16":
		return input, nil
	case "iso-8859-1", "latin1", "latin-1", "windows-1252", "cp1252":
		b, err := io.ReadAll(io.LimitReader(input, MaxPacketSize))
		if err != nil {
			return nil, err
		}
		r := make([]rune, len(b))
		for i, c := range b {
			r[i] = rune(c)
		}
		return strings.NewReader(string(r)), nil
	}
	return nil, fmt.Errorf("unsupported encoding %q", label)
}

func isName(n xml.Name, space, local string) bool { return n.Space == space && n.Local == local }

func attr(e xml.StartElement, space, local string) (string, bool) {
	for _, a := range e.Attr {
		if isName(a.Name, space, local) {
			return a.Value, true
		}
	}
	return "", false
}

// capture collects the value of one property element.
type capture struct {
	prop  string // "DataMining", "OtherConstraints", "HasExtendedXMP", "title", "description", "reservation", "policy"
	space string
	depth int
	lang  string
	text  strings.Builder
	items []LangText
}

func (c *capture) flush() {
	if s := strings.TrimSpace(c.text.String()); s != "" {
		c.items = append(c.items, LangText{Lang: c.lang, Text: s})
	}
	c.text.Reset()
}

func parseRDF(packet []byte, strict bool) (*Properties, error) {
	p := &Properties{}
	d := xml.NewDecoder(bytes.NewReader(packet))
	d.Strict = strict
	d.CharsetReader = charsetReader
	if !strict {
		d.AutoClose = xml.HTMLAutoClose
		d.Entity = xml.HTMLEntity
	}
	depth := 0
	rootClosed := false
	var c *capture
	addDM := func(v string) {
		if len(p.DataMining) < MaxValues {
			p.DataMining = append(p.DataMining, v)
		}
	}
	addOC := func(t LangText) {
		if len(p.OtherConstraints) < MaxValues {
			p.OtherConstraints = append(p.OtherConstraints, t)
		}
	}
	for n := 0; ; n++ {
		if n >= MaxXMLTokens {
			return p, fmt.Errorf("parse xmp: more than %d XML tokens: %w", MaxXMLTokens, ErrTooLarge)
		}
		tok, err := d.Token()
		if err == io.EOF {
			if depth > 0 {
				return p, fmt.Errorf("unexpected end of packet inside an element")
			}
			return p, nil
		}
		if err != nil {
			if rootClosed {
				p.Warnings = append(p.Warnings, fmt.Sprintf("bytes after the XML root element ignored (%v)", err))
				return p, nil
			}
			return p, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			depth++
			if depth > MaxXMLDepth {
				return p, fmt.Errorf("parse xmp: XML nested deeper than %d: %w", MaxXMLDepth, ErrTooLarge)
			}
			if c != nil {
				if isName(t.Name, NSRDF, "li") {
					c.flush()
					c.lang, _ = attr(t, NSXML, "lang")
				}
				if r, ok := attr(t, NSRDF, "resource"); ok {
					c.items = append(c.items, LangText{Lang: c.lang, Text: strings.TrimSpace(r)})
				}
				continue
			}
			// Simple properties written as attributes (RDF/XML property
			// attributes), on rdf:Description or any node element.
			for _, a := range t.Attr {
				switch {
				case isName(a.Name, NSPlus, "DataMining"):
					addDM(strings.TrimSpace(a.Value))
				case isName(a.Name, NSPlus, "OtherConstraints"):
					addOC(LangText{Text: strings.TrimSpace(a.Value)})
				case isName(a.Name, NSXMPNote, "HasExtendedXMP"):
					p.HasExtendedXMP = strings.TrimSpace(a.Value)
				default:
					p.addTDM(a.Name, a.Value)
				}
			}
			switch {
			case isName(t.Name, NSPlus, "DataMining"), isName(t.Name, NSPlus, "OtherConstraints"),
				isName(t.Name, NSXMPNote, "HasExtendedXMP"), isName(t.Name, NSDC, "title"), isName(t.Name, NSDC, "description"),
				tdmProperty(t.Name):
				c = &capture{prop: t.Name.Local, space: t.Name.Space, depth: depth}
				c.lang, _ = attr(t, NSXML, "lang")
				if r, ok := attr(t, NSRDF, "resource"); ok {
					c.items = append(c.items, LangText{Text: strings.TrimSpace(r)})
				}
			}
		case xml.EndElement:
			if c != nil {
				if isName(t.Name, NSRDF, "li") {
					c.flush()
				}
				if depth == c.depth {
					c.flush()
					switch c.prop {
					case "DataMining":
						if len(c.items) == 0 {
							addDM("")
						}
						for _, it := range c.items {
							addDM(it.Text)
						}
					case "OtherConstraints":
						for _, it := range c.items {
							addOC(it)
						}
					case "HasExtendedXMP":
						if len(c.items) > 0 {
							p.HasExtendedXMP = c.items[0].Text
						}
					case "title":
						p.Title = append(p.Title, c.items[:min(len(c.items), MaxValues)]...)
					case "description":
						p.Description = append(p.Description, c.items[:min(len(c.items), MaxValues)]...)
					default:
						for _, it := range c.items {
							p.addTDM(xml.Name{Space: c.space, Local: c.prop}, it.Text)
						}
					}
					c = nil
				}
			}
			depth--
			rootClosed = depth == 0
		case xml.CharData:
			if c != nil {
				c.text.Write(t)
			}
		}
	}
}
