package cli_test

import (
	"bytes"
	"crypto/rand"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/mod/sumdb/note"

	"github.com/askfirst/askfirst/internal/api"
	"github.com/askfirst/askfirst/internal/cli"
	"github.com/askfirst/askfirst/internal/fetch"
	"github.com/askfirst/askfirst/internal/ledger"
	"github.com/askfirst/askfirst/internal/registry"
	"github.com/askfirst/askfirst/internal/registryevidence"
	"github.com/askfirst/askfirst/internal/store"
	"github.com/askfirst/askfirst/internal/store/sqlite"
	"github.com/askfirst/askfirst/wire"
)

// testRegistry is a real registry (internal/registry and internal/api over
// SQLite) served on loopback.
type testRegistry struct {
	URL      string
	origin   string
	verifier note.Verifier
}

func startRegistry(t *testing.T) *testRegistry {
	t.Helper()
	st, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "registry.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	skey, vkey, err := note.GenerateKey(rand.Reader, "registry.test/log")
	if err != nil {
		t.Fatal(err)
	}
	led, err := ledger.New(skey)
	if err != nil {
		t.Fatal(err)
	}
	if err := led.Init(t.Context(), st); err != nil {
		t.Fatal(err)
	}
	fc, err := fetch.New(fetch.Config{AllowPrivate: true})
	if err != nil {
		t.Fatal(err)
	}
	reg, err := registry.New(t.Context(), registry.Config{Store: st, Ledger: led, Verifier: &registry.NetVerifier{Client: fc, Scheme: "http"}})
	if err != nil {
		t.Fatal(err)
	}
	srv, err := api.New(api.Config{Registry: reg, RatePerSecond: 1000, Burst: 1000})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv)
	t.Cleanup(hs.Close)
	v, err := note.NewVerifier(vkey)
	if err != nil {
		t.Fatal(err)
	}
	return &testRegistry{URL: hs.URL, origin: led.Origin(), verifier: v}
}

// runIn runs askfirst in dir (relative paths resolve there).
func runIn(t *testing.T, dir string, args ...string) (string, string, int) {
	t.Helper()
	t.Chdir(dir)
	var stdout, stderr bytes.Buffer
	code := cli.Main(t.Context(), args, strings.NewReader(""), &stdout, &stderr)
	return stdout.String(), stderr.String(), code
}

func mustRun(t *testing.T, dir string, want int, args ...string) string {
	t.Helper()
	out, errOut, code := runIn(t, dir, args...)
	if code != want {
		t.Fatalf("askfirst %s: exit %d, want %d\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), code, want, out, errOut)
	}
	return out
}

func jsonLines[T any](t *testing.T, out string) []T {
	t.Helper()
	var res []T
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		if l == "" {
			continue
		}
		var v T
		if err := json.Unmarshal([]byte(l), &v); err != nil {
			t.Fatalf("output line %q: %v", l, err)
		}
		res = append(res, v)
	}
	return res
}

