package api_test

import (
	"bytes"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/mod/sumdb/note"

	"github.com/google/go-cmp/cmp"

	"github.com/askfirst/askfirst/internal/api"
	"github.com/askfirst/askfirst/internal/ledger"
	"github.com/askfirst/askfirst/internal/registry"
	"github.com/askfirst/askfirst/internal/store/sqlite"
	"github.com/askfirst/askfirst/wire"
)

func newServer(t *testing.T, rate float64) (*api.Server, *httptest.Server, *ledger.Ledger) {
	t.Helper()
	st, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "r.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	skey, _, _ := note.GenerateKey(rand.Reader, "api.test/log")
	led, err := ledger.New(skey)
	if err != nil {
		t.Fatal(err)
	}
	if err := led.Init(t.Context(), st); err != nil {
		t.Fatal(err)
	}
	reg, err := registry.New(t.Context(), registry.Config{Store: st, Ledger: led})
	if err != nil {
		t.Fatal(err)
	}
	s, err := api.New(api.Config{Registry: reg, RatePerSecond: rate, Burst: int(rate)})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(s)
	t.Cleanup(hs.Close)
	return s, hs, led
}

func call(t *testing.T, hs *httptest.Server, method, path, token string, body any, out any) int {
	t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		j, _ := json.Marshal(b)
		rd = bytes.NewReader(j)
	}
	req, _ := http.NewRequestWithContext(t.Context(), method, hs.URL+path, rd)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	if resp.StatusCode >= 400 && resp.Header.Get("Content-Type") != "application/problem+json" && !strings.HasPrefix(path, "/tile") {
		t.Errorf("%s %s: error %d with content type %q, want application/problem+json", method, path, resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	var sent []byte
	if rd != nil {
		switch b := body.(type) {
		case string:
			sent = []byte(b)
		default:
			sent, _ = json.Marshal(b)
		}
	}
	validateExchange(t, method, path, sent, resp.StatusCode, resp.Header.Get("Content-Type"), data)
	if out != nil {
		if err := json.Unmarshal(data, out); err != nil {
			t.Fatalf("%s %s: %d %s: %v", method, path, resp.StatusCode, data, err)
		}
	}
	return resp.StatusCode
}

func TestFlow(t *testing.T) {
	_, hs, led := newServer(t, 1000)
	var acc wire.AccountCreated
	if code := call(t, hs, "POST", "/v1/accounts", "", wire.CreateAccountRequest{Name: "Alice", Kind: wire.KindCreator}, &acc); code != 201 {
		t.Fatalf("create account: %d", code)
	}
	if _, err := ledger.VerifyReceipt(ledger.Receipt(acc.Receipt), led.Origin(), led.Verifier()); err != nil {
		t.Fatalf("account receipt: %v", err)
	}
	dh := "1e20" + strings.Repeat("ab", 32)
	works := wire.RegisterRequest{Works: []wire.WorkInput{{Datahash: dh, Title: "a", PDQ: &wire.PDQ{Hash: strings.Repeat("a5", 32), Quality: 90}, Locators: []string{"https://alice.example/a.jpg"}}},
		Terms: []wire.Term{{Use: wire.UseTrainAI, Decision: wire.DecisionLicense, Offer: &wire.Offer{Price: "0.10", Currency: "EUR"}}}}
	var reg wire.RegisterResponse
	if code := call(t, hs, "POST", "/v1/works", acc.Token, works, &reg); code != 201 || len(reg.Works) != 1 || reg.Works[0].DeclarationReceipt == nil {
		t.Fatalf("register: %d %+v", code, reg)
	}
	// The work as registered, in the shapes askfirst id prints.
	var got wire.Work
	call(t, hs, "GET", "/v1/works/"+reg.Works[0].Work.ID, "", nil, &got)
	want := wire.Work{ID: reg.Works[0].Work.ID, Account: acc.Account.ID, Datahash: dh, PDQ: &wire.PDQ{Hash: strings.Repeat("a5", 32), Quality: 90},
		Title: "a", Locators: []string{"https://alice.example/a.jpg"}, Created: got.Created, LogIndex: reg.Works[0].Receipt.Index}
	if d := cmp.Diff(want, got); d != "" || got.Created == "" {
		t.Errorf("GET /v1/works/{id} (-want +got):\n%s", d)
	}
	var res wire.MatchResponse
	items := wire.MatchRequest{Items: []wire.MatchItem{{URL: "https://alice.example/a.jpg"}, {Datahash: dh}, {PDQ: &wire.PDQ{Hash: "nope"}}}}
	if code := call(t, hs, "POST", "/v1/match", "", items, &res); code != 200 || len(res.Results) != 3 {
		t.Fatalf("match: %d %+v", code, res)
	}
	for i := 0; i < 2; i++ {
		if len(res.Results[i].Declarations) != 1 || res.Results[i].Declarations[0].Terms[0].Offer.Price != "0.10" || res.Results[i].Declarations[0].AccountName != "Alice" {
			t.Errorf("match item %d: got %+v, want Alice's licence offer", i, res.Results[i])
		}
	}
	if res.Results[2].Error == "" {
		t.Errorf("match of a malformed pdq: got no error")
	}
	var lk wire.MatchResult
	if code := call(t, hs, "GET", "/v1/lookup?url=https://alice.example/a.jpg", "", nil, &lk); code != 200 || len(lk.Matches) != 1 {
		t.Errorf("lookup by URL: %d %+v", code, lk)
	}
	var rc wire.Receipt
	if code := call(t, hs, "GET", fmt.Sprintf("/v1/receipts/%d", reg.Works[0].Receipt.Index), "", nil, &rc); code != 200 {
		t.Fatalf("receipt: %d", code)
	}
	if _, err := ledger.VerifyReceipt(ledger.Receipt(rc), led.Origin(), led.Verifier()); err != nil {
		t.Errorf("fetched receipt: %v", err)
	}
	var info wire.LogInfo
	if code := call(t, hs, "GET", "/v1/log", "", nil, &info); code != 200 || info.Origin != led.Origin() || info.Size != rc.Index+2 {
		t.Errorf("GET /v1/log: %d %+v", code, info)
	}
	var me wire.Me
	if code := call(t, hs, "GET", "/v1/accounts/me", acc.Token, nil, &me); code != 200 || me.Account != acc.Account || me.Token.Scope != wire.ScopeWrite {
		t.Errorf("GET /v1/accounts/me: %d %+v, want %+v with a write token", code, me, acc.Account)
	}
	// Errors are problem+json with the right status.
	var p struct {
		Status int
		Detail string
	}
	for _, tc := range []struct {
		method, path, token string
		body                any
		want                int
	}{
		{"POST", "/v1/works", "", works, 401},
		{"POST", "/v1/works", "askfirst_bogus", works, 401},
		{"POST", "/v1/works", acc.Token, `{"works": [], "extra": 1}`, 400},
		{"POST", "/v1/works", acc.Token, `{"works": [{"title": "no codes"}]}`, 400},
		{"POST", "/v1/declarations", acc.Token, map[string]any{"subject": map[string]string{"kind": "domain", "value": "alice.example"}, "terms": []map[string]string{{"use": "search", "decision": "deny"}}}, 403},
		{"POST", "/v1/works", acc.Token, `{"works": [{"units": {"content": "ISCC:GAAVT7HKQU2GJXLF"}}]}`, 400}, // a Data-Code as content
		{"GET", "/v1/accounts/me/works?limit=0", acc.Token, nil, 400},
		{"GET", "/v1/accounts/me/works?limit=1001", acc.Token, nil, 400},
		{"GET", "/v1/campaigns?limit=x", "", nil, 400},
		{"GET", "/v1/accounts/me/declarations", "", nil, 401},
		{"GET", "/v1/works/wrk_nope", "", nil, 404},
		{"GET", "/v1/lookup", "", nil, 400},
		{"POST", "/v1/match", "", `{"items": [` + strings.Repeat(`{"url":"https://x.example/"},`, wire.MaxBatch) + `{}]}`, 400},
		{"POST", "/v1/accounts", "", `{"name": "` + strings.Repeat("x", api.MaxBody) + `"}`, 413},
	} {
		p.Status = 0
		if code := call(t, hs, tc.method, tc.path, tc.token, tc.body, &p); code != tc.want || p.Status != tc.want {
			t.Errorf("%s %s: got %d (%+v), want %d", tc.method, tc.path, code, p, tc.want)
		}
	}
	// The log is served as C2SP tiles and a checkpoint.
	resp, err := http.Get(hs.URL + "/checkpoint")
	if err != nil {
		t.Fatal(err)
	}
	cp, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if _, err := ledger.OpenCheckpoint(cp, led.Origin(), led.Verifier()); err != nil {
		t.Errorf("checkpoint: %v\n%s", err, cp)
	}
	resp, _ = http.Get(hs.URL + "/metrics")
	m, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(m), `askfirst_http_requests_total{route="POST /v1/works",status="201"} 1`) {
		t.Errorf("metrics lack the registration:\n%s", m)
	}
	if !strings.Contains(string(m), `askfirst_match_codes{kind="pdq/256"} 1`) || !strings.Contains(string(m), `askfirst_match_delta_codes{kind="pdq/256"} 1`) {
		t.Errorf("metrics lack the content index's one PDQ code (in its delta):\n%s", m)
	}
}

