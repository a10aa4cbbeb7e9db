package registryevidence_test

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/askfirst/askfirst/internal/registryevidence"
	"github.com/askfirst/askfirst/signals"
	"github.com/askfirst/askfirst/wire"
)

func TestStatements(t *testing.T) {
	offer := &wire.Offer{Price: "0.05", Currency: "EUR", TermsURL: "https://t.example/", Contact: "mailto:a@t.example"}
	sigOffer := &signals.Offer{Price: "0.05", Currency: "EUR", Per: "item", Terms: "https://t.example/", Contact: "mailto:a@t.example", Holder: "Jane"}
	decl := func(via, conf string, terms ...wire.Term) wire.MatchResult {
		return wire.MatchResult{
			Matches:      []wire.WorkMatch{{Work: "wrk_1", MatchedBy: "similarity", Unit: "ISCC:EEA", Distance: 3, Confidence: conf}},
			Declarations: []wire.AppliedDeclaration{{Declaration: wire.Declaration{ID: "dcl_1", Account: "acc_1", Subject: wire.Subject{Kind: "work", Value: "wrk_1"}, Terms: terms, LogIndex: 7}, AccountName: "Jane", AppliesVia: via, Confidence: conf}},
		}
	}
	type offers = map[signals.Use]*signals.Offer
	type want struct {
		Uses     map[signals.Use]signals.Verdict
		Offers   offers
		Warnings int
	}
	for _, tc := range []struct {
		name string
		res  wire.MatchResult
		want []want
	}{
		{"deny train-ai reserves train-genai too", decl("work:wrk_1", "exact", wire.Term{Use: "train-ai", Decision: "deny"}),
			[]want{{Uses: map[signals.Use]signals.Verdict{"train-ai": "deny", "train-genai": "deny"}}}},
		{"deny train-genai leaves train-ai", decl("work:wrk_1", "exact", wire.Term{Use: "train-genai", Decision: "deny"}),
			[]want{{Uses: map[signals.Use]signals.Verdict{"train-genai": "deny"}}}},
		{"license carries the offer to the narrower use it contains", decl("work:wrk_1", "unconfirmed", wire.Term{Use: "train-ai", Decision: "license", Offer: offer}),
			[]want{{Uses: map[signals.Use]signals.Verdict{"train-ai": "license", "train-genai": "license"}, Offers: offers{"train-ai": sigOffer, "train-genai": sigOffer}}}},
		// One declaration is one statement; its offer is for train-ai only.
		{"deny train-genai, license train-ai: the offer stays on train-ai", decl("work:wrk_1", "exact", wire.Term{Use: "train-genai", Decision: "deny"}, wire.Term{Use: "train-ai", Decision: "license", Offer: offer}),
			[]want{{Uses: map[signals.Use]signals.Verdict{"train-genai": "deny", "train-ai": "license"}, Offers: offers{"train-ai": sigOffer}}}},
		{"a named licence under a broader deny is a deny with its offer", decl("work:wrk_1", "exact", wire.Term{Use: "train-ai", Decision: "deny"}, wire.Term{Use: "train-genai", Decision: "license", Offer: offer}),
			[]want{{Uses: map[signals.Use]signals.Verdict{"train-genai": "deny", "train-ai": "deny"}, Offers: offers{"train-genai": sigOffer}}}},
		{"allow grants only its use on a confirmed match", decl("work:wrk_1", "confirmed", wire.Term{Use: "train-ai", Decision: "allow"}),
			[]want{{Uses: map[signals.Use]signals.Verdict{"train-ai": "allow"}}}},
		{"allow not applied on an unconfirmed match", decl("work:wrk_1", "unconfirmed", wire.Term{Use: "search", Decision: "allow"}, wire.Term{Use: "ai-input", Decision: "deny"}),
			[]want{{Uses: map[signals.Use]signals.Verdict{"ai-input": "deny"}, Warnings: 1}}},
		{"allow by domain", decl("domain", "", wire.Term{Use: "search", Decision: "allow"}),
			[]want{{Uses: map[signals.Use]signals.Verdict{"search": "allow"}}}},
		{"a broad deny wins over a narrow allow", decl("work:wrk_1", "exact", wire.Term{Use: "train-genai", Decision: "allow"}, wire.Term{Use: "train-ai", Decision: "deny"}),
			[]want{{Uses: map[signals.Use]signals.Verdict{"train-ai": "deny", "train-genai": "deny"}}}},
		{"an item the registry could not read is unknown", wire.MatchResult{Error: "bad pdq"},
			[]want{{Uses: map[signals.Use]signals.Verdict{"train-genai": "unknown", "train-ai": "unknown"}, Warnings: 1}}},
		{"no declaration, no statement", wire.MatchResult{Matches: []wire.WorkMatch{{Work: "wrk_1"}}}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sts := registryevidence.Statements("http://r.example/", tc.res, []signals.Use{"train-genai", "train-ai"})
			var got []want
			for _, s := range sts {
				if s.Mechanism != "registry" {
					t.Errorf("mechanism %q, want registry", s.Mechanism)
				}
				if tc.res.Error == "" && s.Location != "http://r.example/v1/receipts/7" {
					t.Errorf("location %q, want the receipt URL", s.Location)
				}
				if s.Offer != nil {
					t.Errorf("statement has a single Offer %+v: registry offers are per use", s.Offer)
				}
				got = append(got, want{Uses: s.Uses, Offers: s.Offers, Warnings: len(s.Warnings)})
			}
			if d := cmp.Diff(tc.want, got); d != "" {
				t.Errorf("statements (-want +got):\n%s", d)
			}
		})
	}
}