// TestRegistryEndToEnd drives the client commands against a real
// registry, as the README walks a new user through it.
func TestRegistryEndToEnd(t *testing.T) {
	reg := startRegistry(t)
	t.Setenv("ASKFIRST_REGISTRY", reg.URL)
	t.Setenv("ASKFIRST_TOKEN", "")
	t.Setenv("ASKFIRST_ALLOW_PRIVATE", "")
	dir := t.TempDir()
	imgs := writePhotos(t, filepath.Join(dir, "photos"), 5)
	if err := os.WriteFile(filepath.Join(dir, "near-copy.jpg"), nearCopy(t, imgs[1]), 0o644); err != nil {
		t.Fatal(err)
	}
	other := photo(99, 640, 480)
	if err := os.WriteFile(filepath.Join(dir, "unrelated.jpg"), encodeJPEG(t, other, 90), 0o644); err != nil {
		t.Fatal(err)
	}

	// account create --json prints the account and its token.
	var acct struct {
		Account struct{ ID, Kind, Name string }
		Token   string
	}
	if err := json.Unmarshal([]byte(mustRun(t, dir, 0, "account", "create", "--name", "Jane Doe", "--json")), &acct); err != nil {
		t.Fatal(err)
	}
	if acct.Account.Name != "Jane Doe" || acct.Account.Kind != "creator" || !strings.HasPrefix(acct.Token, "") || acct.Token == "" {
		t.Fatalf("account create --json: got %+v, want Jane Doe, creator, a token", acct)
	}
	// --save writes the token to a file only the user reads.
	mustRun(t, dir, 0, "account", "create", "--name", "Jane Doe (studio)", "--save", "jane.token")
	if st, err := os.Stat(filepath.Join(dir, "jane.token")); err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("jane.token: %v, mode %v, want 0600", err, st.Mode())
	}

	// register a folder with a reservation and a licence offer.
	out := mustRun(t, dir, 0, "register", "--token-file", "jane.token", "--deny", "train-genai", "--license", "train-ai",
		"--price", "0.05", "--currency", "EUR", "--terms", "https://jane.example/licence", "--contact", "mailto:jane@jane.example",
		"--receipts", "receipts", "--json", "photos")
	type regLine struct {
		Path string
		Work struct {
			ID       string `json:"id"`
			LogIndex int64  `json:"log_index"`
		}
		Declaration *struct {
			ID    string `json:"id"`
			Terms []struct{ Use, Decision string }
		}
		Receipts []string `json:"receipt_files"`
	}
	regs := jsonLines[regLine](t, out)
	if len(regs) != 5 {
		t.Fatalf("register: got %d lines, want 5:\n%s", len(regs), out)
	}
	works := map[string]string{}
	for _, r := range regs {
		works[filepath.Base(r.Path)] = r.Work.ID
		if r.Declaration == nil || len(r.Declaration.Terms) != 2 || len(r.Receipts) != 2 {
			t.Errorf("register %s: got declaration %+v, receipts %v; want two terms and two receipts", r.Path, r.Declaration, r.Receipts)
		}
	}
	// Every receipt is saved as DIR/<index>.json and verifies offline.
	files, _ := filepath.Glob(filepath.Join(dir, "receipts", "*.json"))
	if len(files) != 10 {
		t.Fatalf("receipts: got %d files, want 10", len(files))
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var rc ledger.Receipt
		if err := json.Unmarshal(data, &rc); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if want := fmt.Sprintf("%d.json", rc.Index); filepath.Base(f) != want {
			t.Errorf("%s holds entry %d, want the name %s", f, rc.Index, want)
		}
		if _, err := ledger.VerifyReceipt(rc, reg.origin, reg.verifier); err != nil {
			t.Errorf("%s: %v", f, err)
		}
	}

	// Registering the same files again skips them: an interrupted run can
	// be repeated without duplicates.
	out = mustRun(t, dir, 0, "register", "--token-file", "jane.token", "--deny", "train-genai", "--receipts", "receipts", "photos")
	if n := strings.Count(out, "skipped photos/"); n != 5 || !strings.Contains(out, "0 works registered") {
		t.Errorf("register again: got %d skipped:\n%s\nwant 5 and nothing registered", n, out)
	}
	if again, _ := filepath.Glob(filepath.Join(dir, "receipts", "*.json")); len(again) != 10 {
		t.Errorf("register again: %d receipts, want still 10", len(again))
	}

	// lookup of a near-copy (resized, re-encoded) finds the work and its
	// declaration: exit 3.
	type lookupLine struct {
		Target  string
		Path    string
		Item    wire.MatchItem
		Matches []struct {
			Work       string
			Unit       string
			Distance   int
			Confidence string
		}
		Declarations []struct {
			ID    string
			Terms []struct {
				Use, Decision string
				Offer         *struct{ Price, Currency string }
			}
			LogIndex int64 `json:"log_index"`
		}
		Restricted bool
	}
	out, _, code := runIn(t, dir, "lookup", "--json", "near-copy.jpg", "unrelated.jpg")
	if code != 3 {
		t.Fatalf("lookup near-copy: exit %d, want 3\n%s", code, out)
	}
	lk := jsonLines[lookupLine](t, out)
	if len(lk) != 2 || lk[0].Target != "near-copy.jpg" || lk[1].Target != "unrelated.jpg" {
		t.Fatalf("lookup: got %+v, want near-copy.jpg then unrelated.jpg", lk)
	}
	if len(lk[0].Matches) == 0 || lk[0].Matches[0].Work != works["photo-01.jpg"] {
		t.Errorf("lookup near-copy: got matches %+v, want work %s (photo-01.jpg)", lk[0].Matches, works["photo-01.jpg"])
	}
	if len(lk[0].Declarations) != 1 || !lk[0].Restricted {
		t.Fatalf("lookup near-copy: got declarations %+v, want the one made with the work", lk[0].Declarations)
	}
	terms := fmt.Sprint(lk[0].Declarations[0].Terms[0].Use, lk[0].Declarations[0].Terms[0].Decision, " ",
		lk[0].Declarations[0].Terms[1].Use, lk[0].Declarations[0].Terms[1].Decision, *lk[0].Declarations[0].Terms[1].Offer)
	if want := "train-genaideny train-ailicense{0.05 EUR}"; terms != want {
		t.Errorf("lookup near-copy terms: got %s, want %s", terms, want)
	}
	if len(lk[1].Matches) != 0 || len(lk[1].Declarations) != 0 || lk[1].Restricted {
		t.Errorf("lookup unrelated.jpg: got %+v, want nothing", lk[1])
	}
	// lookup asks with the codes askfirst id prints, in the same shapes.
	var id struct {
		Path  string
		Units wire.Units
		PDQ   *wire.PDQ
	}
	json.Unmarshal([]byte(mustRun(t, dir, 0, "id", "--json", "near-copy.jpg")), &id)
	if lk[0].Path != id.Path || lk[0].Item.Units != id.Units || lk[0].Item.PDQ == nil || *lk[0].Item.PDQ != *id.PDQ {
		t.Errorf("lookup near-copy: path %q, item %+v; want what id prints: %+v", lk[0].Path, lk[0].Item, id)
	}
	// A cropped copy is found by similarity of its content codes.
	if err := os.WriteFile(filepath.Join(dir, "cropped.jpg"), cropped(t, imgs[3]), 0o644); err != nil {
		t.Fatal(err)
	}
	out, _, code = runIn(t, dir, "lookup", "--json", "cropped.jpg")
	lk = jsonLines[lookupLine](t, out)
	if code != 3 || len(lk) != 1 || len(lk[0].Matches) == 0 || lk[0].Matches[0].Work != works["photo-03.jpg"] || len(lk[0].Declarations) != 1 {
		t.Errorf("lookup cropped.jpg: exit %d, got %s; want exit 3 and work %s with its declaration", code, out, works["photo-03.jpg"])
	} else {
		t.Logf("cropped.jpg: %+v", lk[0].Matches[0])
	}
	if _, _, code := runIn(t, dir, "lookup", "unrelated.jpg"); code != 0 {
		t.Errorf("lookup unrelated.jpg: exit %d, want 0", code)
	}
	human := mustRun(t, dir, 3, "lookup", "near-copy.jpg")
	registryGolden(t, "lookup.golden", normalizeIDs(mustRun(t, dir, 3, "lookup", "near-copy.jpg", "photos/photo-00.jpg", "unrelated.jpg"), reg.URL))
	for _, want := range []string{"near-copy.jpg\n", "work " + works["photo-01.jpg"], "train-genai: deny", "train-ai: license 0.05 EUR per item terms https://jane.example/licence contact mailto:jane@jane.example", reg.URL + "/v1/receipts/"} {
		if !strings.Contains(human, want) {
			t.Errorf("lookup near-copy: output lacks %q:\n%s", want, human)
		}
	}

	// check --registry: the near-copy is reserved for train-genai, needs
	// a licence for train-ai, with the registry's offer and evidence at
	// the receipt.
	lines, errOut, code := checkJSON(t, "--registry", reg.URL, filepath.Join(dir, "near-copy.jpg"), filepath.Join(dir, "unrelated.jpg"))
	if code != 3 || len(lines) != 2 {
		t.Fatalf("check --registry: exit %d, %d lines, want 3 and 2\n%s", code, len(lines), errOut)
	}
	if got, want := verdicts(lines[0]), "train-genai=deny/exclude train-ai=license/exclude+offer ai-input=unknown/include search=unknown/include"; got != want {
		t.Errorf("check near-copy: got %s, want %s", got, want)
	}
	var offer struct{ Price, Currency, Terms, Contact string }
	json.Unmarshal(lines[0].Verdicts["train-ai"].Offer, &offer)
	if want := (struct{ Price, Currency, Terms, Contact string }{"0.05", "EUR", "https://jane.example/licence", "mailto:jane@jane.example"}); offer != want {
		t.Errorf("check near-copy: train-ai offer %+v, want %+v", offer, want)
	}
	// The declaration is one statement, as its log entry says it.
	found := 0
	for _, ev := range lines[0].Evidence {
		if ev.Mechanism == "registry" && strings.HasPrefix(ev.Location, reg.URL+"/v1/receipts/") && strings.HasPrefix(ev.Value, "Jane Doe (studio): train-genai deny; train-ai license 0.05 EUR") {
			found++
		}
	}
	if found != 1 {
		t.Errorf("check near-copy: %d registry statements of Jane Doe's declaration at a receipt URL, want 1: %+v", found, lines[0].Evidence)
	}
	// --json carries the whole value in the reason; only the human table
	// shortens it. A local file is the "path" of askfirst id.
	for _, ev := range lines[0].Evidence {
		if ev.Mechanism == "registry" && !strings.Contains(lines[0].Verdicts["train-genai"].Reason, strconv.Quote(ev.Value)) {
			t.Errorf("check --json: reason %q lacks the whole value %q", lines[0].Verdicts["train-genai"].Reason, ev.Value)
		}
	}
	if lines[0].Path != filepath.Join(dir, "near-copy.jpg") {
		t.Errorf("check --json: path %q, want the file", lines[0].Path)
	}
	table := mustRun(t, dir, 3, "check", "--registry", reg.URL, "--use", "train-genai", "near-copy.jpg")
	if !regexp.MustCompile(`train-genai +deny +exclude +reserved by registry "Jane Doe \(studio\): [^"]{50,}\.\.\." at `).MatchString(table) {
		t.Errorf("check: the human table does not shorten the long value:\n%s", table)
	}
	if got, want := verdicts(lines[1]), "train-genai=unknown/include train-ai=unknown/include ai-input=unknown/include search=unknown/include"; got != want {
		t.Errorf("check unrelated.jpg: got %s, want %s", got, want)
	}

	// A grant names one use and needs an exact or confirmed match.
	var allowed struct {
		Declaration struct{ ID string }
	}
	json.Unmarshal([]byte(mustRun(t, dir, 0, "declare", "--token-file", "jane.token", "--subject", "work:"+works["photo-01.jpg"], "--allow", "search", "--receipts", "receipts", "--json")), &allowed)
	lines, _, _ = checkJSON(t, "--registry", reg.URL, filepath.Join(dir, "near-copy.jpg"))
	if got, want := verdicts(lines[0]), "train-genai=deny/exclude train-ai=license/exclude+offer ai-input=unknown/include search=allow/include"; got != want {
		t.Errorf("check near-copy after allow search: got %s, want %s", got, want)
	}
	// A declaration superseded no longer applies.
	mustRun(t, dir, 0, "declare", "--token-file", "jane.token", "--subject", "work:"+works["photo-01.jpg"], "--deny", "search", "--supersedes", allowed.Declaration.ID, "--receipts", "receipts")
	lines, _, _ = checkJSON(t, "--registry", reg.URL, "--use", "search", filepath.Join(dir, "near-copy.jpg"))
	if got, want := verdicts(lines[0]), "search=deny/exclude"; got != want {
		t.Errorf("check near-copy after superseding allow search: got %s, want %s", got, want)
	}

	// A registry that cannot be reached never allows.
	lines, _, _ = checkJSON(t, "--registry", "http://127.0.0.1:1", filepath.Join(dir, "unrelated.jpg"))
	if got, want := verdicts(lines[0]), "train-genai=unknown/exclude train-ai=unknown/exclude ai-input=unknown/exclude search=unknown/exclude"; got != want {
		t.Errorf("check with the registry down: got %s, want %s", got, want)
	}

	// audit --registry: the near-copy is excluded and billed at the
	// registry's offer; the unrelated image is kept.
	ds := filepath.Join(dir, "dataset")
	os.MkdirAll(ds, 0o755)
	for _, n := range []string{"near-copy.jpg", "unrelated.jpg"} {
		data, _ := os.ReadFile(filepath.Join(dir, n))
		os.WriteFile(filepath.Join(ds, n), data, 0o644)
	}
	auditOut := filepath.Join(dir, "audit")
	mustRun(t, dir, 3, "audit", "--registry", reg.URL, "--out", auditOut, ds)
	kept, _ := os.ReadDir(filepath.Join(auditOut, "kept", "dataset"))
	var keptNames []string
	for _, k := range kept {
		keptNames = append(keptNames, k.Name())
	}
	if !cmp.Equal(keptNames, []string{"unrelated.jpg"}) {
		t.Errorf("audit kept %v, want [unrelated.jpg]", keptNames)
	}
	f, err := os.Open(filepath.Join(auditOut, "bill.csv"))
	if err != nil {
		t.Fatal(err)
	}
	bill, err := csv.NewReader(f).ReadAll()
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	wantBill := [][]string{
		{"rights_holder", "organisation", "items", "uses", "unit_price", "currency", "per", "total", "contact", "terms_url"},
		{"Jane Doe (studio)", "", "1", "train-ai", "0.05", "EUR", "item", "0.05", "mailto:jane@jane.example", "https://jane.example/licence"},
	}
	if d := cmp.Diff(wantBill, bill); d != "" {
		t.Errorf("audit bill.csv (-want +got):\n%s", d)
	}
	// audit --json: one line per item in the shape of check --json, then
	// the totals.
	auditJSON := mustRun(t, dir, 3, "audit", "--json", "--registry", reg.URL, "--out", filepath.Join(dir, "audit-json"), ds)
	type auditLine struct {
		checkLine
		Input    string
		Key      string
		Excluded bool
		Summary  *struct {
			Items, Kept, Excluded, Failed int
			Out                           string
		}
	}
	al := jsonLines[auditLine](t, auditJSON)
	if len(al) != 3 || al[2].Summary == nil || al[2].Summary.Items != 2 || al[2].Summary.Excluded != 1 || al[2].Target != "" {
		t.Fatalf("audit --json: got %+v, want two items and the totals last", al)
	}
	items := map[string]string{}
	for _, l := range al[:2] {
		if l.Target != l.Path || l.Input != ds || l.Summary != nil {
			t.Errorf("audit --json item %+v: want target = path, input %s", l, ds)
		}
		items[l.Key] = fmt.Sprint(l.Excluded, " ", verdicts(l.checkLine))
	}
	wantItems := map[string]string{
		"near-copy.jpg": "true train-genai=deny/exclude train-ai=license/exclude+offer", // the offer names train-ai only
		"unrelated.jpg": "false train-genai=unknown/include train-ai=unknown/include",
	}
	if d := cmp.Diff(wantItems, items); d != "" {
		t.Errorf("audit --json items (-want +got):\n%s", d)
	}
	// The same item checked alone gives the same verdicts.
	one, _, _ := checkJSON(t, "--registry", reg.URL, "--use", "train-genai,train-ai", filepath.Join(ds, "near-copy.jpg"))
	if got := verdicts(one[0]); "true "+got != wantItems["near-copy.jpg"] {
		t.Errorf("check of the audited item: %s, want %s", got, wantItems["near-copy.jpg"])
	}

	// Campaigns: an organisation publishes, a creator signs with a
	// blanket reservation, anyone shows it.
	mustRun(t, dir, 0, "account", "create", "--name", "Photographers Guild", "--kind", "organisation", "--save", "guild.token")
	var created struct {
		Campaign struct{ ID, Title string }
		Receipt  string `json:"receipt_file"`
	}
	json.Unmarshal([]byte(mustRun(t, dir, 0, "campaign", "create", "--token-file", "guild.token", "--title", "Ask first",
		"--statement", "Our works may not train AI without a licence.", "--receipts", "receipts", "--json")), &created)
	if created.Campaign.ID == "" || created.Receipt == "" {
		t.Fatalf("campaign create: got %+v, want an ID and a receipt", created)
	}
	mustRun(t, dir, 0, "campaign", "sign", created.Campaign.ID, "--token-file", "jane.token", "--name", "Jane Doe", "--role", "photographer", "--listed", "--deny", "ai-input", "--receipts", "receipts")
	var view struct {
		Campaign   struct{ Title string }
		Signatures int
		Listed     []struct{ Name, Role string }
	}
	json.Unmarshal([]byte(mustRun(t, dir, 0, "campaign", "show", created.Campaign.ID, "--json")), &view)
	if view.Campaign.Title != "Ask first" || view.Signatures != 1 || len(view.Listed) != 1 || view.Listed[0].Name != "Jane Doe" || view.Listed[0].Role != "photographer" {
		t.Errorf("campaign show: got %+v, want one listed signature by Jane Doe, photographer", view)
	}
	var cl wire.CampaignSummary
	json.Unmarshal([]byte(mustRun(t, dir, 0, "campaign", "list", "--json")), &cl)
	if cl.Campaign.ID != created.Campaign.ID || cl.Campaign.AccountName != "Photographers Guild" || cl.Signatures != 1 {
		t.Errorf("campaign list --json: got %+v, want the guild's campaign with one signature", cl)
	}
	// works list: Jane's five photos, each with the declaration made with
	// it (photo-01's superseded twice since).
	owned := jsonLines[wire.OwnWork](t, mustRun(t, dir, 0, "works", "list", "--token-file", "jane.token", "--json"))
	via := map[string]string{}
	for _, ow := range owned {
		if ow.Declaration != nil {
			via[ow.Work.ID] = ow.Declaration.AppliesVia
		}
	}
	if len(owned) != 5 || len(via) != 5 || via[works["photo-02.jpg"]] != "work:"+works["photo-02.jpg"] {
		t.Errorf("works list: got %d works, declarations %v; want 5, each with its work declaration", len(owned), via)
	}
	// The signature's blanket declaration covers Jane's works.
	lines, _, _ = checkJSON(t, "--registry", reg.URL, "--use", "ai-input", filepath.Join(dir, "photos", "photo-03.jpg"))
	if got, want := verdicts(lines[0]), "ai-input=deny/exclude"; got != want {
		t.Errorf("check photo-03 after the campaign signature: got %s, want %s", got, want)
	}

	// Self-signed declarations.
	kout := mustRun(t, dir, 0, "key", "add", "--token-file", "jane.token", "--generate", "--receipts", "receipts", "--json", "jane.pem")
	var key struct{ ID string }
	json.Unmarshal([]byte(kout), &key)
	mustRun(t, dir, 0, "declare", "--token-file", "jane.token", "--subject", "work:"+works["photo-02.jpg"], "--deny", "train-ai",
		"--sign-key", "jane.pem", "--key-id", key.ID, "--receipts", "receipts")
	out, _, _ = runIn(t, dir, "lookup", "--json", "photos/photo-02.jpg")
	if !strings.Contains(out, `"signed":true`) {
		t.Errorf("lookup photo-02: no self-signed declaration:\n%s", out)
	}

	// Every receipt written above verifies.
	files, _ = filepath.Glob(filepath.Join(dir, "receipts", "*.json"))
	sort.Strings(files)
	if len(files) != 17 {
		t.Errorf("receipts: got %d, want 17 (10 from register, 3 declarations, a campaign, a signature with its declaration, a key)", len(files))
	}
	for _, f := range files {
		data, _ := os.ReadFile(f)
		var rc ledger.Receipt
		if err := json.Unmarshal(data, &rc); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if _, err := ledger.VerifyReceipt(rc, reg.origin, reg.verifier); err != nil {
			t.Errorf("%s: %v", f, err)
		}
	}
}

