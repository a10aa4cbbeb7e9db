// Package robotstxt parses and evaluates robots.txt files as RFC 9309
// (Robots Exclusion Protocol) defines them, together with the extension
// records that carry AI-usage signals.
//
// What it implements (section numbers are RFC 9309's unless noted):
//   - Groups (§2.1, §2.2.1): one or more user-agent lines followed by rules;
//     all groups naming a crawler are merged; the "*" groups apply only when
//     no group names it; a matching group replaces "*" completely.
//   - Product-token matching, leniently as askfirst's signals digest §14.4
//     asks: case-insensitive, "Name/1.2" and "Name Extra" read as "Name", and
//     digits accepted (so "AI2Bot" is matchable, unlike in google/robotstxt).
//   - Path matching (§2.2.2, §2.2.3): octet-wise prefix match on the
//     percent-encoded path and query, "*" and a final "$", the longest
//     pattern wins (length as written, including "*" and "$", like
//     google/robotstxt), allow wins ties, no match means allowed, and
//     "/robots.txt" is always allowed.
//   - Percent-encoding normalisation of both rules and paths: octets outside
//     ASCII, controls and spaces are encoded, and "%xx" escapes are
//     upper-cased; escapes of unreserved characters are not decoded.
//   - The 500 KiB parse limit (§2.5): content beyond MaxSize is ignored, as
//     is an incomplete last line cut by the limit; lines longer than
//     MaxLineLen are cut, like google/robotstxt.
//   - A leading UTF-8 byte order mark, full or partial; LF, CR and CRLF line
//     endings; "#" comments; google/robotstxt's accepted typos of record
//     names and a missing colon ("disallow /").
//   - Content-Usage rules (draft-ietf-aipref-attach-05 §3, which adds them
//     to RFC 9309's rule production): per group, with a path scope, ending
//     the run of user-agent lines like Allow and Disallow.
//   - Other records (§2.2.4) that never close or split a group: Sitemap and
//     License (RSL 1.0, global) and Content-Signal (Cloudflare Content
//     Signals Policy, kept with the group it is written in).
//   - The meaning of the fetch outcome (§2.3.1) as FromStatus, Unavailable
//     and Unreachable.
//
// What it deliberately does not do: fetch anything (the caller follows up to
// MaxRedirects redirects and caches for at most MaxAge), interpret the
// values of Content-Usage, Content-Signal or License lines (packages aipref,
// contentsignal and rsl do), honour Crawl-delay, or copy Google-only
// behaviour that RFC 9309 lacks: the "most specific user agent" fallback
// (Googlebot-News falling back to googlebot) and the index.html rewrite of
// Allow rules.
//
// A *Robots is immutable after Parse and safe for concurrent use.
package robotstxt

import (
	"bytes"
	"fmt"
	"strings"
	"sync"
	"time"
)

// Limits and cache rules of RFC 9309.
const (
	// MaxSize is the parse limit: content after the first MaxSize bytes is
	// ignored (RFC 9309 §2.5 requires a limit of at least 500 KiB).
	MaxSize = 500 << 10
	// MaxLineLen is the longest line kept; longer lines are cut to this many
	// bytes and the prefix is parsed, as google/robotstxt does (its buffer of
	// 8 × 2083 bytes holds the line and a terminator).
	MaxLineLen = 8*2083 - 1
	// MaxRedirects is how many consecutive redirects a fetcher must follow
	// (RFC 9309 §2.3.1.2), including to other authorities; the rules found
	// apply to the original authority. After more, treat the file as
	// unavailable (StatusUnavailable).
	MaxRedirects = 5
	// MaxAge is how long a fetched copy may be used (RFC 9309 §2.4): a
	// crawler should not use a copy older than 24 hours, unless the file is
	// unreachable.
	MaxAge = 24 * time.Hour
	// MaxWarnings caps the warnings kept per file.
	MaxWarnings = 64
)

// Status says how the robots.txt file was obtained (RFC 9309 §2.3.1).
type Status int

