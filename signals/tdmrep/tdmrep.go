// Package tdmrep reads the W3C TDM Reservation Protocol (TDMRep, Community
// Group Final Report 2024-05-10; askfirst's signals digest §3): the
// tdm-reservation and tdm-policy properties from HTTP response headers,
// HTML <meta> elements and the site file /.well-known/tdmrep.json, and the
// TDM Policy document (an ODRL 2.2 JSON-LD profile, spec §"TDM Policy").
//
// Rules it follows, from the spec (and where it is lenient, why):
//   - tdm-reservation is 1 (reserved) or 0 (not reserved); any other value
//     is a protocol error and the property is unset (§"TDM properties").
//     As askfirst's digest §14.6 asks (lenient for obvious reservations,
//     strict for grants), the JSON string "1" is read as reserved with a
//     warning, while "0" as a string stays unset.
//   - tdmrep.json is a JSON array of {location, tdm-reservation,
//     tdm-policy} (one bare rule object is read as that rule, with a
//     warning); location patterns follow robots.txt ("*", "$"),
//     case-sensitively; the FIRST matching rule in array order wins, not
//     the longest; no match is unset.
//   - Processing priority: the file, then response headers, then HTML meta,
//     then embedded metadata, each supersedes the earlier even when more
//     permissive, and a missing property does not reset (Resolve).
//   - A policy that cannot be fetched or parsed leaves the reservation in
//     force (the caller decides; ParsePolicy reports the error).
//
// It does not fetch (the caller gets tdmrep.json and the policy; 404 and
// 5xx both mean "no TDMRep" for the file), read EPUB or PDF metadata, or
// map the result to askfirst's uses (package signals: reserved denies
// training and AI input but not search, digest §3.5).
package tdmrep

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/askfirst/askfirst/signals/robotstxt"
)

// Caps on untrusted input.
const (
	// MaxFile caps /.well-known/tdmrep.json.
	MaxFile = 1 << 20
	// MaxRules caps the rules read from the file.
	MaxRules = 10000
	// MaxPolicy caps a TDM Policy document.
	MaxPolicy = 1 << 20
	// MaxValueLen caps a header or meta value.
	MaxValueLen = 4096
)

// Reservation is the value of tdm-reservation.
type Reservation int

const (
	// Unset: no property, or a value other than 0 and 1.
	Unset Reservation = iota
	// NotReserved: tdm-reservation 0; TDM rights are not reserved.
	NotReserved
	// Reserved: tdm-reservation 1; TDM rights are reserved (DSM Art. 4(3)).
	Reserved
)

// String returns "unset", "0" or "1".
func (r Reservation) String() string {
	switch r {
	case NotReserved:
		return "0"
	case Reserved:
		return "1"
	}
	return "unset"
}

// Statement is the TDMRep properties one source gives a resource.
type Statement struct {
	// Reservation is the tdm-reservation property.
	Reservation Reservation
	// Policy is the tdm-policy URL, "" when absent. With NotReserved the
	// spec says agents should not process it.
	Policy string
	// Source says where it was read: "tdmrep.json rule 2 (location
	// \"/press/*\")", "header", "meta".
	Source string
	// Warnings report protocol errors and ignored values.
	Warnings []string
}

// IsZero reports whether the statement sets nothing.
func (s Statement) IsZero() bool { return s.Reservation == Unset && s.Policy == "" }

// parseValue reads a tdm-reservation value given as text (header, meta).
func parseValue(v string) (Reservation, string) {
	switch strings.TrimSpace(v) {
	case "1":
		return Reserved, ""
	case "0":
		return NotReserved, ""
	case "":
		return Unset, ""
	}
	return Unset, fmt.Sprintf("tdm-reservation %q is neither 0 nor 1: protocol error, unset", clip(v))
}

