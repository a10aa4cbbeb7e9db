package signals

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/askfirst/askfirst/signals/internal/htmlmeta"
	"github.com/askfirst/askfirst/signals/robotstxt"
	"github.com/askfirst/askfirst/signals/tdmrep"
)

// tdmrepSource is one TDMRep statement with where it was found.
type tdmrepSource struct {
	loc     string
	st      tdmrep.Statement
	fetched time.Time // of the document it was read from
	sum     string
}

// tdmrepState collects TDMRep's sources in processing order (W3C TDMRep
// §"Processing priority", digest §3.3): tdmrep.json, then response
// headers, then HTML meta; package tdmrep resolves them.
type tdmrepState struct {
	sources []tdmrepSource
	base    *url.URL // for a relative tdm-policy
	errs    []Statement
}

func (t *tdmrepState) add(loc string, st tdmrep.Statement, fetched time.Time, sum string) {
	if !st.IsZero() || len(st.Warnings) > 0 {
		t.sources = append(t.sources, tdmrepSource{loc, st, fetched, sum})
	}
}

// header adds the tdm-reservation and tdm-policy response headers.
func (t *tdmrepState) header(loc string, h http.Header) {
	t.add(loc+" header tdm-reservation", tdmrep.ParseHeaders(h), time.Time{}, "")
}

// meta adds <meta name="tdm-reservation"> and <meta name="tdm-policy">.
func (t *tdmrepState) meta(loc string, metas []htmlmeta.Meta) {
	var res, pol []string
	line := 0
	for _, m := range metas {
		switch strings.ToLower(m.Name) {
		case "tdm-reservation":
			res = append(res, m.Content)
			if line == 0 {
				line = m.Line
			}
		case "tdm-policy":
			pol = append(pol, m.Content)
		}
	}
	if len(res) > 0 || len(pol) > 0 {
		t.add(fmt.Sprintf("%s <meta name=\"tdm-reservation\"> line %d", loc, line), tdmrep.ParseMeta(res, pol), time.Time{}, "")
	}
}

// tdmrepFile fetches the origin's /.well-known/tdmrep.json and adds its
// first rule (array order) matching the target. Any outcome other than a
// successful JSON array means the site does not implement TDMRep (unset).
func (in *Inspector) tdmrepFile(ctx context.Context, u *url.URL, t *tdmrepState) {
	fu := originOf(u) + "/.well-known/tdmrep.json"
	t.base = u
	resp, err := in.Fetcher.Fetch(ctx, FetchRequest{Method: http.MethodGet, URL: fu, Limit: tdmrep.MaxFile, Site: true})
	if err != nil || resp.Status/100 != 2 {
		return
	}
	parsed := in.memoized(respKey("tdmrep", resp), func() any {
		f, err := tdmrep.ParseFile(resp.Body)
		if err != nil {
			return err
		}
		return f
	})
	if err, ok := parsed.(error); ok {
		t.errs = append(t.errs, Statement{Mechanism: "tdmrep", Location: fu, Value: "unparseable", Uses: map[Use]Verdict{},
			Warnings: []string{err.Error() + "; TDMRep treated as unset"}, Fetched: resp.Fetched, SHA256: digest(resp.Body)})
		return
	}
	f := parsed.(*tdmrep.File)
	r, ok := f.Lookup(robotstxt.PathOf(u))
	if !ok {
		return
	}
	st := r.Statement()
	st.Warnings = append(st.Warnings, f.Warnings...)
	if st.Policy != "" {
		if ref, err := url.Parse(st.Policy); err == nil {
			st.Policy = resp.requestBase().ResolveReference(ref).String()
		}
	}
	t.add(fmt.Sprintf("%s rule %d (location %q)", fu, r.Index+1, r.Location), st, resp.Fetched, digest(resp.Body))
}

func tdmrepValue(st tdmrep.Statement) string {
	v := "tdm-reservation: " + st.Reservation.String()
	if st.Policy != "" {
		v += ", tdm-policy: " + st.Policy
	}
	return v
}