const (
	// StatusOK: the file was fetched (2xx) and its rules apply.
	StatusOK Status = iota
	// StatusUnavailable: 4xx, or too many redirects. The crawler may access
	// everything (§2.3.1.3).
	StatusUnavailable
	// StatusUnreachable: 5xx, 429, a network failure or an invalid response.
	// The crawler must assume complete disallow (§2.3.1.4).
	StatusUnreachable
)

// String returns "ok", "unavailable" or "unreachable".
func (s Status) String() string {
	switch s {
	case StatusOK:
		return "ok"
	case StatusUnavailable:
		return "unavailable"
	case StatusUnreachable:
		return "unreachable"
	}
	return fmt.Sprintf("Status(%d)", int(s))
}

// FromStatus maps the final HTTP status code of a robots.txt fetch to its
// meaning (RFC 9309 §2.3.1): 2xx is StatusOK (parse the body); 3xx, which
// reaches here only when redirects were exhausted, and 4xx are
// StatusUnavailable (allow all); 429, 5xx and anything else (including 0
// for a network failure) are StatusUnreachable (deny all). 429 follows
// Google and the signals digest §14.2. A 304 answer to a conditional request
// is the caller's cache hit and must not reach FromStatus.
func FromStatus(code int) Status {
	switch {
	case code >= 200 && code <= 299:
		return StatusOK
	case code == 429:
		return StatusUnreachable
	case code >= 300 && code <= 499:
		return StatusUnavailable
	}
	return StatusUnreachable
}

// Unavailable returns the Robots of an authority whose robots.txt is
// unavailable (4xx): everything is allowed.
func Unavailable() *Robots { return &Robots{status: StatusUnavailable} }

// Unreachable returns the Robots of an authority whose robots.txt is
// unreachable (5xx, network error): everything is disallowed.
func Unreachable() *Robots { return &Robots{status: StatusUnreachable} }

// Rule is an Allow or Disallow rule.
type Rule struct {
	// Allow is true for Allow rules, false for Disallow.
	Allow bool
	// Pattern is the path pattern, percent-normalised; its length is the
	// rule's weight.
	Pattern string
	// Line is the 1-based line number in the file.
	Line int
}

// String returns the rule as a robots.txt line: "Disallow: /x".
func (r Rule) String() string {
	if r.Allow {
		return "Allow: " + r.Pattern
	}
	return "Disallow: " + r.Pattern
}

// Line is one other record (Sitemap, License, Content-Usage,
// Content-Signal) as written in the file.
type Line struct {
	// Line is the 1-based line number.
	Line int
	// Value is the record's value, trimmed, comment removed. For
	// Content-Usage it is the usage preference without the path.
	Value string
	// Path is the percent-normalised path pattern of a Content-Usage rule;
	// empty when the rule has none (it then applies to every path).
	Path string
}

// Warning is a problem found while parsing; it never changes the rules.
type Warning struct {
	// Line is the 1-based line number, 0 for the whole file.
	Line int
	// Message says what was wrong and what was done.
	Message string
}

// Decision is the outcome of Allowed, with what is needed to cite it.
type Decision struct {
	// Allowed is the verdict for the agent and path.
	Allowed bool
	// Status is how the file was obtained; for StatusUnavailable and
	// StatusUnreachable no rule was consulted.
	Status Status
	// Group is the user-agent value that selected the rules: the matched
	// token in lower case, "*" for the global group, or "" when no group
	// applies.
	Group string
	// GroupLines are the line numbers of the user-agent lines that started
	// the merged groups. It is shared with the Robots: do not modify.
	GroupLines []int
	// Rule is the deciding rule, nil when no rule matched (or for
	// "/robots.txt", which is always allowed).
	Rule *Rule
}

type group struct {
	line          int // line of the first user-agent line
	rules         []Rule
	contentUsage  []Line
	contentSignal []Line
	licenses      []Line
}

// selection is the set of groups merged for one product token.
type selection struct {
	key    string
	groups []int
	lines  []int
	// named holds, for each group, the line of the first user-agent line
	// naming key in it: a Content-Signal or License record applies to the
	// crawlers named before it (see ContentSignals).
	named []int

	// index holds the rules of all groups for first-match evaluation; it
	// is built on first use by selections with many rules.
	once  sync.Once
	index *ruleIndex

	// Inline storage for the common single-group selection.
	group1, line1, named1 [1]int
}

