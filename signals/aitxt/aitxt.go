// Package aitxt reads Spawning's ai.txt (askfirst's signals digest §5): a
// file at /ai.txt in robots.txt syntax whose User-Agent, Allow and
// Disallow lines say which files may be used in AI training datasets,
// usually by file-type patterns such as "*.jpg".
//
// The file is parsed with package robotstxt, so groups, product tokens,
// "*" and "$" work as there; patterns that do not start with "/" (the
// common "*.jpg") are evaluated anyway with robots.txt prefix and wildcard
// rules, so "*.jpg" matches any path containing ".jpg" — broad, and so safe
// for a reservation. The longest pattern wins and Allow wins ties. Unlike
// robots.txt, no matching rule means ai.txt says nothing (Match None), not
// "allowed".
//
// Other files are also called ai.txt (aitxt.ing's Markdown context
// files, draft-car-ai-txt-wellknown): Parse returns ErrNotSpawning unless
// the file has a User-Agent line and an Allow or Disallow rule.
//
// It does not fetch, nor map results to askfirst's uses (package signals:
// a Disallow match reserves training, an Allow match grants it; ai.txt is
// silent on search and AI input).
package aitxt

import (
	"errors"
	"fmt"

	"github.com/askfirst/askfirst/signals/robotstxt"
)

// MaxSize caps the file: content beyond is ignored, as for robots.txt.
const MaxSize = robotstxt.MaxSize

// ErrNotSpawning is returned by Parse for a file that is not in Spawning's
// robots-style format.
var ErrNotSpawning = errors.New("not a Spawning ai.txt (no User-Agent line with Allow or Disallow rules)")

// Match is what ai.txt says about a file.
type Match int

const (
	// None: no rule matches; ai.txt is silent.
	None Match = iota
	// Allow: an Allow rule decides; the owner opts the file in.
	Allow
	// Disallow: a Disallow rule decides; the owner opts the file out of AI
	// datasets.
	Disallow
)

// String returns "none", "allow" or "disallow".
func (m Match) String() string {
	switch m {
	case Allow:
		return "allow"
	case Disallow:
		return "disallow"
	}
	return "none"
}

// Decision is the outcome of Evaluate, with what is needed to cite it.
type Decision struct {
	Match Match
	// Group is the user-agent value that selected the rules ("*" or the
	// token), "" when no group applies.
	Group string
	// Rule is the deciding rule, nil for None.
	Rule *robotstxt.Rule
}

// File is a parsed ai.txt. It is safe for concurrent use.
type File struct {
	robots *robotstxt.Robots
}

// Parse parses an ai.txt body. It returns ErrNotSpawning (wrapped) for
// files without robots-style rules.
func Parse(data []byte) (*File, error) {
	return fromRobots(robotstxt.Parse(data))
}

// ParseTruncated is Parse for a body the fetcher cut at its size limit:
// like robotstxt.ParseTruncated, a cut last line is kept only if it is a
// Disallow rule.
func ParseTruncated(data []byte) (*File, error) {
	return fromRobots(robotstxt.ParseTruncated(data))
}

func fromRobots(r *robotstxt.Robots) (*File, error) {
	for _, a := range r.Agents() {
		if len(r.Rules(a)) > 0 {
			return &File{robots: r}, nil
		}
	}
	return nil, fmt.Errorf("parse ai.txt: %w", ErrNotSpawning)
}

// Warnings returns the parse warnings of the underlying robots.txt parser.
func (f *File) Warnings() []robotstxt.Warning { return f.robots.Warnings() }

// Evaluate says what ai.txt says about path for the crawler with the given
// product token. path is the percent-encoded path of a URL (see
// robotstxt.Path); for a local file, pass "/" followed by its name, so that
// file-type patterns apply.
func (f *File) Evaluate(agent, path string) Decision {
	d := f.robots.Allowed(agent, path)
	out := Decision{Group: d.Group, Rule: d.Rule}
	switch {
	case d.Rule == nil:
		out.Match = None
	case d.Rule.Allow:
		out.Match = Allow
	default:
		out.Match = Disallow
	}
	return out
}
