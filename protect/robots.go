package protect

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/askfirst/askfirst/signals"
	"github.com/askfirst/askfirst/signals/aipref"
	"github.com/askfirst/askfirst/signals/contentsignal"
	"github.com/askfirst/askfirst/signals/robotstxt"
)

// MaxRobots caps the robots.txt Site merges into (RFC 9309 §2.5 asks
// crawlers to read at least 500 KiB).
const MaxRobots = robotstxt.MaxSize

// refused returns the catalogue crawlers the policy refuses outright, the
// ones robots.txt disallows and servers answer with 403.
func (p Policy) refused() []crawler {
	var out []crawler
	for _, c := range catalogue() {
		if p.actionFor(c.uses) == refuse {
			out = append(out, c)
		}
	}
	return out
}

// usesText names uses for comments: "train-genai, train-ai".
func usesText(us []signals.Use) string {
	var parts []string
	for _, u := range us {
		parts = append(parts, string(u))
	}
	return strings.Join(parts, ", ")
}

// records returns the Content-Usage and Content-Signal lines of a group.
func (x expression) records() []string {
	var out []string
	if len(x.contentUsage) > 0 {
		out = append(out, "Content-Usage: "+strings.Join(x.contentUsage, ", "))
	}
	if len(x.contentSignal) > 0 {
		out = append(out, "Content-Signal: "+strings.Join(x.contentSignal, ", "))
	}
	return out
}

// robots writes robots.txt: a "*" group carrying the policy's AI-use
// preferences, a group disallowing the AI crawlers the policy refuses
// (RFC 9309), and the RSL License record. With existing, that file is kept
// line for line and the groups are appended: RFC 9309 merges groups
// naming the same agent, so nothing of it is overridden, and a group with
// the preferences is added for every agent it names (a named group
// replaces "*"). What in the existing file contradicts the policy is
// returned as conflicts; it is kept.
func (p Policy) robots(x expression, l Links, existing []byte) ([]byte, []string) {
	var b bytes.Buffer
	var conflicts []string
	var theirs *robotstxt.Robots
	if existing != nil {
		b.Write(existing)
		if len(existing) > 0 && existing[len(existing)-1] != '\n' {
			b.WriteByte('\n')
		}
		b.WriteString("\n# Added by askfirst protect site; the lines above are kept as they were.\n")
		theirs = robotstxt.Parse(existing)
		conflicts = p.robotsConflicts(x, l, theirs)
	} else {
		b.WriteString("# robots.txt written by askfirst protect site.\n")
	}
	fmt.Fprintf(&b, "# Policy: %s.\n", p)
	recs := x.records()
	// An empty Disallow is no rule (RFC 9309 §2.2.2) but ends the run of
	// user-agent lines, so that the next group cannot join this one.
	b.WriteString("\n# Every crawler: the AI-use preferences (IETF AIPREF Content-Usage, Cloudflare Content-Signal).\nUser-agent: *\nDisallow:\n")
	for _, r := range recs {
		b.WriteString(r + "\n")
	}
	refused := p.refused()
	if len(refused) > 0 {
		var denied []string
		for _, u := range signals.AllUses() {
			if p.Uses[u] == signals.Deny {
				denied = append(denied, string(u))
			}
		}
		fmt.Fprintf(&b, "\n# AI crawlers of the ai.robots.txt catalogue that collect only for uses the policy denies (%s).\n", strings.Join(denied, ", "))
		for _, c := range refused {
			fmt.Fprintf(&b, "User-agent: %s\n", c.token)
		}
		b.WriteString("Disallow: /\n")
	}
	if theirs != nil && len(recs) > 0 {
		// Groups of the existing file that name an agent replace "*" for
		// it: give those agents the preferences too.
		named := map[string]bool{}
		for _, c := range refused {
			named[strings.ToLower(c.token)] = true
		}
		var agents []string
		for _, a := range theirs.Agents() {
			if a != "*" && !named[strings.ToLower(a)] {
				agents = append(agents, a)
				named[strings.ToLower(a)] = true
			}
		}
		if len(agents) > 0 {
			b.WriteString("\n# The agents your groups above name: their groups replace \"*\", so the preferences are repeated for them.\n")
			for _, a := range agents {
				fmt.Fprintf(&b, "User-agent: %s\n", a)
			}
			b.WriteString("Disallow:\n")
			for _, r := range recs {
				b.WriteString(r + "\n")
			}
		}
	}
	if x.rsl != nil {
		fmt.Fprintf(&b, "\n# The licence (RSL 1.0).\nLicense: %s\n", l.License)
	}
	return b.Bytes(), conflicts
}

