package signals_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/askfirst/askfirst/signals"
)

const (
	G = signals.TrainGenAI
	T = signals.TrainAI
	I = signals.AIInput
	S = signals.Search
	D = signals.Deny
	L = signals.License
	A = signals.Allow
	U = signals.Unknown
)

func st(mech string, uses map[signals.Use]signals.Verdict) signals.Statement {
	return signals.Statement{Mechanism: mech, Location: "https://pub.example/", Value: mech, Uses: uses}
}

type want struct {
	verdict  signals.Verdict
	decision signals.Decision
	conflict bool
	offer    bool
}

// TestEvaluate follows the digest §14.2 algorithm, §14.3 rows and §14.5
// modes. Each case lists statements as the mappings produce them.
func TestEvaluate(t *testing.T) {
	offer := &signals.Offer{Price: "0.01", Currency: "USD", Per: "training", Terms: "https://pub.example/license.xml"}
	gate := st("robots.txt", map[signals.Use]signals.Verdict{G: D, T: D, I: D, S: D})
	gate.Gate = true
	weakGrant := st("iptc", map[signals.Use]signals.Verdict{G: A, T: A, I: A, S: A})
	weakGrant.Grade = signals.Weak
	rslOffer := st("rsl", map[signals.Use]signals.Verdict{G: L, T: L})
	rslOffer.Offer = offer
	held := st("licence", map[signals.Use]signals.Verdict{G: A, T: A})
	held.Held, held.Grade = true, signals.Strong
	unreadable := st("http", map[signals.Use]signals.Verdict{G: U, T: U, I: U, S: U})

	for _, tc := range []struct {
		name  string
		stmts []signals.Statement
		mode  signals.Mode
		want  map[signals.Use]want
	}{
		{
			name: "silence is unknown, eu-tdm includes",
			want: map[signals.Use]want{G: {U, "include", false, false}, T: {U, "include", false, false}, I: {U, "include", false, false}, S: {U, "include", false, false}},
		},
		{
			name: "silence under consent excludes training only",
			mode: signals.Consent,
			want: map[signals.Use]want{G: {U, "exclude", false, false}, T: {U, "exclude", false, false}, I: {U, "include", false, false}, S: {U, "include", false, false}},
		},
		{
			name:  "robots.txt gate denies every use, even in research mode",
			stmts: []signals.Statement{gate},
			mode:  signals.Research,
			want:  map[signals.Use]want{G: {D, "exclude", false, false}, T: {D, "exclude", false, false}, I: {D, "exclude", false, false}, S: {D, "exclude", false, false}},
		},
		{
			name:  "Content-Usage train-ai=n denies G and T, silent on S and I",
			stmts: []signals.Statement{st("content-usage", map[signals.Use]signals.Verdict{G: D, T: D})},
			want:  map[signals.Use]want{G: {D, "exclude", false, false}, T: {D, "exclude", false, false}, I: {U, "include", false, false}, S: {U, "include", false, false}},
		},
		{
			name:  "Content-Usage train-ai=y grants G only (grant narrowly)",
			stmts: []signals.Statement{st("content-usage", map[signals.Use]signals.Verdict{G: A})},
			mode:  signals.Consent,
			want:  map[signals.Use]want{G: {A, "include", false, false}, T: {U, "exclude", false, false}},
		},
		{
			name: "deny beats allow across mechanisms and is flagged",
			stmts: []signals.Statement{
				st("content-signal", map[signals.Use]signals.Verdict{G: A, T: A}),
				st("noai", map[signals.Use]signals.Verdict{G: D, T: D, I: D}),
			},
			want: map[signals.Use]want{G: {D, "exclude", true, false}, T: {D, "exclude", true, false}, I: {D, "exclude", false, false}, S: {U, "include", false, false}},
		},
		{
			name: "deny with an offer attached: D(offer)",
			stmts: []signals.Statement{
				st("content-usage", map[signals.Use]signals.Verdict{G: D, T: D}),
				rslOffer,
			},
			want: map[signals.Use]want{G: {D, "exclude", false, true}, T: {D, "exclude", false, true}},
		},
		{
			name: "licence beats allow",
			stmts: []signals.Statement{
				st("tdmrep", map[signals.Use]signals.Verdict{G: L, T: L, I: L}),
				st("content-signal", map[signals.Use]signals.Verdict{I: A}),
			},
			want: map[signals.Use]want{G: {L, "exclude", false, false}, I: {L, "exclude", true, false}},
		},
		{
			name: "licence with offer alone",
			stmts: []signals.Statement{
				rslOffer,
			},
			want: map[signals.Use]want{G: {L, "exclude", false, true}, S: {U, "include", false, false}},
		},
		{
			name: "held licence wins over a reservation",
			stmts: []signals.Statement{
				st("content-usage", map[signals.Use]signals.Verdict{G: D, T: D}),
				rslOffer,
				held,
			},
			want: map[signals.Use]want{G: {A, "include", true, false}, T: {A, "include", true, false}},
		},
		{
			name:  "weak grant allows under eu-tdm",
			stmts: []signals.Statement{weakGrant},
			want:  map[signals.Use]want{G: {A, "include", false, false}, S: {A, "include", false, false}},
		},
		{
			name:  "weak grant does not satisfy consent for training",
			stmts: []signals.Statement{weakGrant},
			mode:  signals.Consent,
			want:  map[signals.Use]want{G: {A, "exclude", false, false}, T: {A, "exclude", false, false}, I: {A, "include", false, false}},
		},
		{
			name:  "weak and origin grants together satisfy consent",
			stmts: []signals.Statement{weakGrant, st("ai.txt", map[signals.Use]signals.Verdict{G: A, T: A})},
			mode:  signals.Consent,
			want:  map[signals.Use]want{G: {A, "include", false, false}, T: {A, "include", false, false}},
		},
		{
			name:  "research mode records reservations without excluding",
			stmts: []signals.Statement{st("tdmrep", map[signals.Use]signals.Verdict{G: D, T: D, I: D}), rslOffer},
			mode:  signals.Research,
			want:  map[signals.Use]want{G: {D, "include", false, true}, I: {D, "include", false, false}},
		},
		{
			name:  "an unreadable check is unknown and never included",
			stmts: []signals.Statement{unreadable},
			want:  map[signals.Use]want{G: {U, "exclude", false, false}, S: {U, "exclude", false, false}},
		},
		{
			name:  "an unreadable check does not hide a reservation",
			stmts: []signals.Statement{unreadable, st("noai", map[signals.Use]signals.Verdict{G: D, T: D, I: D})},
			want:  map[signals.Use]want{G: {D, "exclude", false, false}, S: {U, "exclude", false, false}},
		},
		{
			name:  "a grant next to an unreadable check is not included",
			stmts: []signals.Statement{unreadable, st("content-signal", map[signals.Use]signals.Verdict{S: A})},
			want:  map[signals.Use]want{S: {A, "exclude", false, false}, G: {U, "exclude", false, false}},
		},
		{
			name:  "a held licence next to an unreadable check is included",
			stmts: []signals.Statement{unreadable, held},
			want:  map[signals.Use]want{G: {A, "include", false, false}, S: {U, "exclude", false, false}},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := signals.Evaluate(tc.stmts, signals.Options{Mode: tc.mode})
			for u, w := range tc.want {
				ur, ok := r.Use(u)
				if !ok {
					t.Fatalf("no result for %s", u)
				}
				got := want{ur.Verdict, ur.Decision, ur.Conflict, ur.Offer != nil}
				if got != w {
					t.Errorf("%s: got %+v (%s), want %+v", u, got, ur.Reason, w)
				}
				if ur.Reason == "" {
					t.Errorf("%s: empty reason", u)
				}
				if ur.Verdict != signals.Unknown && len(ur.DecidedBy) == 0 {
					t.Errorf("%s: verdict %s decided by no statement", u, ur.Verdict)
				}
			}
		})
	}
}

