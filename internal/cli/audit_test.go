package cli_test

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/parquet-go/parquet-go"

	"github.com/askfirst/askfirst/internal/cli"
	"github.com/askfirst/askfirst/signals/xmp"
)

// auditWorld starts three loopback origins publishing signals:
// open (robots.txt reserves /private/ for askfirst), paid (an RSL licence
// offer for AI training) and down (robots.txt answers 503: fail closed).
func auditWorld(t *testing.T) (open, paid, down string) {
	t.Helper()
	o := serve(t, site{"/robots.txt": text("text/plain", "User-agent: askfirst\nDisallow: /private/\n")})
	p := serve(t, site{"/robots.txt": text("text/plain", "License: /license.xml\nUser-agent: *\nAllow: /\n"), "/license.xml": text("application/rsl+xml", rslPaid)})
	d := serve(t, site{"/robots.txt": status(503)})
	return o.URL, p.URL, d.URL
}

// auditRows are the rows every manifest format carries, in order.
func auditRows(open, paid, down string) [][2]string {
	return [][2]string{
		{open + "/public/cat.jpg", "a cat"},
		{open + "/private/dog.jpg", "a dog"},
		{paid + "/img/1.jpg", "paid one"},
		{down + "/x.jpg", "site down"},
		{"ftp://files.example/y.jpg", "not http"},
		{paid + "/img/2.jpg", "paid two"},
		{open + "/public/owl.jpg", "an owl"},
	}
}

// auditSummary is what the tests compare of an audit.
type auditSummary struct {
	Code     int
	Kept     []string // texts of the kept items
	Excluded []string // key: reasons
	Bill     [][]string
	Totals   map[string]int64
}

