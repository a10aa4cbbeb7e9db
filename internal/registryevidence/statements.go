package registryevidence

import (
	"fmt"
	"slices"
	"strings"

	"github.com/askfirst/askfirst/internal/precedence"
	"github.com/askfirst/askfirst/signals"
	"github.com/askfirst/askfirst/wire"
)

// Mechanism is the signals.Statement mechanism of registry declarations.
const Mechanism = "registry"

// Statements turns the registry's answer about one item into statements
// of the "registry" mechanism (DESIGN §3.7), one per declaration, located
// at the receipt URL of its log entry so that anyone can verify it, its
// value the declaration's terms as the entry states them, its uses what
// the declaration decides for its party (internal/precedence computes it,
// in the registry; here only for a registry that did not):
//
//   - a use the declaration decides is in Uses, with its offer in Offers
//     (an offer applies only to the uses its term names and the narrower
//     uses that take their value from that term);
//   - a use another declaration of the same party decides (a more
//     specific subject, a newer declaration) is in Overruled with why, so
//     the evaluation counts it among the statements that lost;
//   - a grant or offer that cannot apply through the match (an
//     unconfirmed work match, a locator on an unverified domain) is a
//     warning;
//   - each possible match (a candidate that failed confirmation) is a
//     statement with no effect on any use, for a person to judge;
//   - a result the registry could not compute leaves every use in uses
//     unknown with a warning, never allowed.
//
// base is the registry URL the answer came from.
func Statements(base string, res wire.MatchResult, uses []signals.Use) []signals.Statement {
	base = strings.TrimRight(base, "/")
	if res.Error != "" {
		return []signals.Statement{Unreachable(base, fmt.Errorf("registry could not look the item up: %s", res.Error), uses)}
	}
	res = Resolved(res)
	matches := map[string]wire.WorkMatch{}
	for _, m := range res.Matches {
		matches[m.Work] = m
	}
	var out []signals.Statement
	for _, d := range res.Declarations {
		out = append(out, declarationStatement(base, d, matches))
	}
	for _, p := range res.PossibleMatches {
		out = append(out, possibleStatement(base, p))
	}
	return out
}

// Resolved returns res with the uses each declaration decides
// (wire.AppliedDeclaration.Uses), as the registry computes them; for the
// answer of a registry that did not, it computes them by the same rule
// (internal/precedence).
func Resolved(res wire.MatchResult) wire.MatchResult {
	for _, d := range res.Declarations {
		if len(d.Uses) > 0 {
			return res
		}
	}
	res.Declarations = slices.Clone(res.Declarations)
	precedence.Apply(res.Declarations, res.Matches)
	return res
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

func declarationStatement(base string, d wire.AppliedDeclaration, matches map[string]wire.WorkMatch) signals.Statement {
	st := signals.Statement{Mechanism: Mechanism, Location: base + "/v1/receipts/" + fmt.Sprint(d.LogIndex),
		Value: describe(d, matches), Uses: map[signals.Use]signals.Verdict{}}
	for _, t := range d.Terms {
		if _, err := signals.ParseUse(t.Use); err != nil {
			st.Warnings = append(st.Warnings, fmt.Sprintf("term for unknown use %q ignored", t.Use))
		} else if precedence.Severity(t.Decision) == 0 {
			st.Warnings = append(st.Warnings, fmt.Sprintf("unknown decision %q for %s ignored", t.Decision, t.Use))
		}
	}
	for _, o := range d.Uses {
		u := signals.Use(o.Use)
		switch o.Status {
		case wire.StatusDecides:
			st.Uses[u] = signals.Verdict(o.Decision)
			if o.Why != "" {
				st.Warnings = append(st.Warnings, fmt.Sprintf("%s: %s", o.Use, o.Why))
			}
			if o.Offer == nil {
				continue
			}
			if st.Offers == nil {
				st.Offers = map[signals.Use]*signals.Offer{}
			}
			st.Offers[u] = offer(d, *o.Offer)
		case wire.StatusOutranked:
			if st.Overruled == nil {
				st.Overruled = map[signals.Use]string{}
			}
			st.Overruled[u] = o.Why
		case wire.StatusWithheld:
			st.Warnings = append(st.Warnings, fmt.Sprintf("%s for %s not applied: %s", o.Decision, o.Use, o.Why))
		}
	}
	return st
}

// offer is a registry offer as evidence names it, with its holder.
func offer(d wire.AppliedDeclaration, o wire.Offer) *signals.Offer {
	so := &signals.Offer{Price: o.Price, Currency: o.Currency, Per: "item", Terms: o.TermsURL, Contact: o.Contact}
	so.Holder, so.Organisation = holderNames(d)
	if o.PerUse {
		so.Per = "item and use"
	}
	return so
}

// possibleStatement is the evidence of a possible match: no effect on any
// use, located at the work.
func possibleStatement(base string, p wire.PossibleMatch) signals.Statement {
	v := fmt.Sprintf("possible match, not confirmed: work %s", p.Work)
	if p.Title != "" {
		v += fmt.Sprintf(" %q", p.Title)
	}
	if p.Creator != "" {
		v += " by " + p.Creator
	}
	v += fmt.Sprintf(" (owner %s) found on %s at distance %d, but %s; it decides nothing", p.Account, p.Unit, p.Distance, p.Why)
	return signals.Statement{Mechanism: Mechanism, Location: base + "/v1/works/" + p.Work, Value: v, Uses: map[signals.Use]signals.Verdict{}}
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
		if d.OnBehalfOfName != "" {
			fmt.Fprintf(&b, " for %s (%s)", d.OnBehalfOfName, d.OnBehalfOf)
		} else {
			fmt.Fprintf(&b, " for %s", d.OnBehalfOf)
		}
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
	s = fmt.Sprintf("%s, distance %d, %s", s, m.Distance, m.Confidence)
	if m.Why != "" {
		s += " (" + m.Why + ")"
	}
	return s
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

// holderNames names the rights holder of a declaration's offers: the
// member it was made for, and the declaring organisation beside it; or the
// declaring account alone. An account without a name is named by its ID.
func holderNames(d wire.AppliedDeclaration) (holder, organisation string) {
	name := d.AccountName
	if name == "" {
		name = d.Account
	}
	if d.OnBehalfOf == "" {
		return name, ""
	}
	member := d.OnBehalfOfName
	if member == "" {
		member = d.OnBehalfOf
	}
	return member, name
}

// Decided is a use and the declaration that decides it.
type Decided struct {
	Use         string
	Decision    string
	Offer       string // OfferString of its offer, or ""
	Declaration wire.AppliedDeclaration
}

// Deciding lists, in the order of the uses, each use one of ds decides
// (wire.StatusDecides) and which; several parties may each decide a use.
func Deciding(ds []wire.AppliedDeclaration) []Decided {
	var out []Decided
	for _, u := range []string{wire.UseTrainGenAI, wire.UseTrainAI, wire.UseAIInput, wire.UseSearch} {
		for _, d := range ds {
			for _, o := range d.Uses {
				if o.Use == u && o.Status == wire.StatusDecides {
					x := Decided{Use: u, Decision: o.Decision, Declaration: d}
					if o.Offer != nil {
						x.Offer = OfferString(*o.Offer)
					}
					out = append(out, x)
				}
			}
		}
	}
	return out
}
