// Package precedence decides what an askfirst registry's declarations say
// about one item, use by use (DESIGN §3.3–3.5), in one place: the registry
// computes it for every answer (so the live registry and its mirrors
// answer alike), and clients compute it only for answers of a registry
// that did not.
//
// For each declaration that applies to an item it works out what the
// declaration says per use (wire.UseOutcome):
//
//   - deny and licence terms reach the uses they contain (train-ai
//     contains train-genai: deny broadly); a use with its own term keeps it
//     unless a broader term is stricter, and a use a broader deny reserves
//     keeps the offer of its own term as whom to ask;
//   - allow grants only the use it names, and only through an exact or
//     confirmed work match or a domain or URL prefix (grant narrowly);
//     otherwise it is withheld;
//   - a work matched only by a locator on a domain neither its owner nor
//     the account that registered it has verified may reserve, but never
//     grant or offer a licence: its licence terms become reservations
//     without the offer.
//
// Then, among the declarations of one party — the rights holder: the
// member an organisation declared for, else the declaring account — the
// most specific subject decides each use: a work, then a URL prefix (the
// longer first), then a domain, then all the party's works; between two
// works the closer match (exact, confirmed, unconfirmed); among equals the
// newest (the later log entry). One exception: a delegate's declaration
// never decides a use less strictly (deny, then licence, then allow) than
// the member's own declarations do; there the member's own decides.
//
// It does not combine parties or mechanisms: across parties deny beats
// licence beats allow, as signals.Evaluate decides.
package precedence

import (
	"cmp"
	"fmt"
	"slices"

	"github.com/askfirst/askfirst/wire"
)

// uses is the order of the uses in outcomes.
var uses = []string{wire.UseTrainGenAI, wire.UseTrainAI, wire.UseAIInput, wire.UseSearch}

// narrower lists, per use, the uses it contains (DESIGN §2: train-genai ⊂
// train-ai).
var narrower = map[string][]string{wire.UseTrainAI: {wire.UseTrainGenAI}}

// Severity orders decisions: deny 3, license 2, allow 1, anything else 0.
func Severity(decision string) int {
	switch decision {
	case wire.DecisionDeny:
		return 3
	case wire.DecisionLicense:
		return 2
	case wire.DecisionAllow:
		return 1
	}
	return 0
}

// Resolve fills Party and Uses of every declaration of res, from its terms
// and the matches it applies through (Apply).
func Resolve(res *wire.MatchResult) {
	Apply(res.Declarations, res.Matches)
}

// Apply fills Party and Uses of every declaration of ds: what each says
// per use as it applies, and which declaration of each party decides each
// use. matches are the work matches the declarations apply through (by
// their Work); a declaration whose Work is not among them is judged by its
// own Confidence. Apply is pure; ds keeps its order.
func Apply(ds []wire.AppliedDeclaration, matches []wire.WorkMatch) {
	byWork := make(map[string]wire.WorkMatch, len(matches))
	for _, m := range matches {
		byWork[m.Work] = m
	}
	for i := range ds {
		d := &ds[i]
		d.Party = party(*d)
		d.Uses = outcomes(*d, basisOf(*d, byWork))
	}
	// Precedence within each party, use by use.
	byParty := map[string][]int{}
	var parties []string
	for i, d := range ds {
		if _, ok := byParty[d.Party]; !ok {
			parties = append(parties, d.Party)
		}
		byParty[d.Party] = append(byParty[d.Party], i)
	}
	for _, p := range parties {
		for _, u := range uses {
			decide(ds, byParty[p], u)
		}
	}
}

// party is the rights holder a declaration speaks for.
func party(d wire.AppliedDeclaration) string {
	if d.OnBehalfOf != "" {
		return d.OnBehalfOf
	}
	return d.Account
}

// basis says what a declaration may do through the match it applies by.
type basis struct {
	grants    bool   // allow terms apply
	grantsWhy string // why not
	offers    bool   // licence offers apply
	offersWhy string // why not
}