func summarize(t *testing.T, out string, code int, kept []string) auditSummary {
	t.Helper()
	s := auditSummary{Code: code, Kept: kept}
	b, err := os.ReadFile(filepath.Join(out, "excluded.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		if l == "" {
			continue
		}
		var x struct {
			Key      string
			URL      string
			Reasons  []string
			Verdicts map[string]struct{ Verdict, Decision string }
		}
		if err := json.Unmarshal([]byte(l), &x); err != nil {
			t.Fatalf("excluded.jsonl line %q: %v", l, err)
		}
		v := x.Verdicts["train-genai"].Verdict + "/" + x.Verdicts["train-ai"].Verdict
		s.Excluded = append(s.Excluded, x.Key+" "+v)
	}
	f, err := os.Open(filepath.Join(out, "bill.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	s.Bill, err = csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatalf("bill.csv: %v", err)
	}
	var rep struct{ Totals map[string]int64 }
	rb, err := os.ReadFile(filepath.Join(out, "report.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(rb, &rep); err != nil {
		t.Fatalf("report.json: %v", err)
	}
	s.Totals = rep.Totals
	for _, name := range []string{"report.html", "eu-training-summary.md"} {
		if st, err := os.Stat(filepath.Join(out, name)); err != nil || st.Size() == 0 {
			t.Fatalf("%s missing or empty: %v", name, err)
		}
	}
	return s
}

// wantAudit is the outcome every format must give for auditRows.
func wantAudit(paid string) auditSummary {
	return auditSummary{
		Code: 1, // an item failed (the ftp URL)
		Kept: []string{"a cat", "an owl"},
		Excluded: []string{
			"2 deny/deny",       // robots.txt Disallow: /private/ for askfirst
			"3 license/license", // RSL offer
			"4 deny/deny",       // robots.txt 503: fail closed
			"5 unknown/unknown", // not an http URL: failed, never allowed
			"6 license/license",
		},
		Bill: [][]string{
			{"rights_holder", "organisation", "items", "uses", "unit_price", "currency", "per", "total", "contact", "terms_url"},
			{"pub.example", "", "2", "train-ai train-genai", "0.05", "USD", "training", "0.10", "", "https://pub.example/licensing"},
		},
		Totals: map[string]int64{"items": 7, "kept": 2, "excluded": 5, "failed": 1},
	}
}

func runAudit(t *testing.T, ctx context.Context, args ...string) (string, int) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := cli.Main(ctx, append([]string{"audit", "--allow-private"}, args...), strings.NewReader(""), &stdout, &stderr)
	return stdout.String() + stderr.String(), code
}

func TestAuditFormats(t *testing.T) {
	open, paid, down := auditWorld(t)
	rows := auditRows(open, paid, down)
	dir := t.TempDir()

	// CSV
	var cb bytes.Buffer
	cw := csv.NewWriter(&cb)
	cw.Write([]string{"url", "caption", "width"})
	for _, r := range rows {
		cw.Write([]string{r[0], r[1], "640"})
	}
	cw.Flush()
	csvIn := filepath.Join(dir, "m.csv")
	os.WriteFile(csvIn, cb.Bytes(), 0o644)

	// JSONL
	var jb bytes.Buffer
	for _, r := range rows {
		line, _ := json.Marshal(map[string]any{"url": r[0], "text": r[1], "score": 0.5})
		jb.Write(append(line, '\n'))
	}
	jsonlIn := filepath.Join(dir, "m.jsonl")
	os.WriteFile(jsonlIn, jb.Bytes(), 0o644)

	// Parquet, LAION-style
	type laion struct {
		URL   string `parquet:"URL"`
		TEXT  string `parquet:"TEXT"`
		WIDTH int64  `parquet:"WIDTH"`
	}
	var prows []laion
	for _, r := range rows {
		prows = append(prows, laion{r[0], r[1], 640})
	}
	pqIn := filepath.Join(dir, "m.parquet")
	if err := parquet.WriteFile(pqIn, prows); err != nil {
		t.Fatal(err)
	}

	// WebDataset tar
	var tb bytes.Buffer
	tw := tar.NewWriter(&tb)
	for i, r := range rows {
		key := []string{"1", "2", "3", "4", "5", "6", "7"}[i]
		for _, m := range [][2]string{{key + ".txt", r[1]}, {key + ".json", `{"url":"` + r[0] + `"}`}} {
			tw.WriteHeader(&tar.Header{Name: m[0], Mode: 0o644, Size: int64(len(m[1])), Typeflag: tar.TypeReg})
			tw.Write([]byte(m[1]))
		}
	}
	tw.Close()
	tarIn := filepath.Join(dir, "m.tar")
	os.WriteFile(tarIn, tb.Bytes(), 0o644)

	readKept := map[string]func(string) []string{
		"m.csv": func(p string) []string {
			f, _ := os.Open(p)
			defer f.Close()
			recs, err := csv.NewReader(f).ReadAll()
			if err != nil || len(recs) == 0 || !slices.Equal(recs[0], []string{"url", "caption", "width"}) {
				t.Fatalf("kept %s: %v %v", p, recs, err)
			}
			var out []string
			for _, r := range recs[1:] {
				out = append(out, r[1])
			}
			return out
		},
		"m.jsonl": func(p string) []string {
			b, _ := os.ReadFile(p)
			var out []string
			for _, l := range strings.Split(strings.TrimSpace(string(b)), "\n") {
				var m map[string]any
				if json.Unmarshal([]byte(l), &m) == nil {
					s, _ := m["text"].(string)
					out = append(out, s)
				}
			}
			return out
		},
		"m.parquet": func(p string) []string {
			rs, err := parquet.ReadFile[laion](p)
			if err != nil {
				t.Fatalf("kept %s: %v", p, err)
			}
			var out []string
			for _, r := range rs {
				if r.WIDTH != 640 {
					t.Fatalf("kept %s lost a column: %+v", p, r)
				}
				out = append(out, r.TEXT)
			}
			return out
		},
		"m.tar": func(p string) []string {
			f, _ := os.Open(p)
			defer f.Close()
			tr := tar.NewReader(f)
			var out []string
			for {
				h, err := tr.Next()
				if err != nil {
					break
				}
				if strings.HasSuffix(h.Name, ".txt") {
					b, _ := io.ReadAll(tr)
					out = append(out, string(b))
				}
			}
			return out
		},
	}
	for _, in := range []string{csvIn, jsonlIn, pqIn, tarIn} {
		name := filepath.Base(in)
		t.Run(name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "out")
			log, code := runAudit(t, t.Context(), "--out", out, in)
			got := summarize(t, out, code, readKept[name](filepath.Join(out, "kept", name)))
			if diff := cmp.Diff(wantAudit(paid), got); diff != "" {
				t.Fatalf("audit %s (-want +got):\n%s\noutput:\n%s", name, diff, log)
			}
			if name == "m.csv" {
				b, _ := os.ReadFile(filepath.Join(out, "eu-training-summary.md"))
				golden(t, "testdata/audit-eu-training-summary.golden", dropDates(string(b)))
			}
		})
	}
}