// TestStatementsMemberHolder: an organisation's offer for a member names
// the member as the rights holder and the organisation beside it.
func TestStatementsMemberHolder(t *testing.T) {
	res := wire.MatchResult{Declarations: []wire.AppliedDeclaration{{Declaration: wire.Declaration{ID: "dcl_1", Account: "acc_org",
		OnBehalfOf: "acc_jane", Subject: wire.Subject{Kind: "account", Value: "acc_jane"}, LogIndex: 3,
		Terms: []wire.Term{{Use: "train-ai", Decision: "license", Offer: &wire.Offer{Price: "0.10", Currency: "EUR", PerUse: true}}}},
		AccountName: "Photographers Guild", OnBehalfOfName: "Jane Doe", AppliesVia: "domain"}}}
	sts := registryevidence.Statements("http://r.example", res, nil)
	if len(sts) != 1 {
		t.Fatalf("got %d statements, want 1", len(sts))
	}
	o := sts[0].Offers[signals.TrainAI]
	want := &signals.Offer{Price: "0.10", Currency: "EUR", Per: "item and use", Holder: "Jane Doe", Organisation: "Photographers Guild"}
	if d := cmp.Diff(want, o); d != "" {
		t.Errorf("offer (-want +got):\n%s", d)
	}
	if v := sts[0].Value; !strings.HasPrefix(v, "Photographers Guild for Jane Doe (acc_jane): ") {
		t.Errorf("value %q, want it to name the organisation and the member", v)
	}
}

func ExampleTermsString() {
	fmt.Println(registryevidence.TermsString([]wire.Term{
		{Use: "train-genai", Decision: "deny"},
		{Use: "train-ai", Decision: "license", Offer: &wire.Offer{Price: "0.05", Currency: "EUR", TermsURL: "https://jane.example/licence"}},
	}))
	// Output: train-genai deny; train-ai license 0.05 EUR per item terms https://jane.example/licence
}

// FuzzStatements feeds arbitrary registry answers to Statements: it never
// panics, never grants through an unconfirmed work match, and a
// reservation of train-ai always reserves train-genai.
func FuzzStatements(f *testing.F) {
	f.Add(`{"matches":[{"work":"w","confidence":"unconfirmed"}],"declarations":[{"id":"d","terms":[{"use":"search","decision":"allow"},{"use":"train-ai","decision":"deny"}],"applies_via":"work:w","confidence":"unconfirmed"}]}`)
	f.Add(`{"declarations":[{"id":"d","terms":[{"use":"train-ai","decision":"license","offer":{"price":"1"}}],"applies_via":"domain"}]}`)
	f.Add(`{"error":"bad"}`)
	f.Fuzz(func(t *testing.T, answer string) {
		var res wire.MatchResult
		if json.Unmarshal([]byte(answer), &res) != nil {
			return
		}
		for _, s := range registryevidence.Statements("http://r.example", res, nil) {
			if s.Mechanism != "registry" {
				t.Fatalf("mechanism %q", s.Mechanism)
			}
			if v := s.Uses[signals.TrainAI]; (v == signals.Deny || v == signals.License) && severity(s.Uses[signals.TrainGenAI]) < severity(v) {
				t.Fatalf("train-ai %s but train-genai %s in %+v", v, s.Uses[signals.TrainGenAI], s)
			}
		}
		for _, d := range res.Declarations {
			if d.Confidence == "exact" || d.Confidence == "confirmed" || d.AppliesVia == "domain" || d.AppliesVia == "url-prefix" {
				continue
			}
			one := res
			one.Declarations = []wire.AppliedDeclaration{d}
			for _, s := range registryevidence.Statements("http://r.example", one, nil) {
				for u, v := range s.Uses {
					if v == signals.Allow {
						t.Fatalf("allow for %s through a %q match via %q", u, d.Confidence, d.AppliesVia)
					}
				}
			}
		}
	})
}

