package iscc_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/askfirst/askfirst/iscc"
)

// seedCodes adds every code string found in the official vectors.
func seedCodes(f *testing.F) {
	f.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", "data.json"))
	if err != nil {
		f.Fatal(err)
	}
	for _, s := range strings.FieldsFunc(string(raw), func(r rune) bool { return r == '"' }) {
		if len(s) >= 10 && len(s) < 120 && strings.Trim(strings.TrimPrefix(s, "ISCC:"), "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") == "" {
			f.Add(s)
		}
	}
	for _, s := range []string{"fcc0100013554e7d8be570019", "z4rHVQUrFdpfYWuGLa", "uzAEAAYk3fwidpe3f", "bzqaqaaifk7t7vp2wacfq", "vpg0g00b6vvivtfmrpa90", "GAAW2PRCRS5LNVZV-IAAUVACQKXE3V44W", "ISCC:MAIGHFECJMOPMIAB", "iscc:", ":", "ISCC:ÿ"} {
		f.Add(s)
	}
}

// FuzzDecode feeds arbitrary strings to every code parser: no panics, and
// whatever decodes re-encodes canonically and decodes to the same code.
func FuzzDecode(f *testing.F) {
	seedCodes(f)
	f.Fuzz(func(t *testing.T, s string) {
		if c, err := iscc.Decode(s); err == nil {
			back, err := iscc.Decode(c.String())
			if err != nil {
				t.Fatalf("Decode(%q) = %s, which does not decode: %v", s, c, err)
			}
			if back.String() != c.String() {
				t.Fatalf("Decode(%q) = %s, round trip %s", s, c, back)
			}
			if err := iscc.Validate(c.String()); err != nil && c.Bits() <= 320 {
				t.Fatalf("Validate(%s) after Decode(%q): %v", c, s, err)
			}
			_ = c.Explain()
			_ = c.TypeID()
		}
		if units, err := iscc.Decompose(s); err == nil {
			for _, u := range units {
				if _, err := iscc.Decode(u); err != nil {
					t.Fatalf("Decompose(%q) unit %s does not decode: %v", s, u, err)
				}
			}
		}
		if n, err := iscc.Normalize(s); err == nil {
			if n2, err := iscc.Normalize(n); err != nil || n2 != n {
				t.Fatalf("Normalize(%q) = %s, not idempotent: %s, %v", s, n, n2, err)
			}
		}
		_ = iscc.Validate(s)
		_, _ = iscc.Explain(s)
		_, _ = iscc.TypeID(s)
		_, _ = iscc.Distance(s, "ISCC:EAASKDNZNYGUUF5A")
	})
}

// FuzzDataHasher checks that the chunker's result does not depend on how
// the input is split into writes.
func FuzzDataHasher(f *testing.F) {
	f.Add([]byte{}, uint16(1))
	f.Add([]byte{0xff, 0}, uint16(1))
	f.Add(bytes.Repeat([]byte{0}, 20000), uint16(100))
	f.Add(randomBytes(50000), uint16(8191))
	f.Fuzz(func(t *testing.T, data []byte, split uint16) {
		want, err := iscc.GenDataCode(bytes.NewReader(data), 256)
		if err != nil {
			t.Fatal(err)
		}
		h, _ := iscc.NewDataHasher(256)
		step := int(split)%9000 + 1
		for p := data; len(p) > 0; {
			n := min(step, len(p))
			h.Write(p[:n])
			p = p[n:]
		}
		got, _ := h.Code()
		if got.ISCC != want.ISCC {
			t.Fatalf("%d bytes in writes of %d: %s, one-shot %s", len(data), step, got.ISCC, want.ISCC)
		}
	})
}

// FuzzGenTextCode runs text normalisation on arbitrary input.
func FuzzGenTextCode(f *testing.F) {
	for _, s := range []string{"", "Hello World", textA, "ΟΔΟΣ Σ'Α", "\u00a0\u001c\ufdd0\U000E0001", "가≠™ℌ", "\xff\xfe invalid"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, err := iscc.GenTextCode(s, 256)
		if err != nil {
			t.Fatalf("GenTextCode(%q): %v", s, err)
		}
		if c.Characters < 0 || c.Characters > utf8.RuneCountInString(s)*18 {
			t.Fatalf("GenTextCode(%q): %d characters", s, c.Characters)
		}
		if err := iscc.Validate(c.ISCC); err != nil {
			t.Fatal(err)
		}
		m, err := iscc.GenMetaCode(s, s, nil, 64)
		if err == nil && (m.Name == "" || !utf8.ValidString(m.Name) || !utf8.ValidString(m.Description) || len(m.Name) > 128) {
			t.Fatalf("GenMetaCode(%q) = %+v", s, m)
		}
	})
}

// FuzzCanonicalize checks RFC 8785 output on arbitrary JSON: valid JSON,
// the same value as the input, and a fixed point.
func FuzzCanonicalize(f *testing.F) {
	for _, s := range []string{`{"a":1}`, `{"numbers":[333333333.33333329,1E30,4.50,2e-3,0.000000000000000000000000001]}`, `{"\ud83d\ude00":1,"\ufb33":2}`, `[1e20,1e21,-0,0.1,12345678901234567890]`, `"\u2028<>&"`, `{"a":{"b":[null,true,false]}}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		out, err := iscc.Canonicalize(in)
		if err != nil {
			return
		}
		if !json.Valid(out) {
			t.Fatalf("Canonicalize(%q) = %q, not valid JSON", in, out)
		}
		again, err := iscc.Canonicalize(out)
		if err != nil || !bytes.Equal(again, out) {
			t.Fatalf("Canonicalize(%q) = %q, not a fixed point: %q, %v", in, out, again, err)
		}
		var a, b any
		if json.Unmarshal(in, &a) == nil && json.Unmarshal(out, &b) == nil && !jsonEqual(a, b) {
			t.Fatalf("Canonicalize(%q) = %q changes the value", in, out)
		}
	})
}

// jsonEqual compares decoded JSON values, numbers as float64.
func jsonEqual(a, b any) bool {
	switch a := a.(type) {
	case map[string]any:
		bm, ok := b.(map[string]any)
		if !ok || len(a) != len(bm) {
			return false
		}
		for k, v := range a {
			if !jsonEqual(v, bm[k]) {
				return false
			}
		}
		return true
	case []any:
		bs, ok := b.([]any)
		if !ok || len(a) != len(bs) {
			return false
		}
		for i := range a {
			if !jsonEqual(a[i], bs[i]) {
				return false
			}
		}
		return true
	default:
		return a == b
	}
}