func TestRateLimit(t *testing.T) {
	_, hs, _ := newServer(t, 5)
	limited := 0
	for i := 0; i < 20; i++ {
		var p struct{ Status int }
		if call(t, hs, "GET", "/v1/lookup?domain=example.org", "", nil, &p) == 429 {
			limited++
		}
	}
	if limited < 10 {
		t.Fatalf("20 requests at a limit of 5/s with burst 5: %d were refused, want at least 10", limited)
	}
}

func TestUploadAndImport(t *testing.T) {
	_, hs, led := newServer(t, 1000)
	var acc struct{ Token string }
	call(t, hs, "POST", "/v1/accounts", "", map[string]string{"name": "Uma"}, &acc)
	// Upload: the server computes the codes and keeps nothing but them.
	text := strings.Repeat("The quick brown fox jumps over the lazy dog. ", 40)
	req, _ := http.NewRequest("POST", hs.URL+`/v1/works/upload?filename=fox.txt&title=Fox&terms=[{"use":"train-genai","decision":"deny"}]`, strings.NewReader(text))
	req.Header.Set("Authorization", "Bearer "+acc.Token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var up wire.RegisterResponse
	data, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	validateExchange(t, "POST", "/v1/works/upload", nil, resp.StatusCode, resp.Header.Get("Content-Type"), data)
	json.Unmarshal(data, &up)
	if resp.StatusCode != 201 || len(up.Works) != 1 || !strings.HasPrefix(up.Works[0].Work.ISCC, "ISCC:") || up.Works[0].Work.Title != "Fox" || up.Works[0].DeclarationReceipt == nil {
		t.Fatalf("upload: %d %+v", resp.StatusCode, up)
	}
	if u := up.Works[0].Work.Units; u.Meta == "" || u.Content == "" || u.Data == "" || u.Instance == "" {
		t.Errorf("upload: units %+v, want all four", u)
	}
	var lk wire.MatchResult
	if code := call(t, hs, "GET", "/v1/lookup?datahash="+up.Works[0].Work.Datahash, "", nil, &lk); code != 200 || len(lk.Declarations) != 1 {
		t.Errorf("lookup of the uploaded file: %d %+v", code, lk)
	}
	// TDM·AI-style import keyed by ISCC.
	imp := map[string]any{"iscc": up.Works[0].Work.ISCC, "name": "Fox again", "tdm": map[string]string{"train-ai": "license", "search": "allow"},
		"offer": map[string]string{"price": "1.00", "currency": "USD"}}
	var out wire.RegisterResponse
	if code := call(t, hs, "POST", "/v1/declarations/import", acc.Token, imp, &out); code != 201 || len(out.Works) != 1 {
		t.Fatalf("import: %d %+v", code, out)
	}
	if _, err := ledger.VerifyReceipt(ledger.Receipt(out.Works[0].Receipt), led.Origin(), led.Verifier()); err != nil {
		t.Errorf("import receipt: %v", err)
	}
	var p struct{ Status int }
	if code := call(t, hs, "POST", "/v1/declarations/import", acc.Token, map[string]any{"iscc": "ISCC:NOPE", "tdm": map[string]string{"train-ai": "deny"}}, &p); code != 400 {
		t.Errorf("import of a bad ISCC: %d, want 400", code)
	}
}

// TestOwnListsAndCampaigns pages through GET /v1/accounts/me/works, GET
// /v1/accounts/me/declarations and GET /v1/campaigns.
func TestOwnListsAndCampaigns(t *testing.T) {
	_, hs, _ := newServer(t, 1000)
	var alice, bob, org wire.AccountCreated
	call(t, hs, "POST", "/v1/accounts", "", wire.CreateAccountRequest{Name: "Alice"}, &alice)
	call(t, hs, "POST", "/v1/accounts", "", wire.CreateAccountRequest{Name: "Bob"}, &bob)
	call(t, hs, "POST", "/v1/accounts", "", wire.CreateAccountRequest{Name: "Guild", Kind: wire.KindOrganisation}, &org)
	input := func(i int) wire.WorkInput {
		return wire.WorkInput{Datahash: fmt.Sprintf("1e20%064x", i), Title: fmt.Sprint("work ", i)}
	}
	deny := []wire.Term{{Use: wire.UseTrainGenAI, Decision: wire.DecisionDeny}}
	var withTerms, without wire.RegisterResponse
	call(t, hs, "POST", "/v1/works", alice.Token, wire.RegisterRequest{Works: []wire.WorkInput{input(1), input(2)}, Terms: deny}, &withTerms)
	call(t, hs, "POST", "/v1/works", alice.Token, wire.RegisterRequest{Works: []wire.WorkInput{input(3)}}, &without)
	call(t, hs, "POST", "/v1/works", bob.Token, wire.RegisterRequest{Works: []wire.WorkInput{input(4)}}, nil)
	var all wire.Declared
	call(t, hs, "POST", "/v1/declarations", alice.Token, wire.DeclareRequest{Subject: wire.Subject{Kind: wire.SubjectAccount}, Terms: []wire.Term{{Use: wire.UseTrainAI, Decision: wire.DecisionDeny}}}, &all)
	// A newer declaration on work 2 supersedes the one made with it.
	var newer wire.Declared
	call(t, hs, "POST", "/v1/declarations", alice.Token, wire.DeclareRequest{Subject: wire.Subject{Kind: wire.SubjectWork, Value: withTerms.Works[1].Work.ID},
		Terms: []wire.Term{{Use: wire.UseSearch, Decision: wire.DecisionAllow}}, Supersedes: withTerms.Works[1].Declaration.ID}, &newer)

	applies := map[string]string{
		withTerms.Works[0].Work.ID: withTerms.Works[0].Declaration.ID + " work:" + withTerms.Works[0].Work.ID,
		withTerms.Works[1].Work.ID: newer.Declaration.ID + " work:" + withTerms.Works[1].Work.ID,
		without.Works[0].Work.ID:   all.Declaration.ID + " account:" + alice.Account.ID,
	}
	got := map[string]string{}
	after, pages := "", 0
	for {
		var l wire.WorkList
		if code := call(t, hs, "GET", "/v1/accounts/me/works?limit=2&after="+after, alice.Token, nil, &l); code != 200 {
			t.Fatalf("works page %d: %d", pages, code)
		}
		pages++
		for _, w := range l.Works {
			if w.Work.Account != alice.Account.ID || w.Declaration == nil {
				t.Errorf("work %+v: want Alice's, with a declaration", w)
				continue
			}
			got[w.Work.ID] = w.Declaration.ID + " " + w.Declaration.AppliesVia
		}
		if after = l.Next; after == "" {
			break
		}
	}
	if d := cmp.Diff(applies, got); d != "" || pages != 2 {
		t.Errorf("Alice's works and their declarations in %d pages (want 2) (-want +got):\n%s", pages, d)
	}

	var dl wire.DeclarationList
	call(t, hs, "GET", "/v1/accounts/me/declarations", alice.Token, nil, &dl)
	superseded := map[string]string{}
	for _, d := range dl.Declarations {
		superseded[d.ID] = d.SupersededBy
	}
	want := map[string]string{withTerms.Works[0].Declaration.ID: "", withTerms.Works[1].Declaration.ID: newer.Declaration.ID, all.Declaration.ID: "", newer.Declaration.ID: ""}
	if d := cmp.Diff(want, superseded); d != "" || dl.Next != "" {
		t.Errorf("Alice's declarations (-want +got):\n%s", d)
	}

	var c1, c2 wire.CampaignCreated
	call(t, hs, "POST", "/v1/campaigns", org.Token, wire.CreateCampaignRequest{Title: "One", Statement: "First."}, &c1)
	call(t, hs, "POST", "/v1/campaigns", org.Token, wire.CreateCampaignRequest{Title: "Two", Statement: "Second."}, &c2)
	call(t, hs, "POST", "/v1/campaigns/"+c1.Campaign.ID+"/signatures", alice.Token, wire.SignRequest{Listed: true}, nil)
	call(t, hs, "POST", "/v1/campaigns/"+c1.Campaign.ID+"/signatures", bob.Token, wire.SignRequest{Listed: true}, nil)
	var p1, p2 wire.CampaignList
	call(t, hs, "GET", "/v1/campaigns?limit=1", "", nil, &p1)
	call(t, hs, "GET", "/v1/campaigns?limit=1&after="+p1.Next, "", nil, &p2)
	counts := map[string]int64{}
	for _, cs := range append(p1.Campaigns, p2.Campaigns...) {
		counts[cs.Campaign.Title] = cs.Signatures
		if cs.Campaign.AccountName != "Guild" || cs.Campaign.Created == "" {
			t.Errorf("campaign %+v: want the organiser Guild and a creation time", cs.Campaign)
		}
	}
	if d := cmp.Diff(map[string]int64{"One": 2, "Two": 0}, counts); d != "" || p1.Next == "" || p2.Next != "" {
		t.Errorf("campaigns in two pages (next %q, then %q) (-want +got):\n%s", p1.Next, p2.Next, d)
	}
	var v1, v2 wire.CampaignView
	call(t, hs, "GET", "/v1/campaigns/"+c1.Campaign.ID+"?limit=1", "", nil, &v1)
	call(t, hs, "GET", "/v1/campaigns/"+c1.Campaign.ID+"?limit=1&after="+v1.Next, "", nil, &v2)
	if len(v1.Listed) != 1 || len(v2.Listed) != 1 || v1.Next == "" || v2.Next != "" || v1.Listed[0].ID == v2.Listed[0].ID || v1.Signatures != 2 {
		t.Errorf("listed signatories in pages of one: %+v then %+v", v1, v2)
	}
}