func TestEvaluateLostAndDecidedBy(t *testing.T) {
	stmts := []signals.Statement{
		st("content-signal", map[signals.Use]signals.Verdict{G: A, T: A}),
		st("tdmrep", map[signals.Use]signals.Verdict{G: L, T: L, I: L}),
		st("noai", map[signals.Use]signals.Verdict{G: D, T: D, I: D}),
	}
	stmts[1].Warnings = []string{"policy unreachable"}
	r := signals.Evaluate(stmts, signals.Options{Uses: []signals.Use{G, S}})
	if len(r.Uses) != 2 || r.Uses[0].Use != G || r.Uses[1].Use != S {
		t.Fatalf("uses = %+v, want [train-genai search] in that order", r.Uses)
	}
	g := r.Uses[0]
	if diff := cmp.Diff([]int{2}, g.DecidedBy); diff != "" {
		t.Errorf("DecidedBy (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]int{0, 1}, g.Lost); diff != "" {
		t.Errorf("Lost (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"tdmrep: policy unreachable"}, g.Warnings); diff != "" {
		t.Errorf("Warnings (-want +got):\n%s", diff)
	}
	if len(r.Uses[1].Warnings) != 0 {
		t.Errorf("search warnings = %q, want none (tdmrep is silent on search)", r.Uses[1].Warnings)
	}
	if diff := cmp.Diff([]string{"tdmrep: policy unreachable"}, r.Warnings); diff != "" {
		t.Errorf("Result.Warnings (-want +got):\n%s", diff)
	}
	if !r.Excluded() {
		t.Error("Excluded() = false, want true")
	}
}

func TestParseUses(t *testing.T) {
	got, err := signals.ParseUses("search, train-genai,search")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]signals.Use{S, G}, got); diff != "" {
		t.Errorf("ParseUses (-want +got):\n%s", diff)
	}
	if _, err := signals.ParseUses("train"); err == nil {
		t.Error(`ParseUses("train") succeeded, want an error`)
	}
	all, _ := signals.ParseUses("")
	if len(all) != 4 {
		t.Errorf("ParseUses(\"\") = %v, want all four", all)
	}
	if _, err := signals.ParseMode("eu"); err == nil {
		t.Error(`ParseMode("eu") succeeded`)
	}
}

