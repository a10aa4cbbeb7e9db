package cli_test

import (
	"bytes"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"golang.org/x/mod/sumdb/note"

	"github.com/askfirst/askfirst/internal/cli"
	"github.com/askfirst/askfirst/internal/ledger"
	"github.com/askfirst/askfirst/internal/store"
	"github.com/askfirst/askfirst/internal/store/sqlite"
)

// verifyLog is a registry log on SQLite, served over loopback.
type verifyLog struct {
	st store.Store
	l  *ledger.Ledger
}

func newVerifyLog(t *testing.T, skey string) *verifyLog {
	t.Helper()
	st, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "askfirst.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	l, err := ledger.New(skey)
	if err != nil {
		t.Fatal(err)
	}
	if err := l.Init(t.Context(), st); err != nil {
		t.Fatal(err)
	}
	return &verifyLog{st: st, l: l}
}

// write logs statements in one transaction and saves each receipt as
// dir/<index>.json, as `askfirst register --receipts DIR` does.
func (v *verifyLog) write(t *testing.T, dir string, statements ...map[string]any) []string {
	t.Helper()
	var rs []ledger.Receipt
	err := v.st.Update(t.Context(), func(tx store.Tx) error {
		var es []ledger.Entry
		for _, s := range statements {
			e, err := v.l.Append(tx, s)
			if err != nil {
				return err
			}
			es = append(es, e)
		}
		var err error
		rs, err = v.l.Seal(tx, es...)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	var files []string
	for _, r := range rs {
		b, _ := json.MarshalIndent(r, "", "  ")
		name := filepath.Join(dir, fmt.Sprintf("%d.json", r.Index))
		if err := os.WriteFile(name, b, 0o644); err != nil {
			t.Fatal(err)
		}
		files = append(files, name)
	}
	return files
}

func decl(i int, extra string) map[string]any {
	return map[string]any{"type": "declaration", "n": i, "use": "train-genai", "decision": "deny", "note": extra}
}

func runVerify(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := cli.Main(t.Context(), append([]string{"verify"}, args...), strings.NewReader(""), &out, &errb)
	return code, out.String(), errb.String()
}

func TestVerifyEndToEnd(t *testing.T) {
	skey, _, err := note.GenerateKey(rand.Reader, "registry.test/log")
	if err != nil {
		t.Fatal(err)
	}
	honest := newVerifyLog(t, skey)
	fork := newVerifyLog(t, skey) // same key, another history: a split view
	dir := t.TempDir()
	var receipts []string
	for i := range 20 {
		receipts = append(receipts, honest.write(t, dir, decl(i, ""))...)
		fork.write(t, t.TempDir(), decl(i, "forked"))
	}
	var which atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		[]*verifyLog{honest, fork}[which.Load()].l.Handler([]*verifyLog{honest, fork}[which.Load()].st).ServeHTTP(w, r)
	}))
	defer srv.Close()
	state := filepath.Join(t.TempDir(), "state.json")

	// Loopback needs --allow-private: the safe client refuses it otherwise.
	code, _, stderr := runVerify(t, "--registry", srv.URL, "--state", state)
	if code != 1 || !strings.Contains(stderr, "--allow-private") {
		t.Errorf("verify of a loopback registry without --allow-private: exit %d, stderr %q", code, stderr)
	}

	code, stdout, stderr := runVerify(t, append([]string{"--registry", srv.URL, "--state", state, "--allow-private"}, receipts...)...)
	if code != 0 {
		t.Fatalf("first verify: exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	for _, want := range []string{"pinned on first use", "size     20 entries", "entries  20 downloaded", "verified:"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("first verify: stdout lacks %q:\n%s", want, stdout)
		}
	}
	if n := strings.Count(stdout, "\nok "); n != 20 {
		t.Errorf("first verify: %d receipts ok, want 20:\n%s", n, stdout)
	}
	var st ledger.State
	if b, err := os.ReadFile(state); err != nil || json.Unmarshal(b, &st) != nil || st.VerifierKey != honest.l.VerifierKey() {
		t.Fatalf("state file after first verify: %v %+v", err, st)
	}

	// The log grows honestly: consistent.
	more := honest.write(t, dir, decl(100, ""), decl(101, ""))
	code, stdout, stderr = runVerify(t, "--registry", srv.URL, "--state", state, "--allow-private", "--json", more[0])
	if code != 0 {
		t.Fatalf("second verify: exit %d\n%s\n%s", code, stdout, stderr)
	}
	var rep ledger.Report
	if err := json.Unmarshal([]byte(stdout), &rep); err != nil {
		t.Fatalf("--json output: %v\n%s", err, stdout)
	}
	if !rep.OK() || rep.PreviousSize != 20 || rep.Size != 22 || len(rep.Receipts) != 1 || !rep.Receipts[0].OK {
		t.Errorf("second verify report: %+v", rep)
	}

	// The server now shows another history: split view, exit 1, state kept.
	before, _ := os.ReadFile(state)
	which.Store(1)
	code, stdout, stderr = runVerify(t, "--registry", srv.URL, "--state", state, "--allow-private")
	if code != 1 || !strings.Contains(stderr, "askfirst: error: rolled back history") {
		t.Errorf("verify of a forked log: exit %d, stderr %q\n%s", code, stderr, stdout)
	}
	after, _ := os.ReadFile(state)
	if !bytes.Equal(before, after) {
		t.Errorf("state file changed after a failed verify")
	}
	// A receipt from the honest view, checked by someone who only saw the
	// fork, is evidence of the split view.
	code, _, stderr = runVerify(t, "--registry", srv.URL, "--state", filepath.Join(t.TempDir(), "s.json"), "--allow-private", receipts[19])
	if code != 1 || !strings.Contains(stderr, "split view") {
		t.Errorf("receipt from another view: exit %d, stderr %q", code, stderr)
	}
	// The fork grows past the honest log: still inconsistent.
	for i := 20; i < 30; i++ {
		fork.write(t, t.TempDir(), decl(i, "forked"))
	}
	code, _, stderr = runVerify(t, "--registry", srv.URL, "--state", state, "--allow-private")
	if code != 1 || !strings.Contains(stderr, "split view or rewritten history") {
		t.Errorf("verify of a grown fork: exit %d, stderr %q", code, stderr)
	}
}

func TestVerifyUsage(t *testing.T) {
	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{nil, 2, "no registry"},
		{[]string{"--registry", "ftp://x"}, 2, "not an http or https URL"},
		{[]string{"--registry", "http://127.0.0.1:1", "--state", filepath.Join(t.TempDir(), "s"), "no-such-receipt.json"}, 1, "read receipt"},
	} {
		code, _, stderr := runVerify(t, c.args...)
		if code != c.code || !strings.Contains(stderr, c.want) {
			t.Errorf("verify %q: exit %d, stderr %q, want %d and %q", c.args, code, stderr, c.code, c.want)
		}
	}
}