// TestDomainClaimVerify claims a loopback site and verifies it by the
// token it publishes at /.well-known/askfirst.txt.
func TestDomainClaimVerify(t *testing.T) {
	reg := startRegistry(t)
	t.Setenv("ASKFIRST_REGISTRY", reg.URL)
	t.Setenv("ASKFIRST_TOKEN", "")
	dir := t.TempDir()
	var mu sync.Mutex
	published := ""
	site := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		if r.URL.Path != "/.well-known/askfirst.txt" || published == "" {
			http.NotFound(w, r)
			return
		}
		fmt.Fprintf(w, "# askfirst\n%s\n", published)
	}))
	defer site.Close()
	domain := strings.TrimPrefix(site.URL, "http://")
	mustRun(t, dir, 0, "account", "create", "--name", "Site owner", "--save", "owner.token")
	var claim struct{ Domain, State, Token string }
	json.Unmarshal([]byte(mustRun(t, dir, 0, "domain", "claim", "--token-file", "owner.token", "--json", domain)), &claim)
	if claim.State != "pending" || claim.Token == "" {
		t.Fatalf("domain claim: got %+v, want a pending claim with a token", claim)
	}
	// Not yet published: verification fails.
	_, errOut, code := runIn(t, dir, "domain", "verify", "--token-file", "owner.token", domain)
	if code != 1 || !strings.Contains(errOut, "askfirst: hint:") {
		t.Errorf("domain verify before publishing: exit %d, want 1 with a hint\n%s", code, errOut)
	}
	mu.Lock()
	published = claim.Token
	mu.Unlock()
	out := mustRun(t, dir, 0, "domain", "verify", "--token-file", "owner.token", "--receipts", "receipts", domain)
	if !strings.Contains(out, domain+": verified") {
		t.Errorf("domain verify: got %q, want %s: verified", out, domain)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "receipts", "*.json"))
	if len(files) != 1 {
		t.Errorf("domain verify: %d receipts saved, want 1", len(files))
	}
	// The verified domain can be a subject; a domain not verified cannot.
	out = mustRun(t, dir, 0, "declare", "--token-file", "owner.token", "--subject", "domain:"+domain, "--deny", "train-ai", "--receipts", "receipts")
	if !strings.Contains(out, "on domain:"+domain+": train-ai deny") {
		t.Errorf("declare on the domain: got %q", out)
	}
	// (A URL prefix on this domain is refused: the registry takes the
	// prefix's host without its port, 127.0.0.1, which is not the domain
	// verified here, 127.0.0.1:PORT. Real domains have no port.)
	_, errOut, code = runIn(t, dir, "declare", "--token-file", "owner.token", "--subject", "domain:other.example", "--deny", "train-ai")
	if code != 1 || !strings.Contains(errOut, "other.example") {
		t.Errorf("declare on an unverified domain: exit %d, stderr %q; want 1 naming the domain", code, errOut)
	}
}

