package audit_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/csv"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/askfirst/askfirst/internal/audit"
	"github.com/askfirst/askfirst/internal/identify"
	"github.com/askfirst/askfirst/internal/registryevidence"
	"github.com/askfirst/askfirst/signals"
	"github.com/askfirst/askfirst/wire"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// fetched is when every fake document was fetched: outputs stay fixed.
var fetched = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// fakeChecker answers for a fixed set of sites, as signals.Inspector
// would with --fetch none: robots.txt statements per origin.
type fakeChecker struct{}

func robots(origin, value string, deny bool) signals.Statement {
	s := signals.Statement{Mechanism: "robots.txt", Location: origin + "/robots.txt line 2", Value: value,
		Uses: map[signals.Use]signals.Verdict{}, Fetched: fetched, SHA256: "aa11"}
	if deny {
		s.Uses = map[signals.Use]signals.Verdict{signals.TrainGenAI: signals.Deny, signals.TrainAI: signals.Deny}
		s.Gate = true
	}
	return s
}

func (fakeChecker) CheckURL(_ context.Context, rawURL string, _ audit.FetchMode) ([]signals.Statement, []byte, error) {
	switch {
	case strings.HasPrefix(rawURL, "https://open.example/private/"):
		return []signals.Statement{robots("https://open.example", "Disallow: /private/ (user-agent *, for askfirst)", true)}, nil, nil
	case strings.HasPrefix(rawURL, "https://open.example/"):
		return []signals.Statement{robots("https://open.example", "Allow: / (user-agent *, for askfirst)", false)}, nil, nil
	case strings.HasPrefix(rawURL, "https://down.example/"):
		s := signals.Statement{Mechanism: "robots.txt", Location: "https://down.example/robots.txt", Value: "unreachable (503): complete disallow",
			Uses: map[signals.Use]signals.Verdict{signals.TrainGenAI: signals.Deny, signals.TrainAI: signals.Deny}, Gate: true, Fetched: fetched, SHA256: "bb22"}
		return []signals.Statement{s}, nil, nil
	case strings.HasPrefix(rawURL, "https://both.example/"):
		return []signals.Statement{robots("https://both.example", "Disallow: / (user-agent askfirst, for askfirst)", true)}, nil, nil
	}
	u := rawURL[:strings.Index(rawURL[len("https://"):], "/")+len("https://")]
	return []signals.Statement{robots(u, "no rule matches (user-agent *, for askfirst)", false)}, nil, nil
}

func (fakeChecker) CheckFile(_ context.Context, name string, data []byte) []signals.Statement {
	return []signals.Statement{{Mechanism: "file", Location: name, Value: fmt.Sprintf("%d bytes", len(data)), Uses: map[signals.Use]signals.Verdict{}}}
}

// fakeRegistry holds the declarations of a small registry and answers
// with registryevidence.Statements, as the real client does. It records the queries.
type fakeRegistry struct {
	poemHash string // datahash of the registered poem
	mu       sync.Mutex
	queries  []audit.Query
}

const base = "https://registry.example"

var (
	janeOffer  = &wire.Offer{Price: "0.05", Currency: "EUR", TermsURL: "https://jane.example/licence", Contact: "mailto:jane@jane.example"}
	guildOffer = &wire.Offer{Price: "0.10", Currency: "EUR", PerUse: true, Contact: "mailto:rights@guild.example"}
)

func decl(id string, index int64, account, name string, via string, terms ...wire.Term) wire.AppliedDeclaration {
	return wire.AppliedDeclaration{Declaration: wire.Declaration{ID: id, Account: account, Subject: wire.Subject{Kind: "work", Value: "wrk_" + id},
		Terms: terms, LogIndex: index}, AccountName: name, AppliesVia: via, Confidence: "exact"}
}

