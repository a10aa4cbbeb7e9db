package xmp

import (
	"encoding/xml"
	"fmt"
	"strings"
)

// NSTDMRep is the namespace of the TDMRep properties in PDF XMP (W3C TDM
// Reservation Protocol, Final Community Group Report 2024-05-10, §"PDF";
// signals digest §3.2). Note the trailing slash where EPUB 3 writes "#".
const NSTDMRep = "http://www.w3.org/ns/tdmrep/"

// tdmNamespaces are the namespaces read as TDMRep's: the specified one,
// and, with a warning, the EPUB 3 spelling and a shortened one seen in
// deployed files (a reservation is read leniently, digest §14.6).
var tdmNamespaces = map[string]string{
	NSTDMRep:                       "",
	"http://www.w3.org/ns/tdmrep#": "TDMRep property in namespace http://www.w3.org/ns/tdmrep# (the EPUB 3 prefix); PDF XMP uses " + NSTDMRep,
	"http://www.w3.org/ns/tdm/":    "TDMRep property in namespace http://www.w3.org/ns/tdm/; TDMRep specifies " + NSTDMRep,
}

// TDMValue is one tdm:reservation or tdm:policy value as written.
type TDMValue struct {
	// Value is the property's text, white space trimmed.
	Value string `json:"value"`
	// Namespace is the namespace URI it was written in.
	Namespace string `json:"namespace"`
}

// TDMStatement is the TDMRep properties of one XMP packet.
type TDMStatement struct {
	// Reservation and Policy hold the tdm:reservation and tdm:policy
	// values, in document order (normally at most one each).
	Reservation []TDMValue `json:"reservation,omitempty"`
	Policy      []TDMValue `json:"policy,omitempty"`
	// Location is the packet they came from.
	Location Location `json:"location"`
	// Warnings: another namespace than TDMRep's, a container TDMRep does
	// not define XMP properties for, the packet's own warnings.
	Warnings []string `json:"warnings,omitempty"`
}

// tdmProperty reports whether n is tdm:reservation or tdm:policy in one of
// the namespaces read.
func tdmProperty(n xml.Name) bool {
	_, ok := tdmNamespaces[n.Space]
	return ok && (n.Local == "reservation" || n.Local == "policy")
}

// addTDM records a tdm:reservation or tdm:policy value; other names are
// ignored.
func (p *Properties) addTDM(n xml.Name, v string) {
	if !tdmProperty(n) {
		return
	}
	tv := TDMValue{Value: strings.TrimSpace(v), Namespace: n.Space}
	if n.Local == "reservation" && len(p.TDMReservation) < MaxValues {
		p.TDMReservation = append(p.TDMReservation, tv)
	}
	if n.Local == "policy" && len(p.TDMPolicy) < MaxValues {
		p.TDMPolicy = append(p.TDMPolicy, tv)
	}
}

// tdmStatement returns the TDMRep properties of a packet, if it has any.
func tdmStatement(format string, pk Packet, props *Properties, warn []string) (TDMStatement, bool) {
	if len(props.TDMReservation)+len(props.TDMPolicy) == 0 {
		return TDMStatement{}, false
	}
	s := TDMStatement{Reservation: props.TDMReservation, Policy: props.TDMPolicy, Location: pk.Location, Warnings: append([]string(nil), warn...)}
	seen := map[string]bool{}
	for _, v := range append(append([]TDMValue(nil), s.Reservation...), s.Policy...) {
		if w := tdmNamespaces[v.Namespace]; w != "" && !seen[w] {
			seen[w] = true
			s.Warnings = append(s.Warnings, w)
		}
	}
	if format != ContainerPDF {
		s.Warnings = append(s.Warnings, fmt.Sprintf("TDMRep defines XMP properties for PDF only; read from a %s file as a statement about it", format))
	}
	return s, true
}

// TDM is the TDMRep properties EmbedPDF writes (TDMRep §"PDF").
type TDM struct {
	// Reserved writes tdm:reservation 1, otherwise 0.
	Reserved bool
	// Policy, if not empty, is written as tdm:policy: the URL of the TDM
	// Policy. TDMRep says agents do not process it with reservation 0.
	Policy string
}

// description returns the rdf:Description carrying t.
func (t TDM) description() string {
	var b strings.Builder
	b.WriteString(`<rdf:Description xmlns:rdf="` + NSRDF + `" xmlns:tdm="` + NSTDMRep + `" rdf:about="">`)
	v := "0"
	if t.Reserved {
		v = "1"
	}
	b.WriteString(`<tdm:reservation>` + v + `</tdm:reservation>`)
	if t.Policy != "" {
		b.WriteString(`<tdm:policy>`)
		xml.EscapeText(&b, []byte(t.Policy))
		b.WriteString(`</tdm:policy>`)
	}
	b.WriteString(`</rdf:Description>`)
	return b.String()
}
