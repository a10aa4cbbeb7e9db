package ledger_test

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/askfirst/askfirst/internal/ledger"
	"github.com/askfirst/askfirst/internal/store"
	"github.com/askfirst/askfirst/internal/store/postgres"
	"github.com/askfirst/askfirst/internal/store/sqlite"
)

// TestCrashHelper is the writer process of TestCrashSIGKILL: it writes as
// fast as it can and prints each receipt on stdout once Update returned,
// which is when a registry would acknowledge the write.
func TestCrashHelper(t *testing.T) {
	path := os.Getenv("ASKFIRST_CRASH_DB")
	if path == "" {
		t.Skip("helper process for TestCrashSIGKILL")
	}
	var err error
	var st store.Store
	if strings.HasPrefix(path, "postgres://") {
		st, err = postgres.Open(context.Background(), path)
	} else {
		st, err = sqlite.Open(context.Background(), path)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	l, err := ledger.New(os.Getenv("ASKFIRST_CRASH_KEY"))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if err := l.Init(context.Background(), st); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	out := bufio.NewWriter(os.Stdout)
	for i := 0; ; i++ {
		var rs []ledger.Receipt
		err := st.Update(context.Background(), func(tx store.Tx) error {
			var es []ledger.Entry
			for k := range 1 + i%4 {
				e, err := l.Append(tx, map[string]any{"pid": os.Getpid(), "i": i, "k": k})
				if err != nil {
					return err
				}
				es = append(es, e)
			}
			var err error
			rs, err = l.Seal(tx, es...)
			return err
		})
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		for _, r := range rs {
			b, _ := json.Marshal(r)
			out.Write(append(b, '\n'))
		}
		out.Flush()
	}
}

// TestCrashSIGKILL kills a writer at random moments and restarts it; every
// write it acknowledged must be in the log afterwards, with its receipt
// verifying and its checkpoint consistent with the final tree.
func TestCrashSIGKILL(t *testing.T) {
	path := filepath.Join(t.TempDir(), "askfirst.db")
	crash(t, path, func(skey string) *fixture { return newFixtureWithKeyAt(t, skey, path) })
}

// TestCrashSIGKILLPostgres is TestCrashSIGKILL on PostgreSQL.
func TestCrashSIGKILLPostgres(t *testing.T) {
	dsn := postgresSchema(t)
	crash(t, dsn, func(skey string) *fixture {
		st, err := postgres.Open(t.Context(), dsn)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		l, err := ledger.New(skey)
		if err != nil {
			t.Fatal(err)
		}
		return &fixture{st: st, l: l}
	})
}

func crash(t *testing.T, path string, reopen func(skey string) *fixture) {
	if testing.Short() {
		t.Skip("slow")
	}
	skey, _, err := note.GenerateKey(rand.Reader, origin)
	if err != nil {
		t.Fatal(err)
	}
	var acked []ledger.Receipt
	for round := range 6 {
		cmd := exec.Command(os.Args[0], "-test.run=^TestCrashHelper$")
		cmd.Env = append(os.Environ(), "ASKFIRST_CRASH_DB="+path, "ASKFIRST_CRASH_KEY="+skey)
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		var stderr strings.Builder
		cmd.Stderr = &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		// Kill at a random moment once the writer is writing, and in any
		// case after a while.
		d, _ := rand.Int(rand.Reader, big.NewInt(300))
		var timer *time.Timer
		deadline := time.AfterFunc(30*time.Second, func() { cmd.Process.Kill() })
		sc := bufio.NewScanner(stdout)
		sc.Buffer(nil, ledger.MaxReceiptSize)
		n := 0
		for sc.Scan() {
			r, err := ledger.ParseReceipt(sc.Bytes())
			if err != nil {
				continue // a line cut by the kill was never acknowledged
			}
			acked = append(acked, r)
			if n == 0 {
				timer = time.AfterFunc(time.Duration(d.Int64())*time.Millisecond, func() { cmd.Process.Kill() })
			}
			n++
		}
		deadline.Stop()
		if timer != nil {
			timer.Stop()
		}
		cmd.Wait()
		// The writer must die by the signal, never stop on an error.
		if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() {
			t.Fatalf("round %d: writer exited on its own (%v): %s", round, cmd.ProcessState, stderr.String())
		}
		t.Logf("round %d: %d writes acknowledged before SIGKILL", round, n)
	}
	if len(acked) == 0 {
		t.Fatal("no write acknowledged")
	}
	f := reopen(skey)
	size, err := f.l.SelfCheck(t.Context(), f.st, nil)
	if err != nil {
		t.Fatalf("SelfCheck after crashes: %v", err)
	}
	err = f.st.View(t.Context(), func(tx store.ReadTx) error {
		root, err := tlog.TreeHash(size, tx)
		if err != nil {
			return err
		}
		for _, r := range acked {
			c, err := ledger.VerifyReceipt(r, origin, f.l.Verifier())
			if err != nil {
				t.Errorf("acknowledged receipt %d: %v", r.Index, err)
				continue
			}
			if c.Size > size {
				t.Errorf("acknowledged receipt %d: checkpoint of %d entries, log has %d after restart", r.Index, c.Size, size)
				continue
			}
			p, err := tlog.ProveTree(size, c.Size, tx)
			if err != nil {
				return err
			}
			if err := tlog.CheckTree(p, size, root, c.Size, c.Root); err != nil {
				t.Errorf("acknowledged checkpoint of size %d is not consistent with the log after restart", c.Size)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d acknowledged writes, log of %d entries", len(acked), size)
}
