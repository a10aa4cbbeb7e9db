// Package store is the one storage contract shared by the registry and the
// ledger (DESIGN §7): accounts, tokens, keys, works, declarations, domain
// claims, delegations, campaigns and the log, read and written in
// transactions so that a row and the log entry describing it commit together
// (DESIGN §5: no row without its entry, no entry without its row).
//
// Drivers live in subpackages (sqlite, postgres), are native to their
// engine and share no SQL. Every driver must pass the conformance suite in
// storetest. Drivers are chosen explicitly by the caller; nothing registers
// itself.
//
// The store holds the log's storage only: entry bytes, the RFC 6962 tree
// hashes in the layout of golang.org/x/mod/sumdb/tlog (stored hash indexes),
// and the latest signed checkpoint. Computing hashes, signing and proving is
// the ledger's job.
//
// What it does not do: no business rules (who may declare for what), no
// matching by similarity, no caching.
package store

import (
	"context"
	"errors"
	"time"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/askfirst/askfirst/wire"
)

// Sentinel errors. Drivers wrap them with the operation and the input, so
// callers test with errors.Is.
var (
	// ErrNotFound means the requested row does not exist, or a row the write
	// refers to (an account, a work, a declaration) does not.
	ErrNotFound = errors.New("not found")
	// ErrConflict means the write contradicts a row already stored: a
	// duplicate ID or unique key, a declaration already superseded, a log
	// append at an index other than the current size.
	ErrConflict = errors.New("conflict")
	// ErrInvalid means the value handed to a write breaks the contract (an
	// unknown kind, an empty required field) and was not stored.
	ErrInvalid = errors.New("invalid")
)

// Store is an open database.
//
// A Store is safe for concurrent use. Update transactions are serialised by
// the database (one writer, DESIGN §5), also across several processes on one
// PostgreSQL database; View transactions run concurrently with each other and
// with the writer on a consistent snapshot.
type Store interface {
	// Update runs fn in a read-write transaction and commits it if fn
	// returns nil; otherwise, or if fn panics, it rolls back and nothing fn
	// wrote (rows or log entries) remains. The error from fn is returned as
	// is. Update does not retry: fn runs exactly once per call, so a caller
	// may sign or count inside it. Results computed inside fn (receipts) must
	// be handed out only after Update returned nil.
	//
	// While fn runs it holds the one writer's lock for every process on the
	// database: fn must be short, must not call Update itself (it would wait
	// for itself) and must do no network I/O (fetch first, then write).
	Update(ctx context.Context, fn func(Tx) error) error
	// View runs fn in a read-only transaction on a consistent snapshot.
	View(ctx context.Context, fn func(ReadTx) error) error
	// Close releases the database. Transactions running concurrently with
	// Close fail.
	Close() error
}