// sortThreshold is the rule count from which a selection sorts its rules
// once instead of scanning them all on every query.
const sortThreshold = 32

// Robots is a parsed robots.txt file.
type Robots struct {
	status   Status
	groups   []group
	byAgent  map[string]*selection
	star     *selection
	agents   []string
	sitemaps []Line
	// licenses holds every License record; globalLicenses those before
	// the first user-agent line.
	licenses       []Line
	globalLicenses []Line
	warnings       []Warning
	size           int
}

// Status reports how the file was obtained.
func (r *Robots) Status() Status { return r.status }

// Sitemaps returns the Sitemap records, which are global.
func (r *Robots) Sitemaps() []Line { return r.sitemaps }

// Licenses returns every License record (RSL 1.0 discovery, signals
// digest §7.1) in file order; LicensesFor returns those that apply to a
// crawler.
func (r *Robots) Licenses() []Line { return r.licenses }

// LicensesFor returns the License records that apply to agent: those
// written before the first user-agent line, which are global (RSL's
// robots.txt guide writes License first and calls it global), and those
// inside the groups selected for agent, after the user-agent line naming
// it, as ContentSignals reads Content-Signal records. A License record
// inside the group of another crawler is that crawler's: a site owner who
// writes it there addresses that crawler, as with the group's rules. The
// RSL document's content patterns then decide which URLs each covers.
func (r *Robots) LicensesFor(agent string) []Line {
	out := r.globalLicenses
	sel := r.selectGroups(agent)
	if sel == nil {
		return out
	}
	out = out[:len(out):len(out)]
	for i, gi := range sel.groups {
		for _, l := range r.groups[gi].licenses {
			if l.Line > sel.named[i] {
				out = append(out, l)
			}
		}
	}
	return out
}

// Warnings returns problems found while parsing (unknown records, rules
// outside groups, content beyond the parse limit), at most MaxWarnings.
func (r *Robots) Warnings() []Warning { return r.warnings }

// Agents returns the distinct product tokens named by user-agent lines, in
// lower case and file order, "*" included.
func (r *Robots) Agents() []string { return r.agents }

// Size returns the number of bytes parsed, at most MaxSize.
func (r *Robots) Size() int { return r.size }

// Parse parses a robots.txt body. It never fails: lines that do not parse
// are ignored (and reported by Warnings), and content after MaxSize bytes is
// ignored, as RFC 9309 §2.5 allows; a line cut by the limit is handled as
// ParseTruncated says.
func Parse(data []byte) *Robots {
	if len(data) > MaxSize {
		r := parse(data[:MaxSize], true)
		r.warnings = append([]Warning{{Message: fmt.Sprintf("file is %d bytes; content after the %d-byte parse limit ignored", len(data), MaxSize)}}, r.warnings...)
		if len(r.warnings) > MaxWarnings {
			r.warnings = r.warnings[:MaxWarnings]
		}
		return r
	}
	return parse(data, false)
}

// ParseTruncated parses a body that the fetcher cut at its size limit (at
// most MaxSize bytes kept). Its last line may be incomplete, and a rule
// cut short can only become broader: a cut Disallow still reserves at
// least what it named, so it is kept, while any other cut line (an Allow
// that would grant more, a user-agent, a Content-Usage) is ignored, with a
// warning.
func ParseTruncated(data []byte) *Robots {
	if len(data) > MaxSize {
		return Parse(data)
	}
	return parse(data, true)
}

func parse(data []byte, truncated bool) *Robots {
	r := &Robots{status: StatusOK}
	var tail []byte
	if truncated {
		if i := bytes.LastIndexAny(data, "\r\n"); i >= 0 {
			data, tail = data[:i+1], data[i+1:]
		} else {
			data, tail = nil, data
		}
	}
	r.size = len(data) + len(tail)
	p := parser{r: r, cur: -1}
	body := string(skipBOM(data))
	if len(tail) > 0 {
		line := strings.Count(body, "\n") + 1
		if strings.Count(body, "\n") == 0 {
			line = strings.Count(body, "\r") + 1
		}
		if name, _, _, ok := splitRecord(trimSpace(string(tail))); ok && classify(name) == keyDisallow {
			r.warn(line, "line cut by the size limit; kept, since a cut Disallow can only reserve more")
			body += string(tail)
		} else {
			r.warn(line, "line cut by the size limit; ignored")
		}
	}
	p.parse(body)
	return r
}