func TestAuditFolderEmbeddedMetadata(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "photos")
	os.MkdirAll(filepath.Join(dir, "sub"), 0o755)
	os.WriteFile(filepath.Join(dir, "a-free.jpg"), jpegWith(t, ""), 0o644)
	os.WriteFile(filepath.Join(dir, "b-reserved.jpg"), jpegWith(t, xmp.ProhibitedAIMLTraining), 0o644)
	os.WriteFile(filepath.Join(dir, "sub", "c-genai.jpg"), jpegWith(t, xmp.ProhibitedGenAIMLTraining), 0o644)
	out := filepath.Join(t.TempDir(), "out")
	log, code := runAudit(t, t.Context(), "--out", out, dir)
	if code != 3 {
		t.Fatalf("exit code: got %d, want 3 (items excluded)\n%s", code, log)
	}
	var kept []string
	filepath.WalkDir(filepath.Join(out, "kept", "photos"), func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			kept = append(kept, filepath.Base(p))
		}
		return nil
	})
	got := summarize(t, out, code, kept)
	want := auditSummary{Code: 3, Kept: []string{"a-free.jpg"},
		Excluded: []string{"b-reserved.jpg deny/deny", "sub/c-genai.jpg deny/unknown"},
		Bill:     [][]string{{"rights_holder", "organisation", "items", "uses", "unit_price", "currency", "per", "total", "contact", "terms_url"}},
		Totals:   map[string]int64{"items": 3, "kept": 1, "excluded": 2, "failed": 0}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("audit of %s (-want +got):\n%s\n%s", dir, diff, log)
	}
}

// TestAuditResume interrupts an audit at many points, resumes it, and
// checks the outputs equal those of an uninterrupted run.
func TestAuditResume(t *testing.T) {
	open, paid, down := auditWorld(t)
	dir := t.TempDir()
	var jb bytes.Buffer
	for i := 0; i < 40; i++ {
		r := auditRows(open, paid, down)[i%7]
		line, _ := json.Marshal(map[string]any{"url": r[0], "text": r[1], "i": i})
		jb.Write(append(line, '\n'))
	}
	in := filepath.Join(dir, "m.jsonl")
	os.WriteFile(in, jb.Bytes(), 0o644)

	ref := filepath.Join(dir, "ref")
	_, refCode := runAudit(t, t.Context(), "--out", ref, "--concurrency", "4", in)
	want := snapshot(t, ref)

	for _, cut := range []int{0, 1, 7, 23, 39} {
		out := filepath.Join(dir, "cut", strings.Repeat("x", cut+1))
		// A first run decides everything (and compresses its journal);
		// then the journal is cut back to `cut` lines plus half a line, as
		// a SIGKILL mid-write leaves it.
		runAudit(t, t.Context(), "--out", out, "--concurrency", "4", in)
		jp := filepath.Join(out, "journal.jsonl")
		b := gunzip(t, jp+".gz")
		os.Remove(jp + ".gz")
		lines := strings.SplitAfter(string(b), "\n")
		torn := strings.Join(lines[:cut], "") + lines[cut][:len(lines[cut])/2]
		os.WriteFile(jp, []byte(torn), 0o644)
		for _, f := range []string{"excluded.jsonl", "evidence.jsonl", "bill.csv", "ask-the-holder.csv", "report.json"} {
			os.Remove(filepath.Join(out, f))
		}
		os.RemoveAll(filepath.Join(out, "kept"))

		log, code := runAudit(t, t.Context(), "--out", out, in)
		if code != 2 && !strings.Contains(log, "--resume") {
			t.Fatalf("re-running into %s without --resume: got exit %d, want a refusal naming --resume\n%s", out, code, log)
		}
		log, code = runAudit(t, t.Context(), "--out", out, "--resume", "--concurrency", "4", in)
		if code != refCode {
			t.Fatalf("resume after %d records: exit %d, want %d\n%s", cut, code, refCode, log)
		}
		if diff := cmp.Diff(want, snapshot(t, out)); diff != "" {
			t.Fatalf("resume after %d records differs from an uninterrupted run (-want +got):\n%s", cut, diff)
		}
	}
}

