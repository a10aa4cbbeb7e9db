// Package noai reads the "noai" family of robots directives (askfirst's
// signals digest §4): noai, noimageai and noml, together with the search
// directives that matter to AI use (noindex, none, noarchive, nocache,
// noimageindex), from X-Robots-Tag response headers and from HTML
// <meta name="robots"> and <meta name="TOKEN"> elements.
//
// The grammar is Google's robots directive grammar (digest §4): directives
// are comma-separated and case-insensitive; in a header, "examplebot: noai,
// noimageai" scopes the directives that follow to examplebot until the next
// "name:" prefix or the end of that header line; a prefix that is a known
// directive taking a value (unavailable_after, max-snippet, ...) is not a
// crawler name. Several headers are read one by one. Meta elements named
// "robots" are general; a meta element named after a crawler applies to
// that crawler only.
//
// It does not decide what a directive means for askfirst's uses (package
// signals maps noai to the training and AI-input uses, noimageai to
// images, noindex to search, digest §14.3), and it does not fetch.
package noai

import (
	"fmt"
	"strings"
)

// Caps on untrusted input.
const (
	// MaxDirectives caps the directives kept from one Parse call.
	MaxDirectives = 256
	// MaxValueLen caps one header or content value; longer values are cut.
	MaxValueLen = 8192
)

// Directive names this package recognises.
const (
	NoAI         = "noai"
	NoImageAI    = "noimageai"
	NoML         = "noml"
	NoIndex      = "noindex"
	None         = "none"
	NoArchive    = "noarchive"
	NoCache      = "nocache"
	NoImageIndex = "noimageindex"
)

// valued are directive names that take a value after a colon, so that
// "max-snippet: 20" is not read as a crawler scope.
var valued = map[string]bool{
	"unavailable_after": true, "max-snippet": true, "max-image-preview": true,
	"max-video-preview": true, "indexifembedded": true,
}

// Directive is one directive with its scope.
type Directive struct {
	// Agent is the crawler the directive is scoped to, lower-cased; ""
	// for all crawlers.
	Agent string
	// Name is the directive, lower-cased ("noai", "max-snippet: 20").
	Name string
	// Source says where it was read: "X-Robots-Tag" or "meta name=NAME".
	Source string
}

// Directives is a parsed set of directives, in the order read.
type Directives []Directive

// Set is what the directives say to one crawler.
type Set struct {
	NoAI, NoImageAI, NoML, NoIndex, NoArchive, NoCache, NoImageIndex bool
	// Matched are the directives that apply, in order.
	Matched []Directive
}

// For returns the directives that apply to the crawler with the given
// product token: the general ones and those scoped to it
// (case-insensitive; "Name/1.2" is read as "Name"). "none" sets NoIndex.
func (d Directives) For(agent string) Set {
	agent = strings.ToLower(token(agent))
	var s Set
	for _, x := range d {
		if x.Agent != "" && x.Agent != agent {
			continue
		}
		s.Matched = append(s.Matched, x)
		switch x.Name {
		case NoAI:
			s.NoAI = true
		case NoImageAI:
			s.NoImageAI = true
		case NoML:
			s.NoML = true
		case NoIndex, None:
			s.NoIndex = true
		case NoArchive:
			s.NoArchive = true
		case NoCache:
			s.NoCache = true
		case NoImageIndex:
			s.NoImageIndex = true
		}
	}
	return s
}

// token returns the leading run of a crawler name up to whitespace or "/".
func token(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexAny(s, " \t/"); i >= 0 {
		return s[:i]
	}
	return s
}

// ParseXRobotsTag parses the values of X-Robots-Tag header lines (as
// http.Header.Values returns them). Problems are returned as warnings; they
// never drop a directive that could be read.
func ParseXRobotsTag(values []string) (Directives, []string) {
	var d Directives
	var warn []string
	for _, v := range values {
		if len(v) > MaxValueLen {
			warn = append(warn, fmt.Sprintf("X-Robots-Tag value of %d bytes cut to %d", len(v), MaxValueLen))
			v = v[:MaxValueLen]
		}
		scope := ""
		for _, part := range strings.Split(v, ",") {
			part = strings.TrimSpace(part)
			if name, rest, ok := strings.Cut(part, ":"); ok {
				n := strings.ToLower(strings.TrimSpace(name))
				switch {
				case valued[n]:
					// A directive with a value, such as max-snippet: 20.
				case n == "" || strings.ContainsAny(n, " \t"):
					// Reservations first (digest §14.6): an unreadable scope
					// makes the directive general rather than lost.
					warn = append(warn, fmt.Sprintf("X-Robots-Tag element %q: %q is not a crawler name; read as general", part, name))
					scope = ""
					part = strings.TrimSpace(rest)
				default:
					scope = n
					part = strings.TrimSpace(rest)
				}
			}
			if part == "" {
				continue
			}
			if len(d) >= MaxDirectives {
				return d, append(warn, fmt.Sprintf("more than %d directives; rest ignored", MaxDirectives))
			}
			d = append(d, Directive{Agent: scope, Name: normalise(part), Source: "X-Robots-Tag"})
		}
	}
	return d, warn
}

// normalise lower-cases a directive and removes spaces around a colon.
func normalise(s string) string {
	s = strings.ToLower(s)
	if n, v, ok := strings.Cut(s, ":"); ok {
		return strings.TrimSpace(n) + ": " + strings.TrimSpace(v)
	}
	return s
}

// ParseMeta parses the content of one <meta name=NAME content=CONTENT>
// element: "robots" gives general directives, any other name directives
// scoped to that crawler. Names are compared case-insensitively.
func ParseMeta(name, content string) Directives {
	name = strings.ToLower(strings.TrimSpace(name))
	agent := name
	if name == "robots" {
		agent = ""
	}
	if len(content) > MaxValueLen {
		content = content[:MaxValueLen]
	}
	var d Directives
	for _, part := range strings.Split(content, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		if len(d) >= MaxDirectives {
			break
		}
		d = append(d, Directive{Agent: agent, Name: normalise(part), Source: "meta name=" + name})
	}
	return d
}

// Known reports whether a directive name is one this package gives
// meaning to.
func Known(name string) bool {
	switch name {
	case NoAI, NoImageAI, NoML, NoIndex, None, NoArchive, NoCache, NoImageIndex:
		return true
	}
	return false
}
