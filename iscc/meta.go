package iscc

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/zeebo/blake3"
)

// Conformance-critical options of the Meta-Code (iscc-core options.py).
const (
	metaTrimName        = 128
	metaTrimDescription = 4096
	// MaxMetaPayload caps the meta payload (the JCS bytes or the decoded
	// data URL) in bytes, as the reference's meta_trim_meta does.
	MaxMetaPayload   = 128000
	metaNgramText    = 3
	metaNgramBytes   = 4
	maxMetaInputText = 4 << 20 // cap on name, description and data URL input
)

// MetaCode is the result of GenMetaCode. Fields the reference omits are
// empty.
type MetaCode struct {
	// ISCC is the Meta-Code in canonical form.
	ISCC string `json:"iscc"`
	// Name is the normalised name (title) that was hashed.
	Name string `json:"name,omitempty"`
	// Description is the normalised description, empty if there is none.
	Description string `json:"description,omitempty"`
	// Meta is the metadata as a data URL: the input data URL verbatim, or
	// for a JSON object "data:application/json;base64,..." of its JCS form
	// ("application/ld+json" if it has an "@context" member).
	Meta string `json:"meta,omitempty"`
	// Metahash is the hex multihash ("1e20"...) of the BLAKE3 digest of the
	// meta payload, or without meta of the name and description.
	Metahash string `json:"metahash"`
}

// GenMetaCode returns the Meta-Code of a name (title), an optional
// description and optional metadata (ISO 24138 Meta-Code, iscc-core
// gen_meta_code_v0). meta is nil, a JSON object (map[string]any,
// json.RawMessage or []byte holding JSON text, or any other value that
// encoding/json marshals to an object), or a string holding a "data:" URL.
// An empty object or empty string counts as no metadata. The JSON object is
// canonicalised with RFC 8785 (see Canonicalize). When meta is given, the
// description is still normalised and returned but does not enter the hash.
// The name must not be empty after normalisation.
func GenMetaCode(name, description string, meta any, bits int) (*MetaCode, error) {
	mc, err := genMetaCode(name, description, meta, bits)
	if err != nil {
		return nil, fmt.Errorf("generate Meta-Code: %w", err)
	}
	return mc, nil
}

func genMetaCode(name, description string, meta any, bits int) (*MetaCode, error) {
	if err := checkBits(bits); err != nil {
		return nil, err
	}
	if len(name) > maxMetaInputText || len(description) > maxMetaInputText {
		return nil, fmt.Errorf("name or description longer than %d bytes", maxMetaInputText)
	}
	name = strings.ToValidUTF8(name, "\uFFFD")
	description = strings.ToValidUTF8(description, "\uFFFD")
	name = textTrim(textRemoveNewlines(textClean(name)), metaTrimName)
	if name == "" {
		return nil, errors.New("name is empty after normalisation")
	}
	description = textTrim(textClean(description), metaTrimDescription)

	payload, metaURL, hasMeta, err := metaPayload(meta)
	if err != nil {
		return nil, err
	}
	var digest []byte
	var metahash string
	if hasMeta {
		digest = softHashMeta(name, "", payload, true)
		sum := blake3.Sum256(payload)
		metahash = multihashBLAKE3(sum[:])
	} else {
		digest = softHashMeta(name, description, nil, false)
		sum := blake3.Sum256([]byte(trimPySpace(name + " " + description)))
		metahash = multihashBLAKE3(sum[:])
	}
	c, err := newUnit(MainTypeMeta, SubTypeNone, 0, bits, digest)
	if err != nil {
		return nil, err
	}
	return &MetaCode{ISCC: c.String(), Name: name, Description: description, Meta: metaURL, Metahash: metahash}, nil
}

