// Package aipref parses IETF AI-preferences usage preferences: the
// vocabulary of draft-ietf-aipref-vocab-07 serialised as an RFC 9651
// Structured Fields Dictionary, as carried by the Content-Usage HTTP header
// field and the robots.txt Content-Usage rule (draft-ietf-aipref-attach-05;
// askfirst's signals digest §6).
//
// Parse follows vocab-07 exactly: keys are case-sensitive labels, only the
// bare tokens y and n count (anything else, including a string "n", a bare
// key or "no", is unknown), parameters are ignored, a repeated key keeps
// its last value, and a field that fails to parse is wholly unknown.
// Labels of earlier drafts that deployed files still carry (train-genai,
// ai-use, bots, all, ...) are kept and described by LookupLabel with the
// draft they come from and the categories they covered (digest §6.2), so
// the caller can honour them as legacy reservations. Combine merges
// several statements most restrictively (vocab-07 "Combining
// Preferences").
//
// ParseDictionary is a complete, bounded RFC 9651 §4.2.2 Dictionary parser
// (all bare item types, inner lists and parameters).
//
// It does not map labels to askfirst's uses (package signals does), read
// robots.txt (package robotstxt hands over the rule values), or interpret
// parameters such as Creative Commons' exceptions (reported in Entry.Params
// for the caller to flag).
package aipref

import "fmt"

// Value is a usage preference for one category.
type Value int

const (
	// Unknown: no preference, or one that is not the token y or n.
	Unknown Value = iota
	// Allowed: the token y.
	Allowed
	// Disallowed: the token n.
	Disallowed
)

// String returns "unknown", "y" or "n".
func (v Value) String() string {
	switch v {
	case Allowed:
		return "y"
	case Disallowed:
		return "n"
	}
	return "unknown"
}

// Entry is one label of a usage preference as written.
type Entry struct {
	// Label is the dictionary key.
	Label string
	// Value is Allowed or Disallowed for the tokens y and n, else Unknown.
	Value Value
	// Raw is the value as serialised ("y", "\"n\"", "?1").
	Raw string
	// Params are the member's parameters as serialised key=value pairs,
	// ignored by vocab-07 (CC signals put "exceptions" there).
	Params []string
}

// Preferences is a parsed usage preference: its entries in dictionary
// order. The zero value has every category unknown.
type Preferences struct {
	Entries []Entry
}

// Get returns the value of label, Unknown when absent.
func (p Preferences) Get(label string) Value {
	for _, e := range p.Entries {
		if e.Label == label {
			return e.Value
		}
	}
	return Unknown
}

// String serialises the entries that have a y or n value.
func (p Preferences) String() string {
	s := ""
	for _, e := range p.Entries {
		if e.Value == Unknown {
			continue
		}
		if s != "" {
			s += ", "
		}
		s += e.Label + "=" + e.Value.String()
	}
	return s
}

// Parse parses a usage preference (a Content-Usage field value, or the
// preference part of a robots.txt Content-Usage rule). On a syntax error it
// returns empty Preferences (everything unknown) and the error, which wraps
// ErrSyntax. Several Content-Usage header lines must be joined with ", "
// before parsing (attach-05: HTTP combines them into one dictionary).
func Parse(field string) (Preferences, error) {
	d, err := ParseDictionary(field)
	if err != nil {
		return Preferences{}, fmt.Errorf("parse usage preference %q: %w", clip(field), err)
	}
	p := Preferences{Entries: make([]Entry, 0, len(d))}
	for _, m := range d {
		e := Entry{Label: m.Key, Raw: m.Value.String()}
		switch {
		case m.Value.IsToken("y"):
			e.Value = Allowed
		case m.Value.IsToken("n"):
			e.Value = Disallowed
		}
		for _, pa := range m.Value.Params {
			e.Params = append(e.Params, pa.Key+"="+pa.Value.String())
		}
		p.Entries = append(p.Entries, e)
	}
	return p, nil
}

// Combine merges statements per label most restrictively (vocab-07
// "Combining Preferences"): n if any says n, else y if any says y, else
// unknown. It also combines robots.txt Content-Usage rules that share the
// longest matching path (attach-05). Labels keep first-seen order.
func Combine(ps ...Preferences) Preferences {
	var out Preferences
	idx := map[string]int{}
	for _, p := range ps {
		for _, e := range p.Entries {
			i, ok := idx[e.Label]
			if !ok {
				idx[e.Label] = len(out.Entries)
				out.Entries = append(out.Entries, e)
				continue
			}
			cur := &out.Entries[i]
			if e.Value == Disallowed || (e.Value == Allowed && cur.Value == Unknown) {
				*cur = e
			}
		}
	}
	return out
}

func clip(s string) string {
	if len(s) > 80 {
		return s[:80] + "..."
	}
	return s
}
