package registry

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"time"

	"golang.org/x/text/unicode/norm"

	"github.com/askfirst/askfirst/internal/ledger"
	"github.com/askfirst/askfirst/internal/store"
)

// Signing in to the web app: accounts joined with a name and a password,
// sessions, and the lock-out that slows password guessing. Passwords,
// sessions and e-mail addresses are secrets and private data: they are
// stored in their own tables and never written to the log (DESIGN §5);
// the account itself is an ordinary, logged account.

// Errors of signing in.
var (
	// ErrBadCredentials: no account has this name, or the password is
	// wrong (the two are not told apart). It wraps ErrUnauthenticated.
	ErrBadCredentials = fmt.Errorf("%w: the name or the password is wrong", ErrUnauthenticated)
	// ErrSessionEnded: the session is unknown, signed out, or past its idle
	// or absolute timeout. It wraps ErrUnauthenticated.
	ErrSessionEnded = fmt.Errorf("%w: the session has ended; sign in again", ErrUnauthenticated)
	// ErrLocked is wrapped by a *LockedError.
	ErrLocked = errors.New("too many failed sign-ins")
)

// LockedError is returned by SignIn while sign-ins with a name, or from a
// client address, are locked after repeated failures.
type LockedError struct {
	Until time.Time
	// ByAddress is true when the client address is locked, false when the
	// name is.
	ByAddress bool
}

func (e *LockedError) Error() string {
	what := "this name"
	if e.ByAddress {
		what = "your network address"
	}
	return fmt.Sprintf("%v with %s: try again after %s UTC", ErrLocked, what, e.Until.UTC().Format("15:04"))
}

func (e *LockedError) Unwrap() error { return ErrLocked }

// Lock-out (OWASP Authentication Cheat Sheet, "Account lockout"): after
// LoginLockAfter failed sign-ins with one name, or AddressLockAfter from
// one address (an IPv6 /64 counts as one), further attempts are refused
// without checking the password for LockBase, doubling with each further
// failure up to LockMax. Counts are forgotten FailureMemory after the last
// failure; a successful sign-in clears the name's count.
const (
	LoginLockAfter   = 5
	AddressLockAfter = 20
	LockBase         = time.Minute
	LockMax          = time.Hour
	FailureMemory    = 24 * time.Hour
)

// Session timeouts (OWASP Session Management Cheat Sheet, "Session
// Expiration"): DefaultSessionIdle without a request ends a session, and
// none lives longer than DefaultSessionMax.
const (
	DefaultSessionIdle = 30 * time.Minute
	DefaultSessionMax  = 8 * time.Hour
	// sessionTouch is how stale SeenAt may get before a request writes it.
	sessionTouch = time.Minute
	// sessionSecretLen is the random bytes of a session ID (256 bits).
	sessionSecretLen = 32
	// MaxEmailLen caps an e-mail address (RFC 5321's path limit).
	MaxEmailLen = 254
)

// LoginName normalises an account name for signing in: Unicode NFKC,
// lower case, runs of spaces as one. "Jane  Doe" and "jane doe" are the
// same login.
func LoginName(name string) string {
	return strings.Join(strings.Fields(strings.ToLower(norm.NFKC.String(name))), " ")
}

// JoinInput is an account created on the web app.
type JoinInput struct {
	Name     string
	Kind     string // creator (default), organisation or developer
	Password string
	Email    string // optional, kept private
}

// WebSession is a signed-in session. Secret is the session ID the
// browser holds (only its hash is stored); CSRF is the synchronizer token
// its forms and requests carry.
type WebSession struct {
	Principal Principal
	Secret    string
	CSRF      string
	Created   time.Time
}

// Join creates an account with a password (and its log entry, as
// CreateAccount does, but no API token: tokens are made on the account
// page) and signs it in. The name must not be in use by another account
// that signs in with a password (store.ErrConflict).
func (r *Registry) Join(ctx context.Context, in JoinInput) (WebSession, ledger.Receipt, error) {
	name := strings.TrimSpace(in.Name)
	login := LoginName(name)
	if err := checkPassword(in.Password); err != nil {
		return WebSession{}, ledger.Receipt{}, err
	}
	email := strings.TrimSpace(in.Email)
	if email != "" && (len(email) > MaxEmailLen || !strings.Contains(email, "@") || strings.ContainsAny(email, " \t\r\n<>\"")) {
		return WebSession{}, ledger.Receipt{}, invalidf("e-mail address %q: want an address such as jane@example.org", email)
	}
	kind, err := checkAccount(name, in.Kind)
	if err != nil {
		return WebSession{}, ledger.Receipt{}, err
	}
	// Hash before the transaction: the writer's lock is not held for it.
	hash, err := HashPassword(ctx, in.Password)
	if err != nil {
		return WebSession{}, ledger.Receipt{}, err
	}
	now := r.timestamp()
	var a store.Account
	var sess WebSession
	rs, err := r.write(ctx, func(tx store.Tx, log func(any) (int64, error)) error {
		if _, err := tx.CredentialByLogin(login); err == nil {
			return fmt.Errorf("%w: the name %q is taken; choose another, or sign in", store.ErrConflict, name)
		}
		if a, err = createAccount(tx, log, name, kind, now); err != nil {
			return err
		}
		if err := tx.CreateCredential(store.Credential{AccountID: a.ID, Login: login, Password: hash, Email: email, CreatedAt: now, UpdatedAt: now}); err != nil {
			return err
		}
		sess, err = newSession(tx, a, now)
		return err
	})
	if err != nil {
		return WebSession{}, ledger.Receipt{}, fmt.Errorf("join as %q: %w", name, err)
	}
	return sess, rs[0], nil
}

