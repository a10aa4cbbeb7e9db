package web

import (
	"strconv"
	"strings"

	"github.com/askfirst/askfirst/internal/registry"
	"github.com/askfirst/askfirst/internal/registryevidence"
	"github.com/askfirst/askfirst/signals"
)

// What the registry answers today about an item, per use: the registry's
// declarations become statements exactly as `askfirst check --registry`
// makes them (registryevidence.Statements: deny broadly, grant narrowly) and are
// combined by the same evaluation (signals.Evaluate), so the pages never
// say something the command line would not.

// useVerdict is the answer for one use.
type useVerdict struct {
	Use       string
	Verdict   string // deny, license, allow, unknown
	Offer     *signals.Offer
	DecidedBy []declRef
	Lost      []declRef
	Warnings  []string
}

// declRef is a declaration named in an answer.
type declRef struct {
	D registry.AppliedDeclaration
}

// verdicts evaluates the declarations of res for every use.
func verdicts(base string, res registry.MatchResult) []useVerdict {
	stmts := registryevidence.Statements(base, res, nil)
	ev := signals.Evaluate(stmts, signals.Options{})
	byIndex := map[int64]registry.AppliedDeclaration{}
	for _, d := range res.Declarations {
		byIndex[d.LogIndex] = d
	}
	ref := func(i int) (declRef, bool) {
		loc := ev.Evidence[i].Location
		n, err := strconv.ParseInt(loc[strings.LastIndexByte(loc, '/')+1:], 10, 64)
		if err != nil {
			return declRef{}, false
		}
		d, ok := byIndex[n]
		return declRef{D: d}, ok
	}
	var out []useVerdict
	for _, ur := range ev.Uses {
		v := useVerdict{Use: string(ur.Use), Verdict: string(ur.Verdict), Offer: ur.Offer, Warnings: ur.Warnings}
		seen := map[int64]bool{}
		for _, i := range ur.DecidedBy {
			if r, ok := ref(i); ok && !seen[r.D.LogIndex] {
				seen[r.D.LogIndex] = true
				v.DecidedBy = append(v.DecidedBy, r)
			}
		}
		for _, i := range ur.Lost {
			if r, ok := ref(i); ok && !seen[r.D.LogIndex] {
				seen[r.D.LogIndex] = true
				v.Lost = append(v.Lost, r)
			}
		}
		out = append(out, v)
	}
	return out
}

// Via says in plain words why a declaration applies.
func (r declRef) Via() string {
	d := r.D
	switch {
	case strings.HasPrefix(d.AppliesVia, "work:"):
		return "on this work"
	case strings.HasPrefix(d.AppliesVia, "account:"):
		return "on all works of its owner"
	case d.AppliesVia == "domain":
		return "on the domain " + d.Subject.Value
	case d.AppliesVia == "url-prefix":
		return "on the addresses under " + d.Subject.Value
	}
	return d.AppliesVia
}

// Who names the declaring account, and the member it acted for.
func (r declRef) Who() string {
	who := r.D.AccountName
	if who == "" {
		who = r.D.Account
	}
	if r.D.OnBehalfOf != "" {
		who += " for " + r.D.OnBehalfOf
	}
	return who
}