func (r *fakeRegistry) Match(_ context.Context, qs []audit.Query) ([][]signals.Statement, error) {
	r.mu.Lock()
	r.queries = append(r.queries, qs...)
	r.mu.Unlock()
	jane := decl("dcl_jane", 4, "acc_jane", "Jane Doe", "work:wrk_jane",
		wire.Term{Use: "train-genai", Decision: "deny"}, wire.Term{Use: "train-ai", Decision: "license", Offer: janeOffer})
	out := make([][]signals.Statement, len(qs))
	for i, q := range qs {
		var res wire.MatchResult
		switch {
		case q.URL == "https://jane.example/photo-1.jpg", q.URL == "https://open.example/private/photo-2.jpg", q.Datahash != "" && q.Datahash == r.poemHash:
			res.Declarations = []wire.AppliedDeclaration{jane}
		case q.ISCC == "ISCC:KACYPXW445FTYNJ3":
			// A member's work, declared by the organisation she delegated to.
			d := decl("dcl_guild", 7, "acc_guild", "Photographers Guild", "work:wrk_guild",
				wire.Term{Use: "train-genai", Decision: "license", Offer: guildOffer}, wire.Term{Use: "train-ai", Decision: "license", Offer: guildOffer})
			d.OnBehalfOf, d.OnBehalfOfName = "acc_ana", "Ana Lima"
			res.Declarations = []wire.AppliedDeclaration{d}
		case strings.HasPrefix(q.URL, "https://sly.example/"):
			res.Declarations = []wire.AppliedDeclaration{decl("dcl_sly", 9, "acc_sly", `=HYPERLINK("https://evil.example","click")`, "domain",
				wire.Term{Use: "train-ai", Decision: "license", Offer: &wire.Offer{Price: "1", Currency: "EUR", Contact: "+1 555 0100"}})}
		case strings.HasPrefix(q.URL, "https://both.example/"):
			res.Declarations = []wire.AppliedDeclaration{decl("dcl_both", 11, "acc_both", "Both Studio", "domain",
				wire.Term{Use: "train-ai", Decision: "license", Offer: &wire.Offer{Price: "0.20", Currency: "EUR", TermsURL: "https://both.example/terms"}})}
		case strings.HasPrefix(q.URL, "https://free.example/"):
			res.Declarations = []wire.AppliedDeclaration{decl("dcl_free", 12, "acc_free", "Free Press", "domain",
				wire.Term{Use: "train-genai", Decision: "allow"}, wire.Term{Use: "train-ai", Decision: "allow"})}
		}
		out[i] = registryevidence.Statements(base, res, nil)
	}
	return out, nil
}

const poem = "Rain on the window, the cat asleep, the kettle singing to nobody at all.\n"

// writeDataset writes the fixed dataset into the current folder: a JSON
// Lines manifest and a folder of one text file.
func writeDataset(t *testing.T) []string {
	t.Helper()
	rows := []map[string]any{
		{"url": "https://open.example/cat.jpg", "caption": "nothing said: unknown, kept"},
		{"url": "https://open.example/private/dog.jpg", "caption": "robots.txt disallows: deny"},
		{"url": "https://down.example/x.jpg", "caption": "robots.txt 503: deny, no reservation"},
		{"url": "https://jane.example/photo-1.jpg", "caption": "deny train-genai, license train-ai", "key": "jane-1"},
		{"url": "https://open.example/private/photo-2.jpg", "caption": "reserved twice: robots.txt and the registry"},
		{"url": "https://sly.example/a.jpg", "caption": "a holder whose name is a formula"},
		{"url": "https://both.example/p.jpg", "caption": "robots.txt denies, the registry offers: ask the holder"},
		{"url": "https://free.example/a.jpg", "caption": "granted by the registry: allow"},
		{"url": "ftp://bad.example/y.jpg", "caption": "not http: failed"},
		{"iscc": "ISCC:KACYPXW445FTYNJ3", "caption": "a member's work, by the ISCC the dataset carries"},
		{"text": poem},
	}
	var b bytes.Buffer
	for _, r := range rows {
		line, _ := json.Marshal(r)
		b.Write(append(line, '\n'))
	}
	if err := os.WriteFile("dataset.jsonl", b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	os.MkdirAll("texts", 0o755)
	os.WriteFile(filepath.Join("texts", "poem.txt"), []byte(poem), 0o644)
	os.WriteFile(filepath.Join("texts", "other.txt"), []byte("Nobody registered this one.\n"), 0o644)
	return []string{"dataset.jsonl", "texts"}
}

func poemHash(t *testing.T) string {
	t.Helper()
	res, err := identify.Reader(t.Context(), "poem", strings.NewReader(poem), identify.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return res.Datahash
}

// TestGolden audits a fixed dataset covering every verdict (deny, license,
// allow, unknown; with and without offers; a member's work; a failure;
// online and local items) and compares report.json, bill.csv,
// ask-the-holder.csv, excluded.jsonl, evidence.jsonl and the EU summary
// with testdata/*.golden (refresh with -update).
func TestGolden(t *testing.T) {
	gold, _ := filepath.Abs("testdata")
	t.Chdir(t.TempDir())
	inputs := writeDataset(t)
	reg := &fakeRegistry{poemHash: poemHash(t)}
	sum, err := audit.Run(t.Context(), audit.Options{Inputs: inputs, Out: "out", Checker: fakeChecker{}, Registry: reg,
		RegistryURL: base, Concurrency: 3})
	if err != nil {
		t.Fatal(err)
	}
	if want := (audit.Summary{Items: 13, Kept: 3, Excluded: 10, Failed: 1}); *sum != want {
		t.Errorf("summary %+v, want %+v", *sum, want)
	}
	for _, name := range []string{"report.json", "bill.csv", "ask-the-holder.csv", "excluded.jsonl", "evidence.jsonl", "eu-training-summary.md"} {
		b, err := os.ReadFile(filepath.Join("out", name))
		if err != nil {
			t.Fatal(err)
		}
		golden(t, filepath.Join(gold, name+".golden"), stable(string(b)))
	}
	// The text items were identified and matched by their codes.
	var byContent int
	for _, q := range reg.queries {
		if q.Units != (wire.Units{}) && q.Datahash != "" {
			byContent++
		}
	}
	if byContent != 3 {
		t.Errorf("%d queries with content codes, want 3 (the inline text and the two files)", byContent)
	}
}

// dateRE matches the times that change from run to run.
var dateRE = regexp.MustCompile(`\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ`)

func stable(s string) string {
	return dateRE.ReplaceAllStringFunc(s, func(d string) string {
		if strings.HasPrefix(d, "2026-03-01T12:00:00") {
			return d // the fake fetch time
		}
		return "TIME"
	})
}

func golden(t *testing.T, path, got string) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run the test with -update to create it)", err)
	}
	if d := cmp.Diff(string(want), got); d != "" {
		t.Errorf("%s differs (-want +got):\n%s", filepath.Base(path), d)
	}
}

