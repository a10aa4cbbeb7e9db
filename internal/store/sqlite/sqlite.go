// Package sqlite is the embedded store.Store driver (DESIGN §7) on
// modernc.org/sqlite, a pure Go SQLite.
//
// The database runs in WAL mode with one writer connection, opened with
// BEGIN IMMEDIATE so that every Update holds SQLite's write lock from its
// first statement: that lock is the log's sequencer (DESIGN §5), also across
// processes opening the same file. Reads run on a separate pool of
// query-only connections and see a consistent WAL snapshot.
//
// Durability: synchronous=FULL. In WAL mode NORMAL already survives SIGKILL
// (a committed transaction is in the WAL file in the OS page cache before
// COMMIT returns), but it does not survive power loss or an OS crash: the
// last commits may vanish, and the registry would then hand out a second,
// different entry at an index whose signed checkpoint it already gave away,
// which anyone would see as a forked log. FULL syncs the WAL on every commit,
// so an acknowledged write survives both.
//
// What it does not do: no replication, no online backup.
package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/askfirst/askfirst/internal/store"
)

//go:embed migrations/*.sql
var migrations embed.FS

// busyTimeoutMillis is how long a connection waits for another process's
// lock before giving up with SQLITE_BUSY.
const busyTimeoutMillis = 10000

// DB is a store.Store on one SQLite file. It is safe for concurrent use.
type DB struct {
	writer *sql.DB // one connection: the one writer
	reader *sql.DB // query-only pool
	path   string
}

var _ store.Store = (*DB)(nil)

// Open opens (creating if needed) the SQLite database named by dsn and
// applies the pending migrations in one transaction. dsn is a file path, or
// a URL "sqlite:PATH" or "sqlite://PATH" (query parameters are ignored).
func Open(ctx context.Context, dsn string) (*DB, error) {
	path, err := parseDSN(dsn)
	if err != nil {
		return nil, err
	}
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, fmt.Errorf("open sqlite %s: %w", path, err)
		}
	}
	base := "file:" + (&url.URL{Path: path}).EscapedPath()
	pragmas := "_pragma=busy_timeout(" + strconv.Itoa(busyTimeoutMillis) + ")" +
		"&_pragma=foreign_keys(1)&_pragma=synchronous(FULL)&_time_format=sqlite"
	w, err := sql.Open("sqlite", base+"?"+pragmas+"&_pragma=journal_mode(WAL)&_txlock=immediate")
	if err != nil {
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	w.SetConnMaxIdleTime(0)
	db := &DB{writer: w, path: path}
	// The writer connects first so WAL mode is set before any reader opens.
	if err := w.PingContext(ctx); err != nil {
		w.Close()
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	if err := db.migrate(ctx); err != nil {
		w.Close()
		return nil, err
	}
	r, err := sql.Open("sqlite", base+"?"+pragmas+"&_pragma=query_only(1)")
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	r.SetMaxOpenConns(max(4, runtime.GOMAXPROCS(0)))
	db.reader = r
	return db, nil
}

func parseDSN(dsn string) (string, error) {
	path := dsn
	switch {
	case strings.HasPrefix(dsn, "sqlite://"):
		path = strings.TrimPrefix(dsn, "sqlite://")
	case strings.HasPrefix(dsn, "sqlite:"):
		path = strings.TrimPrefix(dsn, "sqlite:")
	case strings.HasPrefix(dsn, "file:"):
		path = strings.TrimPrefix(dsn, "file:")
	}
	if i := strings.IndexByte(path, '?'); i >= 0 {
		path = path[:i]
	}
	if path == "" || path == ":memory:" {
		return "", fmt.Errorf("open sqlite %q: need a file path (one writer and a reader pool share a file)", dsn)
	}
	return path, nil
}

// migrate applies the embedded migrations not yet recorded in
// schema_migrations, all in one transaction. Running it again is a no-op.
func (db *DB) migrate(ctx context.Context) error {
	names, err := fs.Glob(migrations, "migrations/*.sql")
	if err != nil {
		return fmt.Errorf("migrate sqlite %s: %w", db.path, err)
	}
	sort.Strings(names)
	tx, err := db.writer.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("migrate sqlite %s: %w", db.path, err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY) STRICT`); err != nil {
		return fmt.Errorf("migrate sqlite %s: %w", db.path, err)
	}
	for _, name := range names {
		v, err := strconv.Atoi(strings.SplitN(filepath.Base(name), "_", 2)[0])
		if err != nil {
			return fmt.Errorf("migrate sqlite %s: migration %s: bad number: %w", db.path, name, err)
		}
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM schema_migrations WHERE version = ?`, v).Scan(&n); err != nil {
			return fmt.Errorf("migrate sqlite %s: %w", db.path, err)
		}
		if n > 0 {
			continue
		}
		body, err := migrations.ReadFile(name)
		if err != nil {
			return fmt.Errorf("migrate sqlite %s: %w", db.path, err)
		}
		if _, err := tx.ExecContext(ctx, string(body)); err != nil {
			return fmt.Errorf("migrate sqlite %s: apply %s: %w", db.path, name, err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version) VALUES (?)`, v); err != nil {
			return fmt.Errorf("migrate sqlite %s: %w", db.path, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("migrate sqlite %s: %w", db.path, err)
	}
	return nil
}

// Update implements store.Store. The transaction starts with BEGIN
// IMMEDIATE on the single writer connection.
func (db *DB) Update(ctx context.Context, fn func(store.Tx) error) (err error) {
	sqlTx, err := db.writer.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("sqlite %s: begin: %w", db.path, err)
	}
	done := false
	defer func() {
		if !done {
			sqlTx.Rollback()
		}
	}()
	if err := fn(&tx{ctx: ctx, q: sqlTx, write: true}); err != nil {
		return err
	}
	done = true
	if err := sqlTx.Commit(); err != nil {
		sqlTx.Rollback()
		return fmt.Errorf("sqlite %s: commit: %w", db.path, err)
	}
	return nil
}

// View implements store.Store.
func (db *DB) View(ctx context.Context, fn func(store.ReadTx) error) error {
	sqlTx, err := db.reader.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("sqlite %s: begin read: %w", db.path, err)
	}
	defer sqlTx.Rollback()
	return fn(&tx{ctx: ctx, q: sqlTx})
}

// Close implements store.Store.
func (db *DB) Close() error {
	var errs []error
	if db.reader != nil {
		errs = append(errs, db.reader.Close())
	}
	errs = append(errs, db.writer.Close())
	return errors.Join(errs...)
}

// mapErr wraps err with the store sentinel it corresponds to, naming op.
func mapErr(op string, err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("%s: %w", op, store.ErrNotFound)
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() {
		case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
			return fmt.Errorf("%s: %w (%v)", op, store.ErrConflict, err)
		case sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
			return fmt.Errorf("%s: referenced row: %w (%v)", op, store.ErrNotFound, err)
		case sqlite3.SQLITE_CONSTRAINT_CHECK, sqlite3.SQLITE_CONSTRAINT_NOTNULL:
			return fmt.Errorf("%s: %w (%v)", op, store.ErrInvalid, err)
		}
	}
	return fmt.Errorf("%s: %w", op, err)
}