// skipBOM removes a UTF-8 byte order mark, or a prefix of one, at the start.
func skipBOM(b []byte) []byte {
	bom := []byte{0xEF, 0xBB, 0xBF}
	for i := 0; i < len(bom) && i < len(b); i++ {
		if b[i] != bom[i] {
			return b[i:]
		}
	}
	if len(b) < len(bom) {
		return nil
	}
	return b[len(bom):]
}

func (r *Robots) warn(line int, msg string) {
	if len(r.warnings) < MaxWarnings {
		r.warnings = append(r.warnings, Warning{Line: line, Message: msg})
	}
}

// Allowed reports whether the crawler with the given product token may fetch
// path, the percent-encoded path and query of a URL (see Path). The path is
// normalised as rules are before comparison. An empty agent is read as a
// token that no group names.
func (r *Robots) Allowed(agent, path string) Decision {
	switch r.status {
	case StatusUnavailable:
		return Decision{Allowed: true, Status: r.status}
	case StatusUnreachable:
		return Decision{Allowed: false, Status: r.status}
	}
	sel := r.selectGroups(agent)
	if sel == nil {
		return Decision{Allowed: true, Status: r.status}
	}
	d := Decision{Allowed: true, Status: r.status, Group: sel.key, GroupLines: sel.lines}
	path = normalisePath(path)
	if path == "/robots.txt" {
		return d
	}
	var rule *Rule
	if ix := r.ruleIndex(sel); ix != nil {
		if rule = ix.first(path); rule != nil {
			d.Allowed = rule.Allow
			d.Rule = rule
		}
		return d
	}
	best := -1
	for _, gi := range sel.groups {
		rules := r.groups[gi].rules
		for i := range rules {
			ru := &rules[i]
			n := len(ru.Pattern)
			if n < best || (n == best && (!ru.Allow || rule.Allow)) {
				continue
			}
			if match(ru.Pattern, path) {
				best, rule = n, ru
			}
		}
	}
	if rule != nil {
		d.Allowed = rule.Allow
		d.Rule = rule
	}
	return d
}

// ruleIndex returns the selection's rule index, or nil when the selection
// is small enough to scan.
func (r *Robots) ruleIndex(sel *selection) *ruleIndex {
	n := 0
	for _, gi := range sel.groups {
		n += len(r.groups[gi].rules)
	}
	if n < sortThreshold {
		return nil
	}
	sel.once.Do(func() {
		rules := make([]*Rule, 0, n)
		for _, gi := range sel.groups {
			for i := range r.groups[gi].rules {
				rules = append(rules, &r.groups[gi].rules[i])
			}
		}
		sel.index = newRuleIndex(rules)
	})
	return sel.index
}

// Rules returns the Allow and Disallow rules that apply to agent, the rules
// of all groups selected for it, in file order.
func (r *Robots) Rules(agent string) []Rule {
	sel := r.selectGroups(agent)
	if sel == nil {
		return nil
	}
	var out []Rule
	for _, gi := range sel.groups {
		out = append(out, r.groups[gi].rules...)
	}
	return out
}

// ContentSignals returns the Content-Signal records of the groups selected
// for agent (Cloudflare Content Signals Policy, signals digest §8): like
// rules, a group naming the agent replaces the "*" groups. A
// Content-Signal record does not end a run of user-agent lines (RFC 9309
// §2.2.4: other records must not interfere with the groups), so it applies
// to the crawlers named before it in its group, as google/robotstxt's
// parser handles every record when it reads it: in "User-agent: GPTBot /
// Content-Signal: ai-train=no / User-agent: * / Allow: /" the signal is
// GPTBot's, not the "*" group's.
func (r *Robots) ContentSignals(agent string) []Line {
	sel := r.selectGroups(agent)
	if sel == nil {
		return nil
	}
	var out []Line
	for i, gi := range sel.groups {
		for _, l := range r.groups[gi].contentSignal {
			if l.Line > sel.named[i] {
				out = append(out, l)
			}
		}
	}
	return out
}

