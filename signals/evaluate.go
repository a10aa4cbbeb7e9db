package signals

import (
	"fmt"
	"slices"
)

// Options choose what Evaluate decides.
type Options struct {
	// Uses to evaluate; nil means AllUses.
	Uses []Use
	// Mode turns Unknown into a Decision; empty means EUTDM.
	Mode Mode
}

// Result is the evaluation of one target.
type Result struct {
	// Mode is the mode the decisions were made under.
	Mode Mode
	// Uses holds one result per evaluated use, in the order requested.
	Uses []UseResult
	// Evidence is every statement considered, in the order given.
	Evidence []Statement
	// Warnings gathers the statements' warnings, each prefixed by its
	// mechanism, without duplicates.
	Warnings []string
}

// UseResult is the verdict for one use and why.
type UseResult struct {
	Use      Use
	Verdict  Verdict
	Decision Decision
	// DecidedBy indexes Result.Evidence: the statements that decided the
	// verdict (empty for Unknown).
	DecidedBy []int
	// Lost indexes Result.Evidence: statements about this use that the
	// verdict overrode, and those another statement of their own party
	// overruled (Statement.Overruled).
	Lost []int
	// Conflict reports that a reservation (or licence requirement) and a
	// grant both existed for this use: flagged for review (digest §14.2.5).
	Conflict bool
	// Offer is a licence offered for this use, attached to a Deny or
	// License verdict (a "D(offer)" in the digest).
	Offer *Offer
	// Reason is a one-line human explanation of verdict and decision.
	Reason string
	// Warnings are those of the statements concerning this use.
	Warnings []string
}

// Use returns the result for u, or false if u was not evaluated.
func (r *Result) Use(u Use) (UseResult, bool) {
	for _, ur := range r.Uses {
		if ur.Use == u {
			return ur, true
		}
	}
	return UseResult{}, false
}

// Excluded reports whether any evaluated use was decided Exclude.
func (r *Result) Excluded() bool {
	for _, ur := range r.Uses {
		if ur.Decision == Exclude {
			return true
		}
	}
	return false
}

// Evaluate combines statements into a verdict and a decision per use,
// following DESIGN §3 and the signals digest §14.2 step 4:
//
//  1. a licence the developer holds (Statement.Held) for the use → Allow;
//  2. otherwise any Deny → Deny, with a licence offer attached if one
//     exists for the use;
//  3. otherwise any License → License;
//  4. otherwise any Allow → Allow;
//  5. otherwise Unknown.
//
// Each statement must already carry its mechanism's own resolution (one
// value per use) and the deny-broadly, grant-narrowly mapping; the
// from_*.go functions produce such statements. The decision then follows
// the mode (digest §14.5), except that an Unknown verdict for a use whose
// check could not complete (a statement with Unknown for it) is always
// excluded: nothing unreadable becomes included. Evaluate is pure and safe
// for concurrent use.
func Evaluate(stmts []Statement, opts Options) Result {
	if opts.Mode == "" {
		opts.Mode = EUTDM
	}
	uses := opts.Uses
	if uses == nil {
		uses = AllUses()
	}
	r := Result{Mode: opts.Mode, Evidence: stmts, Warnings: Warnings(stmts)}
	for _, u := range uses {
		r.Uses = append(r.Uses, evaluateUse(stmts, u, opts.Mode))
	}
	return r
}

// Warnings gathers the statements' warnings, each prefixed by its
// mechanism, without duplicates (Result.Warnings).
func Warnings(stmts []Statement) []string {
	var out []string
	seen := map[string]bool{}
	for _, s := range stmts {
		for _, w := range s.Warnings {
			w = s.Mechanism + ": " + w
			if !seen[w] {
				seen[w] = true
				out = append(out, w)
			}
		}
	}
	return out
}

