// Package jcs implements the JSON Canonicalization Scheme of RFC 8785: the
// one byte sequence a JSON value is signed and hashed as.
//
// Transform parses JSON (RFC 8259, I-JSON constraints of RFC 7493: valid
// UTF-8, no duplicate object names, numbers that are IEEE 754 doubles) and
// writes it with object members sorted by their UTF-16 code units (§3.2.3),
// no whitespace, strings escaped as ECMAScript JSON.stringify does (§3.2.2.2)
// and numbers serialised as ECMAScript Number.prototype.toString does
// (§3.2.2.3).
//
// It does not accept values beyond IEEE 754 doubles as exact numbers (a
// large integer is rounded, as the RFC prescribes) and it does not stream.
package jcs

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// MaxDepth is the deepest nesting of arrays and objects Transform accepts.
const MaxDepth = 64

// Transform returns the RFC 8785 canonical form of the JSON text data.
func Transform(data []byte) ([]byte, error) {
	if !utf8.Valid(data) {
		return nil, errors.New("jcs: invalid UTF-8")
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var out bytes.Buffer
	if err := canon(dec, &out, 0); err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("jcs: data after the JSON value")
	}
	return out.Bytes(), nil
}

// Marshal returns the RFC 8785 canonical form of v as encoding/json
// marshals it.
func Marshal(v any) ([]byte, error) {
	data, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("jcs: %w", err)
	}
	return Transform(data)
}

func canon(dec *json.Decoder, out *bytes.Buffer, depth int) error {
	tok, err := dec.Token()
	if err != nil {
		return fmt.Errorf("jcs: %w", err)
	}
	switch v := tok.(type) {
	case json.Delim:
		if depth >= MaxDepth {
			return fmt.Errorf("jcs: nesting deeper than %d", MaxDepth)
		}
		if v == '[' {
			out.WriteByte('[')
			for i := 0; dec.More(); i++ {
				if i > 0 {
					out.WriteByte(',')
				}
				if err := canon(dec, out, depth+1); err != nil {
					return err
				}
			}
			if _, err := dec.Token(); err != nil {
				return fmt.Errorf("jcs: %w", err)
			}
			out.WriteByte(']')
			return nil
		}
		return canonObject(dec, out, depth)
	case string:
		writeString(out, v)
	case json.Number:
		f, err := strconv.ParseFloat(string(v), 64)
		if err != nil || math.IsInf(f, 0) {
			return fmt.Errorf("jcs: number %s is not an IEEE 754 double", v)
		}
		out.WriteString(FormatNumber(f))
	case bool:
		out.WriteString(strconv.FormatBool(v))
	case nil:
		out.WriteString("null")
	}
	return nil
}

type member struct {
	key  string
	u16  []uint16
	data []byte
}

func canonObject(dec *json.Decoder, out *bytes.Buffer, depth int) error {
	var members []member
	seen := map[string]bool{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return fmt.Errorf("jcs: %w", err)
		}
		key := tok.(string) // the decoder only yields strings as object keys
		if seen[key] {
			return fmt.Errorf("jcs: duplicate object name %q", key)
		}
		seen[key] = true
		var buf bytes.Buffer
		if err := canon(dec, &buf, depth+1); err != nil {
			return err
		}
		members = append(members, member{key, utf16.Encode([]rune(key)), buf.Bytes()})
	}
	if _, err := dec.Token(); err != nil {
		return fmt.Errorf("jcs: %w", err)
	}
	// §3.2.3: sort by the names' UTF-16 code units, compared as unsigned.
	slices.SortFunc(members, func(a, b member) int { return slices.Compare(a.u16, b.u16) })
	out.WriteByte('{')
	for i, m := range members {
		if i > 0 {
			out.WriteByte(',')
		}
		writeString(out, m.key)
		out.WriteByte(':')
		out.Write(m.data)
	}
	out.WriteByte('}')
	return nil
}

// writeString escapes s as §3.2.2.2 says: the two-character escapes for
// \b \t \n \f \r " \, \u00xx with lower-case hex for other control
// characters, everything else as is.
func writeString(out *bytes.Buffer, s string) {
	const hex = "0123456789abcdef"
	out.WriteByte('"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch c {
		case '"':
			out.WriteString(`\"`)
		case '\\':
			out.WriteString(`\\`)
		case '\b':
			out.WriteString(`\b`)
		case '\t':
			out.WriteString(`\t`)
		case '\n':
			out.WriteString(`\n`)
		case '\f':
			out.WriteString(`\f`)
		case '\r':
			out.WriteString(`\r`)
		default:
			if c < 0x20 {
				out.WriteString(`\u00`)
				out.WriteByte(hex[c>>4])
				out.WriteByte(hex[c&0xf])
			} else {
				out.WriteByte(c)
			}
		}
	}
	out.WriteByte('"')
}

// FormatNumber formats f as ECMAScript's Number.prototype.toString (ECMA-262
// §7.1.12.1, RFC 8785 §3.2.2.3): the shortest digits that round-trip, in
// plain notation for exponents from -7 to 20 and in exponent notation
// otherwise. -0 is "0". f must be finite.
func FormatNumber(f float64) string {
	if f == 0 {
		return "0"
	}
	sign := ""
	if f < 0 {
		sign, f = "-", -f
	}
	// Shortest round-trip digits d1.d2d3...e±x.
	e := strconv.FormatFloat(f, 'e', -1, 64)
	mant, exp, _ := strings.Cut(e, "e")
	digits := strings.Replace(mant, ".", "", 1)
	x, _ := strconv.Atoi(exp)
	k, n := len(digits), x+1 // n: position of the decimal point
	var s string
	switch {
	case k <= n && n <= 21:
		s = digits + strings.Repeat("0", n-k)
	case 0 < n && n <= 21:
		s = digits[:n] + "." + digits[n:]
	case -6 < n && n <= 0:
		s = "0." + strings.Repeat("0", -n) + digits
	default:
		es := "+"
		if n-1 < 0 {
			es = "-"
		}
		s = digits[:1]
		if k > 1 {
			s += "." + digits[1:]
		}
		s += "e" + es + strconv.Itoa(abs(n-1))
	}
	return sign + s
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}