// tdmrepStatements resolves the sources and maps the result (digest §3.5,
// §14.3): reserved with a policy requires a licence (the policy is the
// offer's terms, its assigner the contact), reserved without one denies,
// 0 allows; TDM covers G, T and I, not search. Sources that lost stay as
// evidence without effect.
func (in *Inspector) tdmrepStatements(ctx context.Context, t *tdmrepState) []Statement {
	out := t.errs
	if len(t.sources) == 0 {
		return out
	}
	var sts []tdmrep.Statement
	for _, s := range t.sources {
		sts = append(sts, s.st)
	}
	res := tdmrep.Resolve(sts...)
	last := t.sources[len(t.sources)-1]
	for _, s := range t.sources[:len(t.sources)-1] {
		out = append(out, Statement{Mechanism: "tdmrep", Location: s.loc, Value: tdmrepValue(s.st) + " (superseded in TDMRep processing order)",
			Uses: map[Use]Verdict{}, Warnings: s.st.Warnings, Fetched: s.fetched, SHA256: s.sum})
	}
	final := Statement{Mechanism: "tdmrep", Location: last.loc, Value: tdmrepValue(res), Uses: map[Use]Verdict{}, Warnings: last.st.Warnings, Fetched: last.fetched, SHA256: last.sum}
	if len(t.sources) > 1 {
		final.Value += " (resolved: " + last.st.Reservation.String() + " here, properties not set here kept from earlier sources)"
	}
	if res.Policy != "" && t.base != nil {
		if ref, err := url.Parse(res.Policy); err == nil {
			res.Policy = t.base.ResolveReference(ref).String()
		}
	}
	uses := in.uses()
	switch res.Reservation {
	case tdmrep.Reserved:
		if res.Policy != "" {
			final.Uses = restrict(effects(License, TrainGenAI, TrainAI, AIInput), uses)
			final.Offer = in.tdmrepOffer(ctx, res.Policy, &final)
		} else {
			final.Uses = restrict(effects(Deny, TrainGenAI, TrainAI, AIInput), uses)
		}
	case tdmrep.NotReserved:
		final.Uses = restrict(effects(Allow, TrainGenAI, TrainAI, AIInput), uses)
	default:
		return out
	}
	return append(out, final)
}

// tdmrepOffer reads the TDM Policy for whom to contact. A policy that
// cannot be read leaves the reservation in force (TDMRep §3.1).
func (in *Inspector) tdmrepOffer(ctx context.Context, policy string, s *Statement) *Offer {
	o := &Offer{Terms: policy}
	pu, err := url.Parse(policy)
	if err != nil || pu.Scheme != "http" && pu.Scheme != "https" || in.Fetcher == nil {
		return o
	}
	resp, err := in.Fetcher.Fetch(ctx, FetchRequest{Method: http.MethodGet, URL: policy, Limit: tdmrep.MaxPolicy, Site: true})
	if err == nil && resp.Status/100 != 2 {
		err = fmt.Errorf("status %d", resp.Status)
	}
	if err != nil {
		s.Warnings = append(s.Warnings, fmt.Sprintf("TDM policy %s unreadable (%v); the reservation holds", policy, err))
		return o
	}
	if ct := strings.ToLower(resp.Header.Get("Content-Type")); strings.HasPrefix(ct, "text/html") {
		return o // a human-readable policy
	}
	p, err := tdmrep.ParsePolicy(resp.Body)
	if err != nil {
		s.Warnings = append(s.Warnings, fmt.Sprintf("TDM policy %s unreadable (%v); the reservation holds", policy, err))
		return o
	}
	switch {
	case p.Assigner.Email != "":
		o.Contact = p.Assigner.Email
		if !strings.HasPrefix(o.Contact, "mailto:") {
			o.Contact = "mailto:" + o.Contact
		}
	case p.Assigner.URL != "":
		o.Contact = p.Assigner.URL
	}
	for _, perm := range p.Permissions {
		if perm.RequiresCompensation() {
			o.Per = "compensation"
		}
	}
	return o
}

// requestBase returns the final URL of a response as a base for references.
func (r *FetchResponse) requestBase() *url.URL {
	u, err := url.Parse(r.URL)
	if err != nil {
		return &url.URL{}
	}
	return u
}
