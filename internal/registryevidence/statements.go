package registryevidence

import (
	"fmt"
	"strings"

	"github.com/askfirst/askfirst/signals"
	"github.com/askfirst/askfirst/wire"
)

// Mechanism is the signals.Statement mechanism of registry declarations.
const Mechanism = "registry"

// narrower lists, per use, the uses it contains (DESIGN §2: train-genai ⊂
// train-ai). A reservation of a use reserves the narrower ones too.
var narrower = map[signals.Use][]signals.Use{
	signals.TrainAI: {signals.TrainGenAI},
}

// severity orders verdicts within one declaration: the restriction wins.
func severity(v signals.Verdict) int {
	switch v {
	case signals.Deny:
		return 3
	case signals.License:
		return 2
	case signals.Allow:
		return 1
	}
	return 0
}

// Statements turns the registry's answer about one item into statements
// of the "registry" mechanism (DESIGN §3.7), one per declaration (or per
// distinct offer of a declaration), located at the receipt URL of its log
// entry so that anyone can verify it:
//
//   - deny reserves the use and every narrower one (DESIGN §3.4: deny
//     broadly), license likewise requires the licence with its offer;
//   - allow grants only the use it names, and only when the work match is
//     exact or confirmed, or the declaration applies by domain or URL
//     prefix (grant narrowly); reservations count whatever the confidence;
//   - a result the registry could not compute leaves every use in uses
//     unknown with a warning, never allowed.
//
// base is the registry URL the answer came from.
func Statements(base string, res wire.MatchResult, uses []signals.Use) []signals.Statement {
	base = strings.TrimRight(base, "/")
	if res.Error != "" {
		return []signals.Statement{Unreachable(base, fmt.Errorf("registry could not look the item up: %s", res.Error), uses)}
	}
	matches := map[string]wire.WorkMatch{}
	for _, m := range res.Matches {
		matches[m.Work] = m
	}
	var out []signals.Statement
	for _, d := range res.Declarations {
		out = append(out, declarationStatements(base, d, matches)...)
	}
	return out
}

// Unreachable is the statement for a registry that could not answer:
// every use unknown, with the error as a warning.
func Unreachable(base string, err error, uses []signals.Use) signals.Statement {
	if len(uses) == 0 {
		uses = signals.AllUses()
	}
	m := map[signals.Use]signals.Verdict{}
	for _, u := range uses {
		m[u] = signals.Unknown
	}
	return signals.Statement{Mechanism: Mechanism, Location: strings.TrimRight(base, "/"), Value: "unreachable", Uses: m, Warnings: []string{err.Error()}}
}

func declarationStatements(base string, d wire.AppliedDeclaration, matches map[string]wire.WorkMatch) []signals.Statement {
	grants := d.Confidence == "exact" || d.Confidence == "confirmed" || d.AppliesVia == "domain" || d.AppliesVia == "url-prefix"
	// Group the terms by offer so that each statement carries one offer.
	type group struct {
		offer    *wire.Offer
		uses     map[signals.Use]signals.Verdict
		warnings []string
	}
	var groups []*group
	groupFor := func(o *wire.Offer) *group {
		for _, g := range groups {
			if (g.offer == nil && o == nil) || (g.offer != nil && o != nil && *g.offer == *o) {
				return g
			}
		}
		g := &group{offer: o, uses: map[signals.Use]signals.Verdict{}}
		groups = append(groups, g)
		return g
	}
	set := func(g *group, u signals.Use, v signals.Verdict) {
		if severity(v) > severity(g.uses[u]) {
			g.uses[u] = v
		}
	}
	for _, t := range d.Terms {
		u, err := signals.ParseUse(t.Use)
		g := groupFor(t.Offer)
		if err != nil {
			g.warnings = append(g.warnings, fmt.Sprintf("term for unknown use %q ignored", t.Use))
			continue
		}
		switch t.Decision {
		case "deny", "license":
			v := signals.Deny
			if t.Decision == "license" {
				v = signals.License
			}
			set(g, u, v)
			for _, n := range narrower[u] {
				set(g, n, v)
			}
		case "allow":
			if !grants {
				g.warnings = append(g.warnings, fmt.Sprintf("allow for %s not applied: the work match is %s, grants need an exact or confirmed match", t.Use, orNone(d.Confidence)))
				continue
			}
			set(g, u, signals.Allow)
		default:
			g.warnings = append(g.warnings, fmt.Sprintf("unknown decision %q for %s ignored", t.Decision, t.Use))
		}
	}
	value := describe(d, matches)
	loc := base + "/v1/receipts/" + fmt.Sprint(d.LogIndex)
	var out []signals.Statement
	for _, g := range groups {
		st := signals.Statement{Mechanism: Mechanism, Location: loc, Value: value, Uses: g.uses, Warnings: g.warnings}
		if o := g.offer; o != nil {
			st.Offer = &signals.Offer{Price: o.Price, Currency: o.Currency, Terms: o.TermsURL, Contact: o.Contact, Holder: holderName(d)}
			if o.PerUse {
				st.Offer.Per = "use"
			}
		}
		out = append(out, st)
	}
	return out
}