// ReadTx reads within a transaction. A ReadTx is valid only during the
// function it was handed to and is not safe for concurrent use. List
// methods return an empty slice and a nil error when nothing matches; single
// row methods return an error wrapping ErrNotFound.
type ReadTx interface {
	// Account returns the account with id, or ErrNotFound.
	Account(id string) (Account, error)
	// TokenByHash returns the token whose hash is hash, revoked or not, or
	// ErrNotFound. Callers check Revoked themselves.
	TokenByHash(hash []byte) (Token, error)
	// Tokens returns the tokens of an account, oldest first.
	Tokens(accountID string) ([]Token, error)
	// Key returns the public key with id, revoked or not, or ErrNotFound.
	Key(id string) (Key, error)
	// Keys returns the public keys of an account, oldest first.
	Keys(accountID string) ([]Key, error)

	// Work returns the work with id, with its units and locators, or
	// ErrNotFound.
	Work(id string) (Work, error)
	// WorksByUnit returns the works having a unit whose code equals code
	// exactly (an "ISCC:..." string, or the ISCC-CODE itself).
	WorksByUnit(code string) ([]Work, error)
	// WorksByDatahash returns the works with this datahash.
	WorksByDatahash(datahash string) ([]Work, error)
	// WorksByURL returns the works with a locator equal to url.
	WorksByURL(url string) ([]Work, error)
	// WorksByDomain returns up to limit works with a locator on domain
	// (exact host, lower case), ordered by ID, with IDs greater than after.
	WorksByDomain(domain, after string, limit int) ([]Work, error)
	// WorksByAccount returns up to limit works owned by accountID, ordered by
	// ID, with IDs greater than after.
	WorksByAccount(accountID, after string, limit int) ([]Work, error)
	// ListWorks returns up to limit works ordered by ID with IDs greater than
	// after (pass "" to start): the enumeration that builds the in-memory
	// match index at start-up.
	ListWorks(after string, limit int) ([]Work, error)

	// Declaration returns the declaration with id, current or superseded, or
	// ErrNotFound.
	Declaration(id string) (Declaration, error)
	// CurrentDeclarations returns the declarations about exactly this
	// subject that no later declaration superseded, oldest first.
	CurrentDeclarations(s Subject) ([]Declaration, error)
	// URLPrefixDeclarations returns the current declarations whose subject
	// is a URL prefix on domain and a prefix of url, oldest first.
	URLPrefixDeclarations(domain, url string) ([]Declaration, error)
	// DeclarationsByAccount returns up to limit declarations made by
	// accountID (current and superseded), ordered by ID, after after.
	DeclarationsByAccount(accountID, after string, limit int) ([]Declaration, error)

	// DomainClaim returns accountID's claim on domain, or ErrNotFound.
	DomainClaim(domain, accountID string) (DomainClaim, error)
	// VerifiedDomain returns the verified claim on domain, or ErrNotFound.
	// At most one account holds a verified claim on a domain.
	VerifiedDomain(domain string) (DomainClaim, error)
	// DomainClaims returns the claims of an account, by domain.
	DomainClaims(accountID string) ([]DomainClaim, error)

	// Delegation returns the active (not revoked) delegation from memberID to
	// organisationID, or ErrNotFound.
	Delegation(memberID, organisationID string) (Delegation, error)
	// Delegations returns the active delegations to an organisation, oldest
	// first.
	Delegations(organisationID string) ([]Delegation, error)

	// Campaign returns the campaign with id, or ErrNotFound.
	Campaign(id string) (Campaign, error)
	// Campaigns returns up to limit campaigns ordered by ID, with IDs
	// greater than after.
	Campaigns(after string, limit int) ([]Campaign, error)
	// Signatures returns up to limit signatures of a campaign ordered by ID
	// after after; if listedOnly, only those whose signer chose to be listed
	// and whose listing the organiser did not hide.
	Signatures(campaignID string, listedOnly bool, after string, limit int) ([]Signature, error)
	// SignatureCount returns the number of signatures of a campaign and how
	// many of them are listed (chosen by the signer, not hidden). An unknown
	// campaign counts zero.
	SignatureCount(campaignID string) (total, listed int64, err error)

	// LogSize returns the number of entries in the log. In an Update it is
	// the size under the writer's lock, the index the next AppendLog takes.
	LogSize() (int64, error)
	// LogEntries returns the entries with indexes in [start, end), in order,
	// as the bytes stored. It returns ErrNotFound if end exceeds the size.
	LogEntries(start, end int64) ([][]byte, error)
	// ReadHashes returns the stored hashes at the given stored hash indexes
	// (tlog.StoredHashIndex), in the same order; ErrNotFound if any is
	// missing. It makes a ReadTx a tlog.HashReader.
	ReadHashes(indexes []int64) ([]tlog.Hash, error)
	// Checkpoint returns the latest stored signed checkpoint and the tree
	// size it commits to, or ErrNotFound before the first one.
	Checkpoint() (size int64, note []byte, err error)

	WebReader
}

