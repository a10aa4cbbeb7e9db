// Package contentsignal parses Cloudflare's Content Signals Policy
// (https://contentsignals.org/, askfirst's signals digest §8): the
// Content-Signal line of a robots.txt group, and the same value in an HTTP
// header, such as "search=yes, ai-input=yes, ai-train=no".
//
// Keys and values are matched case-insensitively (our choice, as robots.txt
// records are); only yes and no count; an absent key neither grants nor
// restricts. Unknown keys (Cloudflare's own "use=reference" among them)
// are kept in Signals.Other and otherwise ignored. When a key repeats, in
// one value or across lines combined with Combine, the most restrictive
// value wins.
//
// It does not map the keys to askfirst's uses (package signals does: search
// → search, ai-input → ai-input, ai-train → train-ai and train-genai), nor
// choose the robots.txt group (package robotstxt does).
package contentsignal

import (
	"fmt"
	"strings"
)

// MaxLen caps the length of a value given to Parse; longer values are
// parsed up to the limit with a warning.
const MaxLen = 4096

// Value is the signal for one use.
type Value int

const (
	// Unset: the key is absent or its value is not yes or no.
	Unset Value = iota
	// Yes: content may be collected for the use.
	Yes
	// No: content may not be collected for the use (an express
	// reservation under DSM Art. 4, in the policy's words).
	No
)

// String returns "unset", "yes" or "no".
func (v Value) String() string {
	switch v {
	case Yes:
		return "yes"
	case No:
		return "no"
	}
	return "unset"
}

// Keys of the Content Signals Policy.
const (
	KeySearch  = "search"
	KeyAIInput = "ai-input"
	KeyAITrain = "ai-train"
)

// Pair is a key=value element as written (lower-cased).
type Pair struct {
	Key, Value string
}

// Signals is a parsed Content-Signal value. The zero value has every signal
// unset.
type Signals struct {
	// Search: building a search index and showing links and short
	// excerpts, not AI summaries.
	Search Value
	// AIInput: input to AI models at run time (RAG, grounding, answers).
	AIInput Value
	// AITrain: training or fine-tuning AI models.
	AITrain Value
	// Other holds elements with keys outside the policy.
	Other []Pair
	// Warnings report elements that did not parse or had values other than
	// yes and no.
	Warnings []string
}

// Get returns the value of a policy key, Unset for other keys.
func (s Signals) Get(key string) Value {
	switch key {
	case KeySearch:
		return s.Search
	case KeyAIInput:
		return s.AIInput
	case KeyAITrain:
		return s.AITrain
	}
	return Unset
}

func (s *Signals) field(key string) *Value {
	switch key {
	case KeySearch:
		return &s.Search
	case KeyAIInput:
		return &s.AIInput
	case KeyAITrain:
		return &s.AITrain
	}
	return nil
}

// IsZero reports whether no signal is set.
func (s Signals) IsZero() bool {
	return s.Search == Unset && s.AIInput == Unset && s.AITrain == Unset
}

// String serialises the set signals in policy order.
func (s Signals) String() string {
	var parts []string
	for _, k := range []string{KeySearch, KeyAIInput, KeyAITrain} {
		if v := s.Get(k); v != Unset {
			parts = append(parts, k+"="+v.String())
		}
	}
	return strings.Join(parts, ", ")
}

// Parse parses a Content-Signal value: comma-separated key=value elements.
// It never fails; problems are reported in Signals.Warnings.
func Parse(value string) Signals {
	var s Signals
	if len(value) > MaxLen {
		s.Warnings = append(s.Warnings, fmt.Sprintf("value of %d bytes cut to %d", len(value), MaxLen))
		value = value[:MaxLen]
	}
	for _, el := range strings.Split(value, ",") {
		el = strings.TrimSpace(el)
		if el == "" {
			continue
		}
		k, v, ok := strings.Cut(el, "=")
		k, v = strings.ToLower(strings.TrimSpace(k)), strings.ToLower(strings.TrimSpace(v))
		if !ok || k == "" {
			s.Warnings = append(s.Warnings, fmt.Sprintf("element %q is not key=value; ignored", el))
			continue
		}
		f := s.field(k)
		if f == nil {
			s.Other = append(s.Other, Pair{Key: k, Value: v})
			continue
		}
		var got Value
		switch v {
		case "yes":
			got = Yes
		case "no":
			got = No
		default:
			s.Warnings = append(s.Warnings, fmt.Sprintf("%s=%s: value is not yes or no; unset", k, v))
			continue
		}
		if *f != Unset && *f != got {
			s.Warnings = append(s.Warnings, fmt.Sprintf("%s given both yes and no; no wins", k))
		}
		*f = restrictive(*f, got)
	}
	return s
}

func restrictive(a, b Value) Value {
	if a == No || b == No {
		return No
	}
	if a == Yes || b == Yes {
		return Yes
	}
	return Unset
}

// Combine merges several values (for example the Content-Signal lines of
// merged robots.txt groups) per key, the most restrictive winning: no over
// yes over unset.
func Combine(ss ...Signals) Signals {
	var out Signals
	for _, s := range ss {
		out.Search = restrictive(out.Search, s.Search)
		out.AIInput = restrictive(out.AIInput, s.AIInput)
		out.AITrain = restrictive(out.AITrain, s.AITrain)
		out.Other = append(out.Other, s.Other...)
		out.Warnings = append(out.Warnings, s.Warnings...)
	}
	return out
}
