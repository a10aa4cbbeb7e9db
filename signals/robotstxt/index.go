package robotstxt

import (
	"sort"
	"strings"
)

// indexKeyLen is the length of the literal pattern prefix that buckets
// rules in a ruleIndex.
const indexKeyLen = 8

// ruleIndex answers longest-match queries over many rules without trying
// every pattern. A pattern can match a path only if its literal prefix
// (the part before the first "*", without a final "$") is a prefix of the
// path; so rules whose literal prefix has at least indexKeyLen bytes are
// bucketed by those bytes, and a query tries only its own bucket and the
// rules with shorter literal prefixes. Both lists are sorted longest
// pattern first, Allow before Disallow at equal length, so the first match
// found in merged order decides (RFC 9309 §2.2.2).
type ruleIndex struct {
	short  []*Rule
	bucket map[string][]*Rule
}

func byPrecedence(rules []*Rule) {
	sort.SliceStable(rules, func(i, j int) bool {
		a, b := rules[i], rules[j]
		if len(a.Pattern) != len(b.Pattern) {
			return len(a.Pattern) > len(b.Pattern)
		}
		return a.Allow && !b.Allow
	})
}

// literalPrefix returns the part of a pattern that a matching path must
// start with.
func literalPrefix(p string) string {
	if i := strings.IndexByte(p, '*'); i >= 0 {
		return p[:i]
	}
	return strings.TrimSuffix(p, "$")
}

func newRuleIndex(rules []*Rule) *ruleIndex {
	ix := &ruleIndex{bucket: map[string][]*Rule{}}
	for _, ru := range rules {
		lit := literalPrefix(ru.Pattern)
		if len(lit) < indexKeyLen {
			ix.short = append(ix.short, ru)
			continue
		}
		k := lit[:indexKeyLen]
		ix.bucket[k] = append(ix.bucket[k], ru)
	}
	byPrecedence(ix.short)
	for _, b := range ix.bucket {
		byPrecedence(b)
	}
	return ix
}

// first returns the deciding rule for path, nil when none matches.
func (ix *ruleIndex) first(path string) *Rule {
	var b []*Rule
	if len(path) >= indexKeyLen {
		b = ix.bucket[path[:indexKeyLen]]
	}
	s := ix.short
	for len(s) > 0 || len(b) > 0 {
		var ru *Rule
		switch {
		case len(b) == 0:
			ru, s = s[0], s[1:]
		case len(s) == 0:
			ru, b = b[0], b[1:]
		case precedes(b[0], s[0]):
			ru, b = b[0], b[1:]
		default:
			ru, s = s[0], s[1:]
		}
		if match(ru.Pattern, path) {
			return ru
		}
	}
	return nil
}

// precedes reports whether a is tried before b.
func precedes(a, b *Rule) bool {
	if len(a.Pattern) != len(b.Pattern) {
		return len(a.Pattern) > len(b.Pattern)
	}
	return a.Allow && !b.Allow
}