func severity(v signals.Verdict) int {
	return map[signals.Verdict]int{signals.Deny: 3, signals.License: 2, signals.Allow: 1}[v]
}

// TestStatementsPrecedence: a declaration another of the same party
// outranks keeps its uses out of Uses and says why in Overruled, so the
// evaluation lists it among those that lost; a possible match is evidence
// with no effect.
func TestStatementsPrecedence(t *testing.T) {
	offer := &wire.Offer{Price: "0.05", Currency: "EUR"}
	res := wire.MatchResult{
		Matches: []wire.WorkMatch{{Work: "wrk_1", Account: "acc_1", MatchedBy: "datahash", Unit: "instance", Confidence: "exact"}},
		Declarations: []wire.AppliedDeclaration{
			{Declaration: wire.Declaration{ID: "dcl_all", Account: "acc_1", Subject: wire.Subject{Kind: "account", Value: "acc_1"}, LogIndex: 3,
				Terms: []wire.Term{{Use: "train-ai", Decision: "deny"}}}, AccountName: "Jane", AppliesVia: "account:acc_1", Confidence: "exact", Work: "wrk_1"},
			{Declaration: wire.Declaration{ID: "dcl_work", Account: "acc_1", Subject: wire.Subject{Kind: "work", Value: "wrk_1"}, LogIndex: 5,
				Terms: []wire.Term{{Use: "train-ai", Decision: "license", Offer: offer}}}, AccountName: "Jane", AppliesVia: "work:wrk_1", Confidence: "exact", Work: "wrk_1"},
		},
		PossibleMatches: []wire.PossibleMatch{{Work: "wrk_9", Account: "acc_2", Unit: "iscc-content-image/64", Distance: 3,
			Why: "pdq/256 is 40 bits apart, over its threshold of 31"}},
	}
	sts := registryevidence.Statements("http://r.example", res, nil)
	if len(sts) != 3 {
		t.Fatalf("got %d statements, want 3: %+v", len(sts), sts)
	}
	if len(sts[0].Uses) != 0 || !strings.Contains(sts[0].Overruled[signals.TrainAI], "decided by dcl_work on work:wrk_1") {
		t.Errorf("account-wide deny: uses %v, overruled %v; want none decided and train-ai overruled by dcl_work", sts[0].Uses, sts[0].Overruled)
	}
	if sts[1].Uses[signals.TrainAI] != signals.License || sts[1].Offers[signals.TrainAI] == nil {
		t.Errorf("work licence: uses %v, offers %v; want train-ai license with its offer", sts[1].Uses, sts[1].Offers)
	}
	if len(sts[2].Uses) != 0 || !strings.Contains(sts[2].Value, "possible match, not confirmed: work wrk_9") || !strings.Contains(sts[2].Value, "pdq/256 is 40 bits apart") {
		t.Errorf("possible match: %+v", sts[2])
	}
	r := signals.Evaluate(sts, signals.Options{Uses: []signals.Use{signals.TrainAI}})
	ur, _ := r.Use(signals.TrainAI)
	if ur.Verdict != signals.License || !slices.Equal(ur.DecidedBy, []int{1}) || !slices.Equal(ur.Lost, []int{0}) {
		t.Errorf("train-ai: verdict %s decided by %v lost %v; want license by [1], [0] lost", ur.Verdict, ur.DecidedBy, ur.Lost)
	}
}