// TestClientUsageErrors covers what fails before the registry is asked.
func TestClientUsageErrors(t *testing.T) {
	t.Setenv("ASKFIRST_TOKEN", "")
	t.Setenv("ASKFIRST_REGISTRY", "http://127.0.0.1:1")
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "empty.token"), []byte("\n"), 0o600)
	for _, tc := range []struct {
		args []string
		code int
		err  string
	}{
		{[]string{"register", "x.jpg"}, 2, "no API token"},
		{[]string{"register", "--token-file", "missing.token", "x.jpg"}, 2, "--token-file"},
		{[]string{"register", "--token-file", "empty.token", "x.jpg"}, 2, "empty"},
		{[]string{"register", "--license", "train-ai", "x.jpg"}, 2, "--license needs an offer"},
		{[]string{"register", "--price", "1", "--currency", "EUR", "x.jpg"}, 2, "give --license"},
		{[]string{"register", "--deny", "train-ai", "--allow", "train-ai", "x.jpg"}, 2, "both --deny and --allow"},
		{[]string{"register", "--deny", "paint", "x.jpg"}, 2, "--deny"},
		{[]string{"register"}, 2, "no file given"},
		{[]string{"declare", "--deny", "train-ai"}, 2, "--subject"},
		{[]string{"declare", "--subject", "planet:mars", "--deny", "train-ai"}, 2, "--subject"},
		{[]string{"declare", "--subject", "account", "--deny", "train-ai", "--sign-key", "k.pem"}, 2, "--key-id"},
		{[]string{"account", "create"}, 2, "--name is required"},
		{[]string{"account", "create", "--name", "x", "--kind", "robot"}, 2, "--kind"},
		{[]string{"account"}, 2, "account create"},
		{[]string{"lookup"}, 2, "nothing to look up"},
		{[]string{"lookup", "--registry", "ftp://x", "ISCC:AAA"}, 2, "--registry"},
		{[]string{"lookup", "ISCC:KECXZSPW6ZKAMPMOYCAH6A37AV7Q7WLMKSEF47OZMBPSH47I4TJEAOA"}, 1, "is a registry running"},
		{[]string{"campaign"}, 2, "want create, sign, show or list"},
		{[]string{"campaign", "sign", "cmp_x"}, 2, "--name"},
		{[]string{"domain", "claim"}, 2, "DOMAIN"},
		{[]string{"key", "add"}, 2, "KEYFILE"},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			_, errOut, code := runIn(t, dir, tc.args...)
			if code != tc.code || !strings.Contains(errOut, tc.err) {
				t.Errorf("exit %d, stderr %q; want exit %d and %q", code, errOut, tc.code, tc.err)
			}
		})
	}
}

