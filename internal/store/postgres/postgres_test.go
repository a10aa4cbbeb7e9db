package postgres_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/askfirst/askfirst/internal/store"
	"github.com/askfirst/askfirst/internal/store/postgres"
	"github.com/askfirst/askfirst/internal/store/storetest"
)

// requirePostgres returns the test server's URL or skips, loudly.
func requirePostgres(t *testing.T) string {
	t.Helper()
	base := os.Getenv("ASKFIRST_TEST_POSTGRES")
	if base == "" {
		t.Skip("SKIPPING POSTGRES TESTS: ASKFIRST_TEST_POSTGRES is not set. " +
			"Run them with ASKFIRST_TEST_POSTGRES=postgres://postgres@127.0.0.1:5432/test?sslmode=disable " +
			"go test ./internal/store/postgres/ (start the server with `pg_ctlcluster 15 main start` or .ci/run).")
	}
	return base
}

// database returns a URL of the test database with search_path set to a
// new schema dropped at the end of the test, so runs never collide.
func database(t *testing.T) string {
	t.Helper()
	base := requirePostgres(t)
	b := make([]byte, 6)
	rand.Read(b)
	schema := "askfirst_test_" + hex.EncodeToString(b)
	conn, err := pgx.Connect(t.Context(), base)
	if err != nil {
		t.Fatalf("connect %s: %v", base, err)
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(t.Context(), "CREATE SCHEMA "+schema); err != nil {
		t.Fatalf("create schema: %v", err)
	}
	t.Cleanup(func() {
		conn, err := pgx.Connect(context.Background(), base)
		if err != nil {
			return
		}
		defer conn.Close(context.Background())
		conn.Exec(context.Background(), "DROP SCHEMA "+schema+" CASCADE")
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

func open(t *testing.T, dsn string) *postgres.DB {
	t.Helper()
	db, err := postgres.Open(t.Context(), dsn)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func TestConformance(t *testing.T) {
	requirePostgres(t)
	storetest.Run(t, func(t *testing.T) store.Store { return open(t, database(t)) })
}

// Two pools on one database stand for two `askfirst serve` processes: the
// log_head row lock sequences them.
func TestConformanceShared(t *testing.T) {
	requirePostgres(t)
	storetest.RunShared(t, func(t *testing.T) (store.Store, store.Store) {
		dsn := database(t)
		return open(t, dsn), open(t, dsn)
	})
}

func TestMigrationsAreIdempotent(t *testing.T) {
	dsn := database(t)
	db := open(t, dsn)
	if err := db.Update(t.Context(), func(tx store.Tx) error {
		return tx.CreateAccount(store.Account{ID: "a1", Kind: store.KindCreator})
	}); err != nil {
		t.Fatal(err)
	}
	db.Close()
	db = open(t, dsn)
	if err := db.View(t.Context(), func(tx store.ReadTx) error {
		_, err := tx.Account("a1")
		return err
	}); err != nil {
		t.Errorf("after reopen: %v", err)
	}
}

func TestOpenBadURL(t *testing.T) {
	if _, err := postgres.Open(t.Context(), "postgres://user:secret@[::1"); err == nil {
		t.Fatal("Open(bad URL): got nil error")
	} else if s := err.Error(); strings.Contains(s, "secret") {
		t.Errorf("Open(bad URL) error repeats the password: %s", s)
	}
}