// TestBillOnlyLicense: an item is billed for a use only when its verdict
// for that use is license; a reserved use whose holder offers a licence is
// listed apart and never priced.
func TestBillOnlyLicense(t *testing.T) {
	t.Chdir(t.TempDir())
	writeDataset(t)
	reg := &fakeRegistry{poemHash: poemHash(t)}
	if _, err := audit.Run(t.Context(), audit.Options{Inputs: []string{"dataset.jsonl", "texts"}, Out: "out", Checker: fakeChecker{}, Registry: reg, RegistryURL: base}); err != nil {
		t.Fatal(err)
	}
	bill := readCSV(t, filepath.Join("out", "bill.csv"))
	for _, row := range bill[1:] {
		if strings.Contains(row[0], "Both Studio") {
			t.Errorf("bill.csv prices a reserved item: %q", row)
		}
		if row[0] == "Jane Doe" && row[3] != "train-ai" {
			t.Errorf("bill.csv bills Jane Doe's works for %q, want train-ai only (train-genai is denied)", row[3])
		}
	}
	// Reserved by robots.txt, offered by the registry: ask, never bill.
	ask := readCSV(t, filepath.Join("out", "ask-the-holder.csv"))
	want := [][]string{{"rights_holder", "organisation", "items", "uses", "contact", "terms_url"},
		{"Both Studio", "", "1", "train-ai train-genai", "", "https://both.example/terms"},
		{"Jane Doe", "", "1", "train-ai", "mailto:jane@jane.example", "https://jane.example/licence"}}
	if d := cmp.Diff(want, ask); d != "" {
		t.Errorf("ask-the-holder.csv (-want +got):\n%s", d)
	}
}

// TestBillCSVInjection: cells a spreadsheet would run as a formula are
// neutralised by a leading apostrophe.
func TestBillCSVInjection(t *testing.T) {
	t.Chdir(t.TempDir())
	writeDataset(t)
	if _, err := audit.Run(t.Context(), audit.Options{Inputs: []string{"dataset.jsonl"}, Out: "out", Checker: fakeChecker{}, Registry: &fakeRegistry{}, RegistryURL: base}); err != nil {
		t.Fatal(err)
	}
	found := false
	for _, row := range readCSV(t, filepath.Join("out", "bill.csv")) {
		for _, cell := range row {
			if cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) {
				t.Errorf("bill.csv cell %q would be read as a formula", cell)
			}
		}
		if row[0] == `'=HYPERLINK("https://evil.example","click")` && row[8] == "'+1 555 0100" {
			found = true
		}
	}
	if !found {
		t.Errorf("bill.csv lacks the neutralised holder and contact")
	}
}

func readCSV(t *testing.T, path string) [][]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return rows
}