// TestRegistryByURL finds a work by the URL it is published at, in check
// and in an audit of a URL list that fetches nothing.
func TestRegistryByURL(t *testing.T) {
	reg := startRegistry(t)
	t.Setenv("ASKFIRST_REGISTRY", reg.URL)
	t.Setenv("ASKFIRST_TOKEN", "")
	dir := t.TempDir()
	img := encodeJPEG(t, photo(42, 320, 240), 90)
	site := serve(t, site{"/robots.txt": status(404), "/photos/p.jpg": func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "image/jpeg")
		w.Write(img)
	}})
	os.WriteFile(filepath.Join(dir, "p.jpg"), img, 0o644)
	mustRun(t, dir, 0, "account", "create", "--name", "Jane", "--save", "jane.token")
	mustRun(t, dir, 0, "register", "--token-file", "jane.token", "--locator", site.URL+"/photos/p.jpg", "--deny", "train-ai", "p.jpg")

	lines, errOut, code := checkJSON(t, "--registry", reg.URL, "--use", "train-genai,train-ai,search", site.URL+"/photos/p.jpg")
	if code != 3 || len(lines) != 1 {
		t.Fatalf("check URL: exit %d, %d lines; want 3 and 1\n%s", code, len(lines), errOut)
	}
	if got, want := verdicts(lines[0]), "train-genai=deny/exclude train-ai=deny/exclude search=unknown/include"; got != want {
		t.Errorf("check URL: got %s, want %s", got, want)
	}

	csvPath := filepath.Join(dir, "urls.csv")
	os.WriteFile(csvPath, []byte("url,caption\n"+site.URL+"/photos/p.jpg,registered\n"+site.URL+"/photos/q.jpg,not registered\n"), 0o644)
	out := filepath.Join(dir, "audit")
	mustRun(t, dir, 3, "audit", "--allow-private", "--registry", reg.URL, "--out", out, csvPath)
	kept, err := os.ReadFile(filepath.Join(out, "kept", "urls.csv"))
	if err != nil {
		t.Fatal(err)
	}
	if want := "url,caption\n" + site.URL + "/photos/q.jpg,not registered\n"; string(kept) != want {
		t.Errorf("audit kept:\n%s\nwant:\n%s", kept, want)
	}
}