func basisOf(d wire.AppliedDeclaration, byWork map[string]wire.WorkMatch) basis {
	if d.AppliesVia == "domain" || d.AppliesVia == "url-prefix" {
		return basis{grants: true, offers: true}
	}
	strong := func(c string) bool { return c == wire.ConfidenceExact || c == wire.ConfidenceConfirmed }
	b := basis{offers: true}
	m, ok := byWork[d.Work]
	ok = ok && d.Work != ""
	if strong(d.Confidence) && (!ok || strong(m.Confidence)) {
		b.grants = true
		return b
	}
	why := "the work match is " + orUnknown(d.Confidence)
	if ok && m.Why != "" {
		why = m.Why
	}
	b.grantsWhy = why + "; grants need an exact or confirmed match"
	if ok && m.MatchedBy == wire.MatchedByURL {
		b.offers = false
		b.offersWhy = why + "; a locator on an unverified domain may reserve but not offer a licence"
	}
	return b
}

func orUnknown(s string) string {
	if s == "" {
		return "unknown"
	}
	return s
}

// outcomes is what d says per use, every use Decides or Withheld.
func outcomes(d wire.AppliedDeclaration, b basis) []wire.UseOutcome {
	vals := map[string]wire.UseOutcome{}
	set := func(o wire.UseOutcome) {
		if Severity(o.Decision) > Severity(vals[o.Use].Decision) {
			vals[o.Use] = o
		}
	}
	own := map[string]*wire.Offer{} // the offer of the term naming the use
	withheld := map[string]wire.UseOutcome{}
	var broad []wire.Term
	for _, t := range d.Terms {
		if !slices.Contains(uses, t.Use) {
			continue
		}
		switch t.Decision {
		case wire.DecisionDeny, wire.DecisionLicense:
			set(wire.UseOutcome{Use: t.Use, Decision: t.Decision, Offer: t.Offer, Status: wire.StatusDecides})
			own[t.Use] = t.Offer
			broad = append(broad, t)
		case wire.DecisionAllow:
			if !b.grants {
				withheld[t.Use] = wire.UseOutcome{Use: t.Use, Decision: t.Decision, Status: wire.StatusWithheld, Why: b.grantsWhy}
				continue
			}
			set(wire.UseOutcome{Use: t.Use, Decision: t.Decision, Status: wire.StatusDecides})
		}
	}
	// Deny broadly: a broad deny or licence term reaches the narrower uses,
	// replacing their own term only when stricter.
	for _, t := range broad {
		for _, n := range narrower[t.Use] {
			set(wire.UseOutcome{Use: n, Decision: t.Decision, From: t.Use, Offer: t.Offer, Status: wire.StatusDecides})
		}
	}
	var out []wire.UseOutcome
	for _, u := range uses {
		o, ok := vals[u]
		if !ok {
			if w, ok := withheld[u]; ok {
				out = append(out, w)
			}
			continue
		}
		if o.Offer == nil && o.From != "" {
			// Reserved by a broader term: its own term's offer says whom
			// to ask, D(offer).
			o.Offer = own[u]
		}
		if !b.offers && o.Offer != nil {
			if o.Decision == wire.DecisionLicense {
				o.Decision = wire.DecisionDeny
			}
			o.Offer = nil
			o.Why = "the licence offer is withheld: " + b.offersWhy
		}
		out = append(out, o)
	}
	return out
}

// candidate is a declaration's outcome for one use, in precedence.
type candidate struct {
	i int // index in ds
	k int // index in ds[i].Uses
}

// specificity ranks the subject a declaration applies by: work 4, URL
// prefix 3, domain 2, all the party's works 1.
func specificity(d wire.AppliedDeclaration) int {
	switch d.Subject.Kind {
	case wire.SubjectWork:
		return 4
	case wire.SubjectURLPrefix:
		return 3
	case wire.SubjectDomain:
		return 2
	}
	return 1
}

// closeness ranks the match a declaration applies through.
func closeness(d wire.AppliedDeclaration) int {
	switch d.Confidence {
	case wire.ConfidenceExact, "":
		return 3
	case wire.ConfidenceConfirmed:
		return 2
	}
	return 1
}

