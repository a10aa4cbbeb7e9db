package client_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/askfirst/askfirst/internal/client"
	"github.com/askfirst/askfirst/internal/registry"
	"github.com/askfirst/askfirst/internal/store"
	"github.com/askfirst/askfirst/signals"
)

const secret = "aft_secret-token-value"

func TestProblemErrors(t *testing.T) {
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer "+secret {
			t.Errorf("Authorization %q, want the bearer token", r.Header.Get("Authorization"))
		}
		switch r.URL.Path {
		case "/v1/accounts/me":
			w.Header().Set("Content-Type", "application/problem+json")
			w.WriteHeader(401)
			fmt.Fprint(w, `{"type":"https://askfirst.dev/problems/unauthenticated","title":"Unauthorized","status":401,"detail":"unauthenticated: token revoked"}`)
		case "/v1/works/wrk_x":
			w.WriteHeader(502)
			fmt.Fprint(w, "bad gateway")
		default:
			http.NotFound(w, r)
		}
	}))
	defer hs.Close()
	c, err := client.New(hs.URL+"/", secret, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		call       func() error
		status     int
		kind, want string
	}{
		{func() error { _, err := c.Me(t.Context()); return err }, 401, "unauthenticated", "GET /v1/accounts/me: 401 unauthenticated: token revoked"},
		{func() error { _, err := c.Work(t.Context(), "wrk_x"); return err }, 502, "", "GET /v1/works/wrk_x: 502 bad gateway: bad gateway"},
	} {
		err := tc.call()
		var ae *client.Error
		if !errors.As(err, &ae) {
			t.Fatalf("got %v, want a *client.Error", err)
		}
		if ae.Status != tc.status || ae.Kind() != tc.kind || err.Error() != tc.want {
			t.Errorf("got status %d kind %q %q, want %d %q %q", ae.Status, ae.Kind(), err.Error(), tc.status, tc.kind, tc.want)
		}
		if strings.Contains(err.Error(), secret) {
			t.Errorf("error %q shows the token", err)
		}
	}
}

func TestRetryAfter429(t *testing.T) {
	var n atomic.Int32
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) == 1 {
			w.Header().Set("Retry-After", "0")
			w.WriteHeader(429)
			return
		}
		fmt.Fprint(w, `{"results":[{"matches":[],"declarations":[]}]}`)
	}))
	defer hs.Close()
	c, _ := client.New(hs.URL, "", nil)
	rs, err := c.Match(t.Context(), []registry.MatchItem{{URL: "https://example.com/"}})
	if err != nil || len(rs) != 1 || n.Load() != 2 {
		t.Errorf("got %v, %v after %d requests; want one result after 2", rs, err, n.Load())
	}
}

func TestResponseShape(t *testing.T) {
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/v1/match":
			fmt.Fprint(w, `{"results":[]}`) // fewer results than items
		case "/v1/campaigns/big":
			w.Write([]byte(`{"campaign":{"title":"`))
			w.Write([]byte(strings.Repeat("x", client.MaxResponse)))
			w.Write([]byte(`"}}`))
		}
	}))
	defer hs.Close()
	c, _ := client.New(hs.URL, "", nil)
	if _, err := c.Match(t.Context(), []registry.MatchItem{{URL: "https://example.com/"}}); err == nil || !strings.Contains(err.Error(), "1 items sent, 0 answered") {
		t.Errorf("short match answer: got %v, want an error naming the counts", err)
	}
	if _, err := c.Campaign(t.Context(), "big", "", 0); err == nil || !strings.Contains(err.Error(), "cap") {
		t.Errorf("oversized answer: got %v, want the cap error", err)
	}
	if _, err := c.Match(t.Context(), make([]registry.MatchItem, registry.MaxBatch+1)); err == nil {
		t.Errorf("match over MaxBatch: no error")
	}
}

func TestNewRejects(t *testing.T) {
	for _, u := range []string{"ftp://x", "x", "http://", "http://u:p@host", "http://h/?q=1"} {
		if _, err := client.New(u, "", nil); err == nil {
			t.Errorf("New(%q): no error", u)
		}
	}
	if _, err := client.New("http://h", "a\nb", nil); err == nil {
		t.Errorf("New with a token with a line break: no error")
	}
}

