package iscc

import (
	"errors"
	"fmt"
	"sort"
)

// ISCCCode is the result of GenISCCCode.
type ISCCCode struct {
	// ISCC is the composite ISCC-CODE in canonical form.
	ISCC string `json:"iscc"`
}

// GenISCCCode composes units into an ISCC-CODE (ISO 24138 §5.9, iscc-core
// gen_iscc_code_v0). codes must contain a Data-Code and an Instance-Code,
// each at least 64 bits, plus optionally one Meta-, one Semantic- and one
// Content-Code, in any order. Semantic- and Content-Code must share the
// SubType. With wide set and exactly a Data- and an Instance-Code of at least
// 128 bits each, the result is a WIDE ISCC-CODE with 128-bit bodies;
// otherwise wide is ignored, as in the reference.
func GenISCCCode(codes []string, wide bool) (*ISCCCode, error) {
	units := make([]Code, len(codes))
	for i, s := range codes {
		c, err := Decode(s)
		if err != nil {
			return nil, fmt.Errorf("generate ISCC-CODE: unit %d: %w", i+1, err)
		}
		units[i] = c
	}
	c, err := composeCodes(units, wide)
	if err != nil {
		return nil, fmt.Errorf("generate ISCC-CODE: %w", err)
	}
	return &ISCCCode{ISCC: c.String()}, nil
}

// composeCodes implements gen_iscc_code_v0 over decoded units.
func composeCodes(in []Code, wide bool) (Code, error) {
	if len(in) < 2 {
		return Code{}, errors.New("at least two units (Data-Code and Instance-Code) required")
	}
	units := append([]Code(nil), in...)
	for _, u := range units {
		if u.mt == MainTypeISCC {
			return Code{}, errors.New("an ISCC-CODE cannot be a unit of an ISCC-CODE (decompose it first)")
		}
		if u.Bits() < 64 {
			return Code{}, fmt.Errorf("%s unit %s is shorter than 64 bits", u.mt, u)
		}
	}
	sort.SliceStable(units, func(i, j int) bool { return units[i].mt < units[j].mt })
	n := len(units)
	if units[n-2].mt != MainTypeData || units[n-1].mt != MainTypeInstance {
		return Code{}, errors.New("an ISCC-CODE requires exactly one Data-Code and one Instance-Code")
	}
	comb := 0
	st, haveST := SubType(0), false
	for _, u := range units[:n-2] {
		var flag int
		switch u.mt {
		case MainTypeMeta:
			flag = 4
		case MainTypeSemantic:
			flag = 2
		case MainTypeContent:
			flag = 1
		default:
			return Code{}, fmt.Errorf("a %s unit cannot be part of an ISCC-CODE", u.mt)
		}
		if comb&flag != 0 {
			return Code{}, fmt.Errorf("more than one %s unit", u.mt)
		}
		comb |= flag
		if u.mt == MainTypeSemantic || u.mt == MainTypeContent {
			if haveST && u.st != st {
				return Code{}, errors.New("Semantic-Code and Content-Code must be of the same SubType")
			}
			st, haveST = u.st, true
		}
	}
	isWide := wide && n == 2 && units[0].Bits() >= 128 && units[1].Bits() >= 128
	var body []byte
	switch {
	case isWide:
		st = SubTypeWide
		body = append(append(body, units[0].body[:16]...), units[1].body[:16]...)
	default:
		if !haveST {
			st = SubTypeSum
			if n == 3 {
				st = SubTypeISCCNone
			}
		}
		for _, u := range units {
			body = append(body, u.body[:8]...)
		}
	}
	return Code{mt: MainTypeISCC, st: st, version: 0, length: comb, body: body}, nil
}
