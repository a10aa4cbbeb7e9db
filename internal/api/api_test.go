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
	"slices"
	"sort"
	"strings"
	"testing"

	"golang.org/x/mod/sumdb/note"

	"github.com/askfirst/askfirst/internal/api"
	"github.com/askfirst/askfirst/internal/ledger"
	"github.com/askfirst/askfirst/internal/registry"
	"github.com/askfirst/askfirst/internal/store/sqlite"
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
	if out != nil {
		if err := json.Unmarshal(data, out); err != nil {
			t.Fatalf("%s %s: %d %s: %v", method, path, resp.StatusCode, data, err)
		}
	}
	return resp.StatusCode
}

func TestOpenAPIMatchesRoutes(t *testing.T) {
	s, hs, _ := newServer(t, 100)
	var doc struct {
		Paths map[string]map[string]any `json:"paths"`
	}
	if code := call(t, hs, "GET", "/v1/openapi.json", "", nil, &doc); code != 200 {
		t.Fatalf("GET /v1/openapi.json: %d", code)
	}
	var documented []string
	for p, ops := range doc.Paths {
		for m := range ops {
			documented = append(documented, strings.ToUpper(m)+" "+p)
		}
	}
	served := s.Routes()
	sort.Strings(documented)
	sort.Strings(served)
	if !slices.Equal(documented, served) {
		t.Fatalf("OpenAPI paths and handlers differ:\ndocumented %v\nserved     %v", documented, served)
	}
}

func TestFlow(t *testing.T) {
	_, hs, led := newServer(t, 1000)
	var acc struct {
		Account struct{ ID string }
		Token   string
		Receipt ledger.Receipt
	}
	if code := call(t, hs, "POST", "/v1/accounts", "", map[string]string{"name": "Alice", "kind": "creator"}, &acc); code != 201 {
		t.Fatalf("create account: %d", code)
	}
	if _, err := ledger.VerifyReceipt(acc.Receipt, led.Origin(), led.Verifier()); err != nil {
		t.Fatalf("account receipt: %v", err)
	}
	works := map[string]any{"works": []map[string]any{{"datahash": "1e20" + strings.Repeat("ab", 32), "title": "a", "pdq": strings.Repeat("a5", 32), "pdq_quality": 90, "locators": []string{"https://alice.example/a.jpg"}}},
		"terms": []map[string]any{{"use": "train-ai", "decision": "license", "offer": map[string]string{"price": "0.10", "currency": "EUR"}}}}
	var reg struct {
		Works []struct {
			Work               struct{ ID string }
			Receipt            ledger.Receipt
			DeclarationReceipt *ledger.Receipt `json:"declaration_receipt"`
		}
	}
	if code := call(t, hs, "POST", "/v1/works", acc.Token, works, &reg); code != 201 || len(reg.Works) != 1 || reg.Works[0].DeclarationReceipt == nil {
		t.Fatalf("register: %d %+v", code, reg)
	}
	var res struct {
		Results []registry.MatchResult
	}
	items := map[string]any{"items": []map[string]string{{"url": "https://alice.example/a.jpg"}, {"datahash": "1e20" + strings.Repeat("ab", 32)}, {"pdq": "nope"}}}
	if code := call(t, hs, "POST", "/v1/match", "", items, &res); code != 200 || len(res.Results) != 3 {
		t.Fatalf("match: %d %+v", code, res)
	}
	for i := 0; i < 2; i++ {
		if len(res.Results[i].Declarations) != 1 || res.Results[i].Declarations[0].Terms[0].Offer.Price != "0.10" {
			t.Errorf("match item %d: got %+v, want the licence offer", i, res.Results[i])
		}
	}
	if res.Results[2].Error == "" {
		t.Errorf("match of a malformed pdq: got no error")
	}
	var lk registry.MatchResult
	if code := call(t, hs, "GET", "/v1/lookup?url=https://alice.example/a.jpg", "", nil, &lk); code != 200 || len(lk.Matches) != 1 {
		t.Errorf("lookup by URL: %d %+v", code, lk)
	}
	var rc ledger.Receipt
	if code := call(t, hs, "GET", fmt.Sprintf("/v1/receipts/%d", reg.Works[0].Receipt.Index), "", nil, &rc); code != 200 {
		t.Fatalf("receipt: %d", code)
	}
	if _, err := ledger.VerifyReceipt(rc, led.Origin(), led.Verifier()); err != nil {
		t.Errorf("fetched receipt: %v", err)
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
		{"POST", "/v1/declarations", acc.Token, map[string]any{"subject": map[string]string{"Kind": "domain", "Value": "alice.example"}, "terms": []map[string]string{{"use": "search", "decision": "deny"}}}, 403},
		{"GET", "/v1/works/wrk_nope", "", nil, 404},
		{"GET", "/v1/lookup", "", nil, 400},
		{"POST", "/v1/match", "", `{"items": [` + strings.Repeat(`{"url":"https://x.example/"},`, registry.MaxBatch) + `{}]}`, 400},
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
	var up struct {
		Works []struct {
			Work struct {
				ID, ISCC, Datahash, Title string
			}
			Receipt            ledger.Receipt
			DeclarationReceipt *ledger.Receipt `json:"declaration_receipt"`
		}
	}
	json.NewDecoder(resp.Body).Decode(&up)
	resp.Body.Close()
	if resp.StatusCode != 201 || len(up.Works) != 1 || !strings.HasPrefix(up.Works[0].Work.ISCC, "ISCC:") || up.Works[0].Work.Title != "Fox" || up.Works[0].DeclarationReceipt == nil {
		t.Fatalf("upload: %d %+v", resp.StatusCode, up)
	}
	var lk registry.MatchResult
	if code := call(t, hs, "GET", "/v1/lookup?datahash="+up.Works[0].Work.Datahash, "", nil, &lk); code != 200 || len(lk.Declarations) != 1 {
		t.Errorf("lookup of the uploaded file: %d %+v", code, lk)
	}
	// TDM·AI-style import keyed by ISCC.
	imp := map[string]any{"iscc": up.Works[0].Work.ISCC, "name": "Fox again", "tdm": map[string]string{"train-ai": "license", "search": "allow"},
		"offer": map[string]string{"price": "1.00", "currency": "USD"}}
	var out struct {
		Works []struct {
			Receipt ledger.Receipt
		}
	}
	if code := call(t, hs, "POST", "/v1/declarations/import", acc.Token, imp, &out); code != 201 || len(out.Works) != 1 {
		t.Fatalf("import: %d %+v", code, out)
	}
	if _, err := ledger.VerifyReceipt(out.Works[0].Receipt, led.Origin(), led.Verifier()); err != nil {
		t.Errorf("import receipt: %v", err)
	}
	var p struct{ Status int }
	if code := call(t, hs, "POST", "/v1/declarations/import", acc.Token, map[string]any{"iscc": "ISCC:NOPE", "tdm": map[string]string{"train-ai": "deny"}}, &p); code != 400 {
		t.Errorf("import of a bad ISCC: %d, want 400", code)
	}
}
