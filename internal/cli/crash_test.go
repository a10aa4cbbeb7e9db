package cli_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5"
	"golang.org/x/mod/sumdb/note"

	"github.com/askfirst/askfirst/internal/cli"
	"github.com/askfirst/askfirst/internal/ledger"
)

// TestMain lets the test binary act as the askfirst command in a child
// process, so crash tests can SIGKILL a real server.
func TestMain(m *testing.M) {
	if os.Getenv("ASKFIRST_TEST_CHILD") == "1" {
		os.Exit(cli.Main(context.Background(), os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}

// server is a child `askfirst serve` process.
type server struct {
	cmd  *exec.Cmd
	url  string
	logs *bytes.Buffer
}

func freePort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// startServe starts `askfirst serve` and waits until it answers.
func startServe(t *testing.T, env []string, args ...string) *server {
	t.Helper()
	addr := freePort(t)
	cmd := exec.Command(os.Args[0], append([]string{"serve", "--addr", addr, "--rate", "100000"}, args...)...)
	cmd.Env = append(append(os.Environ(), "ASKFIRST_TEST_CHILD=1"), env...)
	var logs bytes.Buffer
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	s := &server{cmd: cmd, url: "http://" + addr, logs: &logs}
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := http.Get(s.url + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return s
			}
		}
		if cmd.ProcessState != nil {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	cmd.Process.Kill()
	cmd.Wait()
	t.Fatalf("askfirst serve did not start:\n%s", logs.String())
	return nil
}

func (s *server) kill() {
	s.cmd.Process.Signal(syscall.SIGKILL)
	s.cmd.Wait()
}

func post(url, token string, body any, out any) (int, error) {
	b, _ := json.Marshal(body)
	req, _ := http.NewRequest("POST", url, bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	c := &http.Client{Timeout: 10 * time.Second}
	resp, err := c.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return 0, err
	}
	if out != nil && resp.StatusCode < 300 {
		if err := json.Unmarshal(data, out); err != nil {
			return resp.StatusCode, err
		}
	}
	return resp.StatusCode, nil
}

func logKey(t *testing.T) string {
	t.Helper()
	skey, _, err := note.GenerateKey(rand.Reader, "crash.test/askfirst")
	if err != nil {
		t.Fatal(err)
	}
	return skey
}

// hammer writes works with a declaration as fast as it can through the
// servers returned by current until stop is closed, and returns every
// acknowledged receipt.
func hammer(t *testing.T, current func() string, token string, stop <-chan struct{}) []ledger.Receipt {
	var mu sync.Mutex
	var acked []ledger.Receipt
	var wg sync.WaitGroup
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				var dh [32]byte
				rand.Read(dh[:])
				body := map[string]any{"works": []map[string]any{{"datahash": fmt.Sprintf("1e20%x", dh), "title": fmt.Sprintf("w%d-%d", w, i)}},
					"terms": []map[string]any{{"use": "train-genai", "decision": "deny"}}}
				var out struct {
					Works []struct {
						Receipt            ledger.Receipt  `json:"receipt"`
						DeclarationReceipt *ledger.Receipt `json:"declaration_receipt"`
					}
				}
				code, err := post(current()+"/v1/works", token, body, &out)
				if err != nil || code != 201 {
					time.Sleep(20 * time.Millisecond) // the server is down or restarting
					continue
				}
				mu.Lock()
				for _, x := range out.Works {
					acked = append(acked, x.Receipt, *x.DeclarationReceipt)
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return acked
}

// checkAcked verifies with the monitor that every acknowledged receipt is
// in the log and that the log only grew consistently.
func checkAcked(t *testing.T, url string, acked []ledger.Receipt) {
	t.Helper()
	var named []ledger.NamedReceipt
	for i, r := range acked {
		named = append(named, ledger.NamedReceipt{Name: fmt.Sprint(i), Receipt: r})
	}
	m := &ledger.Monitor{URL: url, Get: ledger.HTTPGetter(&http.Client{Timeout: 30 * time.Second})}
	st := &ledger.State{}
	rep, err := m.Check(t.Context(), st, named)
	if err != nil {
		t.Fatalf("monitor: %v", err)
	}
	if !rep.OK() {
		t.Fatalf("after crashes the log does not hold every acknowledged write: %+v", rep.Problems)
	}
	for _, r := range rep.Receipts {
		if !r.OK {
			t.Fatalf("receipt %s (index %d): %s", r.Name, r.Index, r.Problem)
		}
	}
}

func crashTest(t *testing.T, env []string, args ...string) {
	srv := startServe(t, env, args...)
	var acc struct{ Token string }
	if code, err := post(srv.url+"/v1/accounts", "", map[string]string{"name": "Crash"}, &acc); err != nil || code != 201 {
		t.Fatalf("create account: %d %v\n%s", code, err, srv.logs)
	}
	var mu sync.Mutex
	current := func() string { mu.Lock(); defer mu.Unlock(); return srv.url }
	stop := make(chan struct{})
	done := make(chan []ledger.Receipt)
	go func() { done <- hammer(t, current, acc.Token, stop) }()
	// SIGKILL at random moments, restart, repeat.
	for k := 0; k < 4; k++ {
		n, _ := rand.Int(rand.Reader, big.NewInt(400))
		time.Sleep(time.Duration(200+n.Int64()) * time.Millisecond)
		mu.Lock()
		srv.kill()
		srv = startServe(t, env, args...)
		mu.Unlock()
	}
	time.Sleep(300 * time.Millisecond)
	close(stop)
	acked := <-done
	t.Cleanup(srv.kill)
	if len(acked) < 6 {
		t.Fatalf("only %d writes acknowledged: the test did not exercise the server\n%s", len(acked), srv.logs)
	}
	checkAcked(t, srv.url, acked)
	t.Logf("%d acknowledged receipts verified after 4 SIGKILLs", len(acked))
}

func TestCrashSQLite(t *testing.T) {
	if testing.Short() {
		t.Skip("crash test: slow")
	}
	dir := t.TempDir()
	crashTest(t, []string{"ASKFIRST_LOG_KEY=" + logKey(t)}, "--data", dir)
}

// postgresDB creates a fresh database on the server named by
// ASKFIRST_TEST_POSTGRES and returns its URL.
func postgresDB(t *testing.T) string {
	t.Helper()
	base := os.Getenv("ASKFIRST_TEST_POSTGRES")
	if base == "" {
		t.Skip("\n*** SKIPPED: set ASKFIRST_TEST_POSTGRES=postgres://postgres@127.0.0.1:5432/test?sslmode=disable to run the PostgreSQL crash and sequencing tests (.ci/run sets it) ***")
	}
	conn, err := pgx.Connect(t.Context(), base)
	if err != nil {
		t.Fatalf("connect %s: %v", base, err)
	}
	defer conn.Close(context.Background())
	var b [6]byte
	rand.Read(b[:])
	name := fmt.Sprintf("askfirst_cli_%x", b)
	if _, err := conn.Exec(t.Context(), "CREATE DATABASE "+name); err != nil {
		t.Fatalf("create database: %v", err)
	}
	t.Cleanup(func() {
		c, err := pgx.Connect(context.Background(), base)
		if err == nil {
			c.Exec(context.Background(), "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
			c.Close(context.Background())
		}
	})
	cfg, err := pgx.ParseConfig(base)
	if err != nil {
		t.Fatal(err)
	}
	u := strings.Replace(base, "/"+cfg.Database, "/"+name, 1)
	return u
}

func TestCrashPostgres(t *testing.T) {
	if testing.Short() {
		t.Skip("crash test: slow")
	}
	db := postgresDB(t)
	crashTest(t, []string{"ASKFIRST_LOG_KEY=" + logKey(t)}, "--db", db, "--data", t.TempDir())
}

// TestTwoServersOnePostgres runs two askfirst serve processes on one
// database, writes through both at once, and checks that the log is one
// consistent sequence holding every acknowledged write.
func TestTwoServersOnePostgres(t *testing.T) {
	db := postgresDB(t)
	env := []string{"ASKFIRST_LOG_KEY=" + logKey(t)}
	a := startServe(t, env, "--db", db, "--data", t.TempDir())
	defer a.kill()
	b := startServe(t, env, "--db", db, "--data", t.TempDir())
	defer b.kill()
	var acc struct{ Token string }
	if code, err := post(a.url+"/v1/accounts", "", map[string]string{"name": "Two"}, &acc); err != nil || code != 201 {
		t.Fatalf("create account: %d %v", code, err)
	}
	stop := make(chan struct{})
	var acked [2][]ledger.Receipt
	var wg sync.WaitGroup
	for i, s := range []*server{a, b} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			acked[i] = hammer(t, func() string { return s.url }, acc.Token, stop)
		}()
	}
	time.Sleep(2 * time.Second)
	close(stop)
	wg.Wait()
	all := append(acked[0], acked[1]...)
	if len(acked[0]) < 10 || len(acked[1]) < 10 {
		t.Fatalf("acknowledged %d and %d writes: both servers must have written", len(acked[0]), len(acked[1]))
	}
	seen := map[int64]bool{}
	for _, r := range all {
		if seen[r.Index] {
			t.Fatalf("log index %d handed out twice", r.Index)
		}
		seen[r.Index] = true
	}
	checkAcked(t, a.url, all)
	checkAcked(t, b.url, all)
}

// TestAuditResumeAfterSIGKILL kills a real audit process mid-run, resumes
// it and checks that the outputs equal those of an uninterrupted run.
func TestAuditResumeAfterSIGKILL(t *testing.T) {
	if testing.Short() {
		t.Skip("crash test: slow")
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.URL.Path == "/robots.txt":
			io.WriteString(w, "User-agent: askfirst\nDisallow: /private/\n")
		case strings.HasPrefix(r.URL.Path, "/tagged/"):
			time.Sleep(2 * time.Millisecond)
			w.Header().Set("Content-Usage", "train-ai=n")
		default:
			time.Sleep(2 * time.Millisecond)
		}
	}))
	defer srv.Close()
	dir := t.TempDir()
	var b bytes.Buffer
	for i := 0; i < 3000; i++ {
		kind := []string{"public", "private", "tagged"}[i%3]
		fmt.Fprintf(&b, "{\"url\":\"%s/%s/%d.jpg\",\"text\":\"item %d\"}\n", srv.URL, kind, i, i)
	}
	in := filepath.Join(dir, "m.jsonl")
	os.WriteFile(in, b.Bytes(), 0o644)
	args := func(out string) []string {
		return []string{"audit", "--allow-private", "--fetch", "head", "--concurrency", "4", "--out", out, in}
	}
	ref := filepath.Join(dir, "ref")
	if _, code := runAudit(t, t.Context(), args(ref)[1:]...); code != 3 {
		t.Fatalf("reference run: exit %d, want 3", code)
	}
	out := filepath.Join(dir, "killed")
	cmd := exec.Command(os.Args[0], args(out)...)
	cmd.Env = append(os.Environ(), "ASKFIRST_TEST_CHILD=1")
	var logs bytes.Buffer
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(60 * time.Second)
	for {
		b, _ := os.ReadFile(filepath.Join(out, "journal.jsonl"))
		if n := bytes.Count(b, []byte("\n")); n >= 300 {
			break
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatalf("the audit wrote no journal in time:\n%s", logs.String())
		}
		time.Sleep(5 * time.Millisecond)
	}
	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()
	jb, _ := os.ReadFile(filepath.Join(out, "journal.jsonl"))
	killedAt := bytes.Count(jb, []byte("\n"))
	if _, err := os.Stat(filepath.Join(out, "report.json")); err == nil {
		t.Fatalf("the audit finished before it was killed: the test did not interrupt it")
	}
	log, code := runAudit(t, t.Context(), append([]string{"--resume"}, args(out)[1:]...)...)
	if code != 3 {
		t.Fatalf("resume after SIGKILL at %d records: exit %d, want 3\n%s", killedAt, code, log)
	}
	if diff := cmp.Diff(snapshot(t, ref), snapshot(t, out)); diff != "" {
		t.Fatalf("resumed after SIGKILL at %d records, the outputs differ from an uninterrupted run (-want +got):\n%s", killedAt, diff)
	}
	t.Logf("killed after %d of 3000 records; resumed outputs equal an uninterrupted run", killedAt)
}