func evaluateUse(stmts []Statement, u Use, mode Mode) UseResult {
	var held, deny, lic, allow, incomplete, overruled []int
	ur := UseResult{Use: u}
	seen := map[string]bool{}
	for i := range stmts {
		s := &stmts[i]
		v, ok := s.Uses[u]
		if !ok {
			if _, ok := s.Overruled[u]; ok {
				overruled = append(overruled, i)
			}
			continue
		}
		for _, w := range s.Warnings {
			w = s.Mechanism + ": " + w
			if !seen[w] {
				seen[w] = true
				ur.Warnings = append(ur.Warnings, w)
			}
		}
		switch {
		case v == Allow && s.Held:
			held = append(held, i)
		case v == Deny:
			deny = append(deny, i)
		case v == License:
			lic = append(lic, i)
		case v == Allow:
			allow = append(allow, i)
		case v == Unknown:
			incomplete = append(incomplete, i)
		}
	}
	ur.Offer = firstOffer(stmts, u, lic, deny)
	switch {
	case len(held) > 0:
		ur.Verdict, ur.DecidedBy = Allow, held
		ur.Lost = slices.Concat(deny, lic, allow)
		ur.Conflict = len(deny) > 0
		ur.Offer = nil
	case len(deny) > 0:
		ur.Verdict, ur.DecidedBy = Deny, deny
		ur.Lost = slices.Concat(lic, allow)
		ur.Conflict = len(allow) > 0
	case len(lic) > 0:
		ur.Verdict, ur.DecidedBy = License, lic
		ur.Lost = allow
		ur.Conflict = len(allow) > 0
	case len(allow) > 0:
		ur.Verdict, ur.DecidedBy = Allow, allow
		ur.Offer = nil
	default:
		ur.Verdict = Unknown
		ur.Offer = nil
	}
	ur.Lost = append(ur.Lost, overruled...)
	slices.Sort(ur.Lost)
	ur.Decision, ur.Reason = decide(stmts, &ur, mode, incomplete)
	return ur
}

// firstOffer returns the first offer for u of a statement that requires
// a licence for it (lic), else the first offer a reserving statement names
// for u in its Offers (deny). A statement's single Offer applies only to
// the uses it requires a licence for: on a statement that denies or grants
// u it is about its other uses.
func firstOffer(stmts []Statement, u Use, lic, deny []int) *Offer {
	for _, i := range lic {
		if o := stmts[i].OfferFor(u); o != nil {
			return o
		}
	}
	for _, i := range deny {
		if o := stmts[i].Offers[u]; o != nil {
			return o
		}
	}
	return nil
}

// decide applies the mode (digest §14.5) and says why in one line.
func decide(stmts []Statement, ur *UseResult, mode Mode, incomplete []int) (Decision, string) {
	by := ""
	if len(ur.DecidedBy) > 0 {
		s := &stmts[ur.DecidedBy[0]]
		by = Describe(s)
		if n := len(ur.DecidedBy) - 1; n > 0 {
			by += fmt.Sprintf(" (and %d more)", n)
		}
	}
	training := ur.Use == TrainGenAI || ur.Use == TrainAI
	gate := false
	for _, i := range ur.DecidedBy {
		gate = gate || stmts[i].Gate
	}
	switch ur.Verdict {
	case Deny:
		if mode == Research && !gate {
			return Include, "reserved by " + by + "; research mode records the reservation without excluding"
		}
		if ur.Offer != nil {
			return Exclude, "reserved by " + by + "; a licence is offered"
		}
		return Exclude, "reserved by " + by
	case License:
		if mode == Research && !gate {
			return Include, "licence required by " + by + "; research mode records it without excluding"
		}
		return Exclude, "licence required by " + by
	case Allow:
		held := false
		strong := false
		for _, i := range ur.DecidedBy {
			held = held || stmts[i].Held
			strong = strong || stmts[i].grade() != Weak
		}
		if held {
			return Include, "licensed: the developer holds " + by
		}
		if len(incomplete) > 0 {
			return Exclude, "granted by " + by + ", but " + Describe(&stmts[incomplete[0]]) + " could not be checked and might reserve it"
		}
		if mode == Consent && training && !strong {
			return Exclude, "granted only by unsigned embedded metadata (" + by + "); consent mode needs a stronger grant for training"
		}
		return Include, "granted by " + by
	}
	if len(incomplete) > 0 {
		return Exclude, "unknown: " + Describe(&stmts[incomplete[0]]) + " could not be checked; an unreadable check never includes"
	}
	switch {
	case mode == Consent && training:
		return Exclude, "no statement; consent mode excludes training without a grant"
	case mode == Consent:
		return Include, "no statement; consent mode includes " + string(ur.Use)
	case mode == Research:
		return Include, "no statement; research mode includes"
	}
	return Include, "no statement; eu-tdm mode includes (EU DSM Art. 4 applies when nothing is reserved)"
}

// Describe names a statement as reasons name it: mechanism, the value
// quoted whole, and the location.
func Describe(s *Statement) string {
	d := s.Mechanism
	if s.Value != "" {
		d += " " + quote(s.Value)
	}
	if s.Location != "" {
		d += " at " + s.Location
	}
	return d
}

// quote quotes a statement's value whole (Go syntax); a display may
// shorten it, the reason does not.
func quote(v string) string {
	return fmt.Sprintf("%q", v)
}
