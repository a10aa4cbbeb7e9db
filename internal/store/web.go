package store

import (
	"fmt"
	"time"
)

// What the web app keeps beside the registry's statements: password
// credentials, browser sessions, counts of failed sign-ins and server
// secrets. These are secrets or private (an e-mail address is never shown),
// so none of them is a log entry (DESIGN §5 logs what the registry says,
// not how its users sign in); they live in their own tables. The rest of
// what the web app changes (campaign edits, hidden listings, revocations)
// is registry state, written with its log entry.

// WebReader reads the web app's tables and the listings its pages need.
// Single-row methods return an error wrapping ErrNotFound when there is no
// such row.
type WebReader interface {
	// CredentialByLogin returns the credential whose normalised login is
	// login, or ErrNotFound.
	CredentialByLogin(login string) (Credential, error)
	// Credential returns the credential of an account, or ErrNotFound.
	Credential(accountID string) (Credential, error)
	// SessionByHash returns the session whose ID hashes to hash, or
	// ErrNotFound. Callers check its age themselves.
	SessionByHash(hash []byte) (Session, error)
	// SignInFailures returns the failed sign-ins counted under key, or
	// ErrNotFound when none are.
	SignInFailures(key string) (SignInFailures, error)
	// Secret returns the server secret called name, or ErrNotFound.
	Secret(name string) ([]byte, error)

	// CampaignsByAccount returns up to limit campaigns, newest first: all of them
	// when accountID is "", else those the account published.
	CampaignsByAccount(accountID string, limit int) ([]Campaign, error)
	// MemberDelegations returns every delegation a member gave, revoked or
	// not, oldest first.
	MemberDelegations(memberID string) ([]Delegation, error)
	// DeclarationsOnBehalfOf returns up to limit declarations that another
	// account made for memberID, ordered by ID, after after.
	DeclarationsOnBehalfOf(memberID, after string, limit int) ([]Declaration, error)
	// WorksRegisteredFor returns up to limit works of memberID that another
	// account registered for it, ordered by ID, after after.
	WorksRegisteredFor(memberID, after string, limit int) ([]Work, error)
	// SignaturesByAccount returns the campaign signatures an account made,
	// oldest first.
	SignaturesByAccount(accountID string) ([]Signature, error)
}

// WebWriter writes the web app's tables and the campaign changes its
// pages make.
type WebWriter interface {
	// CreateCredential stores an account's credential. ErrConflict if the
	// account has one or the login is taken, ErrNotFound if the account
	// does not exist.
	CreateCredential(c Credential) error
	// CreateSession stores a new session. ErrConflict if the hash exists,
	// ErrNotFound if the account does not.
	CreateSession(s Session) error
	// TouchSession sets a session's SeenAt; ErrNotFound if there is none.
	TouchSession(hash []byte, at time.Time) error
	// DeleteSession removes a session; removing a missing one is not an
	// error.
	DeleteSession(hash []byte) error
	// DeleteSessionsBefore removes the sessions created before created or
	// last seen before seen, and returns how many it removed.
	DeleteSessionsBefore(created, seen time.Time) (int64, error)
	// PutSignInFailures stores f, replacing what was counted under f.Key.
	PutSignInFailures(f SignInFailures) error
	// DeleteSignInFailures forgets the failures counted under key.
	DeleteSignInFailures(key string) error
	// PutSecret stores a server secret. ErrConflict if name exists (a
	// secret is never replaced: another process may have created it first,
	// and its value is then the one to read).
	PutSecret(name string, value []byte) error

	// UpdateCampaign replaces the title and statement of a campaign;
	// ErrNotFound if it does not exist.
	UpdateCampaign(id, title, statement string) error
	// SetSignatureHidden hides (or shows again) the listing of a signature
	// of campaignID; ErrNotFound if the campaign has no such signature.
	SetSignatureHidden(campaignID, signatureID string, hidden bool) error
}

// Credential is the password an account signs in to the web app with.
type Credential struct {
	AccountID string
	Login     string // the account name as signed in with, normalised; unique
	Password  string // a PHC-format password hash ($argon2id$...)
	Email     string // private, never shown to others; may be empty
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Session is a signed-in browser session. Only a hash of its ID is stored,
// so a copy of the database does not sign anyone in.
type Session struct {
	Hash      []byte // SHA-256 of the session ID; unique
	AccountID string
	CSRF      []byte // the synchronizer token the session's forms carry
	CreatedAt time.Time
	SeenAt    time.Time // its last request (to the minute)
}

// SignInFailures counts the failed sign-ins under one key: a login name or
// a client address.
type SignInFailures struct {
	Key         string
	Count       int
	LastAt      time.Time
	LockedUntil time.Time // zero when not locked
}

// ValidateCredential reports what breaks the contract in c.
func ValidateCredential(c Credential) error {
	if c.AccountID == "" || c.Login == "" || c.Password == "" {
		return fmt.Errorf("credential of %q: empty account, login or password: %w", c.AccountID, ErrInvalid)
	}
	return nil
}

// ValidateSession reports what breaks the contract in s.
func ValidateSession(s Session) error {
	if len(s.Hash) == 0 || s.AccountID == "" || len(s.CSRF) == 0 {
		return fmt.Errorf("session of %q: empty hash, account or CSRF token: %w", s.AccountID, ErrInvalid)
	}
	return nil
}