// metaPayload returns the bytes to hash for meta and its data URL form.
func metaPayload(meta any) (payload []byte, dataURL string, ok bool, err error) {
	var jsonText []byte
	switch m := meta.(type) {
	case nil:
		return nil, "", false, nil
	case string:
		if m == "" {
			return nil, "", false, nil
		}
		if len(m) > maxMetaInputText {
			return nil, "", false, fmt.Errorf("meta data URL longer than %d bytes", maxMetaInputText)
		}
		payload, err := parseDataURL(m)
		if err != nil {
			return nil, "", false, err
		}
		if len(payload) > MaxMetaPayload {
			return nil, "", false, fmt.Errorf("meta payload of %d bytes exceeds %d", len(payload), MaxMetaPayload)
		}
		return payload, m, true, nil
	case json.RawMessage:
		jsonText = m
	case []byte:
		jsonText = m
	default:
		jsonText, err = json.Marshal(m)
		if err != nil {
			return nil, "", false, fmt.Errorf("meta: %w", err)
		}
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(jsonText, &obj); err != nil {
		return nil, "", false, fmt.Errorf("meta must be a JSON object or a data URL: %w", err)
	}
	if len(obj) == 0 {
		return nil, "", false, nil // null or {}: no metadata, as in the reference
	}
	payload, err = Canonicalize(jsonText)
	if err != nil {
		return nil, "", false, fmt.Errorf("meta: %w", err)
	}
	if len(payload) > MaxMetaPayload {
		return nil, "", false, fmt.Errorf("meta payload of %d bytes exceeds %d", len(payload), MaxMetaPayload)
	}
	mediaType := "application/json"
	if _, ok := obj["@context"]; ok {
		mediaType = "application/ld+json"
	}
	return payload, "data:" + mediaType + ";base64," + base64.StdEncoding.EncodeToString(payload), true, nil
}

// parseDataURL decodes an RFC 2397 data URL: "data:[<mediatype>][;base64],<data>".
func parseDataURL(s string) ([]byte, error) {
	rest, ok := strings.CutPrefix(s, "data:")
	if !ok {
		return nil, errors.New("meta string is not a data: URL")
	}
	head, data, ok := strings.Cut(rest, ",")
	if !ok {
		return nil, errors.New("meta data URL has no ','")
	}
	if strings.HasSuffix(strings.ToLower(head), ";base64") {
		data = strings.TrimRight(data, "=")
		b, err := base64.RawStdEncoding.DecodeString(data)
		if err != nil {
			return nil, fmt.Errorf("meta data URL: invalid base64: %w", err)
		}
		return b, nil
	}
	b, err := url.PathUnescape(data)
	if err != nil {
		return nil, fmt.Errorf("meta data URL: %w", err)
	}
	return []byte(b), nil
}

// softHashMeta implements soft_hash_meta_v0: SimHash of BLAKE3 over
// character 3-grams of the collapsed name; with non-empty extra (text
// description, or the meta payload bytes with byte 4-grams) the first 16
// bytes of both SimHashes are interleaved in 4-byte chunks.
func softHashMeta(name, extraText string, extraBytes []byte, isBytes bool) []byte {
	nameHash := simHashNgrams(ngramsText(textCollapse(name), metaNgramText))
	var extraHash []byte
	switch {
	case isBytes && len(extraBytes) > 0:
		extraHash = simHashNgrams(ngramsBytes(extraBytes, metaNgramBytes))
	case !isBytes && extraText != "":
		extraHash = simHashNgrams(ngramsText(textCollapse(extraText), metaNgramText))
	default:
		return nameHash
	}
	out := make([]byte, 0, 32)
	for i := 0; i < 16; i += 4 {
		out = append(out, nameHash[i:i+4]...)
		out = append(out, extraHash[i:i+4]...)
	}
	return out
}

// simHashNgrams returns the SimHash of the BLAKE3-256 digests of ngrams.
func simHashNgrams(ngrams [][]byte) []byte {
	digests := make([][]byte, len(ngrams))
	for i, g := range ngrams {
		sum := blake3.Sum256(g)
		digests[i] = sum[:]
	}
	return simHash(digests)
}

// ngramsText returns the sliding windows of width w over the characters of
// s; a shorter s (also the empty one) is one window.
func ngramsText(s string, w int) [][]byte {
	offs := make([]int, 0, len(s)+1)
	for i := range s {
		offs = append(offs, i)
	}
	n := len(offs)
	offs = append(offs, len(s))
	if n < w {
		return [][]byte{[]byte(s)}
	}
	out := make([][]byte, 0, n-w+1)
	for i := 0; i+w <= n; i++ {
		out = append(out, []byte(s[offs[i]:offs[i+w]]))
	}
	return out
}

// ngramsBytes is ngramsText over bytes.
func ngramsBytes(b []byte, w int) [][]byte {
	if len(b) < w {
		return [][]byte{b}
	}
	out := make([][]byte, 0, len(b)-w+1)
	for i := 0; i+w <= len(b); i++ {
		out = append(out, b[i:i+w])
	}
	return out
}