// ParseHeaders reads the tdm-reservation and tdm-policy response header
// fields. When tdm-reservation is repeated (or comma-joined) any 1
// reserves; when tdm-policy is repeated the first counts; both with a
// warning.
func ParseHeaders(h http.Header) Statement {
	s := Statement{Source: "header"}
	s.set(h.Values("Tdm-Reservation"), h.Values("Tdm-Policy"))
	return s
}

func (s *Statement) set(res, pol []string) {
	// Values may come as several field lines or meta elements, or joined
	// with commas by an intermediary. The spec does not define repeats;
	// reservations first (digest §14.6): any valid 1 reserves, 0 counts only
	// when no value reserves.
	var vals []string
	for _, v := range res {
		vals = append(vals, strings.Split(capLen(v), ",")...)
	}
	seen := map[Reservation]bool{}
	for _, v := range vals {
		r, w := parseValue(v)
		if w != "" {
			s.Warnings = append(s.Warnings, w)
		}
		seen[r] = true
	}
	switch {
	case seen[Reserved]:
		s.Reservation = Reserved
	case seen[NotReserved]:
		s.Reservation = NotReserved
	}
	if len(vals) > 1 {
		s.Warnings = append(s.Warnings, fmt.Sprintf("tdm-reservation given %d times; read as %s (a 1 anywhere reserves)", len(vals), s.Reservation))
	}
	if len(pol) > 0 {
		s.Policy = strings.TrimSpace(capLen(pol[0]))
		if len(pol) > 1 {
			s.Warnings = append(s.Warnings, fmt.Sprintf("tdm-policy given %d times; the first counts", len(pol)))
		}
		if s.Reservation == NotReserved && s.Policy != "" {
			s.Warnings = append(s.Warnings, "tdm-policy with tdm-reservation 0: not processed (TDMRep)")
		}
	}
}

// Resolve applies TDMRep's processing priority to statements given in
// order (file, header, meta, embedded): each property a later statement
// sets supersedes the earlier value, even when more permissive, and a
// property it does not set keeps its value. The result's Source names the
// source of the reservation.
func Resolve(stmts ...Statement) Statement {
	var out Statement
	for _, s := range stmts {
		if s.Reservation != Unset {
			out.Reservation, out.Source = s.Reservation, s.Source
		}
		if s.Policy != "" {
			out.Policy = s.Policy
		}
		out.Warnings = append(out.Warnings, s.Warnings...)
	}
	return out
}

// Rule is one rule of /.well-known/tdmrep.json.
type Rule struct {
	// Index is the rule's 0-based position in the array.
	Index int
	// Location is the path pattern as written.
	Location string
	// Reservation is the rule's tdm-reservation.
	Reservation Reservation
	// Policy is the rule's tdm-policy URL.
	Policy string
}

// File is a parsed /.well-known/tdmrep.json.
type File struct {
	Rules []Rule
	// Warnings report rules that were skipped or had protocol errors.
	Warnings []string
}

// ParseFile parses /.well-known/tdmrep.json. The spec requires a JSON
// array even for one rule; a file holding one rule object instead is read
// as that one rule, with a warning, so that a reservation is not lost to a
// syntax slip (signals digest §14.6: lenient for obvious reservations). It
// fails when the body is neither, or is over MaxFile; rules without a
// location are skipped with a warning.
func ParseFile(data []byte) (*File, error) {
	if len(data) > MaxFile {
		return nil, fmt.Errorf("parse tdmrep.json: %d bytes over the %d-byte limit", len(data), MaxFile)
	}
	data = bytes.TrimPrefix(data, []byte("\xEF\xBB\xBF"))
	f := &File{}
	var raw []map[string]json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil {
		var one map[string]json.RawMessage
		if json.Unmarshal(data, &one) != nil {
			return nil, fmt.Errorf("parse tdmrep.json: not a JSON array of rules: %w", err)
		}
		raw = []map[string]json.RawMessage{one}
		f.Warnings = append(f.Warnings, "the file holds one rule object, not an array of rules as TDMRep requires; read as that one rule")
	}
	for i, m := range raw {
		if i >= MaxRules {
			f.Warnings = append(f.Warnings, fmt.Sprintf("more than %d rules; rest ignored", MaxRules))
			break
		}
		var loc string
		if err := json.Unmarshal(m["location"], &loc); err != nil || loc == "" {
			f.Warnings = append(f.Warnings, fmt.Sprintf("rule %d: no location string; skipped", i))
			continue
		}
		r := Rule{Index: i, Location: loc}
		var w string
		r.Reservation, w = jsonReservation(m["tdm-reservation"])
		if w != "" {
			f.Warnings = append(f.Warnings, fmt.Sprintf("rule %d: %s", i, w))
		}
		if p, ok := m["tdm-policy"]; ok {
			if err := json.Unmarshal(p, &r.Policy); err != nil {
				f.Warnings = append(f.Warnings, fmt.Sprintf("rule %d: tdm-policy is not a string; ignored", i))
			}
		}
		f.Rules = append(f.Rules, r)
	}
	return f, nil
}