// outranks orders a before b when a takes precedence: more specific, a
// longer URL prefix, a closer match, newer.
func Outranks(a, b wire.AppliedDeclaration) int {
	return cmp.Or(
		cmp.Compare(specificity(b), specificity(a)),
		cmp.Compare(len(b.Subject.Value)*btoi(b.Subject.Kind == wire.SubjectURLPrefix), len(a.Subject.Value)*btoi(a.Subject.Kind == wire.SubjectURLPrefix)),
		cmp.Compare(closeness(b), closeness(a)),
		cmp.Compare(b.LogIndex, a.LogIndex),
	)
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// decide picks, among the declarations idx of one party, the one that
// decides use u, and marks the others outranked.
func decide(ds []wire.AppliedDeclaration, idx []int, u string) {
	var cs []candidate
	for _, i := range idx {
		for k, o := range ds[i].Uses {
			if o.Use == u && o.Status != wire.StatusWithheld {
				cs = append(cs, candidate{i, k})
			}
		}
	}
	if len(cs) < 2 {
		return
	}
	slices.SortStableFunc(cs, func(a, b candidate) int { return Outranks(ds[a.i], ds[b.i]) })
	win := cs[0]
	if ds[win.i].OnBehalfOf != "" {
		// A delegate decides no use less strictly than the member's own
		// declarations do.
		for _, c := range cs {
			if ds[c.i].OnBehalfOf == "" {
				if Severity(ds[c.i].Uses[c.k].Decision) > Severity(ds[win.i].Uses[win.k].Decision) {
					win = c
				}
				break
			}
		}
	}
	w := ds[win.i]
	for _, c := range cs {
		if c == win {
			continue
		}
		o := &ds[c.i].Uses[c.k]
		o.Status, o.By, o.Why = wire.StatusOutranked, w.ID, why(w, ds[c.i], w.Uses[win.k])
	}
}

// why says why w decides a use instead of l.
func why(w, l wire.AppliedDeclaration, wo wire.UseOutcome) string {
	switch {
	case w.OnBehalfOf == "" && l.OnBehalfOf != "" && Outranks(l, w) < 0:
		return fmt.Sprintf("decided by %s, the member's own declaration (%s): a delegate cannot relax what the member declared herself", w.ID, wo.Decision)
	case specificity(w) != specificity(l):
		return fmt.Sprintf("decided by %s on %s, a more specific subject than %s", w.ID, w.Subject, l.Subject)
	case w.Subject.Kind == wire.SubjectURLPrefix && len(w.Subject.Value) != len(l.Subject.Value):
		return fmt.Sprintf("decided by %s on %s, a longer URL prefix", w.ID, w.Subject)
	case closeness(w) != closeness(l):
		return fmt.Sprintf("decided by %s through a closer match (%s; this one %s)", w.ID, orUnknown(w.Confidence), orUnknown(l.Confidence))
	}
	return fmt.Sprintf("decided by %s on %s, newer (log %d; this one log %d)", w.ID, w.Subject, w.LogIndex, l.LogIndex)
}

// Relaxed returns the uses that terms prev reserve (deny, or licence) and
// terms next decide less strictly or not at all, in the order of the uses:
// what a delegate may not do to its member's own declaration by
// superseding it.
func Relaxed(prev, next []wire.Term) []string {
	all := basis{grants: true, offers: true}
	strict := map[string]int{}
	for _, o := range outcomes(wire.AppliedDeclaration{Declaration: wire.Declaration{Terms: next}}, all) {
		strict[o.Use] = Severity(o.Decision)
	}
	var out []string
	for _, o := range outcomes(wire.AppliedDeclaration{Declaration: wire.Declaration{Terms: prev}}, all) {
		if sv := Severity(o.Decision); sv >= Severity(wire.DecisionLicense) && sv > strict[o.Use] {
			out = append(out, o.Use)
		}
	}
	return out
}
