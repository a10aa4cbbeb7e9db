package ledger_test

import (
	"crypto/rand"
	"database/sql"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/askfirst/askfirst/internal/ledger"
)

// switchServer serves one of several ledgers, chosen by cur, so a test can
// show a monitor different views of "one" log.
type switchServer struct {
	handlers []http.Handler
	cur      atomic.Int32
}

func (s *switchServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.handlers[s.cur.Load()].ServeHTTP(w, r)
}

func serve(t *testing.T, fs ...*fixture) (*httptest.Server, *switchServer) {
	sw := &switchServer{}
	for _, f := range fs {
		sw.handlers = append(sw.handlers, f.l.Handler(f.st))
	}
	srv := httptest.NewServer(sw)
	t.Cleanup(srv.Close)
	return srv, sw
}

func monitor(srv *httptest.Server) *ledger.Monitor {
	return &ledger.Monitor{URL: srv.URL, Get: ledger.HTTPGetter(&http.Client{Timeout: 10 * time.Second})}
}

func named(rs []ledger.Receipt) []ledger.NamedReceipt {
	var out []ledger.NamedReceipt
	for _, r := range rs {
		out = append(out, ledger.NamedReceipt{Name: fmt.Sprintf("%d.json", r.Index), Receipt: r})
	}
	return out
}

func problems(rep *ledger.Report) []string {
	var out []string
	for _, p := range rep.Problems {
		out = append(out, p.What)
	}
	return out
}

func wantProblem(t *testing.T, what string, rep *ledger.Report, want string) {
	t.Helper()
	for _, p := range rep.Problems {
		if p.What == want {
			return
		}
	}
	t.Errorf("%s: got problems %q, want %q", what, problems(rep), want)
}

func TestMonitorFollowsLog(t *testing.T) {
	f := newFixture(t)
	first := f.fill(t, 300)
	srv, _ := serve(t, f)
	m := monitor(srv)
	var st ledger.State
	rep, err := m.Check(t.Context(), &st, named(first[:3]))
	if err != nil {
		t.Fatal(err)
	}
	if !rep.OK() || !rep.KeyPinned || rep.Size != 300 || rep.EntriesChecked != 300 || len(rep.Receipts) != 3 {
		t.Fatalf("first check: %+v", rep)
	}
	if st.VerifierKey != f.l.VerifierKey() || st.EntriesChecked != 300 {
		t.Errorf("state after first check: %+v", st)
	}
	second := f.fill(t, 50)
	rep, err = m.Check(t.Context(), &st, named(append(first[100:102], second[49])))
	if err != nil {
		t.Fatal(err)
	}
	if !rep.OK() || rep.KeyPinned || rep.PreviousSize != 300 || rep.Size != 350 || rep.EntriesChecked != 350 {
		t.Fatalf("second check: %+v", rep)
	}
	for _, r := range rep.Receipts {
		if !r.OK {
			t.Errorf("receipt %s: %s", r.Name, r.Problem)
		}
	}
	// Nothing new: still fine.
	if rep, err = m.Check(t.Context(), &st, nil); err != nil || !rep.OK() {
		t.Errorf("third check: %v %+v", err, rep)
	}
}

// twin returns two logs signed by one key: the same first k statements,
// then different ones. A registry that shows them to different people at
// different times forks its history.
func twin(t *testing.T, k, na, nb int) (a, b *fixture, ra, rb []ledger.Receipt) {
	skey, _, err := note.GenerateKey(rand.Reader, origin)
	if err != nil {
		t.Fatal(err)
	}
	a, b = newFixtureWithKey(t, skey), newFixtureWithKey(t, skey)
	for i := range na {
		ra = append(ra, a.write(t, statement(i))...)
	}
	for i := range nb {
		s := statement(i)
		if i >= k {
			s["forked"] = true
		}
		rb = append(rb, b.write(t, s)...)
	}
	return a, b, ra, rb
}

func TestMonitorDetectsSplitView(t *testing.T) {
	for _, c := range []struct {
		name       string
		k, na, nb  int
		wantSecond string
	}{
		{"fork grows", 5, 10, 12, ledger.ProblemFork},
		{"same size different root", 5, 10, 10, ledger.ProblemFork},
		{"rolled back", 10, 10, 6, ledger.ProblemRollback},
		{"rolled back and forked", 3, 10, 6, ledger.ProblemRollback},
	} {
		t.Run(c.name, func(t *testing.T) {
			a, b, ra, _ := twin(t, c.k, c.na, c.nb)
			srv, sw := serve(t, a, b)
			m := monitor(srv)
			var st ledger.State
			rep, err := m.Check(t.Context(), &st, nil)
			if err != nil || !rep.OK() {
				t.Fatalf("check of view A: %v %+v", err, rep)
			}
			saved := st
			sw.cur.Store(1)
			rep, err = m.Check(t.Context(), &st, nil)
			if err != nil {
				t.Fatal(err)
			}
			wantProblem(t, "check of view B after A", rep, c.wantSecond)
			if st != saved {
				t.Errorf("state changed after a failed check")
			}
			// A receipt from view A, checked by someone who only ever saw B.
			var fresh ledger.State
			rep, err = m.Check(t.Context(), &fresh, named(ra[len(ra)-1:]))
			if err != nil {
				t.Fatal(err)
			}
			wantProblem(t, "receipt of A against view B", rep, ledger.ProblemReceiptFork)
		})
	}
}

