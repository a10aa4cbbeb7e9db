package precedence_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/askfirst/askfirst/internal/precedence"
	"github.com/askfirst/askfirst/wire"
)

var offer = &wire.Offer{Price: "0.05", Currency: "EUR"}

func term(use, decision string) wire.Term {
	t := wire.Term{Use: use, Decision: decision}
	if decision == wire.DecisionLicense {
		t.Offer = offer
	}
	return t
}

// decl is a declaration by account (for member, when not empty) on
// subject, applying via via with confidence conf, at log index log.
func decl(id, account, member, subject, via, conf string, log int64, terms ...wire.Term) wire.AppliedDeclaration {
	kind, value, _ := strings.Cut(subject, ":")
	d := wire.AppliedDeclaration{Declaration: wire.Declaration{ID: id, Account: account, OnBehalfOf: member,
		Subject: wire.Subject{Kind: kind, Value: value}, Terms: terms, LogIndex: log}, AppliesVia: via, Confidence: conf}
	if w, ok := strings.CutPrefix(via, "work:"); ok {
		d.Work = w
	}
	return d
}

// summary prints each declaration's outcomes as "id use=decision/status(by)".
func summary(ds []wire.AppliedDeclaration) []string {
	var out []string
	for _, d := range ds {
		for _, o := range d.Uses {
			s := fmt.Sprintf("%s %s=%s/%s", d.ID, o.Use, o.Decision, o.Status)
			if o.By != "" {
				s += "(" + o.By + ")"
			}
			if o.Offer != nil {
				s += "+offer"
			}
			out = append(out, s)
		}
	}
	return out
}

