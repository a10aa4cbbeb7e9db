package wire

// TimeLayout is the layout of every time on the wire: RFC 3339 in UTC
// with milliseconds, such as 2026-03-01T12:00:00.000Z.
const TimeLayout = "2006-01-02T15:04:05.000Z07:00"

// Account kinds.
const (
	KindCreator      = "creator"
	KindOrganisation = "organisation"
	KindDeveloper    = "developer"
)

// Token scopes.
const (
	ScopeRead  = "read"
	ScopeWrite = "write"
)

// Account is a party as the API shows it: a creator, an organisation
// acting for members, or a developer (DESIGN §2).
type Account struct {
	ID string `json:"id"`
	// Kind is KindCreator, KindOrganisation or KindDeveloper.
	Kind    string `json:"kind"`
	Name    string `json:"name"`
	Created string `json:"created"`
	// LogIndex is the log entry that created the account.
	LogIndex int64 `json:"log_index"`
}

// CreateAccountRequest is the body of POST /v1/accounts.
type CreateAccountRequest struct {
	Name string `json:"name"`
	// Kind is KindCreator (the default when empty), KindOrganisation or
	// KindDeveloper.
	Kind string `json:"kind,omitempty"`
}

// AccountCreated answers POST /v1/accounts: the account, the secret of its
// first token (write scope; shown once, stored only as a hash) and the
// receipt of its log entry.
type AccountCreated struct {
	Account Account `json:"account"`
	Token   string  `json:"token"`
	Receipt Receipt `json:"receipt"`
}

// Token is an API token as the API shows it: never its secret.
type Token struct {
	ID string `json:"id"`
	// Scope is ScopeRead or ScopeWrite.
	Scope string `json:"scope"`
	Label string `json:"label,omitempty"`
}

// Me answers GET /v1/accounts/me: the caller's account and the token it
// authenticated with.
type Me struct {
	Account Account `json:"account"`
	Token   Token   `json:"token"`
}

// CreateTokenRequest is the body of POST /v1/tokens.
type CreateTokenRequest struct {
	// Scope is ScopeRead or ScopeWrite.
	Scope string `json:"scope"`
	Label string `json:"label,omitempty"`
}

// TokenCreated answers POST /v1/tokens: the new token and its secret,
// shown once.
type TokenCreated struct {
	ID     string `json:"id"`
	Scope  string `json:"scope"`
	Label  string `json:"label,omitempty"`
	Secret string `json:"token"`
}

// AddKeyRequest is the body of POST /v1/keys.
type AddKeyRequest struct {
	// PublicKey is the 32-byte Ed25519 public key (base64 in JSON) that
	// verifies the account's self-signed declarations.
	PublicKey []byte `json:"public_key"`
}

// KeyAdded answers POST /v1/keys.
type KeyAdded struct {
	ID      string  `json:"id"`
	Receipt Receipt `json:"receipt"`
}

// DelegateRequest is the body of POST /v1/delegations: the caller lets
// the organisation register works and declare for it.
type DelegateRequest struct {
	Organisation string `json:"organisation"`
}

// Delegated answers POST /v1/delegations.
type Delegated struct {
	Receipt Receipt `json:"receipt"`
}

// DelegationRevoked answers DELETE /v1/delegations/{organisation}: the
// organisation no longer acts for the caller from this log entry on.
type DelegationRevoked struct {
	Organisation string  `json:"organisation"`
	Receipt      Receipt `json:"receipt"`
}

// KeyRevoked answers DELETE /v1/keys/{id}: signatures by the key are
// refused from this log entry on.
type KeyRevoked struct {
	ID      string  `json:"id"`
	Receipt Receipt `json:"receipt"`
}