func TestMonitorDetectsTampering(t *testing.T) {
	for _, c := range []struct {
		name     string
		sql      string
		idx      int64 // stored hash index or entry index for sql's ?
		rewrite  bool  // a write after the tampering, then check again
		wantWhat string
	}{
		{"leaf hash", `UPDATE log_hashes SET hash = zeroblob(32) WHERE idx = ?`, tlog.StoredHashIndex(0, 20), false, ledger.ProblemData},
		{"entry", `UPDATE log_entries SET entry = CAST(replace(CAST(entry AS TEXT), 'deny', 'allo') AS BLOB) WHERE idx = ?`, 20, false, ledger.ProblemData},
		// An inner hash is not served, but the next checkpoint is signed
		// over it (the subtree [0, 16) of the tree of 31): the served tiles
		// do not give that root.
		{"inner hash then a write", `UPDATE log_hashes SET hash = zeroblob(32) WHERE idx = ?`, tlog.StoredHashIndex(4, 0), true, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := newFixture(t)
			f.fill(t, 30)
			srv, _ := serve(t, f)
			var st ledger.State
			if c.rewrite {
				if rep, err := monitor(srv).Check(t.Context(), &st, nil); err != nil || !rep.OK() {
					t.Fatalf("check before tampering: %v %+v", err, rep)
				}
			}
			db, err := sql.Open("sqlite", f.path)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			if r, err := db.Exec(c.sql, c.idx); err != nil {
				t.Fatal(err)
			} else if n, _ := r.RowsAffected(); n != 1 {
				t.Fatalf("tampering changed %d rows", n)
			}
			if c.rewrite {
				f.write(t, statement(99))
			}
			rep, err := monitor(srv).Check(t.Context(), &st, nil)
			if err != nil {
				t.Fatal(err)
			}
			if c.wantWhat == "" {
				if rep.OK() {
					t.Errorf("check of a tampered log: no problem found")
				}
				return
			}
			wantProblem(t, "check of a tampered log", rep, c.wantWhat)
		})
	}
}

func TestMonitorKeyChecks(t *testing.T) {
	a, b := newFixture(t), newFixture(t) // different keys, same origin
	a.fill(t, 5)
	b.fill(t, 5)
	srv, sw := serve(t, a, b)
	m := monitor(srv)
	var st ledger.State
	if rep, err := m.Check(t.Context(), &st, nil); err != nil || !rep.OK() {
		t.Fatalf("first check: %v %+v", err, rep)
	}
	sw.cur.Store(1)
	rep, err := m.Check(t.Context(), &st, nil)
	if err != nil {
		t.Fatal(err)
	}
	wantProblem(t, "key changed", rep, ledger.ProblemKey)
	wantProblem(t, "key changed", rep, ledger.ProblemSignature)

	// --key: trust a given key, not the published one.
	m.Key = a.l.VerifierKey()
	var fresh ledger.State
	rep, err = m.Check(t.Context(), &fresh, nil)
	if err != nil {
		t.Fatal(err)
	}
	wantProblem(t, "given key", rep, ledger.ProblemSignature)
	// A given key that contradicts the pinned one is an error.
	fresh = ledger.State{VerifierKey: b.l.VerifierKey()}
	if _, err := m.Check(t.Context(), &fresh, nil); err == nil {
		t.Errorf("given key differing from pinned: got nil error")
	}
}

func TestMonitorBadReceipt(t *testing.T) {
	f := newFixture(t)
	rs := f.fill(t, 8)
	srv, _ := serve(t, f)
	data, err := os.ReadFile(filepath.Join("testdata", "sample.receipt.json"))
	if err != nil {
		t.Fatal(err)
	}
	other, err := ledger.ParseReceipt(data) // signed by another key
	if err != nil {
		t.Fatal(err)
	}
	var st ledger.State
	rep, err := monitor(srv).Check(t.Context(), &st, append(named(rs[:1]), ledger.NamedReceipt{Name: "other.json", Receipt: other}))
	if err != nil {
		t.Fatal(err)
	}
	wantProblem(t, "receipt of another log", rep, ledger.ProblemReceipt)
	if !rep.Receipts[0].OK || rep.Receipts[1].OK {
		t.Errorf("receipt results: %+v", rep.Receipts)
	}
}

func TestMonitorUnreachable(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	srv.Close()
	var st ledger.State
	if _, err := monitor(srv).Check(t.Context(), &st, nil); err == nil {
		t.Errorf("check of a closed server: got nil error")
	}
}