// gunzip returns the decompressed contents of a gzip file.
func gunzip(t *testing.T, path string) []byte {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	b, err := io.ReadAll(zr)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return b
}

// TestAuditShardMerge splits an audit in three shards and checks the merge
// equals one run.
func TestAuditShardMerge(t *testing.T) {
	open, paid, down := auditWorld(t)
	dir := t.TempDir()
	var cb bytes.Buffer
	cw := csv.NewWriter(&cb)
	cw.Write([]string{"url", "caption"})
	for i := 0; i < 30; i++ {
		r := auditRows(open, paid, down)[i%7]
		cw.Write([]string{r[0], r[1]})
	}
	cw.Flush()
	in := filepath.Join(dir, "m.csv")
	os.WriteFile(in, cb.Bytes(), 0o644)

	ref := filepath.Join(dir, "ref")
	_, refCode := runAudit(t, t.Context(), "--out", ref, in)
	var shards []string
	for i := 1; i <= 3; i++ {
		out := filepath.Join(dir, "shard", string(rune('0'+i)))
		runAudit(t, t.Context(), "--out", out, "--shard", string(rune('0'+i))+"/3", in)
		shards = append(shards, out)
	}
	merged := filepath.Join(dir, "merged")
	var stdout, stderr bytes.Buffer
	code := cli.Main(t.Context(), append([]string{"audit", "merge", "--out", merged}, shards...), strings.NewReader(""), &stdout, &stderr)
	if code != refCode {
		t.Fatalf("merge: exit %d, want %d\n%s%s", code, refCode, stdout.String(), stderr.String())
	}
	if diff := cmp.Diff(snapshot(t, ref), snapshot(t, merged)); diff != "" {
		t.Fatalf("merged shards differ from one run (-want +got):\n%s", diff)
	}
	// Two copies of one shard must be refused.
	code = cli.Main(t.Context(), []string{"audit", "merge", "--out", filepath.Join(dir, "bad"), shards[0], shards[0]}, strings.NewReader(""), io.Discard, io.Discard)
	if code != 1 {
		t.Fatalf("merging a shard with itself: exit %d, want 1", code)
	}
}

// snapshot reads the outputs that must not depend on how a run was split
// or interrupted.
func snapshot(t *testing.T, out string) map[string]string {
	t.Helper()
	m := map[string]string{}
	for _, f := range []string{"excluded.jsonl", "evidence.jsonl", "bill.csv", "ask-the-holder.csv", "eu-training-summary.md"} {
		b, err := os.ReadFile(filepath.Join(out, f))
		if err != nil {
			t.Fatal(err)
		}
		m[f] = string(b)
	}
	filepath.WalkDir(filepath.Join(out, "kept"), func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			b, _ := os.ReadFile(p)
			rel, _ := filepath.Rel(out, p)
			m[rel] = string(b)
		}
		return nil
	})
	var rep map[string]any
	b, _ := os.ReadFile(filepath.Join(out, "report.json"))
	json.Unmarshal(b, &rep)
	delete(rep, "generated")
	delete(rep, "period")
	if s, ok := rep["settings"].(map[string]any); ok {
		delete(s, "started")
		delete(s, "finished")
		delete(s, "shard")
		delete(s, "shards")
	}
	rb, _ := json.MarshalIndent(rep, "", " ")
	m["report.json"] = string(rb)
	// The summary states dates, evidence the time each file was fetched.
	m["eu-training-summary.md"] = dropDates(m["eu-training-summary.md"])
	m["excluded.jsonl"], m["evidence.jsonl"] = canonicalEvidence(t, m["excluded.jsonl"], m["evidence.jsonl"])
	return m
}

var evidRE = regexp.MustCompile(`"e[0-9]+"|\[e[0-9]+\]`)

