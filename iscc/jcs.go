package iscc

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// MaxJSONLen caps JSON text accepted by Canonicalize, in bytes.
const MaxJSONLen = 4 << 20

// Canonicalize returns the RFC 8785 JSON Canonicalization Scheme (JCS)
// serialisation of a JSON text: no insignificant whitespace, object members
// sorted by the UTF-16 code units of their names, strings with the minimal
// escaping of RFC 8785 §3.2.2.2 (no escaping of '<', '>', '&', '/',
// U+2028 or U+2029), and numbers in ECMAScript's shortest form (§3.2.2.3).
//
// Like iscc-core (which canonicalises Python objects), a number written
// without fraction or exponent is an integer and keeps all its digits; any
// other number is an IEEE-754 double. Duplicate member names keep the last
// value. Non-finite numbers are an error.
func Canonicalize(jsonText []byte) ([]byte, error) {
	if len(jsonText) > MaxJSONLen {
		return nil, fmt.Errorf("canonicalize JSON: %d bytes exceeds %d", len(jsonText), MaxJSONLen)
	}
	dec := json.NewDecoder(bytes.NewReader(jsonText))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, fmt.Errorf("canonicalize JSON: %w", err)
	}
	if rest := bytes.TrimLeft(jsonText[dec.InputOffset():], " \t\r\n"); len(rest) != 0 {
		return nil, errors.New("canonicalize JSON: data after the top-level value")
	}
	var buf bytes.Buffer
	if err := writeJCS(&buf, v); err != nil {
		return nil, fmt.Errorf("canonicalize JSON: %w", err)
	}
	return buf.Bytes(), nil
}

func writeJCS(buf *bytes.Buffer, v any) error {
	switch v := v.(type) {
	case nil:
		buf.WriteString("null")
	case bool:
		buf.WriteString(strconv.FormatBool(v))
	case string:
		writeJCSString(buf, v)
	case json.Number:
		s, err := jcsNumber(string(v))
		if err != nil {
			return err
		}
		buf.WriteString(s)
	case []any:
		buf.WriteByte('[')
		for i, e := range v {
			if i > 0 {
				buf.WriteByte(',')
			}
			if err := writeJCS(buf, e); err != nil {
				return err
			}
		}
		buf.WriteByte(']')
	case map[string]any:
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		sort.Slice(keys, func(i, j int) bool { return lessUTF16(keys[i], keys[j]) })
		buf.WriteByte('{')
		for i, k := range keys {
			if i > 0 {
				buf.WriteByte(',')
			}
			writeJCSString(buf, k)
			buf.WriteByte(':')
			if err := writeJCS(buf, v[k]); err != nil {
				return err
			}
		}
		buf.WriteByte('}')
	default:
		return fmt.Errorf("unsupported JSON value of type %T", v)
	}
	return nil
}

// lessUTF16 orders strings by their UTF-16 code units (RFC 8785 §3.2.3).
func lessUTF16(a, b string) bool {
	ua, ub := utf16.Encode([]rune(a)), utf16.Encode([]rune(b))
	for i := 0; i < len(ua) && i < len(ub); i++ {
		if ua[i] != ub[i] {
			return ua[i] < ub[i]
		}
	}
	return len(ua) < len(ub)
}

// writeJCSString writes s as a JSON string with RFC 8785 escaping.
func writeJCSString(buf *bytes.Buffer, s string) {
	const hexDigits = "0123456789abcdef"
	buf.WriteByte('"')
	for i := 0; i < len(s); {
		c := s[i]
		if c >= utf8.RuneSelf {
			r, size := utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError && size == 1 {
				buf.WriteString("\uFFFD")
			} else {
				buf.WriteString(s[i : i+size])
			}
			i += size
			continue
		}
		switch c {
		case '"':
			buf.WriteString(`\"`)
		case '\\':
			buf.WriteString(`\\`)
		case '\b':
			buf.WriteString(`\b`)
		case '\t':
			buf.WriteString(`\t`)
		case '\n':
			buf.WriteString(`\n`)
		case '\f':
			buf.WriteString(`\f`)
		case '\r':
			buf.WriteString(`\r`)
		default:
			if c < 0x20 {
				buf.WriteString(`\u00`)
				buf.WriteByte(hexDigits[c>>4])
				buf.WriteByte(hexDigits[c&0xf])
			} else {
				buf.WriteByte(c)
			}
		}
		i++
	}
	buf.WriteByte('"')
}

// jcsNumber formats a JSON number literal canonically: integers (no
// fraction, no exponent) keep their digits, others are doubles in
// ECMAScript form.
func jcsNumber(lit string) (string, error) {
	if !strings.ContainsAny(lit, ".eE") {
		neg := strings.HasPrefix(lit, "-")
		digits := strings.TrimPrefix(lit, "-")
		if strings.Trim(digits, "0") == "" {
			return "0", nil
		}
		if neg {
			return "-" + digits, nil
		}
		return digits, nil
	}
	f, err := strconv.ParseFloat(lit, 64)
	if err != nil {
		return "", fmt.Errorf("number %s is not a finite double", lit)
	}
	return formatES6(f)
}

// formatES6 formats a double like ECMAScript's Number.prototype.toString
// (ECMA-262 Number::toString, as RFC 8785 §3.2.2.3 requires).
func formatES6(f float64) (string, error) {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return "", fmt.Errorf("number %v is not finite", f)
	}
	if f == 0 {
		return "0", nil
	}
	sign := ""
	if f < 0 {
		sign, f = "-", -f
	}
	// Shortest round-trip digits d1...dk and exponent: f = 0.d1...dk × 10^n.
	e := strconv.FormatFloat(f, 'e', -1, 64)
	mant, expStr, _ := strings.Cut(e, "e")
	digits := strings.Replace(mant, ".", "", 1)
	exp, _ := strconv.Atoi(expStr)
	n := exp + 1
	k := len(digits)
	var s string
	switch {
	case k <= n && n <= 21:
		s = digits + strings.Repeat("0", n-k)
	case 0 < n && n <= 21:
		s = digits[:n] + "." + digits[n:]
	case -6 < n && n <= 0:
		s = "0." + strings.Repeat("0", -n) + digits
	default:
		d := n - 1
		es := "+"
		if d < 0 {
			es, d = "-", -d
		}
		if k == 1 {
			s = digits + "e" + es + strconv.Itoa(d)
		} else {
			s = digits[:1] + "." + digits[1:] + "e" + es + strconv.Itoa(d)
		}
	}
	return sign + s, nil
}