// TestOutputSize: a URL-only audit of many items, all reserved by one
// robots.txt, writes each repeated statement once: under 300 bytes per
// excluded item, and the journal is compressed after the run.
func TestOutputSize(t *testing.T) {
	t.Chdir(t.TempDir())
	const n = 5000
	var b bytes.Buffer
	for i := range n {
		fmt.Fprintf(&b, "{\"url\":\"https://open.example/private/2024/05/photo-%06d.jpg\",\"caption\":\"a photo\"}\n", i)
	}
	os.WriteFile("urls.jsonl", b.Bytes(), 0o644)
	sum, err := audit.Run(t.Context(), audit.Options{Inputs: []string{"urls.jsonl"}, Out: "out", Checker: fakeChecker{}, Registry: &fakeRegistry{}, RegistryURL: base})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Excluded != n {
		t.Fatalf("excluded %d of %d", sum.Excluded, n)
	}
	st, err := os.Stat(filepath.Join("out", "excluded.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	if per := st.Size() / n; per >= 300 {
		t.Errorf("excluded.jsonl: %d bytes per excluded item, want under 300", per)
	}
	if _, err := os.Stat(filepath.Join("out", "journal.jsonl")); err == nil {
		t.Errorf("journal.jsonl left uncompressed after a complete run")
	}
	jz, err := os.Stat(filepath.Join("out", "journal.jsonl.gz"))
	if err != nil {
		t.Fatal(err)
	}
	if per := jz.Size() / n; per >= 50 {
		t.Errorf("journal.jsonl.gz: %d bytes per item, want under 50", per)
	}
	// The one robots.txt rule is one line of evidence.
	ev, _ := os.ReadFile(filepath.Join("out", "evidence.jsonl"))
	if lines := bytes.Count(ev, []byte("\n")); lines != 1 {
		t.Errorf("evidence.jsonl has %d lines, want 1:\n%s", lines, ev)
	}
	// Resuming a complete audit decides nothing again and gives the same
	// outputs.
	before, _ := os.ReadFile(filepath.Join("out", "excluded.jsonl"))
	if _, err := audit.Run(t.Context(), audit.Options{Inputs: []string{"urls.jsonl"}, Out: "out", Resume: true, Checker: fakeChecker{}, Registry: &fakeRegistry{}, RegistryURL: base,
		Progress: func(p audit.Progress) {
			if p.Decided != 0 {
				t.Errorf("resuming a complete audit decided %d items again", p.Decided)
			}
		}}); err != nil {
		t.Fatal(err)
	}
	after, _ := os.ReadFile(filepath.Join("out", "excluded.jsonl"))
	if !bytes.Equal(before, after) {
		t.Errorf("excluded.jsonl changed after resuming a complete audit")
	}
	jb := gunzip(t, filepath.Join("out", "journal.jsonl.gz"))
	if items := bytes.Count(jb, []byte(`{"item":`)); items != n {
		t.Errorf("the journal holds %d items, want %d", items, n)
	}
}

func gunzip(t *testing.T, path string) []byte {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestProgressIsInputRead: the progress reported is the share of the
// input read, reaching 1 at the end, not items seen so far.
func TestProgressIsInputRead(t *testing.T) {
	t.Chdir(t.TempDir())
	var b bytes.Buffer
	for i := range 3000 {
		fmt.Fprintf(&b, "{\"url\":\"https://open.example/%d.jpg\"}\n", i)
	}
	os.WriteFile("urls.jsonl", b.Bytes(), 0o644)
	var seen []audit.Progress
	_, err := audit.Run(t.Context(), audit.Options{Inputs: []string{"urls.jsonl"}, Out: "out", Checker: slowChecker{}, Concurrency: 8,
		Progress: func(p audit.Progress) { seen = append(seen, p) }})
	if err != nil {
		t.Fatal(err)
	}
	if len(seen) < 2 {
		t.Fatalf("%d progress reports, want several", len(seen))
	}
	last := seen[len(seen)-1]
	if last.Read != 1 || last.Decided != 3000 {
		t.Errorf("last report %+v, want all read and decided", last)
	}
	for _, p := range seen[:len(seen)-1] {
		// Reads run ahead of decisions by at most the pipeline's buffer.
		if want := float64(p.Decided) / 3000; p.Read < want-0.02 || p.Read > want+0.2 {
			t.Errorf("report %+v: %.2f of the input read with %.2f of the items decided", p, p.Read, want)
		}
	}
}

type slowChecker struct{ fakeChecker }

func (c slowChecker) CheckURL(ctx context.Context, rawURL string, m audit.FetchMode) ([]signals.Statement, []byte, error) {
	time.Sleep(200 * time.Microsecond)
	return c.fakeChecker.CheckURL(ctx, rawURL, m)
}