// canonicalEvidence makes the evidence of a run comparable with another's:
// the time each document was fetched is dropped, and statements that are
// then the same (fetched again by a resumed run) are one, numbered in
// order of first use.
func canonicalEvidence(t *testing.T, excluded, evidence string) (string, string) {
	t.Helper()
	content := map[string]string{} // ID → statement without ID and time
	for _, l := range strings.Split(strings.TrimSpace(evidence), "\n") {
		if l == "" {
			continue
		}
		var e map[string]any
		if err := json.Unmarshal([]byte(l), &e); err != nil {
			t.Fatalf("evidence.jsonl line %q: %v", l, err)
		}
		id, _ := e["id"].(string)
		delete(e, "id")
		delete(e, "fetched")
		b, _ := json.Marshal(e)
		content[id] = string(b)
	}
	number := map[string]string{}
	var order []string
	out := evidRE.ReplaceAllStringFunc(excluded, func(ref string) string {
		id := strings.Trim(ref, `"[]`)
		c, ok := content[id]
		if !ok {
			t.Fatalf("excluded.jsonl refers to %s, which evidence.jsonl does not hold", id)
		}
		n, ok := number[c]
		if !ok {
			n = fmt.Sprintf("e%d", len(order)+1)
			number[c] = n
			order = append(order, c)
		}
		return strings.Replace(ref, id, n, 1)
	})
	if len(number) != len(content) && len(content) > 0 {
		// Every statement written must be referred to.
		used := map[string]bool{}
		for c := range number {
			used[c] = true
		}
		for id, c := range content {
			if !used[c] {
				t.Fatalf("evidence.jsonl holds %s, which no excluded item refers to", id)
			}
		}
	}
	return out, strings.Join(order, "\n")
}

func dropDates(s string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.HasPrefix(l, "Pre-filled by") || strings.HasPrefix(l, "Signals checked from") {
			continue
		}
		out = append(out, l)
	}
	return strings.Join(out, "\n")
}

// golden compares got with the golden file, or rewrites it with -update.
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
	if diff := cmp.Diff(string(want), got); diff != "" {
		t.Errorf("%s differs (-want +got):\n%s", path, diff)
	}
}

// TestAuditFetchModes: --fetch none reads only site files, --fetch head
// also the item's headers (with HEAD, GET where HEAD is refused), --fetch
// full also the HTML head.
func TestAuditFetchModes(t *testing.T) {
	var mu sync.Mutex
	methods := map[string][]string{}
	record := func(h http.HandlerFunc) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			mu.Lock()
			methods[r.URL.Path] = append(methods[r.URL.Path], r.Method)
			mu.Unlock()
			h(w, r)
		}
	}
	srv := serve(t, site{
		"/robots.txt": text("text/plain", "User-agent: *\nAllow: /\n"),
		"/header.jpg": record(text("image/jpeg", "JPEG", "Content-Usage", "train-ai=n")),
		"/nohead.jpg": record(func(w http.ResponseWriter, r *http.Request) {
			if r.Method == http.MethodHead {
				w.WriteHeader(http.StatusMethodNotAllowed)
				return
			}
			w.Header().Set("Content-Usage", "train-ai=n")
			w.Header().Set("Content-Type", "image/jpeg")
			io.WriteString(w, "JPEG")
		}),
		"/meta.html": record(page(`<meta name="tdm-reservation" content="1">`)),
	})
	dir := t.TempDir()
	in := filepath.Join(dir, "m.csv")
	os.WriteFile(in, []byte("url\n"+srv.URL+"/header.jpg\n"+srv.URL+"/nohead.jpg\n"+srv.URL+"/meta.html\n"), 0o644)
	for _, tc := range []struct {
		mode     string
		excluded []string
	}{
		{"none", nil},
		{"head", []string{"1 deny/deny", "2 deny/deny"}},
		{"full", []string{"1 deny/deny", "2 deny/deny", "3 deny/deny"}},
	} {
		mu.Lock()
		methods = map[string][]string{}
		mu.Unlock()
		out := filepath.Join(dir, tc.mode)
		log, code := runAudit(t, t.Context(), "--out", out, "--fetch", tc.mode, in)
		got := summarize(t, out, code, nil)
		if diff := cmp.Diff(tc.excluded, got.Excluded); diff != "" {
			t.Errorf("--fetch %s: excluded (-want +got):\n%s\n%s", tc.mode, diff, log)
		}
		mu.Lock()
		switch tc.mode {
		case "none":
			if len(methods) != 0 {
				t.Errorf("--fetch none requested the items: %v", methods)
			}
		case "head":
			if !slices.Equal(methods["/header.jpg"], []string{"HEAD"}) || !slices.Equal(methods["/nohead.jpg"], []string{"HEAD", "GET"}) {
				t.Errorf("--fetch head: requests %v, want HEAD, and GET after a 405", methods)
			}
		}
		mu.Unlock()
	}
}