// testdataDir is absolute: the tests change directory (runIn).
var testdataDir, _ = filepath.Abs("testdata")

var idRE = regexp.MustCompile(`\b(wrk|dcl|acc|cmp|sig|key)_[a-z0-9]+`)

// normalizeIDs replaces the registry's random IDs by their order of first
// appearance (wrk_1, wrk_2, ...) and its URL by REGISTRY.
func normalizeIDs(s, registryURL string) string {
	s = strings.ReplaceAll(s, registryURL, "REGISTRY")
	seen := map[string]string{}
	count := map[string]int{}
	return idRE.ReplaceAllStringFunc(s, func(id string) string {
		if n, ok := seen[id]; ok {
			return n
		}
		kind := id[:3]
		count[kind]++
		seen[id] = fmt.Sprintf("%s_%d", kind, count[kind])
		return seen[id]
	})
}

// registryGolden compares got with testdata/name, rewriting it with -update.
func registryGolden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join(testdataDir, name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if d := cmp.Diff(string(want), got); d != "" {
		t.Errorf("output differs from %s (-want +got; run with -update after checking):\n%s", path, d)
	}
}

// TestRegisterBatchesAndFailures registers in several calls and goes on
// past a file that cannot be read, failing at the end.
func TestRegisterBatchesAndFailures(t *testing.T) {
	reg := startRegistry(t)
	t.Setenv("ASKFIRST_REGISTRY", reg.URL)
	t.Setenv("ASKFIRST_TOKEN", "")
	dir := t.TempDir()
	writePhotos(t, filepath.Join(dir, "photos"), 5)
	mustRun(t, dir, 0, "account", "create", "--name", "Jane", "--save", "jane.token")
	t.Setenv("ASKFIRST_TOKEN", strings.TrimSpace(string(must(os.ReadFile(filepath.Join(dir, "jane.token"))))))
	out, errOut, code := runIn(t, dir, "register", "--batch", "2", "--deny", "train-ai", "--json", "photos", "missing.jpg")
	if code != 1 {
		t.Fatalf("exit %d, want 1\n%s\n%s", code, out, errOut)
	}
	type line struct {
		Path  string
		Work  *struct{ ID string }
		Error string
	}
	var got []string
	for _, l := range jsonLines[line](t, out) {
		switch {
		case l.Error != "":
			got = append(got, l.Path+" error")
		case l.Work != nil && l.Work.ID != "":
			got = append(got, l.Path+" registered")
		}
	}
	sort.Strings(got)
	want := []string{"missing.jpg error", "photos/photo-00.jpg registered", "photos/photo-01.jpg registered", "photos/photo-02.jpg registered", "photos/photo-03.jpg registered", "photos/photo-04.jpg registered"}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("register (-want +got):\n%s", d)
	}
	if !strings.Contains(errOut, "askfirst: error: register missing.jpg: ") || !strings.Contains(errOut, "1 of 6 files not registered") {
		t.Errorf("stderr %q: want the missing file and the count", errOut)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "askfirst-receipts", "*.json"))
	if len(files) != 11 { // the account, five works, five declarations
		t.Errorf("%d receipts, want 11", len(files))
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// TestOnBehalfOf: a member delegates to an organisation, which registers
// and declares for the member; another account cannot.
func TestOnBehalfOf(t *testing.T) {
	reg := startRegistry(t)
	t.Setenv("ASKFIRST_REGISTRY", reg.URL)
	t.Setenv("ASKFIRST_TOKEN", "")
	dir := t.TempDir()
	writePhotos(t, filepath.Join(dir, "photos"), 2)
	var member, org struct{ Account struct{ ID string } }
	json.Unmarshal([]byte(mustRun(t, dir, 0, "account", "create", "--name", "Member", "--save", "member.token", "--json")), &member)
	json.Unmarshal([]byte(mustRun(t, dir, 0, "account", "create", "--name", "Agency", "--kind", "organisation", "--save", "org.token", "--json")), &org)
	// Before the delegation the organisation may not act for the member.
	_, errOut, code := runIn(t, dir, "register", "--token-file", "org.token", "--on-behalf-of", member.Account.ID, "--deny", "train-ai", "photos/photo-00.jpg")
	if code != 1 || !strings.Contains(errOut, "403") {
		t.Errorf("register for a member without delegation: exit %d, stderr %q; want 1 and 403", code, errOut)
	}
	mustRun(t, dir, 0, "account", "delegate", "--token-file", "member.token", "--to", org.Account.ID)
	out := mustRun(t, dir, 0, "register", "--token-file", "org.token", "--on-behalf-of", member.Account.ID, "--deny", "train-ai", "--json", "photos")
	for _, l := range jsonLines[struct {
		Work struct{ Account string }
	}](t, out) {
		if l.Work.Account != member.Account.ID {
			t.Errorf("work registered for %s, want the member %s", l.Work.Account, member.Account.ID)
		}
	}
	mustRun(t, dir, 0, "declare", "--token-file", "org.token", "--on-behalf-of", member.Account.ID, "--subject", "account", "--deny", "search")
	lines, _, _ := checkJSON(t, "--registry", reg.URL, filepath.Join(dir, "photos", "photo-01.jpg"))
	if got, want := verdicts(lines[0]), "train-genai=deny/exclude train-ai=deny/exclude ai-input=unknown/include search=deny/exclude"; got != want {
		t.Errorf("check a member's photo: got %s, want %s", got, want)
	}
}

// TestRegisterCSV: an organisation registers works for two members in bulk
// from a CSV file, each row with its own terms; a malformed file registers
// nothing.
func TestRegisterCSV(t *testing.T) {
	reg := startRegistry(t)
	t.Setenv("ASKFIRST_REGISTRY", reg.URL)
	t.Setenv("ASKFIRST_TOKEN", "")
	dir := t.TempDir()
	writePhotos(t, filepath.Join(dir, "photos"), 3)
	var a, b, org struct{ Account struct{ ID string } }
	json.Unmarshal([]byte(mustRun(t, dir, 0, "account", "create", "--name", "Ann", "--save", "a.token", "--json")), &a)
	json.Unmarshal([]byte(mustRun(t, dir, 0, "account", "create", "--name", "Bo", "--save", "b.token", "--json")), &b)
	json.Unmarshal([]byte(mustRun(t, dir, 0, "account", "create", "--name", "Guild", "--kind", "organisation", "--save", "org.token", "--json")), &org)
	mustRun(t, dir, 0, "account", "delegate", "--token-file", "a.token", "--to", org.Account.ID)
	mustRun(t, dir, 0, "account", "delegate", "--token-file", "b.token", "--to", org.Account.ID)

	bad := "member,path,deny\n" + a.Account.ID + ",photos/photo-00.jpg,train-ai\n" + b.Account.ID + ",photos/photo-01.jpg,training\n"
	os.WriteFile(filepath.Join(dir, "bad.csv"), []byte(bad), 0o644)
	if _, errOut, code := runIn(t, dir, "register", "--token-file", "org.token", "--csv", "bad.csv"); code != 2 || !strings.Contains(errOut, "line 3") || !strings.Contains(errOut, "nothing was registered") {
		t.Fatalf("a CSV with a bad row: exit %d, stderr %q; want 2, naming line 3, nothing registered", code, errOut)
	}
	good := "member,path,title,deny,license,price,currency\n" +
		a.Account.ID + ",photos/photo-00.jpg,Dawn,train-genai,train-ai,0.10,EUR\n" +
		a.Account.ID + ",photos/photo-01.jpg,Dusk,train-genai,train-ai,0.10,EUR\n" +
		b.Account.ID + ",photos/photo-02.jpg,Noon,train-ai,,,\n"
	os.WriteFile(filepath.Join(dir, "members.csv"), []byte(good), 0o644)
	out := mustRun(t, dir, 0, "register", "--token-file", "org.token", "--csv", "members.csv", "--json")
	got := map[string]string{}
	for _, l := range jsonLines[struct {
		Work        struct{ Account, Title string }
		Declaration struct{ Terms []store.Term }
	}](t, out) {
		got[l.Work.Title] = l.Work.Account + " " + registryevidence.TermsString(l.Declaration.Terms)
	}
	want := map[string]string{
		"Dawn": a.Account.ID + " train-genai deny; train-ai license 0.10 EUR per item",
		"Dusk": a.Account.ID + " train-genai deny; train-ai license 0.10 EUR per item",
		"Noon": b.Account.ID + " train-ai deny",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("works registered from the CSV (-want +got):\n%s\n%s", diff, out)
	}
	// Repeating the run skips what is registered.
	out = mustRun(t, dir, 0, "register", "--token-file", "org.token", "--csv", "members.csv")
	if !strings.Contains(out, "0 works registered") || !strings.Contains(out, "3 skipped") {
		t.Errorf("repeated CSV run: %s", out)
	}
}
