package c2pa

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/fxamacker/cbor/v2"
)

// Caps on CBOR decoding.
const (
	// MaxCBORDepth caps the nesting of any CBOR item decoded.
	MaxCBORDepth = 32
	// MaxCBORItems caps the elements of one CBOR array or map.
	MaxCBORItems = 4096
	// MaxEntries caps the entries kept from one training-mining assertion.
	MaxEntries = 256
)

// decMode is the one CBOR decoder configuration of the package: capped,
// duplicate map keys rejected (a duplicate "use" must not be resolved by
// whichever decoder reads it), integers in interface values as int64.
var decMode = func() cbor.DecMode {
	dm, err := cbor.DecOptions{
		MaxNestedLevels:  MaxCBORDepth,
		MaxArrayElements: MaxCBORItems,
		MaxMapPairs:      MaxCBORItems,
		DupMapKey:        cbor.DupMapKeyEnforcedAPF,
		IntDec:           cbor.IntDecConvertSignedOrFail,
	}.DecMode()
	if err != nil {
		panic(err) // the options above are constant
	}
	return dm
}()

// Labels of the training-and-data-mining assertion (signals.md §10).
const (
	LabelC2PATrainingMining = "c2pa.training-mining"
	LabelCAWGTrainingMining = "cawg.training-mining"
)

// Use is the value of an entry's "use" field.
type Use string

// The three uses of the training-mining vocabulary. In the absence of other
// information, UseConstrained is to be treated as UseNotAllowed.
const (
	UseAllowed     Use = "allowed"
	UseNotAllowed  Use = "notAllowed"
	UseConstrained Use = "constrained"
)

// Entry kinds: the part of a standard entry key after "c2pa." or "cawg.".
const (
	// KindDataMining: extracting text or data to find patterns (OCR too).
	KindDataMining = "data_mining"
	// KindAIInference: the asset as input to a trained model.
	KindAIInference = "ai_inference"
	// KindAIGenerativeTraining: training a model that can generate assets.
	KindAIGenerativeTraining = "ai_generative_training"
	// KindAITraining: training a non-generative model.
	KindAITraining = "ai_training"
)

// Entry is one entry of a training-mining assertion.
type Entry struct {
	// Key is the entry label as written, such as
	// "cawg.ai_generative_training" or a custom key.
	Key string `json:"key"`
	// Kind is one of the Kind* constants for the standard keys of either
	// namespace, "" for a custom key.
	Kind string `json:"kind,omitempty"`
	// Use is the entry's use, or "" when it is missing or not a value the
	// specification defines. Reservations are read leniently ("NotAllowed"
	// gives UseNotAllowed, with a warning); "allowed" only in its exact
	// spelling (signals.md §14.6).
	Use Use `json:"use,omitempty"`
	// RawUse is the use as written.
	RawUse string `json:"raw_use,omitempty"`
	// ConstraintInfo is constraint_info (or the prose's constraints_info).
	ConstraintInfo string `json:"constraint_info,omitempty"`
	// Warnings about this entry.
	Warnings []string `json:"warnings,omitempty"`
}

// Assertion is one training-mining assertion of the active manifest.
type Assertion struct {
	// Label is the assertion label as in the box, possibly with an
	// instance suffix ("c2pa.training-mining__1").
	Label string `json:"label"`
	// Entries in key order.
	Entries []Entry `json:"entries"`
	// Covered is true when the claim references this assertion and the
	// hash it records matches the box. An uncovered assertion is not
	// protected by the signature.
	Covered bool `json:"covered"`
	// Warnings about the assertion.
	Warnings []string `json:"warnings,omitempty"`
}

// baseLabel strips an instance suffix "__N" from an assertion label.
func baseLabel(l string) string {
	if i := strings.LastIndex(l, "__"); i > 0 {
		return l[:i]
	}
	return l
}

// IsTrainingMining reports whether an assertion label names a
// training-mining assertion of either namespace.
func IsTrainingMining(label string) bool {
	b := baseLabel(label)
	return b == LabelC2PATrainingMining || b == LabelCAWGTrainingMining
}

// DecodeTrainingMining decodes the content of a training-mining assertion:
// CBOR, or JSON when isJSON is set (older manifests). It accepts the 1.1
// shape {"entries": {...}} and the earlier one without the wrapper (with a
// warning). Entries are returned sorted by key.
func DecodeTrainingMining(content []byte, isJSON bool) (entries []Entry, warnings []string, err error) {
	if isJSON {
		var v any
		if err := json.Unmarshal(content, &v); err != nil {
			return nil, nil, fmt.Errorf("decode training-mining JSON: %v: %w", err, ErrMalformed)
		}
		if content, err = cbor.Marshal(v); err != nil {
			return nil, nil, fmt.Errorf("decode training-mining JSON: %v: %w", err, ErrMalformed)
		}
	}
	var top map[string]cbor.RawMessage
	if err := decMode.Unmarshal(content, &top); err != nil {
		return nil, nil, fmt.Errorf("decode training-mining: %v: %w", err, ErrMalformed)
	}
	raw := top
	if e, ok := top["entries"]; ok {
		raw = nil
		if err := decMode.Unmarshal(e, &raw); err != nil {
			return nil, nil, fmt.Errorf("decode training-mining entries: %v: %w", err, ErrMalformed)
		}
	} else {
		warnings = append(warnings, "no \"entries\" map (pre-1.1 shape); top-level keys read as entries")
		delete(raw, "metadata")
	}
	keys := make([]string, 0, len(raw))
	for k := range raw {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	if len(keys) > MaxEntries {
		warnings = append(warnings, fmt.Sprintf("%d entries, only the first %d by key read", len(keys), MaxEntries))
		keys = keys[:MaxEntries]
	}
	for _, k := range keys {
		entries = append(entries, decodeEntry(k, raw[k]))
	}
	return entries, warnings, nil
}

func decodeEntry(key string, raw cbor.RawMessage) Entry {
	e := Entry{Key: key}
	for _, ns := range []string{"c2pa.", "cawg."} {
		if rest, ok := strings.CutPrefix(key, ns); ok {
			switch rest {
			case KindDataMining, KindAIInference, KindAIGenerativeTraining, KindAITraining:
				e.Kind = rest
			}
		}
	}
	var m map[string]any
	if err := decMode.Unmarshal(raw, &m); err != nil {
		e.Warnings = append(e.Warnings, fmt.Sprintf("entry is not a map: %v", err))
		return e
	}
	use, ok := m["use"].(string)
	if !ok {
		e.Warnings = append(e.Warnings, "entry without a text \"use\"")
	}
	e.RawUse = use
	switch {
	case use == string(UseAllowed), use == string(UseNotAllowed), use == string(UseConstrained):
		e.Use = Use(use)
	case strings.EqualFold(use, "notAllowed"), strings.EqualFold(use, "not_allowed"), strings.EqualFold(use, "not-allowed"):
		e.Use = UseNotAllowed
		e.Warnings = append(e.Warnings, fmt.Sprintf("use %q read as %q", use, UseNotAllowed))
	case strings.EqualFold(use, "constrained"):
		e.Use = UseConstrained
		e.Warnings = append(e.Warnings, fmt.Sprintf("use %q read as %q", use, UseConstrained))
	case ok:
		e.Warnings = append(e.Warnings, fmt.Sprintf("unknown use %q ignored", use))
	}
	for _, f := range []string{"constraint_info", "constraints_info"} {
		if s, ok := m[f].(string); ok && e.ConstraintInfo == "" {
			e.ConstraintInfo = s
		}
	}
	return e
}
