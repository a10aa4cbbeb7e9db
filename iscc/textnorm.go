package iscc

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Text normalisation of iscc-core (code_meta.py text_clean,
// text_remove_newlines, text_trim; code_content_text.py text_collapse).
// These steps are defined by CPython semantics; the differences to Go's
// unicode package are handled here:
//   - Python's isspace includes U+001C..U+001F;
//   - Python's category "C" includes Cn (unassigned code points and
//     noncharacters), which Go's unicode.C table does not;
//   - Python's str.lower applies the Final_Sigma rule (word-final Σ → ς).
//
// The Unicode version follows the Go toolchain: Go 1.26's unicode package
// and golang.org/x/text's norm tables are Unicode 15.0, as in CPython 3.12.
// Characters assigned after 15.0 are treated as unassigned (category Cn).

// isPySpace reports whether r is whitespace for Python's str.isspace.
func isPySpace(r rune) bool {
	return unicode.IsSpace(r) || r >= 0x1c && r <= 0x1f
}

// category returns the major general category letter of r as Python's
// unicodedata.category(r)[0] would: 'L', 'M', 'N', 'P', 'S', 'Z' or 'C'
// (including Cn for unassigned code points).
func category(r rune) byte {
	switch {
	case unicode.IsLetter(r):
		return 'L'
	case unicode.IsMark(r):
		return 'M'
	case unicode.IsNumber(r):
		return 'N'
	case unicode.IsPunct(r):
		return 'P'
	case unicode.IsSymbol(r):
		return 'S'
	case unicode.Is(unicode.Z, r):
		return 'Z'
	}
	return 'C'
}

// isNewline reports whether r is one of the 7 newline characters of
// iscc-core text_newlines.
func isNewline(r rune) bool {
	switch r {
	case '\n', '\v', '\f', '\r', 0x85, 0x2028, 0x2029:
		return true
	}
	return false
}

// trimPySpace strips leading and trailing Python whitespace.
func trimPySpace(s string) string {
	return strings.TrimFunc(s, isPySpace)
}

// textClean implements text_clean: NFKC, drop category C except newlines,
// collapse whitespace-only lines (at most one empty line in a row), strip.
func textClean(text string) string {
	text = norm.NFKC.String(text)
	var b strings.Builder
	b.Grow(len(text))
	for _, r := range text {
		if category(r) != 'C' || isNewline(r) {
			b.WriteRune(r)
		}
	}
	text = b.String()
	// Python splitlines on the cleaned text: "\r\n" or any newline char.
	var lines []string
	start := 0
	for i := 0; i < len(text); {
		r, size := utf8.DecodeRuneInString(text[i:])
		if !isNewline(r) {
			i += size
			continue
		}
		lines = append(lines, text[start:i])
		i += size
		if r == '\r' && i < len(text) && text[i] == '\n' {
			i++
		}
		start = i
	}
	if start < len(text) {
		lines = append(lines, text[start:])
	}
	out := make([]string, 0, len(lines))
	empty := false
	for _, line := range lines {
		if trimPySpace(line) == "" {
			if !empty {
				out = append(out, "")
				empty = true
			}
			continue
		}
		out = append(out, line)
		empty = false
	}
	return trimPySpace(strings.Join(out, "\n"))
}

// textRemoveNewlines implements text_remove_newlines: Python
// " ".join(text.split()).
func textRemoveNewlines(text string) string {
	return strings.Join(strings.FieldsFunc(text, isPySpace), " ")
}

// textTrim implements text_trim: cut the UTF-8 encoding at nbytes, drop a
// trailing partial character, strip whitespace.
func textTrim(text string, nbytes int) string {
	if len(text) > nbytes {
		text = text[:nbytes]
		for len(text) > 0 {
			r, size := utf8.DecodeLastRuneInString(text)
			if r != utf8.RuneError || size > 1 {
				break
			}
			text = text[:len(text)-1]
		}
	}
	return trimPySpace(text)
}

// asciiKeep[c] is the lower-cased ASCII byte c if text_collapse keeps it,
// or 0 if it is removed (whitespace, control, punctuation).
var asciiKeep = func() (t [128]byte) {
	for c := 0; c < 128; c++ {
		r := unicode.ToLower(rune(c))
		if isPySpace(r) {
			continue
		}
		switch category(r) {
		case 'C', 'M', 'P':
			continue
		}
		t[c] = byte(r)
	}
	return t
}()

// twoByteKeep[r] for r < 0x800 is what text_collapse makes of r (other
// than Σ, which depends on its context): the lower-cased rune if it is kept,
// 0 if it is removed.
var twoByteKeep = func() (t [0x800]rune) {
	for r := rune(0); r < 0x800; r++ {
		lr := unicode.ToLower(r)
		if isPySpace(lr) {
			continue
		}
		switch category(lr) {
		case 'C', 'M', 'P':
			continue
		}
		t[r] = lr
	}
	return t
}()

// textCollapse implements text_collapse: NFD, Python lower (with
// Final_Sigma), drop whitespace and categories C, M and P, then NFKC.
func textCollapse(text string) string {
	if isASCII(text) {
		// ASCII is invariant under NFD and NFKC and has no Σ.
		buf := make([]byte, 0, len(text))
		for i := 0; i < len(text); i++ {
			if k := asciiKeep[text[i]]; k != 0 {
				buf = append(buf, k)
			}
		}
		return string(buf)
	}
	text = norm.NFD.String(text)
	buf := make([]byte, 0, len(text))
	for i := 0; i < len(text); {
		c := text[i]
		if c < utf8.RuneSelf {
			if k := asciiKeep[c]; k != 0 {
				buf = append(buf, k)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(text[i:])
		if r < 0x800 && r != 'Σ' {
			// Two-byte UTF-8 (Latin, Greek, Cyrillic, Hebrew, Arabic...).
			if k := twoByteKeep[r]; k != 0 {
				buf = utf8.AppendRune(buf, k)
			}
			i += size
			continue
		}
		var lr rune
		if r == 'Σ' {
			lr = 'σ'
			if finalSigma(text, i, i+size) {
				lr = 'ς'
			}
		} else {
			lr = unicode.ToLower(r)
		}
		i += size
		if isPySpace(lr) {
			continue
		}
		switch category(lr) {
		case 'C', 'M', 'P':
			continue
		}
		buf = utf8.AppendRune(buf, lr)
	}
	return norm.NFKC.String(string(buf))
}

// finalSigma reports whether the Σ at text[start:end] is in the Unicode
// Final_Sigma context as CPython evaluates it: preceded by a cased
// character (skipping case-ignorable ones) and not followed by one.
func finalSigma(text string, start, end int) bool {
	j := start
	found := false
	for j > 0 {
		r, size := utf8.DecodeLastRuneInString(text[:j])
		j -= size
		if isCaseIgnorable(r) {
			continue
		}
		found = isCased(r)
		break
	}
	if !found {
		return false
	}
	for j = end; j < len(text); {
		r, size := utf8.DecodeRuneInString(text[j:])
		j += size
		if isCaseIgnorable(r) {
			continue
		}
		return !isCased(r)
	}
	return true
}

// isCased is the Unicode Cased property: Lowercase, Uppercase or Lt.
func isCased(r rune) bool {
	return unicode.In(r, unicode.Lu, unicode.Ll, unicode.Lt, unicode.Other_Lowercase, unicode.Other_Uppercase)
}

// isCaseIgnorable is the Unicode Case_Ignorable property: Mn, Me, Cf, Lm,
// Sk, or Word_Break MidLetter, MidNumLet or Single_Quote.
func isCaseIgnorable(r rune) bool {
	switch r {
	case '\'', '.', ':', 0xb7, 0x387, 0x55f, 0x5f4, 0x2018, 0x2019, 0x2024, 0x2027,
		0xfe13, 0xfe52, 0xfe55, 0xff07, 0xff0e, 0xff1a:
		return true
	}
	return unicode.In(r, unicode.Mn, unicode.Me, unicode.Cf, unicode.Lm, unicode.Sk)
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}
