package xmp

import (
	"errors"
	"fmt"
)

// Property names reported in Statement.Property.
const (
	PropDataMining       = "plus:DataMining"
	PropOtherConstraints = "plus:OtherConstraints"
)

// Statement is one plus:DataMining value found in a file.
type Statement struct {
	// Value is the vocabulary key, or "" when Raw names none (an unknown
	// value, to be treated as unknown and flagged, signals.md §9).
	Value Value `json:"value,omitempty"`
	// Raw is the value exactly as written, white space trimmed.
	Raw string `json:"raw"`
	// Location is the packet the value came from.
	Location Location `json:"location"`
	// Warnings about this value or its packet (lenient match, unknown
	// value, packet warnings).
	Warnings []string `json:"warnings,omitempty"`
}

// Constraint is one plus:OtherConstraints item found in a file.
type Constraint struct {
	LangText
	// Location is the packet the item came from.
	Location Location `json:"location"`
}

// Result is everything Read found in one file.
type Result struct {
	// Format is the container recognised (one of the Container* names).
	Format string `json:"format"`
	// Packets is the number of XMP packets found.
	Packets int `json:"packets"`
	// DataMining lists every plus:DataMining value in file order (main
	// packets before extended ones). Several values may disagree; the
	// caller combines them (signals.md §14.1: a reservation beats a grant).
	DataMining []Statement `json:"data_mining,omitempty"`
	// OtherConstraints lists every plus:OtherConstraints item.
	OtherConstraints []Constraint `json:"other_constraints,omitempty"`
	// TDM lists the TDMRep properties of each packet that has some
	// (tdm:reservation, tdm:policy; TDMRep defines them for PDF).
	TDM []TDMStatement `json:"tdm,omitempty"`
	// Warnings about the file: malformed packets, conflicting values.
	Warnings []string `json:"warnings,omitempty"`
}

// Read extracts every XMP packet from a file (see Extract) and returns the
// Data Mining properties they hold.
//
// Read always returns a non-nil Result. When the file or a packet is
// damaged it returns what it could read together with an error wrapping
// ErrMalformed or ErrTooLarge; values found before the damage are kept,
// because a reservation read from a damaged file is still a reservation.
// A damaged packet is also recorded in Result.Warnings.
func Read(data []byte) (*Result, error) {
	format, packets, err := Extract(data)
	r := &Result{Format: format, Packets: len(packets)}
	if err != nil {
		r.Warnings = append(r.Warnings, err.Error())
	}
	var errs []error
	if err != nil {
		errs = append(errs, err)
	}
	for _, pk := range packets {
		props, perr := ParsePacket(pk.Data)
		if perr != nil {
			perr = fmt.Errorf("%s: %w", pk.Location, perr)
			r.Warnings = append(r.Warnings, perr.Error())
			errs = append(errs, perr)
		}
		warn := append(append([]string(nil), pk.Warnings...), props.Warnings...)
		for _, raw := range props.DataMining {
			s := Statement{Raw: raw, Location: pk.Location, Warnings: append([]string(nil), warn...)}
			v, exact, ok := ParseValue(raw)
			switch {
			case !ok:
				s.Warnings = append(s.Warnings, fmt.Sprintf("unknown Data Mining value %q", raw))
			case !exact:
				s.Value = v
				s.Warnings = append(s.Warnings, fmt.Sprintf("value %q read as %s; the vocabulary writes %s", raw, v, v.URI()))
			default:
				s.Value = v
			}
			r.DataMining = append(r.DataMining, s)
		}
		for _, oc := range props.OtherConstraints {
			r.OtherConstraints = append(r.OtherConstraints, Constraint{LangText: oc, Location: pk.Location})
		}
		if t, ok := tdmStatement(format, pk, props, warn); ok {
			r.TDM = append(r.TDM, t)
		}
	}
	for i := 1; i < len(r.DataMining); i++ {
		if r.DataMining[i].Value != r.DataMining[0].Value {
			r.Warnings = append(r.Warnings, fmt.Sprintf("conflicting Data Mining values %q and %q",
				r.DataMining[0].Raw, r.DataMining[i].Raw))
			break
		}
	}
	return r, errors.Join(errs...)
}
