package iscc

import (
	"fmt"
	"slices"
)

// MixedCode is the result of GenMixedCode.
type MixedCode struct {
	// ISCC is the Mixed-Code in canonical form.
	ISCC string `json:"iscc"`
	// Parts are the input codes, unchanged.
	Parts []string `json:"parts"`
}

// MaxMixedParts caps the number of codes GenMixedCode combines.
const MaxMixedParts = 1 << 16

// GenMixedCode combines two or more Content-Codes of any SubTypes, each at
// least bits long, into a Mixed-Code (ISO 24138 Content-Code Mixed,
// iscc-core gen_mixed_code_v0): SimHash over the first header byte followed
// by the first bits/8−1 body bytes of each code.
func GenMixedCode(codes []string, bits int) (*MixedCode, error) {
	if err := checkBits(bits); err != nil {
		return nil, fmt.Errorf("generate Mixed-Code: %w", err)
	}
	if len(codes) < 2 {
		return nil, fmt.Errorf("generate Mixed-Code: got %d codes, want at least 2", len(codes))
	}
	if len(codes) > MaxMixedParts {
		return nil, fmt.Errorf("generate Mixed-Code: %d codes exceed %d", len(codes), MaxMixedParts)
	}
	n := bits / 8
	digests := make([][]byte, len(codes))
	for i, s := range codes {
		c, err := decodeLenient(s)
		if err != nil {
			return nil, fmt.Errorf("generate Mixed-Code: code %d %q: %w", i+1, truncate(s), err)
		}
		if c.mt != MainTypeContent {
			return nil, fmt.Errorf("generate Mixed-Code: code %d is a %s-Code, want a Content-Code", i+1, c.mt)
		}
		if c.Bits() < bits {
			return nil, fmt.Errorf("generate Mixed-Code: code %d has %d bits, want at least %d", i+1, c.Bits(), bits)
		}
		d := make([]byte, 0, n)
		d = append(d, byte(c.mt)<<4|byte(c.st))
		digests[i] = append(d, c.body[:n-1]...)
	}
	c, err := newUnit(MainTypeContent, SubTypeMixed, 0, bits, simHash(digests))
	if err != nil {
		return nil, fmt.Errorf("generate Mixed-Code: %w", err)
	}
	return &MixedCode{ISCC: c.String(), Parts: slices.Clone(codes)}, nil
}

// decodeLenient decodes one unit accepting any SubType, as the reference's
// Mixed-Code generator does.
func decodeLenient(s string) (Code, error) {
	raw, err := decodeRaw(s)
	if err != nil {
		return Code{}, err
	}
	c, rest, err := parseOneMode(raw, false)
	if err != nil {
		return Code{}, err
	}
	if len(rest) != 0 {
		return Code{}, fmt.Errorf("%d bytes after the %d-bit body", len(rest), c.Bits())
	}
	return c, nil
}
