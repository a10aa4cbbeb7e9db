package ledger_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"
	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/askfirst/askfirst/internal/ledger"
	"github.com/askfirst/askfirst/internal/store"
	"github.com/askfirst/askfirst/internal/store/postgres"
)

// TestTwoProcessesOnPostgres runs two registries' worth of writers (two
// stores, two pools, one key) against one PostgreSQL schema, as two
// `askfirst serve` processes would, and checks every receipt handed out
// verifies and every checkpoint is consistent with the final one.
func TestTwoProcessesOnPostgres(t *testing.T) {
	dsn := postgresSchema(t)
	skey, _, err := note.GenerateKey(rand.Reader, origin)
	if err != nil {
		t.Fatal(err)
	}
	var procs []*fixture
	for range 2 {
		st, err := postgres.Open(t.Context(), dsn)
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
		procs = append(procs, &fixture{st: st, l: l})
	}

	const writers, writes = 6, 10
	var mu sync.Mutex
	var all []ledger.Receipt
	var wg sync.WaitGroup
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			p := procs[w%2]
			for i := range writes {
				var rs []ledger.Receipt
				err := p.st.Update(t.Context(), func(tx store.Tx) error {
					var es []ledger.Entry
					for k := range 1 + i%3 {
						e, err := p.l.Append(tx, map[string]any{"writer": w, "write": i, "k": k})
						if err != nil {
							return err
						}
						es = append(es, e)
					}
					var err error
					rs, err = p.l.Seal(tx, es...)
					return err
				})
				if err != nil {
					t.Errorf("writer %d write %d: %v", w, i, err)
					return
				}
				mu.Lock()
				all = append(all, rs...)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()

	var want int64 // 1+i%3 statements per write
	for i := range writes {
		want += int64(1+i%3) * writers
	}
	size, err := procs[0].l.SelfCheck(t.Context(), procs[0].st, nil)
	if err != nil || size != want {
		t.Fatalf("SelfCheck: size %d, %v, want %d", size, err, want)
	}
	if int64(len(all)) != want {
		t.Fatalf("%d receipts, want %d", len(all), want)
	}
	seen := map[int64]bool{}
	err = procs[1].st.View(t.Context(), func(tx store.ReadTx) error {
		root, err := tlog.TreeHash(size, tx)
		if err != nil {
			return err
		}
		for _, r := range all {
			if seen[r.Index] {
				t.Errorf("two receipts for index %d", r.Index)
			}
			seen[r.Index] = true
			c, err := ledger.VerifyReceipt(r, origin, procs[1].l.Verifier())
			if err != nil {
				t.Errorf("receipt %d: %v", r.Index, err)
				continue
			}
			p, err := tlog.ProveTree(size, c.Size, tx)
			if err != nil {
				return err
			}
			if err := tlog.CheckTree(p, size, root, c.Size, c.Root); err != nil {
				t.Errorf("checkpoint of size %d (receipt %d) is not consistent with the final tree: %v", c.Size, r.Index, err)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// postgresSchema returns the URL of a new schema in the test database,
// dropped at the end of the test, or skips the test loudly.
func postgresSchema(t testing.TB) string {
	t.Helper()
	base := os.Getenv("ASKFIRST_TEST_POSTGRES")
	if base == "" {
		t.Skip("SKIPPING POSTGRES TEST: set ASKFIRST_TEST_POSTGRES=postgres://postgres@127.0.0.1:5432/test?sslmode=disable to run it")
	}
	b := make([]byte, 6)
	rand.Read(b)
	schema := "askfirst_ledger_" + hex.EncodeToString(b)
	conn, err := pgx.Connect(t.Context(), base)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Exec(t.Context(), "CREATE SCHEMA "+schema); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		conn.Exec(context.Background(), "DROP SCHEMA "+schema+" CASCADE")
		conn.Close(context.Background())
	})
	u, _ := url.Parse(base)
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}
