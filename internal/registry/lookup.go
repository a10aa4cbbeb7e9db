package registry

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/askfirst/askfirst/internal/precedence"
	"github.com/askfirst/askfirst/internal/store"
	"github.com/askfirst/askfirst/match"
	"github.com/askfirst/askfirst/pdq"
	"github.com/askfirst/askfirst/wire"
)

// What a developer asks about and what the registry answers: the wire's
// types (POST /v1/match, GET /v1/lookup).
type (
	MatchItem          = wire.MatchItem
	WorkMatch          = wire.WorkMatch
	AppliedDeclaration = wire.AppliedDeclaration
	MatchResult        = wire.MatchResult
)

// maxMatchesPerItem caps the works reported for one item.
const maxMatchesPerItem = wire.MaxMatchesPerItem

// Match looks every item up: exact matches on datahash and ISCC units,
// similar works through the content index (DESIGN §4), works published at
// the item's URL, and the current declarations on those works, their
// owners' accounts, the URL's domain and URL prefixes. A malformed item
// gets an Error, the others are answered.
func (r *Registry) Match(ctx context.Context, items []MatchItem) ([]MatchResult, error) {
	if len(items) > MaxBatch {
		return nil, invalidf("%d items, the limit is %d per call", len(items), MaxBatch)
	}
	out := make([]MatchResult, len(items))
	err := r.st.View(ctx, func(tx store.ReadTx) error {
		names := map[string]string{}
		for i, it := range items {
			res, err := r.matchOne(tx, it, names)
			if err != nil {
				if errors.Is(err, ErrInvalid) {
					out[i] = MatchResult{Error: err.Error(), Matches: []WorkMatch{}, Declarations: []AppliedDeclaration{}}
					continue
				}
				return err
			}
			out[i] = res
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("match: %w", err)
	}
	return out, nil
}

func (r *Registry) matchOne(tx store.ReadTx, it MatchItem, names map[string]string) (MatchResult, error) {
	res := MatchResult{Matches: []WorkMatch{}, Declarations: []AppliedDeclaration{}}
	seen := map[string]bool{}
	addWork := func(w store.Work, by, unit string, dist int, conf, why string) {
		if seen[w.ID] || len(res.Matches) >= maxMatchesPerItem {
			return
		}
		seen[w.ID] = true
		res.Matches = append(res.Matches, WorkMatch{Work: w.ID, Account: w.AccountID, Title: w.Title, Creator: w.Creator,
			ISCC: w.ISCC, MatchedBy: by, Unit: unit, Distance: dist, Confidence: conf, Why: why})
	}
	if it.Datahash != "" {
		ws, err := tx.WorksByDatahash(it.Datahash)
		if err != nil {
			return res, err
		}
		for _, w := range ws {
			addWork(w, wire.MatchedByDatahash, "instance", 0, wire.ConfidenceExact, "")
		}
	}
	codes := it.Units.Codes()
	if it.ISCC != "" {
		codes = append(codes, it.ISCC)
	}
	for _, c := range codes {
		if len(c) > wire.MaxCodeLen {
			return res, invalidf("code longer than %d bytes", wire.MaxCodeLen)
		}
	}
	q := UnitsOf(codes)
	if it.PDQ != nil {
		h, err := pdq.ParseHash(it.PDQ.Hash)
		if err != nil {
			return res, invalidf("pdq %q: %v", it.PDQ.Hash, err)
		}
		q = append(q, match.Unit256(match.PDQ, match.Code256FromBytes([32]byte(h))))
	}
	var rejected []Hit
	for _, c := range codes {
		ws, err := tx.WorksByUnit(c)
		if err != nil {
			return res, err
		}
		for _, w := range ws {
			switch h, how := r.index.confirmEqual(w.ID, c, q); how {
			case equalPossible:
				rejected = append(rejected, h)
				continue
			case equalDropped:
				continue
			}
			addWork(w, wire.MatchedByUnit, c, 0, wire.ConfidenceExact, "")
		}
	}
	for _, h := range r.index.Search(q) {
		if seen[h.WorkID] {
			continue
		}
		if h.Confidence == match.Rejected {
			rejected = append(rejected, h)
			continue
		}
		w, err := tx.Work(h.WorkID)
		if err != nil {
			return res, err
		}
		why := ""
		if h.Confidence == match.Unconfirmed {
			why = fmt.Sprintf("only one 64-bit unit both sides have (%s): nothing could confirm it", h.Unit)
		}
		addWork(w, wire.MatchedBySimilarity, h.Unit, h.Distance, string(h.Confidence), why)
	}
	var u *url.URL
	if it.URL != "" {
		var err error
		if u, err = parseHTTPURL(it.URL); err != nil {
			return res, invalidf("url %q: %v", it.URL, err)
		}
		ws, err := tx.WorksByURL(u.String())
		if err != nil {
			return res, err
		}
		for _, w := range ws {
			conf, why, err := locatorConfidence(tx, w, hostOf(u))
			if err != nil {
				return res, err
			}
			addWork(w, wire.MatchedByURL, "", 0, conf, why)
		}
	}
	// Candidates that failed confirmation: shown, never applied.
	pseen := map[string]bool{}
	for _, h := range rejected {
		if seen[h.WorkID] || pseen[h.WorkID] || len(res.PossibleMatches) >= maxMatchesPerItem {
			continue
		}
		pseen[h.WorkID] = true
		w, err := tx.Work(h.WorkID)
		if err != nil {
			return res, err
		}
		res.PossibleMatches = append(res.PossibleMatches, possibleMatch(w, h))
	}
	// The declarations that apply.
	dseen := map[string]bool{}
	addDecls := func(ds []store.Declaration, via, conf, work string) {
		for _, d := range ds {
			if dseen[d.ID] || d.SupersededBy != "" {
				continue
			}
			dseen[d.ID] = true
			a := applied(tx, d, names, via, conf)
			a.Work = work
			res.Declarations = append(res.Declarations, a)
		}
	}
	// Each owner's works apply its account-wide declarations through the
	// closest of its matches.
	owners := map[string]WorkMatch{}
	var order []string
	for _, m := range res.Matches {
		ds, err := tx.CurrentDeclarations(store.Subject{Kind: store.SubjectWork, Value: m.Work})
		if err != nil {
			return res, err
		}
		addDecls(ds, "work:"+m.Work, m.Confidence, m.Work)
		if b, ok := owners[m.Account]; !ok || closeness(m) > closeness(b) {
			if !ok {
				order = append(order, m.Account)
			}
			owners[m.Account] = m
		}
	}
	for _, acc := range order {
		ds, err := tx.CurrentDeclarations(store.Subject{Kind: store.SubjectAccount, Value: acc})
		if err != nil {
			return res, err
		}
		addDecls(ds, "account:"+acc, owners[acc].Confidence, owners[acc].Work)
	}
	if u != nil {
		host := hostOf(u)
		ds, err := tx.CurrentDeclarations(store.Subject{Kind: store.SubjectDomain, Value: host})
		if err != nil {
			return res, err
		}
		addDecls(ds, "domain", "", "")
		ps, err := tx.URLPrefixDeclarations(host, u.String())
		if err != nil {
			return res, err
		}
		addDecls(ps, "url-prefix", "", "")
	}
	precedence.Resolve(&res)
	return res, nil
}

// closeness ranks a work match for applying its owner's account-wide
// declarations: exact, confirmed, unconfirmed by content, then a locator
// on an unverified domain (which may reserve but not offer).
func closeness(m WorkMatch) int {
	switch {
	case m.Confidence == wire.ConfidenceExact:
		return 4
	case m.Confidence == wire.ConfidenceConfirmed:
		return 3
	case m.MatchedBy != wire.MatchedByURL:
		return 2
	}
	return 1
}

// locatorConfidence grades a match of w by one of its locators on host
// (DESIGN §3.5): exact when host is a domain verified by w's owner or by
// the account that registered w for it, else unconfirmed — the locator is
// then only its registrant's word, which may reserve but never grant or
// offer a licence.
func locatorConfidence(tx store.ReadTx, w store.Work, host string) (conf, why string, err error) {
	c, err := tx.VerifiedDomain(host)
	switch {
	case errors.Is(err, store.ErrNotFound):
	case err != nil:
		return "", "", err
	case c.AccountID == w.AccountID || (w.RegisteredBy != "" && c.AccountID == w.RegisteredBy):
		return wire.ConfidenceExact, "", nil
	}
	return wire.ConfidenceUnconfirmed, fmt.Sprintf("published at this URL on its registrant's word only: %s is not a domain the work's owner verified", host), nil
}

// possibleMatch describes a candidate that failed confirmation.
func possibleMatch(w store.Work, h Hit) wire.PossibleMatch {
	p := wire.PossibleMatch{Work: w.ID, Account: w.AccountID, Title: w.Title, Creator: w.Creator, ISCC: w.ISCC,
		Unit: h.Unit, Distance: h.Distance, Units: []wire.UnitDistance{}}
	failed := []string{h.why}
	if h.why == "" {
		failed = nil
	}
	for _, e := range h.Units {
		p.Units = append(p.Units, wire.UnitDistance{Unit: e.Kind.String(), Distance: e.Distance, Threshold: e.Threshold, Within: e.Within})
		if !e.Within {
			failed = append(failed, fmt.Sprintf("%s is %d bits apart, over its threshold of %d", e.Kind, e.Distance, e.Threshold))
		}
	}
	p.Why = strings.Join(failed, "; ")
	return p
}

// applied describes declaration d as it applies to an item, with the names
// of its account and of the member it was made for; names caches account
// names by ID.
func applied(tx store.ReadTx, d store.Declaration, names map[string]string, via, conf string) AppliedDeclaration {
	name := func(id string) string {
		if id == "" {
			return ""
		}
		n, ok := names[id]
		if !ok {
			if a, err := tx.Account(id); err == nil {
				n = a.Name
			}
			names[id] = n
		}
		return n
	}
	return AppliedDeclaration{Declaration: DeclarationOut(d), AccountName: name(d.AccountID),
		OnBehalfOfName: name(d.OnBehalfOf), AppliesVia: via, Confidence: conf}
}

// Work returns a work by ID.
func (r *Registry) Work(ctx context.Context, id string) (store.Work, error) {
	var w store.Work
	err := r.st.View(ctx, func(tx store.ReadTx) error {
		var err error
		w, err = tx.Work(id)
		return err
	})
	return w, err
}

// Lookup answers the GET lookups: by ISCC (code or unit), datahash, URL
// or domain; exactly one of them is given.
func (r *Registry) Lookup(ctx context.Context, by, value string) (MatchResult, error) {
	value = strings.TrimSpace(value)
	var item MatchItem
	switch by {
	case "iscc":
		item.ISCC = value
	case "datahash":
		item.Datahash = value
	case "url":
		item.URL = value
	case "pdq":
		item.PDQ = &wire.PDQ{Hash: value}
	case "domain":
		d, err := normalizeDomain(value)
		if err != nil {
			return MatchResult{}, err
		}
		res := MatchResult{Matches: []WorkMatch{}, Declarations: []AppliedDeclaration{}}
		err = r.st.View(ctx, func(tx store.ReadTx) error {
			ws, err := tx.WorksByDomain(d, "", maxMatchesPerItem)
			if err != nil {
				return err
			}
			for _, w := range ws {
				res.Matches = append(res.Matches, WorkMatch{Work: w.ID, Account: w.AccountID, Title: w.Title, Creator: w.Creator, ISCC: w.ISCC, MatchedBy: wire.MatchedByDomain, Confidence: wire.ConfidenceExact})
			}
			ds, err := tx.CurrentDeclarations(store.Subject{Kind: store.SubjectDomain, Value: d})
			if err != nil {
				return err
			}
			names := map[string]string{}
			for _, x := range ds {
				res.Declarations = append(res.Declarations, applied(tx, x, names, "domain", ""))
			}
			precedence.Resolve(&res)
			return nil
		})
		return res, err
	default:
		return MatchResult{}, invalidf("look up by %q: want iscc, datahash, url, pdq or domain", by)
	}
	rs, err := r.Match(ctx, []MatchItem{item})
	if err != nil {
		return MatchResult{}, err
	}
	if rs[0].Error != "" {
		return MatchResult{}, invalidf("%s", rs[0].Error)
	}
	return rs[0], nil
}
