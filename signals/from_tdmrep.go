package signals

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/askfirst/askfirst/signals/robotstxt"
)

// maxTDMRepRules caps the rules read from tdmrep.json.
const maxTDMRepRules = 10000

// tdmrepState follows TDMRep's processing order (W3C TDMRep CG report
// §"Processing priority", digest §3.3): tdmrep.json first, then response
// headers, then HTML meta each supersede earlier values, and a missing
// property never resets the current value. Superseded values stay as
// evidence without effect.
type tdmrepState struct {
	set      bool
	reserved bool
	policy   string
	current  *Statement
	history  []Statement
}

// apply records one TDMRep source. A reservation value other than 0 or 1
// is a protocol error: the property is unset (TDMRep §3.1).
func (t *tdmrepState) apply(loc, reservation, policy string, present bool) {
	if !present {
		return
	}
	reservation, policy = strings.TrimSpace(reservation), strings.TrimSpace(policy)
	s := Statement{Mechanism: "tdmrep", Location: loc, Value: "tdm-reservation: " + reservation, Uses: map[Use]Verdict{}}
	if policy != "" {
		s.Value += ", tdm-policy: " + policy
	}
	switch reservation {
	case "1":
		t.reserved = true
		if policy != "" { // an absent tdm-policy keeps the current one
			t.policy = policy
		}
	case "0":
		t.reserved = false
		if policy != "" {
			s.Warnings = append(s.Warnings, "tdm-policy with tdm-reservation 0 is not processed")
		}
	default:
		s.Warnings = append(s.Warnings, fmt.Sprintf("tdm-reservation %q is neither 0 nor 1: a protocol error, treated as unset", reservation))
		t.history = append(t.history, s)
		return
	}
	if t.current != nil {
		t.current.Value += " (superseded by " + loc + ")"
		t.history = append(t.history, *t.current)
	}
	t.set = true
	t.current = &s
}

// header applies the tdm-reservation and tdm-policy response headers.
func (t *tdmrepState) header(loc string, h http.Header) {
	r, ok := h["Tdm-Reservation"]
	if !ok || len(r) == 0 {
		return
	}
	t.apply(loc+" header tdm-reservation", r[len(r)-1], h.Get("Tdm-Policy"), true)
}

// meta applies <meta name="tdm-reservation"> and <meta name="tdm-policy">.
func (t *tdmrepState) meta(loc string, metas []headMeta) {
	var res, pol string
	line, found := 0, false
	for _, m := range metas {
		switch strings.ToLower(m.Name) {
		case "tdm-reservation":
			res, line, found = m.Content, m.Line, true
		case "tdm-policy":
			pol = strings.TrimSpace(m.Content)
		}
	}
	if found {
		t.apply(fmt.Sprintf("%s <meta name=\"tdm-reservation\"> line %d", loc, line), res, pol, true)
	}
}

// statements returns the evidence, the deciding value last: reserved
// with a policy requires a licence (the policy is the offer's terms),
// reserved without one denies, 0 allows; TDM covers G, T and I but not
// search (digest §3.5, §14.3).
func (t *tdmrepState) statements(uses []Use) []Statement {
	out := t.history
	if t.current != nil {
		s := *t.current
		switch {
		case t.reserved && t.policy != "":
			s.Uses = restrict(effects(License, TrainGenAI, TrainAI, AIInput), uses)
			s.Offer = &Offer{Terms: t.policy}
			if !strings.Contains(s.Value, "tdm-policy") {
				s.Value += " (tdm-policy " + t.policy + " kept from an earlier source)"
			}
		case t.reserved:
			s.Uses = restrict(effects(Deny, TrainGenAI, TrainAI, AIInput), uses)
		default:
			s.Uses = restrict(effects(Allow, TrainGenAI, TrainAI, AIInput), uses)
		}
		out = append(out, s)
	}
	return out
}

// tdmrepRule is one rule of /.well-known/tdmrep.json.
type tdmrepRule struct {
	Location    *string         `json:"location"`
	Reservation json.RawMessage `json:"tdm-reservation"`
	Policy      string          `json:"tdm-policy"`
}

// tdmrepFile fetches the origin's /.well-known/tdmrep.json and applies its
// first rule whose location matches the target path (array order, not
// longest match; robots.txt pattern syntax). Any outcome other than a
// successful JSON array means the site does not implement TDMRep: unset.
func (in *Inspector) tdmrepFile(ctx context.Context, u *url.URL, t *tdmrepState) {
	fu := originOf(u) + "/.well-known/tdmrep.json"
	resp, err := in.Fetcher.Fetch(ctx, FetchRequest{Method: http.MethodGet, URL: fu, Limit: MaxSiteFile, Site: true})
	if err != nil || resp.Status/100 != 2 {
		return
	}
	rules := in.memoized(respKey("tdmrep", resp), func() any {
		var rules []tdmrepRule
		if err := json.Unmarshal(resp.Body, &rules); err != nil {
			return fmt.Errorf("%s is not a JSON array of rules: %v", fu, err)
		}
		if len(rules) > maxTDMRepRules {
			rules = rules[:maxTDMRepRules]
		}
		return rules
	})
	if err, ok := rules.(error); ok {
		t.history = append(t.history, Statement{Mechanism: "tdmrep", Location: fu, Value: "unparseable", Uses: map[Use]Verdict{}, Warnings: []string{err.Error() + "; TDMRep treated as unset"}})
		return
	}
	path := robotstxt.PathOf(u)
	for i, r := range rules.([]tdmrepRule) {
		if r.Location == nil || !robotstxt.Match(*r.Location, path) {
			continue
		}
		val := strings.Trim(string(r.Reservation), `"`)
		loc := fmt.Sprintf("%s rule %d (location %q)", fu, i+1, *r.Location)
		pol := r.Policy
		if pol != "" {
			if ref, err := url.Parse(pol); err == nil {
				pol = resp.requestBase().ResolveReference(ref).String()
			}
		}
		t.apply(loc, val, pol, true)
		return
	}
}

// requestBase returns the final URL of a response as a base for references.
func (r *FetchResponse) requestBase() *url.URL {
	u, err := url.Parse(r.URL)
	if err != nil {
		return &url.URL{}
	}
	return u
}