func checkPassword(pw string) error {
	switch {
	case len(pw) < MinPasswordLen:
		return invalidf("the password is %d characters; use at least %d (a few words are easy to remember)", len([]rune(pw)), MinPasswordLen)
	case len(pw) > MaxPasswordLen:
		return invalidf("the password is over %d bytes", MaxPasswordLen)
	}
	return nil
}

// newSession creates a session for a in tx.
func newSession(tx store.Tx, a store.Account, now time.Time) (WebSession, error) {
	secret := randomToken(sessionSecretLen)
	csrf := make([]byte, 32)
	rand.Read(csrf)
	h := sha256.Sum256([]byte(secret))
	s := store.Session{Hash: h[:], AccountID: a.ID, CSRF: csrf, CreatedAt: now, SeenAt: now}
	if err := tx.CreateSession(s); err != nil {
		return WebSession{}, err
	}
	return WebSession{Principal: sessionPrincipal(a, s), Secret: secret, CSRF: base64.RawURLEncoding.EncodeToString(csrf), Created: now}, nil
}

func randomToken(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// sessionPrincipal is the principal of a session: the account, with a
// write "token" named after the session so that rate limits count per
// session.
func sessionPrincipal(a store.Account, s store.Session) Principal {
	return Principal{Account: a, Token: store.Token{ID: fmt.Sprintf("ses_%x", s.Hash[:8]), AccountID: a.ID, Scope: store.ScopeWrite,
		Label: "web session", CreatedAt: s.CreatedAt}}
}

// addressKey is the failure-count key of a client address: the address,
// or its /64 for IPv6 (one subscriber usually holds a whole /64).
func addressKey(addr string) string {
	ip, err := netip.ParseAddr(addr)
	if err != nil {
		return "addr:" + addr
	}
	ip = ip.Unmap()
	if ip.Is6() {
		p, _ := ip.Prefix(64)
		return "addr:" + p.String()
	}
	return "addr:" + ip.String()
}

// SignIn checks name and password and starts a new session (a fresh ID
// at every sign-in, so a session ID planted before it is worthless).
// addr is the client address the attempt comes from. It returns
// ErrBadCredentials, or a *LockedError while the name or the address is
// locked out.
func (r *Registry) SignIn(ctx context.Context, name, password, addr string) (WebSession, error) {
	login := LoginName(name)
	keys := []string{"login:" + login, addressKey(addr)}
	now := r.timestamp()
	var cred store.Credential
	var credErr error
	err := r.st.View(ctx, func(tx store.ReadTx) error {
		for i, k := range keys {
			f, err := tx.SignInFailures(k)
			if errors.Is(err, store.ErrNotFound) {
				continue
			}
			if err != nil {
				return err
			}
			if f.LockedUntil.After(now) {
				return &LockedError{Until: f.LockedUntil, ByAddress: i == 1}
			}
		}
		cred, credErr = tx.CredentialByLogin(login)
		if credErr != nil && !errors.Is(credErr, store.ErrNotFound) {
			return credErr
		}
		return nil
	})
	if err != nil {
		return WebSession{}, fmt.Errorf("sign in: %w", err)
	}
	hash := cred.Password
	if credErr != nil {
		hash = dummyHash
	}
	ok, err := CheckPassword(ctx, hash, password)
	if err != nil {
		return WebSession{}, fmt.Errorf("sign in: %w", err)
	}
	if !ok || credErr != nil {
		if err := r.countFailure(ctx, keys, now); err != nil {
			return WebSession{}, fmt.Errorf("sign in: %w", err)
		}
		return WebSession{}, ErrBadCredentials
	}
	var sess WebSession
	err = r.st.Update(ctx, func(tx store.Tx) error {
		if err := tx.DeleteSignInFailures(keys[0]); err != nil {
			return err
		}
		a, err := tx.Account(cred.AccountID)
		if err != nil {
			return err
		}
		// Sweep ended sessions now and then: at every sign-in.
		if _, err := tx.DeleteSessionsBefore(now.Add(-r.sessionMax), now.Add(-r.sessionIdle)); err != nil {
			return err
		}
		sess, err = newSession(tx, a, now)
		return err
	})
	if err != nil {
		return WebSession{}, fmt.Errorf("sign in: %w", err)
	}
	return sess, nil
}

// countFailure adds a failed sign-in under each key and locks the keys
// over their threshold.
func (r *Registry) countFailure(ctx context.Context, keys []string, now time.Time) error {
	return r.st.Update(ctx, func(tx store.Tx) error {
		for i, k := range keys {
			f, err := tx.SignInFailures(k)
			if err != nil && !errors.Is(err, store.ErrNotFound) {
				return err
			}
			if err != nil || now.Sub(f.LastAt) > FailureMemory {
				f = store.SignInFailures{Key: k}
			}
			f.Count++
			f.LastAt = now
			after := LoginLockAfter
			if i == 1 {
				after = AddressLockAfter
			}
			if f.Count >= after {
				d := LockMax
				if shift := f.Count - after; shift < 10 {
					d = min(LockMax, LockBase<<shift)
				}
				f.LockedUntil = now.Add(d)
			}
			if err := tx.PutSignInFailures(f); err != nil {
				return err
			}
		}
		return nil
	})
}

// Session returns the session whose ID is secret, or ErrSessionEnded. A
// session past its idle or absolute timeout is deleted.
func (r *Registry) Session(ctx context.Context, secret string) (WebSession, error) {
	if secret == "" || len(secret) > 128 {
		return WebSession{}, ErrSessionEnded
	}
	h := sha256.Sum256([]byte(secret))
	now := r.timestamp()
	var s store.Session
	var a store.Account
	err := r.st.View(ctx, func(tx store.ReadTx) error {
		var err error
		if s, err = tx.SessionByHash(h[:]); err != nil {
			return err
		}
		a, err = tx.Account(s.AccountID)
		return err
	})
	if errors.Is(err, store.ErrNotFound) {
		return WebSession{}, ErrSessionEnded
	}
	if err != nil {
		return WebSession{}, fmt.Errorf("session: %w", err)
	}
	if now.Sub(s.CreatedAt) >= r.sessionMax || now.Sub(s.SeenAt) >= r.sessionIdle {
		if err := r.st.Update(ctx, func(tx store.Tx) error { return tx.DeleteSession(h[:]) }); err != nil {
			return WebSession{}, fmt.Errorf("session: %w", err)
		}
		return WebSession{}, ErrSessionEnded
	}
	if now.Sub(s.SeenAt) >= sessionTouch {
		err := r.st.Update(ctx, func(tx store.Tx) error { return tx.TouchSession(h[:], now) })
		if errors.Is(err, store.ErrNotFound) {
			return WebSession{}, ErrSessionEnded // signed out meanwhile
		}
		if err != nil {
			return WebSession{}, fmt.Errorf("session: %w", err)
		}
	}
	return WebSession{Principal: sessionPrincipal(a, s), Secret: secret, CSRF: base64.RawURLEncoding.EncodeToString(s.CSRF), Created: s.CreatedAt}, nil
}

// SignOut ends the session whose ID is secret; an unknown one is no error.
func (r *Registry) SignOut(ctx context.Context, secret string) error {
	h := sha256.Sum256([]byte(secret))
	return r.st.Update(ctx, func(tx store.Tx) error { return tx.DeleteSession(h[:]) })
}

// Email returns the private e-mail address an account joined with, for
// its own account page; "" when none.
func (r *Registry) Email(ctx context.Context, accountID string) (string, error) {
	var email string
	err := r.st.View(ctx, func(tx store.ReadTx) error {
		c, err := tx.Credential(accountID)
		if errors.Is(err, store.ErrNotFound) {
			return nil
		}
		email = c.Email
		return err
	})
	return email, err
}

// Secret returns the server secret called name, creating it (size random
// bytes) on first use. Every process on the database reads the same one.
func (r *Registry) Secret(ctx context.Context, name string, size int) ([]byte, error) {
	var v []byte
	err := r.st.View(ctx, func(tx store.ReadTx) error {
		var err error
		v, err = tx.Secret(name)
		return err
	})
	if err == nil {
		return v, nil
	}
	if !errors.Is(err, store.ErrNotFound) {
		return nil, fmt.Errorf("secret %s: %w", name, err)
	}
	fresh := make([]byte, size)
	rand.Read(fresh)
	err = r.st.Update(ctx, func(tx store.Tx) error {
		if old, err := tx.Secret(name); err == nil {
			v = old // another process was first
			return nil
		}
		v = fresh
		return tx.PutSecret(name, fresh)
	})
	if err != nil {
		return nil, fmt.Errorf("secret %s: %w", name, err)
	}
	return v, nil
}

// AccountByLogin returns the account that signs in to the web app with
// name (compared as LoginName does), or store.ErrNotFound.
func (r *Registry) AccountByLogin(ctx context.Context, name string) (store.Account, error) {
	var a store.Account
	err := r.st.View(ctx, func(tx store.ReadTx) error {
		c, err := tx.CredentialByLogin(LoginName(name))
		if err != nil {
			return err
		}
		a, err = tx.Account(c.AccountID)
		return err
	})
	return a, err
}