// ContentUsage returns the Content-Usage records that apply to agent and
// path (IETF draft-ietf-aipref-attach-05 §robots.txt, signals digest §6.3):
// those of the selected groups whose path pattern is the longest that
// matches; a record without a path matches every path with length 0. When
// several records share that pattern length all are returned, and the
// caller combines them most restrictively. A path the agent may not crawl
// has no usage preference, so ContentUsage returns nil for it.
func (r *Robots) ContentUsage(agent, path string) []Line {
	if !r.Allowed(agent, path).Allowed {
		return nil
	}
	sel := r.selectGroups(agent)
	if sel == nil {
		return nil
	}
	path = normalisePath(path)
	best := -1
	var out []Line
	for _, gi := range sel.groups {
		for _, l := range r.groups[gi].contentUsage {
			n := len(l.Path)
			if n < best || (l.Path != "" && !match(l.Path, path)) {
				continue
			}
			if n > best {
				best, out = n, out[:0]
			}
			out = append(out, l)
		}
	}
	return out
}

// selectGroups returns the merged groups for agent: those naming it, or else
// the "*" groups, or nil when neither exists (RFC 9309 §2.2.1).
func (r *Robots) selectGroups(agent string) *selection {
	if r.status != StatusOK {
		return nil
	}
	tok := agentToken(agent)
	if tok != "" && tok != "*" {
		var buf [64]byte
		var sel *selection
		if len(tok) <= len(buf) {
			sel = r.byAgent[string(lowerInto(buf[:0], tok))]
		} else {
			sel = r.byAgent[strings.ToLower(tok)]
		}
		if sel != nil {
			return sel
		}
	}
	return r.star
}

// agentToken extracts the product token of a user-agent value or crawler
// name: the leading run of characters that can be in a product token
// ([A-Za-z0-9_-]), cut at the first that cannot, as google/robotstxt's
// ExtractUserAgent does, so that "Foo/1.2", "Foo Bar", "GPTBot, CCBot" and
// "GPTBot;" give the first name, except that digits are kept (signals
// digest §14.4, so "AI2Bot" is matchable). The value "*", alone or followed
// by white space, is the global token (google/robotstxt's rule); any other
// value starting with "*" ("*bot") names no crawler and gives "".
func agentToken(s string) string {
	s = trimSpace(s)
	if s == "*" || len(s) > 1 && s[0] == '*' && (s[1] == ' ' || s[1] == '\t') {
		return "*"
	}
	for i := 0; i < len(s); i++ {
		if !isTokenChar(s[i]) {
			return s[:i]
		}
	}
	return s
}

// ProductToken returns the product token that a user-agent value or a
// crawler's name stands for, as Allowed and the group selection read it:
// "GPTBot/1.2" and "GPTBot, CCBot" give "GPTBot", "*" and "* x" give "*",
// "*bot" gives "" (no crawler). Compare tokens case-insensitively.
func ProductToken(s string) string { return agentToken(s) }

// isTokenChar reports whether c can be in a product token as askfirst
// matches them: a letter, a digit, "_" or "-".
func isTokenChar(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-'
}

func lowerInto(dst []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		dst = append(dst, c)
	}
	return dst
}

func trimSpace(s string) string {
	for len(s) > 0 && (s[0] == ' ' || s[0] == '\t') {
		s = s[1:]
	}
	for len(s) > 0 && (s[len(s)-1] == ' ' || s[len(s)-1] == '\t') {
		s = s[:len(s)-1]
	}
	return s
}

// IsValidToken reports whether s is a product token as RFC 9309 §2.2.1
// defines it: one or more letters, "_" and "-". Matching in this package
// is more lenient (digits are kept, see Allowed), but a crawler should
// declare a valid token.
func IsValidToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}