func orNone(s string) string {
	if s == "" {
		return "unknown"
	}
	return s
}

// describe is the statement's value: who declared what, then about which
// subject and through which match (Jane Doe: train-genai deny; ...
// (declaration dcl_… on work:wrk_…; work wrk_… matched by …)).
func describe(d wire.AppliedDeclaration, matches map[string]wire.WorkMatch) string {
	var b strings.Builder
	if d.AccountName != "" {
		b.WriteString(d.AccountName)
	} else {
		b.WriteString(d.Account)
	}
	if d.OnBehalfOf != "" {
		fmt.Fprintf(&b, " for %s", d.OnBehalfOf)
	}
	b.WriteString(": ")
	b.WriteString(TermsString(d.Terms))
	fmt.Fprintf(&b, " (declaration %s by %s on %s", d.ID, d.Account, SubjectString(d.Subject))
	if d.Signed {
		b.WriteString(", self-signed")
	}
	if wid, ok := strings.CutPrefix(d.AppliesVia, "work:"); ok {
		if m, ok := matches[wid]; ok {
			fmt.Fprintf(&b, "; %s", MatchString(m))
		}
	} else if _, ok := strings.CutPrefix(d.AppliesVia, "account:"); ok {
		fmt.Fprintf(&b, "; all works of the account, match %s", orNone(d.Confidence))
	} else if d.AppliesVia != "" {
		fmt.Fprintf(&b, "; by %s", d.AppliesVia)
	}
	b.WriteString(")")
	return b.String()
}

// SubjectString prints a subject as the command line takes it
// (work:ID, account:ID, domain:D, url-prefix:URL).
func SubjectString(s wire.Subject) string {
	return s.Kind + ":" + s.Value
}

// MatchString prints how a work matched: "work wrk_… matched by unit
// ISCC:…, distance 0, exact".
func MatchString(m wire.WorkMatch) string {
	s := "work " + m.Work + " matched by " + m.MatchedBy
	switch {
	case m.MatchedBy == "datahash":
		s += " (the same file)"
	case m.Unit != "":
		s += " " + m.Unit
	}
	return fmt.Sprintf("%s, distance %d, %s", s, m.Distance, m.Confidence)
}

// TermsString prints terms as "train-genai deny; train-ai license 0.05
// EUR (terms URL)".
func TermsString(ts []wire.Term) string {
	parts := make([]string, 0, len(ts))
	for _, t := range ts {
		p := t.Use + " " + t.Decision
		if o := t.Offer; o != nil {
			p += OfferString(*o)
		}
		parts = append(parts, p)
	}
	return strings.Join(parts, "; ")
}

// OfferString prints an offer with a leading space, or "" for none.
func OfferString(o wire.Offer) string {
	var s string
	if o.Price != "" {
		s += " " + o.Price
		if o.Currency != "" {
			s += " " + o.Currency
		}
		s += " per item"
	}
	if o.TermsURL != "" {
		s += " terms " + o.TermsURL
	}
	if o.Contact != "" {
		s += " contact " + o.Contact
	}
	return s
}

// holderName names the rights holder of a declaration's offer: the
// declaring account, and the member it acts for when it acts for one.
func holderName(d wire.AppliedDeclaration) string {
	name := d.AccountName
	if name == "" {
		name = d.Account
	}
	if d.OnBehalfOf != "" {
		return name + " for " + d.OnBehalfOf
	}
	return name
}
