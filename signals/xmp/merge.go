package xmp

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
)

// dropIPTC selects the properties a Reservation replaces.
func dropIPTC(space, local string) bool {
	return space == NSPlus && (local == "DataMining" || local == "OtherConstraints")
}

// dropTDM selects the properties a TDM replaces, in every namespace read
// as TDMRep's.
func dropTDM(space, local string) bool {
	return tdmProperty(xml.Name{Space: space, Local: local})
}

// mergeDescriptions returns packet with every property drop selects
// removed (as an element or as an attribute) and descs added as new
// rdf:Description elements at the end of rdf:RDF. All other bytes of the
// packet are kept as they were. The packet must be well-formed XML with an
// rdf:RDF element; namespaces are compared by URI.
func mergeDescriptions(packet []byte, drop func(space, local string) bool, descs ...string) ([]byte, error) {
	if len(packet) > MaxPacketSize {
		return nil, fmt.Errorf("embed xmp: packet of %d bytes over %d: %w", len(packet), MaxPacketSize, ErrTooLarge)
	}
	d := xml.NewDecoder(bytes.NewReader(packet))
	d.CharsetReader = charsetReader
	var out bytes.Buffer
	// scopes[i] maps the prefixes declared on the i-th open element.
	var scopes []map[string]string
	resolve := func(prefix string) string {
		if prefix == "xml" {
			return NSXML
		}
		for i := len(scopes) - 1; i >= 0; i-- {
			if u, ok := scopes[i][prefix]; ok {
				return u
			}
		}
		return ""
	}
	dropped := func(n xml.Name) bool { return drop(resolve(n.Space), n.Local) }
	skip := 0 // depth inside a dropped element
	inserted := false
	for n := 0; ; n++ {
		if n >= MaxXMLTokens {
			return nil, fmt.Errorf("embed xmp: more than %d XML tokens: %w", MaxXMLTokens, ErrTooLarge)
		}
		start := d.InputOffset()
		tok, err := d.RawToken()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("embed xmp: existing packet is not well formed: %v: %w", err, ErrMalformed)
		}
		end := d.InputOffset()
		switch t := tok.(type) {
		case xml.StartElement:
			if len(scopes) >= MaxXMLDepth {
				return nil, fmt.Errorf("embed xmp: XML nested deeper than %d: %w", MaxXMLDepth, ErrTooLarge)
			}
			sc := map[string]string{}
			for _, a := range t.Attr {
				switch {
				case a.Name.Space == "xmlns":
					sc[a.Name.Local] = a.Value
				case a.Name.Space == "" && a.Name.Local == "xmlns":
					sc[""] = a.Value
				}
			}
			scopes = append(scopes, sc)
			if skip > 0 {
				skip++
				continue
			}
			if dropped(t.Name) {
				skip = 1
				continue
			}
			keep := t.Attr[:0:0]
			for _, a := range t.Attr {
				if a.Name.Space != "" && a.Name.Space != "xmlns" && dropped(a.Name) {
					continue
				}
				keep = append(keep, a)
			}
			if len(keep) == len(t.Attr) {
				out.Write(packet[start:end])
				continue
			}
			writeStart(&out, t.Name, keep, bytes.HasSuffix(packet[start:end], []byte("/>")))
		case xml.EndElement:
			if len(scopes) == 0 {
				return nil, fmt.Errorf("embed xmp: unbalanced end element: %w", ErrMalformed)
			}
			if skip > 0 {
				skip--
				scopes = scopes[:len(scopes)-1]
				continue
			}
			if !inserted && resolve(t.Name.Space) == NSRDF && t.Name.Local == "RDF" {
				for _, desc := range descs {
					out.WriteString(desc)
					out.WriteByte('\n')
				}
				inserted = true
			}
			scopes = scopes[:len(scopes)-1]
			out.Write(packet[start:end])
		default:
			if skip == 0 {
				out.Write(packet[start:end])
			}
		}
	}
	if !inserted {
		return nil, fmt.Errorf("embed xmp: existing packet has no rdf:RDF element: %w", ErrMalformed)
	}
	return out.Bytes(), nil
}

// writeStart writes a start tag with its raw (prefixed) names.
func writeStart(w *bytes.Buffer, name xml.Name, attrs []xml.Attr, selfClosing bool) {
	qname := func(n xml.Name) string {
		if n.Space == "" {
			return n.Local
		}
		return n.Space + ":" + n.Local
	}
	w.WriteString("<" + qname(name))
	for _, a := range attrs {
		w.WriteString(" " + qname(a.Name) + `="`)
		xml.EscapeText(w, []byte(a.Value))
		w.WriteString(`"`)
	}
	if selfClosing {
		w.WriteString("/>")
	} else {
		w.WriteString(">")
	}
}

// emptyPacket is a packet with an empty rdf:RDF, to merge into.
const emptyPacket = "<?xpacket begin=\"\uFEFF\" id=\"W5M0MpCehiHzreSzNTczkc9d\"?>\n" +
	`<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="` + NSRDF + `">` + "\n" +
	"</rdf:RDF></x:xmpmeta>\n<?xpacket end=\"w\"?>"
