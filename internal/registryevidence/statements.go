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
// of the "registry" mechanism (DESIGN §3.7), one per declaration, located
// at the receipt URL of its log entry so that anyone can verify it, its
// value the declaration's terms as the entry states them:
//
//   - deny reserves the use and every narrower one (DESIGN §3.4: deny
//     broadly), license likewise requires the licence; a use the
//     declaration names itself keeps its own term unless a broader term
//     is stricter;
//   - an offer applies only to the uses its term names and the narrower
//     uses that take their value from that term (Statement.Offers): with
//     "deny train-genai; license train-ai 0.05", train-genai is a deny
//     without an offer;
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
		out = append(out, declarationStatement(base, d, matches))
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

func declarationStatement(base string, d wire.AppliedDeclaration, matches map[string]wire.WorkMatch) signals.Statement {
	grants := d.Confidence == "exact" || d.Confidence == "confirmed" || d.AppliesVia == "domain" || d.AppliesVia == "url-prefix"
	st := signals.Statement{Mechanism: Mechanism, Location: base + "/v1/receipts/" + fmt.Sprint(d.LogIndex),
		Value: describe(d, matches), Uses: map[signals.Use]signals.Verdict{}}
	offers := map[signals.Use]*wire.Offer{}
	named := map[signals.Use]*wire.Offer{} // the offer of the term naming the use
	set := func(u signals.Use, v signals.Verdict, o *wire.Offer) {
		if severity(v) > severity(st.Uses[u]) {
			st.Uses[u], offers[u] = v, o
		}
	}
	// First the uses the terms name, then what broad terms imply for the
	// narrower uses (deny broadly): an implied value replaces a named one
	// only when stricter, so a named term keeps its own offer.
	var broad []wire.Term
	for _, t := range d.Terms {
		u, err := signals.ParseUse(t.Use)
		if err != nil {
			st.Warnings = append(st.Warnings, fmt.Sprintf("term for unknown use %q ignored", t.Use))
			continue
		}
		switch t.Decision {
		case "deny", "license":
			v := signals.Deny
			if t.Decision == "license" {
				v = signals.License
			}
			set(u, v, t.Offer)
			named[u] = t.Offer
			broad = append(broad, t)
		case "allow":
			if !grants {
				st.Warnings = append(st.Warnings, fmt.Sprintf("allow for %s not applied: the work match is %s, grants need an exact or confirmed match", t.Use, orNone(d.Confidence)))
				continue
			}
			set(u, signals.Allow, nil)
		default:
			st.Warnings = append(st.Warnings, fmt.Sprintf("unknown decision %q for %s ignored", t.Decision, t.Use))
		}
	}
	for _, t := range broad {
		v := signals.Deny
		if t.Decision == "license" {
			v = signals.License
		}
		for _, n := range narrower[signals.Use(t.Use)] {
			set(n, v, t.Offer)
		}
	}
	for u := range st.Uses {
		o := offers[u]
		if o == nil {
			// A use reserved by a broader term whose own term offers a
			// licence: a deny with that offer attached.
			o = named[u]
		}
		if o == nil {
			continue
		}
		if st.Offers == nil {
			st.Offers = map[signals.Use]*signals.Offer{}
		}
		so := &signals.Offer{Price: o.Price, Currency: o.Currency, Per: "item", Terms: o.TermsURL, Contact: o.Contact}
		so.Holder, so.Organisation = holderNames(d)
		if o.PerUse {
			so.Per = "item and use"
		}
		st.Offers[u] = so
	}
	return st
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
