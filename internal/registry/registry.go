// Package registry holds the rules of the askfirst registry (DESIGN §2,
// §5, §8): who may register works, declare, claim domains, act for members
// and sign campaigns, and how every such statement becomes a log entry in
// the same transaction as its row, with a receipt for the caller.
//
// It is the layer under internal/api: it knows nothing of HTTP. Storage is
// internal/store, the log internal/ledger, similarity matching the match
// package (index.go).
package registry

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base32"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/askfirst/askfirst/internal/ledger"
	"github.com/askfirst/askfirst/internal/store"
	"github.com/askfirst/askfirst/wire"
)

// Errors returned by the registry's operations; internal/api maps each to
// an HTTP status. Store errors (store.ErrNotFound, store.ErrConflict) pass
// through wrapped.
var (
	// ErrUnauthenticated: no token, or an unknown or revoked one.
	ErrUnauthenticated = errors.New("unauthenticated")
	// ErrForbidden: the caller may not do this (another party's work,
	// domain or member, a read-only token, the wrong account kind).
	ErrForbidden = errors.New("forbidden")
	// ErrInvalid: the request breaks a rule (a missing field, an unknown
	// use, a value over its cap); the message says which.
	ErrInvalid = errors.New("invalid request")
	// ErrUnverified: a domain used before its claim was verified.
	ErrUnverified = errors.New("domain not verified")
)

func invalidf(format string, a ...any) error {
	return fmt.Errorf("%w: %s", ErrInvalid, fmt.Sprintf(format, a...))
}

// Caps on what one request may hold (DESIGN §8), as the wire declares
// them.
const (
	MaxBatch       = wire.MaxBatch // works per register call, items per match call
	MaxNameLen     = wire.MaxNameLen
	MaxTextLen     = wire.MaxTextLen // titles, campaign statements
	MaxURLLen      = wire.MaxURLLen
	MaxLocators    = wire.MaxLocators
	MaxUnits       = 16
	MaxTerms       = wire.MaxTerms
	MaxPriceLen    = wire.MaxPriceLen
	tokenPrefix    = "askfirst_"
	tokenSecretLen = 32
)

// Registry is the registry's rule book. It is safe for concurrent use.
type Registry struct {
	st    store.Store
	led   *ledger.Ledger
	index *Index
	now   func() time.Time
	// Verifier checks domain claims; nil means the network (HTTPS
	// well-known file and DNS TXT).
	verifier DomainVerifier
	// Web sessions end after this long without a request, or this long
	// after sign-in.
	sessionIdle, sessionMax time.Duration
}

// Config configures New.
type Config struct {
	Store  store.Store
	Ledger *ledger.Ledger
	// Now returns the time; nil means time.Now.
	Now func() time.Time
	// Verifier checks domain claims; nil means NetVerifier with defaults.
	Verifier DomainVerifier
	// SessionIdle and SessionMax are the web sessions' idle and absolute
	// timeouts; zero means DefaultSessionIdle and DefaultSessionMax.
	SessionIdle, SessionMax time.Duration
}

// New returns a registry over cfg.Store and cfg.Ledger, with its content
// index built from the works stored.
func New(ctx context.Context, cfg Config) (*Registry, error) {
	if cfg.Store == nil || cfg.Ledger == nil {
		return nil, errors.New("registry: Store and Ledger are required")
	}
	r := &Registry{st: cfg.Store, led: cfg.Ledger, now: cfg.Now, verifier: cfg.Verifier, sessionIdle: cfg.SessionIdle, sessionMax: cfg.SessionMax}
	if r.sessionIdle <= 0 {
		r.sessionIdle = DefaultSessionIdle
	}
	if r.sessionMax <= 0 {
		r.sessionMax = DefaultSessionMax
	}
	if r.now == nil {
		r.now = time.Now
	}
	if r.verifier == nil {
		r.verifier = &NetVerifier{}
	}
	idx, err := BuildIndex(ctx, cfg.Store)
	if err != nil {
		return nil, err
	}
	r.index = idx
	return r, nil
}

// Index returns the registry's content index.
func (r *Registry) Index() *Index { return r.index }

// Ledger returns the registry's log.
func (r *Registry) Ledger() *ledger.Ledger { return r.led }

// Store returns the registry's store.
func (r *Registry) Store() store.Store { return r.st }

func (r *Registry) timestamp() time.Time { return r.now().UTC().Truncate(time.Millisecond) }

// newID returns a random identifier with a type prefix, e.g. "wrk_…".
func newID(prefix string) string {
	var b [16]byte
	rand.Read(b[:])
	return prefix + "_" + strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b[:]))
}

// Principal is an authenticated caller.
type Principal struct {
	Account store.Account
	Token   store.Token
}

// CanWrite reports whether the principal's token may write.
func (p Principal) CanWrite() bool { return p.Token.Scope == store.ScopeWrite }

func hashToken(secret string) []byte {
	h := sha256.Sum256([]byte(secret))
	return h[:]
}

// Authenticate returns the principal holding the bearer token secret.
// Only a hash of a token is stored; lookup is by hash, then compared in
// constant time.
func (r *Registry) Authenticate(ctx context.Context, secret string) (Principal, error) {
	if !strings.HasPrefix(secret, tokenPrefix) || len(secret) > 200 {
		return Principal{}, ErrUnauthenticated
	}
	h := hashToken(secret)
	var p Principal
	err := r.st.View(ctx, func(tx store.ReadTx) error {
		t, err := tx.TokenByHash(h)
		if err != nil {
			return err
		}
		if subtle.ConstantTimeCompare(t.Hash, h) != 1 || t.Revoked() {
			return ErrUnauthenticated
		}
		a, err := tx.Account(t.AccountID)
		if err != nil {
			return err
		}
		p = Principal{Account: a, Token: t}
		return nil
	})
	if errors.Is(err, store.ErrNotFound) {
		return Principal{}, ErrUnauthenticated
	}
	return p, err
}

func newSecret() string {
	var b [tokenSecretLen]byte
	rand.Read(b[:])
	return tokenPrefix + strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b[:]))
}

// write runs fn in a write transaction; fn appends its statements with
// the appender it is given, and write seals them into receipts, handed out
// only after the transaction committed.
func (r *Registry) write(ctx context.Context, fn func(tx store.Tx, log func(statement any) (int64, error)) error) ([]ledger.Receipt, error) {
	var receipts []ledger.Receipt
	err := r.st.Update(ctx, func(tx store.Tx) error {
		var entries []ledger.Entry
		log := func(statement any) (int64, error) {
			e, err := r.led.Append(tx, statement)
			if err != nil {
				return 0, err
			}
			entries = append(entries, e)
			return e.Index, nil
		}
		if err := fn(tx, log); err != nil {
			return err
		}
		if len(entries) == 0 {
			return nil
		}
		var err error
		receipts, err = r.led.Seal(tx, entries...)
		return err
	})
	if err != nil {
		return nil, err
	}
	return receipts, nil
}

// requireWrite checks that p may write.
func requireWrite(p Principal) error {
	if !p.CanWrite() {
		return fmt.Errorf("%w: this token is read-only", ErrForbidden)
	}
	return nil
}

func checkLen(field, v string, limit int) error {
	if len(v) > limit {
		return invalidf("%s is %d bytes, the limit is %d", field, len(v), limit)
	}
	return nil
}

func rfc3339(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }
