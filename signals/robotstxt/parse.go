package robotstxt

import (
	"fmt"
	"strings"
)

type key int

const (
	keyUnknown key = iota
	keyUserAgent
	keyAllow
	keyDisallow
	keySitemap
	keyLicense
	keyContentUsage
	keyContentSignal
	keyCrawlDelay
)

// parser holds the state of one pass over a file.
type parser struct {
	r *Robots
	// cur is the index of the group receiving rules, -1 before the first
	// user-agent line.
	cur int
	// inAgents is true while consecutive user-agent lines (possibly with
	// other records between them) are being read; a rule ends the run, and
	// the next user-agent line starts a new group (RFC 9309 §2.1).
	inAgents bool
	// all holds the rules of every group in file order; each group's rules
	// are the contiguous run from start, cut when the group ends.
	all   []Rule
	start int
	// slab preallocates selections; it never grows, so pointers into it
	// stay the only copies.
	slab []selection
}

// closeGroup hands the current group its run of rules.
func (p *parser) closeGroup() {
	if p.cur >= 0 {
		p.r.groups[p.cur].rules = p.all[p.start:len(p.all):len(p.all)]
		p.start = len(p.all)
	}
}

func (p *parser) parse(s string) {
	// Size the rule and group arrays from the line count to avoid regrowth.
	lines := strings.Count(s, "\n")
	if lines == 0 {
		lines = strings.Count(s, "\r")
	}
	p.all = make([]Rule, 0, lines+1)
	p.r.groups = make([]group, 0, lines/8+1)
	p.r.byAgent = make(map[string]*selection, lines/8+1)
	p.slab = make([]selection, 0, lines/8+1)
	defer p.closeGroup()
	line := 0
	for len(s) > 0 {
		line++
		i := strings.IndexAny(s, "\r\n")
		var l string
		if i < 0 {
			l, s = s, ""
		} else {
			l = s[:i]
			if s[i] == '\r' && i+1 < len(s) && s[i+1] == '\n' {
				s = s[i+2:]
			} else {
				s = s[i+1:]
			}
		}
		if len(l) > MaxLineLen {
			p.r.warn(line, fmt.Sprintf("line of %d bytes cut to %d", len(l), MaxLineLen))
			l = l[:MaxLineLen]
		}
		p.line(line, l)
	}
}

// line handles one line, without its terminator.
func (p *parser) line(n int, l string) {
	if i := strings.IndexByte(l, '#'); i >= 0 {
		l = l[:i]
	}
	l = trimSpace(l)
	if l == "" {
		return
	}
	name, value, colon, ok := splitRecord(l)
	if !ok {
		p.r.warn(n, "line is not a record (name: value); ignored")
		return
	}
	k := classify(name)
	if !colon && !lenientWithoutColon(k) {
		p.r.warn(n, fmt.Sprintf("%q without a colon ignored: a record without its colon is read only where that cannot grant anything (user-agent, disallow)", name))
		return
	}
	switch k {
	case keyUserAgent:
		p.userAgent(n, value)
	case keyAllow, keyDisallow:
		if p.cur < 0 {
			p.r.warn(n, "rule before the first user-agent line; ignored")
			return
		}
		p.inAgents = false
		if value == "" {
			return // an empty rule value is not a rule (RFC 9309 §2.2.2)
		}
		if value[0] != '/' && value[0] != '*' {
			p.r.warn(n, fmt.Sprintf("pattern %q does not start with \"/\" or \"*\"; it matches no path", value))
		}
		p.all = append(p.all, Rule{Allow: k == keyAllow, Pattern: escapePattern(value), Line: n})
	case keySitemap:
		p.r.sitemaps = append(p.r.sitemaps, Line{Line: n, Value: value})
	case keyLicense:
		l := Line{Line: n, Value: value}
		p.r.licenses = append(p.r.licenses, l)
		if p.cur < 0 {
			p.r.globalLicenses = append(p.r.globalLicenses, l)
		} else {
			g := &p.r.groups[p.cur]
			g.licenses = append(g.licenses, l)
		}
	case keyContentSignal:
		if p.cur < 0 {
			p.r.warn(n, "Content-Signal before the first user-agent line; ignored")
			return
		}
		g := &p.r.groups[p.cur]
		g.contentSignal = append(g.contentSignal, Line{Line: n, Value: value})
	case keyContentUsage:
		if p.cur < 0 {
			p.r.warn(n, "Content-Usage before the first user-agent line; ignored")
			return
		}
		// draft-ietf-aipref-attach extends RFC 9309's rule production
		// ("rule =/ content-usage"), so like Allow and Disallow it ends the
		// run of user-agent lines.
		p.inAgents = false
		g := &p.r.groups[p.cur]
		g.contentUsage = append(g.contentUsage, contentUsageLine(n, value))
	case keyCrawlDelay:
		// A known other record with no meaning here (RFC 9309 §2.2.4).
	default:
		p.r.warn(n, fmt.Sprintf("unknown record %q; ignored", name))
	}
}

func (p *parser) userAgent(n int, value string) {
	tok := agentToken(value)
	switch {
	case tok == "" && value == "":
		p.r.warn(n, "user-agent line without a product token")
	case tok == "":
		p.r.warn(n, fmt.Sprintf("user-agent %q names no crawler: a product token is made of letters, digits, \"_\" and \"-\", and only \"*\" alone is the global group", value))
	case tok != "*" && tok != value && !strings.ContainsAny(value[len(tok):len(tok)+1], " \t/"):
		// "Name/1.2" and "Name Extra" are the usual product forms; other
		// cuts ("GPTBot, CCBot", "GPTBot;") are worth telling the owner.
		p.r.warn(n, fmt.Sprintf("user-agent %q read as %q: a product token ends at the first character that cannot be in one; name one crawler per user-agent line", value, tok))
	}
	if !p.inAgents {
		p.closeGroup()
		p.r.groups = append(p.r.groups, group{line: n})
		p.cur = len(p.r.groups) - 1
		p.inAgents = true
	}
	if tok == "" {
		return
	}
	if tok == "*" {
		p.r.star = p.addSelection(p.r.star, "*", p.cur, n)
		return
	}
	k := strings.ToLower(tok)
	p.r.byAgent[k] = p.addSelection(p.r.byAgent[k], k, p.cur, n)
}

// addSelection adds group gi, in which the user-agent line n names key, to
// the selection of key.
func (p *parser) addSelection(s *selection, key string, gi, n int) *selection {
	r := p.r
	if s == nil {
		if len(p.slab) < cap(p.slab) {
			p.slab = p.slab[:len(p.slab)+1]
			s = &p.slab[len(p.slab)-1]
		} else {
			s = new(selection)
		}
		s.key = key
		s.groups, s.lines, s.named = s.group1[:0], s.line1[:0], s.named1[:0]
		r.agents = append(r.agents, key)
	}
	if len(s.groups) == 0 || s.groups[len(s.groups)-1] != gi {
		s.groups = append(s.groups, gi)
		s.lines = append(s.lines, r.groups[gi].line)
		s.named = append(s.named, n)
	}
	return s
}

// contentUsageLine splits "[path WS] preference" (draft-ietf-aipref-attach
// robots.txt rule): a value starting with "/" has a path that ends at the
// first space or tab.
func contentUsageLine(n int, value string) Line {
	if !strings.HasPrefix(value, "/") {
		return Line{Line: n, Value: value}
	}
	i := strings.IndexAny(value, " \t")
	if i < 0 {
		return Line{Line: n, Path: escapePattern(value)}
	}
	return Line{Line: n, Path: escapePattern(value[:i]), Value: trimSpace(value[i:])}
}

// splitRecord splits "name: value". Like google/robotstxt it also splits a
// line without a colon when the line is exactly two runs of non-blank
// characters ("disallow /"), and then reports colon false: RFC 9309 §2.2
// requires the colon, so the caller reads such a line only where
// lenientWithoutColon allows.
func splitRecord(l string) (name, value string, colon, ok bool) {
	if i := strings.IndexByte(l, ':'); i >= 0 {
		return trimSpace(l[:i]), trimSpace(l[i+1:]), true, true
	}
	i := strings.IndexAny(l, " \t")
	if i < 0 {
		return "", "", false, false
	}
	value = trimSpace(l[i:])
	if strings.ContainsAny(value, " \t") {
		return "", "", false, false
	}
	return l[:i], value, false, true
}

// lenientWithoutColon reports whether a record of kind k is read when its
// colon is missing. google/robotstxt reads every record so; askfirst reads
// leniently only where the reading cannot grant more than the file
// certainly says (signals digest §14.6: lenient for reservations, strict
// for grants): a Disallow can only reserve, a user-agent line only selects
// a group, and Sitemap and Crawl-delay say nothing about use. "Allow *"
// without its colon would allow everything against a "Disallow: /" of
// equal length (allow wins ties), and a colon-less Content-Signal,
// Content-Usage or License could grant a use: those are ignored with a
// warning.
func lenientWithoutColon(k key) bool {
	switch k {
	case keyUserAgent, keyDisallow, keySitemap, keyCrawlDelay:
		return true
	}
	return false
}

// classify maps a record name to its key, case-insensitively, accepting the
// misspellings google/robotstxt accepts.
func classify(name string) key {
	var buf [32]byte
	if len(name) > len(buf) {
		return keyUnknown
	}
	switch string(lowerInto(buf[:0], name)) {
	case "user-agent", "useragent", "user agent":
		return keyUserAgent
	case "allow":
		return keyAllow
	case "disallow", "dissallow", "dissalow", "disalow", "diasllow", "disallaw":
		return keyDisallow
	case "sitemap", "site-map":
		return keySitemap
	case "license":
		return keyLicense
	case "content-usage":
		return keyContentUsage
	case "content-signal":
		return keyContentSignal
	case "crawl-delay":
		return keyCrawlDelay
	}
	return keyUnknown
}