// Tx reads and writes within an Update transaction. Times are stored to the
// microsecond and read back in UTC; a zero time means unset. Writes return
// ErrInvalid for a value breaking the contract, ErrConflict for a duplicate,
// ErrNotFound when a row they refer to is missing.
type Tx interface {
	ReadTx

	// CreateAccount stores a new account. ErrConflict if the ID exists.
	CreateAccount(a Account) error
	// CreateToken stores a token for an existing account. ErrConflict if the
	// ID or the hash exists, ErrNotFound if the account does not.
	CreateToken(t Token) error
	// RevokeToken marks the token revoked at at. Revoking a revoked token
	// keeps the first time. ErrNotFound if the token does not exist.
	RevokeToken(id string, at time.Time) error
	// AddKey stores a public key for an existing account. ErrConflict if the
	// ID exists, ErrNotFound if the account does not.
	AddKey(k Key) error
	// RevokeKey marks the key revoked at at; ErrNotFound if it does not
	// exist.
	RevokeKey(id string, at time.Time) error

	// CreateWork stores a work with its units and locators. ErrConflict if
	// the ID exists, ErrNotFound if its account does not.
	CreateWork(w Work) error

	// AddDeclaration stores a declaration. If d.Supersedes is set, the
	// declaration it names is marked superseded by d in the same write:
	// ErrNotFound if it does not exist, ErrConflict if something already
	// superseded it. ErrConflict if the ID exists.
	AddDeclaration(d Declaration) error

	// CreateDomainClaim stores a pending claim. ErrConflict if the account
	// already claims the domain.
	CreateDomainClaim(c DomainClaim) error
	// VerifyDomain marks accountID's claim on domain verified by method at
	// at, logged at logIndex. ErrNotFound if there is no such claim,
	// ErrConflict if another account holds a verified claim on the domain.
	VerifyDomain(domain, accountID, method string, at time.Time, logIndex int64) error

	// CreateDelegation stores a delegation from a member to an organisation.
	// ErrConflict if an active one exists, ErrNotFound if either account
	// does not.
	CreateDelegation(d Delegation) error
	// RevokeDelegation revokes the active delegation; ErrNotFound if none.
	RevokeDelegation(memberID, organisationID string, at time.Time) error

	// CreateCampaign stores a campaign. ErrConflict if the ID exists.
	CreateCampaign(c Campaign) error
	// AddSignature stores a signature of a campaign. ErrConflict if the ID
	// exists or the account already signed; ErrNotFound if the campaign
	// does not exist.
	AddSignature(s Signature) error

	// AppendLog stores entry as log entry index together with the tree
	// hashes tlog.StoredHashes computed for it (stored from
	// tlog.StoredHashIndex(0, index) on). index must equal LogSize():
	// otherwise ErrConflict, and nothing is stored.
	AppendLog(index int64, entry []byte, hashes []tlog.Hash) error
	// PutCheckpoint stores note as the latest signed checkpoint, committing
	// to a tree of size entries. size must not exceed LogSize() nor be
	// smaller than the stored checkpoint's size: otherwise ErrConflict.
	PutCheckpoint(size int64, note []byte) error

	WebWriter
}

// Account kinds.
const (
	KindCreator      = wire.KindCreator
	KindOrganisation = wire.KindOrganisation
	KindDeveloper    = wire.KindDeveloper
)

// Account is a party: a creator, an organisation acting for members, or a
// developer (DESIGN §2).
type Account struct {
	ID        string
	Kind      string // KindCreator, KindOrganisation or KindDeveloper
	Name      string
	CreatedAt time.Time
	LogIndex  int64 // the log entry that created it
}

// Token scopes.
const (
	ScopeRead  = wire.ScopeRead
	ScopeWrite = wire.ScopeWrite
)

// Token is an API token. Only a hash of the secret is stored (DESIGN §8).
type Token struct {
	ID        string
	AccountID string
	Hash      []byte // e.g. SHA-256 of the secret; unique
	Scope     string // ScopeRead or ScopeWrite
	Label     string
	CreatedAt time.Time
	RevokedAt time.Time // zero while valid
}

// Revoked reports whether the token was revoked.
func (t Token) Revoked() bool { return !t.RevokedAt.IsZero() }

// Key is an Ed25519 public key an account signs its declarations with.
type Key struct {
	ID        string
	AccountID string
	PublicKey []byte // 32 bytes, Ed25519
	CreatedAt time.Time
	RevokedAt time.Time // zero while valid
	LogIndex  int64
}