// TestReasonKeepsWholeValue: a reason names the deciding statement's value
// whole, however long (a display may shorten it; evidence must not).
func TestReasonKeepsWholeValue(t *testing.T) {
	long := "Jane Doe: train-genai deny (declaration dcl_fp2m7m6a7q3bkfzq2gxr4ynk3u by acc_x on work:wrk_y; work wrk_y matched by unit ISCC:EEA, distance 0, exact)"
	s := signals.Statement{Mechanism: "registry", Location: "https://r.example/v1/receipts/4", Value: long, Uses: map[signals.Use]signals.Verdict{G: D}}
	r := signals.Evaluate([]signals.Statement{s}, signals.Options{Uses: []signals.Use{G}})
	want := `reserved by registry "` + long + `" at https://r.example/v1/receipts/4`
	if got := r.Uses[0].Reason; got != want {
		t.Errorf("reason:\n got %s\nwant %s", got, want)
	}
}

func TestWarnings(t *testing.T) {
	a := st("tdmrep", nil)
	a.Warnings = []string{"policy unreachable", "policy unreachable"}
	b := st("robots.txt", nil)
	b.Warnings = []string{"5xx"}
	if diff := cmp.Diff([]string{"tdmrep: policy unreachable", "robots.txt: 5xx"}, signals.Warnings([]signals.Statement{a, b})); diff != "" {
		t.Errorf("Warnings (-want +got):\n%s", diff)
	}
}

// TestEvaluateOffersPerUse: a statement with one offer per use (a registry
// declaration "deny train-genai; license train-ai 0.05") attaches each
// offer to its own use only, and a reserved use it names an offer for is a
// deny with the offer, D(offer).
func TestEvaluateOffersPerUse(t *testing.T) {
	o := &signals.Offer{Price: "0.05", Currency: "EUR", Per: "item"}
	decl := st("registry", map[signals.Use]signals.Verdict{G: D, T: L})
	decl.Offers = map[signals.Use]*signals.Offer{T: o}
	named := st("registry", map[signals.Use]signals.Verdict{I: D})
	named.Offers = map[signals.Use]*signals.Offer{I: o}
	r := signals.Evaluate([]signals.Statement{decl, named}, signals.Options{Uses: []signals.Use{G, T, I}})
	for _, tc := range []struct {
		use     signals.Use
		verdict signals.Verdict
		offer   *signals.Offer
	}{{G, D, nil}, {T, L, o}, {I, D, o}} {
		ur, _ := r.Use(tc.use)
		if ur.Verdict != tc.verdict || ur.Offer != tc.offer {
			t.Errorf("%s: got %s with offer %+v, want %s with %+v", tc.use, ur.Verdict, ur.Offer, tc.verdict, tc.offer)
		}
	}
}