func TestApply(t *testing.T) {
	exact := []wire.WorkMatch{{Work: "wrk_1", Account: "jane", MatchedBy: wire.MatchedByDatahash, Confidence: wire.ConfidenceExact},
		{Work: "wrk_2", Account: "jane", MatchedBy: wire.MatchedBySimilarity, Confidence: wire.ConfidenceConfirmed}}
	for _, tc := range []struct {
		name    string
		ds      []wire.AppliedDeclaration
		matches []wire.WorkMatch
		want    []string
		why     string // in the first outranked or withheld outcome
	}{
		{"reserve everything except the works she licenses", []wire.AppliedDeclaration{
			decl("d_all", "jane", "", "account:jane", "account:jane", "exact", 1, term("train-ai", "deny")),
			decl("d_work", "jane", "", "work:wrk_1", "work:wrk_1", "exact", 2, term("train-ai", "license")),
		}, exact, []string{
			"d_all train-genai=deny/outranked(d_work)", "d_all train-ai=deny/outranked(d_work)",
			"d_work train-genai=license/decides+offer", "d_work train-ai=license/decides+offer",
		}, "decided by d_work on work:wrk_1, a more specific subject than account:jane"},
		{"specific wins even when older", []wire.AppliedDeclaration{
			decl("d_work", "jane", "", "work:wrk_1", "work:wrk_1", "exact", 1, term("search", "allow")),
			decl("d_all", "jane", "", "account:jane", "account:jane", "exact", 9, term("search", "deny")),
		}, exact, []string{"d_work search=allow/decides", "d_all search=deny/outranked(d_work)"}, ""},
		{"a URL prefix over the domain", []wire.AppliedDeclaration{
			decl("d_dom", "jane", "", "domain:jane.example", "domain", "", 1, term("train-ai", "deny")),
			decl("d_pre", "jane", "", "url-prefix:https://jane.example/sale/", "url-prefix", "", 2, term("train-ai", "license")),
		}, nil, []string{
			"d_dom train-genai=deny/outranked(d_pre)", "d_dom train-ai=deny/outranked(d_pre)",
			"d_pre train-genai=license/decides+offer", "d_pre train-ai=license/decides+offer",
		}, "more specific"},
		{"the longer URL prefix", []wire.AppliedDeclaration{
			decl("d_long", "jane", "", "url-prefix:https://jane.example/a/b/", "url-prefix", "", 1, term("search", "deny")),
			decl("d_short", "jane", "", "url-prefix:https://jane.example/a/", "url-prefix", "", 2, term("search", "allow")),
		}, nil, []string{"d_long search=deny/decides", "d_short search=allow/outranked(d_long)"}, "a longer URL prefix"},
		{"among equals the newest", []wire.AppliedDeclaration{
			decl("d_old", "jane", "", "account:jane", "account:jane", "exact", 3, term("search", "deny")),
			decl("d_new", "jane", "", "account:jane", "account:jane", "exact", 7, term("search", "allow")),
		}, exact, []string{"d_old search=deny/outranked(d_new)", "d_new search=allow/decides"}, "newer (log 7; this one log 3)"},
		{"the closer of two works", []wire.AppliedDeclaration{
			decl("d_w2", "jane", "", "work:wrk_2", "work:wrk_2", "confirmed", 9, term("search", "deny")),
			decl("d_w1", "jane", "", "work:wrk_1", "work:wrk_1", "exact", 1, term("search", "allow")),
		}, exact, []string{"d_w2 search=deny/outranked(d_w1)", "d_w1 search=allow/decides"}, "closer match"},
		{"other parties are not ranked", []wire.AppliedDeclaration{
			decl("d_site", "site", "", "domain:jane.example", "domain", "", 1, term("search", "deny")),
			decl("d_work", "jane", "", "work:wrk_1", "work:wrk_1", "exact", 2, term("search", "allow")),
		}, exact, []string{"d_site search=deny/decides", "d_work search=allow/decides"}, ""},
		{"uses a declaration is silent on are left to the others", []wire.AppliedDeclaration{
			decl("d_all", "jane", "", "account:jane", "account:jane", "exact", 1, term("train-ai", "deny"), term("search", "deny")),
			decl("d_work", "jane", "", "work:wrk_1", "work:wrk_1", "exact", 2, term("search", "allow")),
		}, exact, []string{"d_all train-genai=deny/decides", "d_all train-ai=deny/decides", "d_all search=deny/outranked(d_work)", "d_work search=allow/decides"}, ""},
		{"a delegate cannot lift the member's reservation", []wire.AppliedDeclaration{
			decl("d_jane", "jane", "", "account:jane", "account:jane", "exact", 1, term("train-ai", "deny")),
			decl("d_guild", "guild", "jane", "work:wrk_1", "work:wrk_1", "exact", 2, term("train-ai", "allow")),
		}, exact, []string{"d_jane train-genai=deny/decides", "d_jane train-ai=deny/decides", "d_guild train-ai=allow/outranked(d_jane)"},
			"decided by d_jane, the member's own declaration (deny): a delegate cannot relax what the member declared herself"},
		{"nor turn it into a licence", []wire.AppliedDeclaration{
			decl("d_guild", "guild", "jane", "work:wrk_1", "work:wrk_1", "exact", 2, term("train-ai", "license")),
			decl("d_jane", "jane", "", "account:jane", "account:jane", "exact", 1, term("train-ai", "deny")),
		}, exact, []string{"d_guild train-genai=license/outranked(d_jane)+offer", "d_guild train-ai=license/outranked(d_jane)+offer", "d_jane train-genai=deny/decides", "d_jane train-ai=deny/decides"}, "delegate"},
		{"a delegate may be stricter, more specifically", []wire.AppliedDeclaration{
			decl("d_jane", "jane", "", "account:jane", "account:jane", "exact", 3, term("search", "allow")),
			decl("d_guild", "guild", "jane", "work:wrk_1", "work:wrk_1", "exact", 2, term("search", "deny")),
		}, exact, []string{"d_jane search=allow/outranked(d_guild)", "d_guild search=deny/decides"}, "more specific"},
		{"the member's own more specific grant beats her delegate's broad deny", []wire.AppliedDeclaration{
			decl("d_jane", "jane", "", "work:wrk_1", "work:wrk_1", "exact", 1, term("search", "allow")),
			decl("d_guild", "guild", "jane", "account:jane", "account:jane", "exact", 2, term("search", "deny")),
		}, exact, []string{"d_jane search=allow/decides", "d_guild search=deny/outranked(d_jane)"}, "more specific"},
		{"a withheld grant outranks nothing", []wire.AppliedDeclaration{
			decl("d_all", "jane", "", "account:jane", "account:jane", "unconfirmed", 1, term("search", "deny")),
			decl("d_work", "jane", "", "work:wrk_3", "work:wrk_3", "unconfirmed", 2, term("search", "allow")),
		}, []wire.WorkMatch{{Work: "wrk_3", Account: "jane", MatchedBy: wire.MatchedBySimilarity, Confidence: wire.ConfidenceUnconfirmed, Why: "only one 64-bit unit"}},
			[]string{"d_all search=deny/decides", "d_work search=allow/withheld"}, "only one 64-bit unit; grants need an exact or confirmed match"},
		{"a locator on an unverified domain reserves without the offer", []wire.AppliedDeclaration{
			decl("d_m", "mallory", "", "work:wrk_4", "work:wrk_4", "unconfirmed", 1, term("train-ai", "license"), term("search", "allow")),
		}, []wire.WorkMatch{{Work: "wrk_4", Account: "mallory", MatchedBy: wire.MatchedByURL, Confidence: wire.ConfidenceUnconfirmed, Why: "published at this URL on its registrant's word only"}},
			[]string{"d_m train-genai=deny/decides", "d_m train-ai=deny/decides", "d_m search=allow/withheld"}, "the licence offer is withheld"},
		{"a use reserved broadly keeps its own term's offer", []wire.AppliedDeclaration{
			decl("d", "jane", "", "work:wrk_1", "work:wrk_1", "exact", 1, term("train-ai", "deny"), term("train-genai", "license")),
		}, exact, []string{"d train-genai=deny/decides+offer", "d train-ai=deny/decides"}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ds := slices.Clone(tc.ds)
			precedence.Apply(ds, tc.matches)
			if d := cmp.Diff(tc.want, summary(ds)); d != "" {
				t.Errorf("outcomes (-want +got):\n%s", d)
			}
			for _, d := range ds {
				if want := d.OnBehalfOf; want != "" && d.Party != want || want == "" && d.Party != d.Account {
					t.Errorf("%s: party %q", d.ID, d.Party)
				}
			}
			if tc.why == "" {
				return
			}
			for _, d := range ds {
				for _, o := range d.Uses {
					if o.Why != "" {
						if !strings.Contains(o.Why, tc.why) {
							t.Errorf("%s %s: why %q, want it to contain %q", d.ID, o.Use, o.Why, tc.why)
						}
						return
					}
				}
			}
			t.Errorf("no outcome says why; want %q", tc.why)
		})
	}
}