// Revoked reports whether the key was revoked.
func (k Key) Revoked() bool { return !k.RevokedAt.IsZero() }

// Unit is one ISCC unit of a work, indexed for exact lookup by Code.
type Unit struct {
	Kind string // "meta", "content", "data", "instance", or a finer type
	Bits int    // 64 or 256
	Code string // canonical "ISCC:..." string of the unit
}

// Work is a creative item known by its content codes (DESIGN §2).
type Work struct {
	ID           string
	AccountID    string // the owner: the creator, or the member an organisation registered for
	RegisteredBy string // the account that wrote it (the owner, or its organisation)
	ISCC         string // the ISCC-CODE, may be empty
	Units        []Unit
	Datahash     string // may be empty
	PDQ          []byte // 32-byte PDQ hash, nil when none
	PDQQuality   int
	Mediatype    string
	Filesize     int64
	Title        string
	Creator      string
	Locators     []Locator // where the work is published
	CreatedAt    time.Time
	LogIndex     int64
}

// Locator is a URL where a work is published, with its host (lower case)
// for lookups by domain.
type Locator struct {
	URL    string
	Domain string
}

// Subject kinds of a declaration.
const (
	SubjectWork      = wire.SubjectWork      // Value: a work ID
	SubjectAccount   = wire.SubjectAccount   // Value: an account ID (all its works)
	SubjectDomain    = wire.SubjectDomain    // Value: a verified domain
	SubjectURLPrefix = wire.SubjectURLPrefix // Value: a URL prefix; Domain: its host
)

// Subject is what a declaration is about: the wire's Subject, so that it
// never reaches the wire (or the log) in another shape.
type Subject = wire.Subject

// Declaration is an account's statement about a subject: per use, deny,
// allow or license with an offer (DESIGN §2). Declarations are never
// edited; a new one supersedes an old one.
type Declaration struct {
	ID           string
	AccountID    string // who declared (the owner, or its organisation)
	OnBehalfOf   string // the member an organisation declared for; may be empty
	Subject      Subject
	Terms        []Term
	Supersedes   string // the declaration this one replaces; may be empty
	SupersededBy string // set by the store when a later one supersedes it
	Statement    []byte // the canonical JSON statement as logged
	Signature    []byte // the account's Ed25519 signature over Statement; may be nil
	KeyID        string // the key that made Signature
	CreatedAt    time.Time
	LogIndex     int64
}

// Term is the decision for one use, and Offer a licence offer: the wire's
// types. Drivers store a declaration's terms as their JSON.
type (
	Term  = wire.Term
	Offer = wire.Offer
)

// Domain claim states.
const (
	DomainPending  = wire.DomainStatePending
	DomainVerified = wire.DomainStateVerified
)

// DomainClaim is an account's claim on a domain, verified by a token served
// at https://DOMAIN/.well-known/askfirst.txt or in a DNS TXT record.
type DomainClaim struct {
	Domain     string
	AccountID  string
	Token      string // the verification token
	State      string // DomainPending or DomainVerified
	Method     string // "http" or "dns" once verified
	CreatedAt  time.Time
	VerifiedAt time.Time
	LogIndex   int64 // the entry of the verification; 0 while pending
}

// Delegation lets an organisation register and declare for a member.
type Delegation struct {
	MemberID       string
	OrganisationID string
	CreatedAt      time.Time
	RevokedAt      time.Time
	LogIndex       int64
}

// Campaign is a statement an organisation publishes for others to sign.
type Campaign struct {
	ID        string
	AccountID string
	Title     string
	Statement string
	CreatedAt time.Time
	LogIndex  int64
}

// Signature is one signature of a campaign.
type Signature struct {
	ID            string
	CampaignID    string
	AccountID     string
	Name          string
	Role          string
	Domain        string // a domain the signer verified; may be empty
	Listed        bool   // the signer chose to be listed publicly
	DeclarationID string // a blanket declaration carried by the signature; may be empty
	// Hidden is set when the campaign's organiser hid the listing
	// (moderation); the signature still counts.
	Hidden    bool
	CreatedAt time.Time
	LogIndex  int64
}