// robotsConflicts lists what an existing robots.txt says against the
// policy.
func (p Policy) robotsConflicts(x expression, l Links, r *robotstxt.Robots) []string {
	var out []string
	refusedTok := map[string]bool{}
	for _, c := range p.refused() {
		refusedTok[strings.ToLower(c.token)] = true
		for _, rule := range r.Rules(c.token) {
			if rule.Allow {
				out = append(out, fmt.Sprintf("line %d: %q lets %s crawl what it matches, which the policy denies (%s): kept", rule.Line, rule.String(), c.token, usesText(c.uses)))
			}
		}
	}
	for _, c := range catalogue() {
		if refusedTok[strings.ToLower(c.token)] {
			continue
		}
		if d := r.Allowed(c.token, "/"); !d.Allowed && d.Rule != nil && d.Group != "*" {
			out = append(out, fmt.Sprintf("line %d: %q keeps %s out, although the policy lets it in for %s: kept", d.Rule.Line, d.Rule.String(), c.token, usesText(c.uses)))
		}
	}
	if d := r.Allowed("askfirst", "/"); !d.Allowed && d.Rule != nil {
		out = append(out, fmt.Sprintf("line %d: %q (user-agent %s) keeps every crawler not named out of the whole site, which denies every use, whatever the policy: kept", d.Rule.Line, d.Rule.String(), d.Group))
	}
	seen := map[int]bool{}
	check := func(agent string) {
		for _, ln := range r.ContentUsage(agent, "/") {
			if seen[ln.Line] {
				continue
			}
			seen[ln.Line] = true
			prefs, err := aipref.Parse(ln.Value)
			if err != nil {
				continue
			}
			for _, e := range prefs.Entries {
				out = append(out, p.recordConflict(ln.Line, "Content-Usage", e.Label, e.Raw, contentUsageKeys)...)
			}
		}
		for _, ln := range r.ContentSignals(agent) {
			if seen[ln.Line] {
				continue
			}
			seen[ln.Line] = true
			sig := contentsignal.Parse(ln.Value)
			for k, v := range map[string]contentsignal.Value{"search": sig.Search, "ai-input": sig.AIInput, "ai-train": sig.AITrain} {
				switch v {
				case contentsignal.Yes:
					out = append(out, p.recordConflict(ln.Line, "Content-Signal", k, "yes", contentSignalKeys)...)
				case contentsignal.No:
					out = append(out, p.recordConflict(ln.Line, "Content-Signal", k, "no", contentSignalKeys)...)
				}
			}
		}
	}
	check("*")
	for _, a := range r.Agents() {
		check(a)
	}
	for _, lic := range r.Licenses() {
		if x.rsl == nil || lic.Value != l.License {
			out = append(out, fmt.Sprintf("line %d: License: %s names another licence than the policy's: kept", lic.Line, lic.Value))
		}
	}
	return out
}

// recordConflict reports a preference that states a use otherwise than
// the policy.
func (p Policy) recordConflict(line int, field, k, v string, keys []key) []string {
	for _, kk := range keys {
		if kk.name != k {
			continue
		}
		for _, c := range kk.cands {
			if c.value == v && !p.exact(c.eff) {
				var says []string
				for _, u := range signals.AllUses() {
					if w, ok := c.eff[u]; ok {
						pv := p.Uses[u]
						if pv == "" {
							pv = "unstated"
						}
						says = append(says, fmt.Sprintf("%s %s (policy: %s)", u, w, pv))
					}
				}
				return []string{fmt.Sprintf("line %d: %s %s=%s says %s; robots.txt combines preferences most restrictively: kept", line, field, k, v, strings.Join(says, ", "))}
			}
		}
	}
	return nil
}
