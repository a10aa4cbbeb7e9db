package cli_test

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/parquet-go/parquet-go"
)

func readBill(t *testing.T, path string) [][]string {
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

func readReport(t *testing.T, out string) map[string]any {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(out, "report.json"))
	if err != nil {
		t.Fatal(err)
	}
	var r map[string]any
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatal(err)
	}
	return r
}

// TestAuditFetchFullMatchesContent: an audit with --fetch full identifies
// the bytes it downloads and matches them against the registry as check
// does: a byte-identical copy of a registered photo served at an address
// the registry does not know is found "the same file"; it is billed only
// for the use its owner licenses, and its bytes count for its domain.
func TestAuditFetchFullMatchesContent(t *testing.T) {
	reg := startRegistry(t)
	t.Setenv("ASKFIRST_REGISTRY", reg.URL)
	t.Setenv("ASKFIRST_TOKEN", "")
	dir := t.TempDir()
	writePhotos(t, filepath.Join(dir, "photos"), 2)
	copyOf, _ := os.ReadFile(filepath.Join(dir, "photos", "photo-01.jpg"))
	mustRun(t, dir, 0, "account", "create", "--name", "Jane Doe", "--save", "jane.token")
	mustRun(t, dir, 0, "register", "--token-file", "jane.token", "--deny", "train-genai", "--license", "train-ai", "--price", "0.05", "--currency", "EUR",
		"--contact", "mailto:jane@jane.example", "photos/photo-01.jpg")
	other := encodeJPEG(t, photo(99, 320, 240), 90)
	site := serve(t, site{"/robots.txt": status(404),
		"/gallery/copy.jpg": text("image/jpeg", string(copyOf)), "/gallery/other.jpg": text("image/jpeg", string(other))})
	in := filepath.Join(dir, "urls.csv")
	os.WriteFile(in, []byte("url\n"+site.URL+"/gallery/copy.jpg\n"+site.URL+"/gallery/other.jpg\n"), 0o644)
	out := filepath.Join(dir, "out")
	mustRun(t, dir, 3, "audit", "--allow-private", "--fetch", "full", "--registry", reg.URL, "--out", out, in)

	exc, _ := os.ReadFile(filepath.Join(out, "excluded.jsonl"))
	ev, _ := os.ReadFile(filepath.Join(out, "evidence.jsonl"))
	if !bytes.Contains(exc, []byte(`"url":"`+site.URL+`/gallery/copy.jpg"`)) || bytes.Contains(exc, []byte("other.jpg")) {
		t.Errorf("excluded.jsonl: want the copy only:\n%s", exc)
	}
	var registryLines int
	for _, l := range strings.Split(string(ev), "\n") {
		if strings.Contains(l, `"mechanism":"registry"`) {
			registryLines++
			if !strings.Contains(l, "(the same file)") || !strings.Contains(l, reg.URL+"/v1/receipts/") {
				t.Errorf("registry evidence does not say the content matched, at a receipt: %s", l)
			}
		}
	}
	if registryLines != 1 {
		t.Errorf("%d registry statements in evidence.jsonl, want the one declaration once:\n%s", registryLines, ev)
	}
	want := [][]string{
		{"rights_holder", "organisation", "items", "uses", "unit_price", "currency", "per", "total", "contact", "terms_url"},
		{"Jane Doe", "", "1", "train-ai", "0.05", "EUR", "item", "0.05", "mailto:jane@jane.example", ""},
	}
	if d := cmp.Diff(want, readBill(t, filepath.Join(out, "bill.csv"))); d != "" {
		t.Errorf("bill.csv (-want +got):\n%s", d)
	}
	rep := readReport(t, out)
	doms, _ := rep["top_domains"].([]any)
	if len(doms) != 1 || doms[0].(map[string]any)["bytes"].(float64) != float64(len(copyOf)+len(other)) {
		t.Errorf("top_domains %v: want the bytes downloaded, %d", doms, len(copyOf)+len(other))
	}
	if r, _ := rep["registry"].(map[string]any); r["matched_by_content"] != 2.0 || r["matched_by_url_only"] != 0.0 {
		t.Errorf("report registry matching %v: want both items matched by content", r)
	}
}

