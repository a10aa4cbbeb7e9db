package iscc

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// textNgram is the n-gram width of the Text-Code in characters.
const textNgram = 13

// MaxTextLen caps the input of GenTextCode in bytes (64 MiB).
const MaxTextLen = 64 << 20

// TextCode is the result of GenTextCode.
type TextCode struct {
	// ISCC is the Text-Code in canonical form.
	ISCC string `json:"iscc"`
	// Characters is the number of code points of the collapsed text.
	Characters int `json:"characters"`
}

// GenTextCode returns the Text-Code of plain text (ISO 24138 Content-Code
// Text, iscc-core gen_text_code_v0): the text is collapsed (NFD, lower case,
// whitespace, control characters, marks and punctuation removed, NFKC), cut
// into 13-character n-grams, hashed with xxHash32 and reduced with MinHash.
// Markup must be removed before. Invalid UTF-8 is replaced by U+FFFD.
func GenTextCode(text string, bits int) (*TextCode, error) {
	if err := checkBits(bits); err != nil {
		return nil, fmt.Errorf("generate Text-Code: %w", err)
	}
	if len(text) > MaxTextLen {
		return nil, fmt.Errorf("generate Text-Code: text of %d bytes exceeds %d", len(text), MaxTextLen)
	}
	if !utf8.ValidString(text) {
		text = strings.ToValidUTF8(text, "\uFFFD")
	}
	collapsed := textCollapse(text)
	digest, chars := softHashText(collapsed)
	c, err := newUnit(MainTypeContent, SubTypeText, 0, bits, digest)
	if err != nil {
		return nil, fmt.Errorf("generate Text-Code: %w", err)
	}
	return &TextCode{ISCC: c.String(), Characters: chars}, nil
}

// softHashText hashes collapsed text: xxHash32 of every 13-character window
// (one window, possibly empty, if the text is shorter), MinHash-256. It
// returns the digest and the number of characters. Memory use beyond the
// text is constant: window starts live in a ring, features are folded into
// the MinHash in blocks.
func softHashText(text string) ([]byte, int) {
	mh := newMinHash()
	var ring [textNgram]int // byte offsets of the last 13 rune starts
	feats := make([]uint32, 0, 4096)
	chars := 0
	for i := range text {
		if chars >= textNgram {
			// The window of the 13 runes before the rune at i.
			feats = append(feats, xxh32String(text[ring[chars%textNgram]:i]))
			if len(feats) == cap(feats) {
				mh.add(feats)
				feats = feats[:0]
			}
		}
		ring[chars%textNgram] = i
		chars++
	}
	switch {
	case chars >= textNgram:
		feats = append(feats, xxh32String(text[ring[chars%textNgram]:]))
	default:
		feats = append(feats, xxh32String(text)) // shorter text: one window
	}
	mh.add(feats)
	return mh.digest256(), chars
}