func TestStatements(t *testing.T) {
	offer := &store.Offer{Price: "0.05", Currency: "EUR", TermsURL: "https://t.example/", Contact: "mailto:a@t.example"}
	sigOffer := &signals.Offer{Price: "0.05", Currency: "EUR", Per: "item", Terms: "https://t.example/", Contact: "mailto:a@t.example", Holder: "Jane"}
	decl := func(via, conf string, terms ...store.Term) registry.MatchResult {
		return registry.MatchResult{
			Matches:      []registry.WorkMatch{{WorkID: "wrk_1", MatchedBy: "similarity", Unit: "ISCC:EEA", Distance: 3, Confidence: conf}},
			Declarations: []registry.AppliedDeclaration{{ID: "dcl_1", Account: "acc_1", AccountName: "Jane", Subject: store.Subject{Kind: "work", Value: "wrk_1"}, Terms: terms, LogIndex: 7, AppliesVia: via, Confidence: conf}},
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
		res  registry.MatchResult
		want []want
	}{
		{"deny train-ai reserves train-genai too", decl("work:wrk_1", "exact", store.Term{Use: "train-ai", Decision: "deny"}),
			[]want{{Uses: map[signals.Use]signals.Verdict{"train-ai": "deny", "train-genai": "deny"}}}},
		{"deny train-genai leaves train-ai", decl("work:wrk_1", "exact", store.Term{Use: "train-genai", Decision: "deny"}),
			[]want{{Uses: map[signals.Use]signals.Verdict{"train-genai": "deny"}}}},
		{"license carries the offer to the narrower use it contains", decl("work:wrk_1", "unconfirmed", store.Term{Use: "train-ai", Decision: "license", Offer: offer}),
			[]want{{Uses: map[signals.Use]signals.Verdict{"train-ai": "license", "train-genai": "license"}, Offers: offers{"train-ai": sigOffer, "train-genai": sigOffer}}}},
		// One declaration is one statement; its offer is for train-ai only.
		{"deny train-genai, license train-ai: the offer stays on train-ai", decl("work:wrk_1", "exact", store.Term{Use: "train-genai", Decision: "deny"}, store.Term{Use: "train-ai", Decision: "license", Offer: offer}),
			[]want{{Uses: map[signals.Use]signals.Verdict{"train-genai": "deny", "train-ai": "license"}, Offers: offers{"train-ai": sigOffer}}}},
		{"a named licence under a broader deny is a deny with its offer", decl("work:wrk_1", "exact", store.Term{Use: "train-ai", Decision: "deny"}, store.Term{Use: "train-genai", Decision: "license", Offer: offer}),
			[]want{{Uses: map[signals.Use]signals.Verdict{"train-genai": "deny", "train-ai": "deny"}, Offers: offers{"train-genai": sigOffer}}}},
		{"allow grants only its use on a confirmed match", decl("work:wrk_1", "confirmed", store.Term{Use: "train-ai", Decision: "allow"}),
			[]want{{Uses: map[signals.Use]signals.Verdict{"train-ai": "allow"}}}},
		{"allow not applied on an unconfirmed match", decl("work:wrk_1", "unconfirmed", store.Term{Use: "search", Decision: "allow"}, store.Term{Use: "ai-input", Decision: "deny"}),
			[]want{{Uses: map[signals.Use]signals.Verdict{"ai-input": "deny"}, Warnings: 1}}},
		{"allow by domain", decl("domain", "", store.Term{Use: "search", Decision: "allow"}),
			[]want{{Uses: map[signals.Use]signals.Verdict{"search": "allow"}}}},
		{"a broad deny wins over a narrow allow", decl("work:wrk_1", "exact", store.Term{Use: "train-genai", Decision: "allow"}, store.Term{Use: "train-ai", Decision: "deny"}),
			[]want{{Uses: map[signals.Use]signals.Verdict{"train-ai": "deny", "train-genai": "deny"}}}},
		{"an item the registry could not read is unknown", registry.MatchResult{Error: "bad pdq"},
			[]want{{Uses: map[signals.Use]signals.Verdict{"train-genai": "unknown", "train-ai": "unknown"}, Warnings: 1}}},
		{"no declaration, no statement", registry.MatchResult{Matches: []registry.WorkMatch{{WorkID: "wrk_1"}}}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sts := client.Statements("http://r.example/", tc.res, []signals.Use{"train-genai", "train-ai"})
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
	res := registry.MatchResult{Declarations: []registry.AppliedDeclaration{{ID: "dcl_1", Account: "acc_org", AccountName: "Photographers Guild",
		OnBehalfOf: "acc_jane", OnBehalfOfName: "Jane Doe", Subject: store.Subject{Kind: "account", Value: "acc_jane"}, LogIndex: 3, AppliesVia: "domain",
		Terms: []store.Term{{Use: "train-ai", Decision: "license", Offer: &store.Offer{Price: "0.10", Currency: "EUR", PerUse: true}}}}}}
	sts := client.Statements("http://r.example", res, nil)
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
	fmt.Println(client.TermsString([]store.Term{
		{Use: "train-genai", Decision: "deny"},
		{Use: "train-ai", Decision: "license", Offer: &store.Offer{Price: "0.05", Currency: "EUR", TermsURL: "https://jane.example/licence"}},
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
		var res registry.MatchResult
		if json.Unmarshal([]byte(answer), &res) != nil {
			return
		}
		for _, s := range client.Statements("http://r.example", res, nil) {
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
			one.Declarations = []registry.AppliedDeclaration{d}
			for _, s := range client.Statements("http://r.example", one, nil) {
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
