package sqlite_test

import (
	"path/filepath"
	"testing"

	"github.com/askfirst/askfirst/internal/store"
	"github.com/askfirst/askfirst/internal/store/sqlite"
	"github.com/askfirst/askfirst/internal/store/storetest"
)

func open(t *testing.T, path string) *sqlite.DB {
	t.Helper()
	db, err := sqlite.Open(t.Context(), path)
	if err != nil {
		t.Fatalf("Open(%s): %v", path, err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store {
		return open(t, filepath.Join(t.TempDir(), "askfirst.db"))
	})
}

// Two DB values on one file stand for two processes: SQLite's write lock
// (BEGIN IMMEDIATE) sequences them.
func TestConformanceShared(t *testing.T) {
	storetest.RunShared(t, func(t *testing.T) (store.Store, store.Store) {
		path := filepath.Join(t.TempDir(), "askfirst.db")
		return open(t, path), open(t, path)
	})
}

func TestReopenKeepsDataAndMigrationsAreIdempotent(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sub", "askfirst.db")
	db := open(t, "sqlite:"+path)
	if err := db.Update(t.Context(), func(tx store.Tx) error {
		return tx.CreateAccount(store.Account{ID: "a1", Kind: store.KindCreator})
	}); err != nil {
		t.Fatal(err)
	}
	db.Close()
	db = open(t, "sqlite://"+path)
	if err := db.View(t.Context(), func(tx store.ReadTx) error {
		_, err := tx.Account("a1")
		return err
	}); err != nil {
		t.Errorf("after reopen: %v", err)
	}
}

func TestOpenRejectsMemory(t *testing.T) {
	for _, dsn := range []string{"", ":memory:", "sqlite:"} {
		if db, err := sqlite.Open(t.Context(), dsn); err == nil {
			db.Close()
			t.Errorf("Open(%q): got nil error, want one", dsn)
		}
	}
}