func TestRelaxed(t *testing.T) {
	for _, tc := range []struct {
		prev, next []wire.Term
		want       []string
	}{
		{[]wire.Term{term("train-ai", "deny")}, []wire.Term{term("train-ai", "allow")}, []string{"train-genai", "train-ai"}},
		{[]wire.Term{term("train-ai", "deny")}, []wire.Term{term("train-genai", "deny")}, []string{"train-ai"}},
		{[]wire.Term{term("train-ai", "deny")}, []wire.Term{term("train-ai", "license")}, []string{"train-genai", "train-ai"}},
		{[]wire.Term{term("train-ai", "license")}, []wire.Term{term("train-ai", "deny"), term("search", "allow")}, nil},
		{[]wire.Term{term("search", "allow")}, []wire.Term{term("ai-input", "deny")}, nil},
	} {
		if got := precedence.Relaxed(tc.prev, tc.next); !slices.Equal(got, tc.want) {
			t.Errorf("Relaxed(%v, %v) = %v, want %v", tc.prev, tc.next, got, tc.want)
		}
	}
}

// FuzzApply: whatever the declarations, each party has at most one
// deciding declaration per use, every outranked use names a declaration of
// the same party that decides it, and a delegate never decides a use less
// strictly than the member's own top-ranked declaration on it.
func FuzzApply(f *testing.F) {
	f.Add([]byte{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11})
	f.Add([]byte{3, 3, 3, 200, 100, 7, 1, 9})
	f.Fuzz(func(t *testing.T, b []byte) {
		subjects := []string{"work:wrk_1", "work:wrk_2", "url-prefix:https://j.example/a/", "url-prefix:https://j.example/", "domain:j.example", "account:jane"}
		vias := []string{"work:wrk_1", "work:wrk_2", "url-prefix", "url-prefix", "domain", "account:jane"}
		decisions := []string{"deny", "license", "allow"}
		var ds []wire.AppliedDeclaration
		for i := 0; i+2 < len(b) && len(ds) < 12; i += 3 {
			s := int(b[i]) % len(subjects)
			member, account := "", "jane"
			if b[i+1]&1 == 1 {
				member, account = "jane", "guild"
			}
			confs := []string{"exact", "confirmed", "unconfirmed"}
			d := decl(fmt.Sprint("d", i), account, member, subjects[s], vias[s], confs[int(b[i+1]>>1)%3], int64(b[i+2]),
				term(uses[int(b[i+2])%4], decisions[int(b[i+1]>>3)%3]))
			ds = append(ds, d)
		}
		precedence.Apply(ds, nil)
		deciding := map[string]string{}
		for _, d := range ds {
			for _, o := range d.Uses {
				if o.Status == wire.StatusDecides {
					if other, ok := deciding[o.Use]; ok {
						t.Fatalf("%s and %s both decide %s for jane", other, d.ID, o.Use)
					}
					deciding[o.Use] = d.ID
				}
			}
		}
		byID := map[string]wire.AppliedDeclaration{}
		for _, d := range ds {
			byID[d.ID] = d
		}
		for _, d := range ds {
			for _, o := range d.Uses {
				if o.Status == wire.StatusOutranked && deciding[o.Use] != o.By {
					t.Fatalf("%s %s outranked by %s, but %s decides it", d.ID, o.Use, o.By, deciding[o.Use])
				}
			}
		}
		// The member's own top-ranked say on a use bounds her delegate's.
		for _, u := range uses {
			w, ok := byID[deciding[u]]
			if !ok || w.OnBehalfOf == "" {
				continue
			}
			var own []wire.AppliedDeclaration
			for _, d := range ds {
				for _, o := range d.Uses {
					if o.Use == u && o.Status != wire.StatusWithheld && d.OnBehalfOf == "" {
						own = append(own, d)
					}
				}
			}
			if len(own) == 0 {
				continue
			}
			slices.SortStableFunc(own, precedence.Outranks)
			if precedence.Severity(decision(own[0], u)) > precedence.Severity(decision(w, u)) {
				t.Fatalf("delegate's %s decides %s as %s over the member's own %s (%s)", w.ID, u, decision(w, u), own[0].ID, decision(own[0], u))
			}
		}
	})
}

func decision(d wire.AppliedDeclaration, u string) string {
	for _, o := range d.Uses {
		if o.Use == u {
			return o.Decision
		}
	}
	return ""
}

var uses = []string{"train-genai", "train-ai", "ai-input", "search"}