// TestAuditMemberHolderAndInjection: a member's work licensed by the
// organisation she delegated to is billed to the member by name with the
// organisation beside it; a name that a spreadsheet would run as a formula
// is neutralised.
func TestAuditMemberHolderAndInjection(t *testing.T) {
	reg := startRegistry(t)
	t.Setenv("ASKFIRST_REGISTRY", reg.URL)
	t.Setenv("ASKFIRST_TOKEN", "")
	dir := t.TempDir()
	writePhotos(t, filepath.Join(dir, "photos"), 1)
	var member, org struct{ Account struct{ ID string } }
	json.Unmarshal([]byte(mustRun(t, dir, 0, "account", "create", "--name", `=HYPERLINK("https://evil.example","Ana")`, "--save", "member.token", "--json")), &member)
	json.Unmarshal([]byte(mustRun(t, dir, 0, "account", "create", "--name", "Photographers Guild", "--kind", "organisation", "--save", "org.token", "--json")), &org)
	mustRun(t, dir, 0, "account", "delegate", "--token-file", "member.token", "--to", org.Account.ID)
	mustRun(t, dir, 0, "register", "--token-file", "org.token", "--on-behalf-of", member.Account.ID,
		"--license", "train-genai,train-ai", "--price", "0.10", "--currency", "EUR", "--contact", "@guild", "photos/photo-00.jpg")
	out := filepath.Join(dir, "out")
	mustRun(t, dir, 3, "audit", "--registry", reg.URL, "--out", out, filepath.Join(dir, "photos"))
	want := [][]string{
		{"rights_holder", "organisation", "items", "uses", "unit_price", "currency", "per", "total", "contact", "terms_url"},
		{`'=HYPERLINK("https://evil.example","Ana")`, "Photographers Guild", "1", "train-ai train-genai", "0.10", "EUR", "item", "0.10", "'@guild", ""},
	}
	if d := cmp.Diff(want, readBill(t, filepath.Join(out, "bill.csv"))); d != "" {
		t.Errorf("bill.csv (-want +got):\n%s", d)
	}
}

// TestAuditDenyWithOfferNotBilled: robots.txt reserves the item and an RSL
// document offers a licence: the item is listed to ask the holder, never
// priced on the bill.
func TestAuditDenyWithOfferNotBilled(t *testing.T) {
	srv := serve(t, site{"/robots.txt": text("text/plain", "License: /license.xml\nUser-agent: askfirst\nDisallow: /\n"), "/license.xml": text("application/rsl+xml", rslPaid)})
	dir := t.TempDir()
	in := filepath.Join(dir, "m.csv")
	os.WriteFile(in, []byte("url\n"+srv.URL+"/a.jpg\n"+srv.URL+"/b.jpg\n"), 0o644)
	out := filepath.Join(dir, "out")
	if log, code := runAudit(t, t.Context(), "--out", out, in); code != 3 {
		t.Fatalf("exit %d, want 3\n%s", code, log)
	}
	if bill := readBill(t, filepath.Join(out, "bill.csv")); len(bill) != 1 {
		t.Errorf("bill.csv prices reserved items: %q", bill)
	}
	want := [][]string{{"rights_holder", "organisation", "items", "uses", "contact", "terms_url"}, {"pub.example", "", "2", "train-ai train-genai", "", "https://pub.example/licensing"}}
	if d := cmp.Diff(want, readBill(t, filepath.Join(out, "ask-the-holder.csv"))); d != "" {
		t.Errorf("ask-the-holder.csv (-want +got):\n%s", d)
	}
	sum, _ := os.ReadFile(filepath.Join(out, "eu-training-summary.md"))
	if !strings.Contains(string(sum), "Items needing a licence that is offered (see bill.csv): 0") {
		t.Errorf("EU summary counts reserved items as needing a licence:\n%s", sum)
	}
}

