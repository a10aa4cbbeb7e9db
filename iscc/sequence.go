package iscc

import (
	"encoding/base32"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"math/big"
	"regexp"
	"strings"
)

// multibasePrefixes are the multibase codes iscc-core accepts: f base16,
// b base32 lower, v base32hex, z base58btc, u base64url.
const multibasePrefixes = "fbvzu"

// multicodecPrefix is the multicodec tag of ISCC (0xCC01).
var multicodecPrefix = []byte{0xcc, 0x01}

// b32hex is RFC 4648 base32hex without padding.
var b32hex = base32.HexEncoding.WithPadding(base32.NoPadding)

// decodeMultiformat decodes a multiformat ISCC (iscc-core
// normalize_multiformat). ok reports whether code is multiformat at all.
func decodeMultiformat(code string) (raw []byte, ok bool, err error) {
	if code == "" || strings.IndexByte(multibasePrefixes, code[0]) < 0 {
		return nil, false, nil
	}
	payload := code[1:]
	switch code[0] {
	case 'f':
		raw, err = hex.DecodeString(payload)
	case 'b':
		raw, err = b32.DecodeString(strings.ToUpper(payload))
	case 'v':
		raw, err = b32hex.DecodeString(strings.ToUpper(payload))
	case 'z':
		raw, err = decodeBase58(payload)
	case 'u':
		raw, err = base64.RawURLEncoding.DecodeString(strings.TrimRight(payload, "="))
	}
	if err != nil {
		return nil, true, fmt.Errorf("invalid multibase %q payload: %w", code[0], err)
	}
	if len(raw) < 2 || raw[0] != multicodecPrefix[0] || raw[1] != multicodecPrefix[1] {
		return nil, true, errors.New("multiformat payload lacks the ISCC multicodec prefix 0xcc01")
	}
	return raw[2:], true, nil
}

const base58Alphabet = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"

// decodeBase58 decodes Bitcoin base58 (leading '1' = zero byte).
func decodeBase58(s string) ([]byte, error) {
	n := new(big.Int)
	radix := big.NewInt(58)
	zeros := 0
	for zeros < len(s) && s[zeros] == '1' {
		zeros++
	}
	for i := 0; i < len(s); i++ {
		d := strings.IndexByte(base58Alphabet, s[i])
		if d < 0 {
			return nil, fmt.Errorf("invalid base58 character %q", s[i])
		}
		n.Mul(n, radix)
		n.Add(n, big.NewInt(int64(d)))
	}
	return append(make([]byte, zeros), n.Bytes()...), nil
}

// Decompose splits an ISCC-CODE, or any sequence of units (concatenated,
// optionally separated by dashes), into its units (iscc-core
// iscc_decompose). Unlike the reference, which omits the scheme, every unit
// is returned in canonical form with the "ISCC:" prefix. An ISCC-CODE yields
// 64-bit units (128-bit Data and Instance for WIDE).
func Decompose(s string) ([]string, error) {
	codes, err := decompose(s)
	if err != nil {
		return nil, fmt.Errorf("decompose ISCC %q: %w", truncate(s), err)
	}
	out := make([]string, len(codes))
	for i, c := range codes {
		out[i] = c.String()
	}
	return out, nil
}

func decompose(s string) ([]Code, error) {
	raw, err := decodeRaw(s)
	if err != nil {
		return nil, err
	}
	var units []Code
	for len(raw) > 0 {
		c, rest, err := parseOne(raw)
		if err != nil {
			return nil, fmt.Errorf("unit %d: %w", len(units)+1, err)
		}
		raw = rest
		if c.mt != MainTypeISCC {
			units = append(units, c)
			continue
		}
		parts, err := c.split()
		if err != nil {
			return nil, err
		}
		units = append(units, parts...)
	}
	return units, nil
}

// split returns the units of an ISCC-CODE.
func (c Code) split() ([]Code, error) {
	mk := func(mt MainType, st SubType, bits int, body []byte) (Code, error) {
		return newUnit(mt, st, c.version, bits, body)
	}
	var units []Code
	if c.st == SubTypeWide {
		for i, mt := range []MainType{MainTypeData, MainTypeInstance} {
			u, err := mk(mt, SubTypeNone, 128, c.body[16*i:])
			if err != nil {
				return nil, err
			}
			units = append(units, u)
		}
		return units, nil
	}
	for i, mt := range c.Units() {
		st := SubTypeNone
		if mt == MainTypeSemantic || mt == MainTypeContent {
			st = c.st
			if st > SubTypeMixed {
				return nil, fmt.Errorf("ISCC-CODE of SubType %s cannot hold a %s unit", subTypeName(MainTypeISCC, c.st, 0), mt)
			}
		}
		u, err := mk(mt, st, 64, c.body[8*i:])
		if err != nil {
			return nil, err
		}
		units = append(units, u)
	}
	return units, nil
}

// Normalize returns the canonical form of any valid ISCC string (iscc-core
// iscc_normalize): multiformat and lower-case input are re-encoded, and a
// sequence of two or more units is composed into an ISCC-CODE (WIDE kept).
func Normalize(s string) (string, error) {
	c, err := normalize(s)
	if err != nil {
		return "", fmt.Errorf("normalize ISCC %q: %w", truncate(s), err)
	}
	return c.String(), nil
}

func normalize(s string) (Code, error) {
	raw, err := decodeRaw(s)
	if err != nil {
		return Code{}, err
	}
	h, _, err := readHeader(raw)
	if err != nil {
		return Code{}, err
	}
	wide := h.mt == MainTypeISCC && h.st == SubTypeWide
	units, err := decompose(s)
	if err != nil {
		return Code{}, err
	}
	if len(units) == 1 {
		return units[0], nil
	}
	return composeCodes(units, wide)
}

var canonicalRE = regexp.MustCompile(`^ISCC:[A-Z2-7]{10,68}$`)

// Validate reports whether s is a strictly well-formed ISCC in canonical
// form (iscc-core iscc_validate): "ISCC:" and upper-case base32 without
// padding, a known header, and a body of exactly the declared length. The
// error says what is wrong.
func Validate(s string) error {
	if !canonicalRE.MatchString(s) {
		return fmt.Errorf("validate ISCC %q: does not match ^ISCC:[A-Z2-7]{10,68}$", truncate(s))
	}
	c, err := Decode(s)
	if err != nil {
		return fmt.Errorf("validate ISCC %q: %w", s, errors.Unwrap(err))
	}
	if c.String() != s {
		return fmt.Errorf("validate ISCC %q: not canonical (canonical form %s)", s, c.String())
	}
	return nil
}

// Explain returns the human readable form of an ISCC (see Code.Explain),
// after normalising it like the reference does.
func Explain(s string) (string, error) {
	c, err := normalize(s)
	if err != nil {
		return "", fmt.Errorf("explain ISCC %q: %w", truncate(s), err)
	}
	return c.Explain(), nil
}

// TypeID returns the type identifier of an ISCC (see Code.TypeID), after
// normalising it like the reference does.
func TypeID(s string) (string, error) {
	c, err := normalize(s)
	if err != nil {
		return "", fmt.Errorf("type id of ISCC %q: %w", truncate(s), err)
	}
	return c.TypeID(), nil
}
