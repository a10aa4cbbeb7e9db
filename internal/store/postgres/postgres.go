// Package postgres is the store.Store driver for PostgreSQL (DESIGN §7) on
// pgx/v5, for registries that outgrow one machine's SQLite or run several
// `askfirst serve` processes.
//
// Sequencing: every Update runs at READ COMMITTED and starts with
// SELECT ... FOR UPDATE on the single log_head row, which holds the log
// size. That row lock is the one writer (DESIGN §5): writers from every
// process on the database queue on it, and each one, once it holds the
// lock, reads the size the previous writer committed. Taking it first, in
// every Update, also means two writers never wait on each other's row
// locks in opposite orders (no deadlocks). Views run at REPEATABLE READ,
// READ ONLY, on one snapshot.
//
// What it does not do: no read replicas (point View at a replica's Store
// when needed), no retries of failed transactions.
package postgres

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/askfirst/askfirst/internal/store"
)

//go:embed migrations/*.sql
var migrations embed.FS

// migrationLock is the advisory lock key serialising migrations of
// processes starting at once.
const migrationLock = 0x61736b66 // "askf"

// DB is a store.Store on a PostgreSQL database. It is safe for concurrent
// use.
type DB struct {
	pool *pgxpool.Pool
}

var _ store.Store = (*DB)(nil)

// Open connects to the database at url (postgres://... or a key=value DSN;
// a search_path parameter selects the schema) and applies the pending
// migrations in one transaction.
func Open(ctx context.Context, url string) (*DB, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		// The URL may hold a password: do not repeat it.
		return nil, fmt.Errorf("open postgres: parse URL: %w", errors.Unwrap(err))
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("open postgres %s/%s: %w", cfg.ConnConfig.Host, cfg.ConnConfig.Database, err)
	}
	db := &DB{pool: pool}
	if err := db.migrate(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("open postgres %s/%s: %w", cfg.ConnConfig.Host, cfg.ConnConfig.Database, err)
	}
	return db, nil
}

func (db *DB) migrate(ctx context.Context) error {
	names, err := fs.Glob(migrations, "migrations/*.sql")
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	sort.Strings(names)
	return pgx.BeginFunc(ctx, db.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, migrationLock); err != nil {
			return fmt.Errorf("migrate: lock: %w", err)
		}
		if _, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY)`); err != nil {
			return fmt.Errorf("migrate: %w", err)
		}
		for _, name := range names {
			v, err := strconv.Atoi(strings.SplitN(filepath.Base(name), "_", 2)[0])
			if err != nil {
				return fmt.Errorf("migrate: migration %s: bad number: %w", name, err)
			}
			var n int
			if err := tx.QueryRow(ctx, `SELECT count(*) FROM schema_migrations WHERE version = $1`, v).Scan(&n); err != nil {
				return fmt.Errorf("migrate: %w", err)
			}
			if n > 0 {
				continue
			}
			body, err := migrations.ReadFile(name)
			if err != nil {
				return fmt.Errorf("migrate: %w", err)
			}
			if _, err := tx.Exec(ctx, string(body)); err != nil {
				return fmt.Errorf("migrate: apply %s: %w", name, err)
			}
			if _, err := tx.Exec(ctx, `INSERT INTO schema_migrations (version) VALUES ($1)`, v); err != nil {
				return fmt.Errorf("migrate: %w", err)
			}
		}
		return nil
	})
}

// Update implements store.Store: READ COMMITTED, log_head row locked first.
func (db *DB) Update(ctx context.Context, fn func(store.Tx) error) error {
	pgTx, err := db.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.ReadCommitted})
	if err != nil {
		return fmt.Errorf("postgres: begin: %w", err)
	}
	done := false
	defer func() {
		if !done {
			// A fresh context: the caller's may be cancelled already.
			pgTx.Rollback(context.WithoutCancel(ctx))
		}
	}()
	var size int64
	if err := pgTx.QueryRow(ctx, `SELECT size FROM log_head WHERE id = 1 FOR UPDATE`).Scan(&size); err != nil {
		return fmt.Errorf("postgres: lock log head: %w", err)
	}
	t := &tx{ctx: ctx, q: pgTx, locked: true, size: size}
	if err := fn(t); err != nil {
		return err
	}
	if t.size != size {
		if _, err := pgTx.Exec(ctx, `UPDATE log_head SET size = $1 WHERE id = 1`, t.size); err != nil {
			return fmt.Errorf("postgres: update log head: %w", err)
		}
	}
	done = true
	if err := pgTx.Commit(ctx); err != nil {
		pgTx.Rollback(context.WithoutCancel(ctx))
		return fmt.Errorf("postgres: commit: %w", err)
	}
	return nil
}

// View implements store.Store: REPEATABLE READ, READ ONLY.
func (db *DB) View(ctx context.Context, fn func(store.ReadTx) error) error {
	pgTx, err := db.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return fmt.Errorf("postgres: begin read: %w", err)
	}
	defer pgTx.Rollback(context.WithoutCancel(ctx))
	return fn(&tx{ctx: ctx, q: pgTx})
}

// Close implements store.Store.
func (db *DB) Close() error {
	db.pool.Close()
	return nil
}

// mapErr wraps err with the store sentinel it corresponds to, naming op.
func mapErr(op string, err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, pgx.ErrNoRows) {
		return fmt.Errorf("%s: %w", op, store.ErrNotFound)
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch pe.Code {
		case "23505": // unique_violation
			return fmt.Errorf("%s: %w (%v)", op, store.ErrConflict, err)
		case "23503": // foreign_key_violation
			return fmt.Errorf("%s: referenced row: %w (%v)", op, store.ErrNotFound, err)
		case "23514", "23502": // check_violation, not_null_violation
			return fmt.Errorf("%s: %w (%v)", op, store.ErrInvalid, err)
		}
	}
	return fmt.Errorf("%s: %w", op, err)
}