func jsonReservation(v json.RawMessage) (Reservation, string) {
	s := strings.TrimSpace(string(v))
	switch s {
	case "1":
		return Reserved, ""
	case "0":
		return NotReserved, ""
	case "":
		return Unset, "no tdm-reservation: protocol error, unset"
	case `"1"`:
		return Reserved, `tdm-reservation is the string "1", not the number 1: read as reserved`
	}
	return Unset, fmt.Sprintf("tdm-reservation %s is neither 0 nor 1: protocol error, unset", clip(s))
}

// Lookup returns the first rule, in array order, whose location matches
// path (the percent-encoded path and query of the URL), and false when
// none matches (the properties are then unset). Matching follows the spec's
// §"TDM File on the Origin Server": robots.txt "*" and "$", octet-wise and
// case-sensitive, after decoding percent-encoded unreserved characters
// (RFC 3986 §2.3) in both the location and the path. A location given as
// an absolute URL is matched by its path.
func (f *File) Lookup(path string) (Rule, bool) {
	path = decodeUnreserved(path)
	for _, r := range f.Rules {
		loc := r.Location
		if strings.HasPrefix(loc, "http://") || strings.HasPrefix(loc, "https://") {
			loc = robotstxt.Path(loc)
		}
		if robotstxt.Match(decodeUnreserved(loc), path) {
			return r, true
		}
	}
	return Rule{}, false
}

// decodeUnreserved decodes "%XX" escapes of RFC 3986 unreserved characters
// (letters, digits, "-", ".", "_", "~") and keeps every other escape.
func decodeUnreserved(s string) string {
	if !strings.Contains(s, "%") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '%' && i+2 < len(s) {
			if v, ok := unhex(s[i+1], s[i+2]); ok && unreserved(v) {
				b.WriteByte(v)
				i += 2
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

func unhex(a, b byte) (byte, bool) {
	h := func(c byte) (byte, bool) {
		switch {
		case c >= '0' && c <= '9':
			return c - '0', true
		case c >= 'a' && c <= 'f':
			return c - 'a' + 10, true
		case c >= 'A' && c <= 'F':
			return c - 'A' + 10, true
		}
		return 0, false
	}
	x, ok1 := h(a)
	y, ok2 := h(b)
	return x<<4 | y, ok1 && ok2
}

func unreserved(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~'
}

// Statement returns the statement of a rule found by Lookup.
func (r Rule) Statement() Statement {
	return Statement{
		Reservation: r.Reservation,
		Policy:      r.Policy,
		Source:      fmt.Sprintf("tdmrep.json rule %d (location %q)", r.Index, r.Location),
	}
}

func capLen(s string) string {
	if len(s) > MaxValueLen {
		return s[:MaxValueLen]
	}
	return s
}

func clip(s string) string {
	if len(s) > 40 {
		return s[:40] + "..."
	}
	return s
}