// TestAuditLocalFolder: kept files are copies (linked only with
// --link-kept), and items from a local folder are not described as data
// crawled from online sources.
func TestAuditLocalFolder(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "photos")
	os.MkdirAll(src, 0o755)
	os.WriteFile(filepath.Join(src, "a.jpg"), jpegWith(t, ""), 0o644)
	for _, link := range []bool{false, true} {
		out := filepath.Join(dir, fmt.Sprint("out-", link))
		args := []string{"--out", out, src}
		if link {
			args = append([]string{"--link-kept"}, args...)
		}
		if log, code := runAudit(t, t.Context(), args...); code != 0 {
			t.Fatalf("exit %d\n%s", code, log)
		}
		a, _ := os.Stat(filepath.Join(src, "a.jpg"))
		b, err := os.Stat(filepath.Join(out, "kept", "photos", "a.jpg"))
		if err != nil {
			t.Fatal(err)
		}
		if os.SameFile(a, b) != link {
			t.Errorf("--link-kept %v: the kept file is the original: %v", link, os.SameFile(a, b))
		}
		sum, _ := os.ReadFile(filepath.Join(out, "eu-training-summary.md"))
		if strings.Contains(string(sum), "# Training content summary: data crawled") || !strings.Contains(string(sum), "## Data from local files") ||
			strings.Contains(string(sum), "## Data from online sources") {
			t.Errorf("EU summary of a local folder:\n%s", sum)
		}
	}
}

// TestAuditParquetDatasetKey: excluded.jsonl names a Parquet item by its
// 1-based row number and by the dataset's own key column.
func TestAuditParquetDatasetKey(t *testing.T) {
	srv := serve(t, site{"/robots.txt": text("text/plain", "User-agent: askfirst\nDisallow: /private/\n")})
	dir := t.TempDir()
	type row struct {
		Key string `parquet:"key"`
		URL string `parquet:"url"`
	}
	in := filepath.Join(dir, "m.parquet")
	if err := parquet.WriteFile(in, []row{{"000017", srv.URL + "/public/a.jpg"}, {"000042", srv.URL + "/private/b.jpg"}}); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "out")
	runAudit(t, t.Context(), "--out", out, in)
	b, _ := os.ReadFile(filepath.Join(out, "excluded.jsonl"))
	var l struct {
		Key        string
		DatasetKey string `json:"dataset_key"`
	}
	json.Unmarshal(b, &l)
	if l.Key != "2" || l.DatasetKey != "000042" {
		t.Errorf("excluded.jsonl: key %q, dataset key %q; want 2 and 000042\n%s", l.Key, l.DatasetKey, b)
	}
}

// TestAuditOutputSize: a URL-only audit whose items one robots.txt
// reserves writes that evidence once: under 300 bytes per excluded item;
// the journal is compressed once the run is complete.
func TestAuditOutputSize(t *testing.T) {
	srv := serve(t, site{"/robots.txt": text("text/plain", "User-agent: *\nDisallow: /\n")})
	dir := t.TempDir()
	var b bytes.Buffer
	b.WriteString("url,caption\n")
	const n = 2000
	for i := range n {
		fmt.Fprintf(&b, "%s/img/2024/photo-%05d.jpg,photo %d\n", srv.URL, i, i)
	}
	os.WriteFile(filepath.Join(dir, "m.csv"), b.Bytes(), 0o644)
	mustRun(t, dir, 3, "audit", "--allow-private", "--out", "out", "m.csv")
	out := filepath.Join(dir, "out")
	st, _ := os.Stat(filepath.Join(out, "excluded.jsonl"))
	if per := st.Size() / n; per >= 300 {
		t.Errorf("excluded.jsonl: %d bytes per excluded item, want under 300", per)
	}
	if _, err := os.Stat(filepath.Join(out, "journal.jsonl")); err == nil {
		t.Errorf("the journal stays uncompressed after a complete run")
	}
}
