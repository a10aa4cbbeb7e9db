package registry

import (
	"context"
	"crypto/ed25519"
	"fmt"
	"strings"
	"time"

	"github.com/askfirst/askfirst/internal/ledger"
	"github.com/askfirst/askfirst/internal/store"
)

// accountStatement is the log entry of a new account.
type accountStatement struct {
	Type    string `json:"type"` // "account"
	ID      string `json:"id"`
	Kind    string `json:"kind"`
	Name    string `json:"name"`
	Created string `json:"created"`
}

// CreateAccount creates an account of kind (creator, organisation or
// developer) and its first write token, whose secret is returned once and
// stored only as a hash.
func (r *Registry) CreateAccount(ctx context.Context, name, kind string) (store.Account, string, ledger.Receipt, error) {
	name = strings.TrimSpace(name)
	kind, err := checkAccount(name, kind)
	if err != nil {
		return store.Account{}, "", ledger.Receipt{}, err
	}
	now := r.timestamp()
	var a store.Account
	secret := newSecret()
	rs, err := r.write(ctx, func(tx store.Tx, log func(any) (int64, error)) error {
		var err error
		if a, err = createAccount(tx, log, name, kind, now); err != nil {
			return err
		}
		return tx.CreateToken(store.Token{ID: newID("tok"), AccountID: a.ID, Hash: hashToken(secret),
			Scope: store.ScopeWrite, Label: "created with the account", CreatedAt: now})
	})
	if err != nil {
		return store.Account{}, "", ledger.Receipt{}, fmt.Errorf("create account %q: %w", name, err)
	}
	return a, secret, rs[0], nil
}

// checkAccount validates a new account's name and kind and returns the
// kind (creator when empty).
func checkAccount(name, kind string) (string, error) {
	if kind == "" {
		kind = store.KindCreator
	}
	switch kind {
	case store.KindCreator, store.KindOrganisation, store.KindDeveloper:
	default:
		return "", invalidf("kind %q: want creator, organisation or developer", kind)
	}
	if name == "" {
		return "", invalidf("name is required")
	}
	return kind, checkLen("name", name, MaxNameLen)
}

// createAccount writes a new account and its log entry in tx.
func createAccount(tx store.Tx, log func(any) (int64, error), name, kind string, now time.Time) (store.Account, error) {
	a := store.Account{ID: newID("acc"), Kind: kind, Name: name, CreatedAt: now}
	idx, err := log(accountStatement{Type: "account", ID: a.ID, Kind: kind, Name: name, Created: rfc3339(now)})
	if err != nil {
		return a, err
	}
	a.LogIndex = idx
	return a, tx.CreateAccount(a)
}

// CreateToken issues a new token for p's account with scope read or
// write; only a write token may issue tokens.
func (r *Registry) CreateToken(ctx context.Context, p Principal, scope, label string) (store.Token, string, error) {
	if err := requireWrite(p); err != nil {
		return store.Token{}, "", err
	}
	if scope != store.ScopeRead && scope != store.ScopeWrite {
		return store.Token{}, "", invalidf("scope %q: want read or write", scope)
	}
	if err := checkLen("label", label, MaxNameLen); err != nil {
		return store.Token{}, "", err
	}
	secret := newSecret()
	t := store.Token{ID: newID("tok"), AccountID: p.Account.ID, Hash: hashToken(secret), Scope: scope, Label: label, CreatedAt: r.timestamp()}
	err := r.st.Update(ctx, func(tx store.Tx) error { return tx.CreateToken(t) })
	if err != nil {
		return store.Token{}, "", fmt.Errorf("create token: %w", err)
	}
	return t, secret, nil
}

// RevokeToken revokes one of p's account's tokens; a revoked token is
// refused from then on.
func (r *Registry) RevokeToken(ctx context.Context, p Principal, id string) error {
	if err := requireWrite(p); err != nil {
		return err
	}
	return r.st.Update(ctx, func(tx store.Tx) error {
		ts, err := tx.Tokens(p.Account.ID)
		if err != nil {
			return err
		}
		for _, t := range ts {
			if t.ID == id {
				return tx.RevokeToken(id, r.timestamp())
			}
		}
		return fmt.Errorf("revoke token %s: %w", id, store.ErrNotFound)
	})
}

// keyStatement is the log entry of an account's signing key.
type keyStatement struct {
	Type      string `json:"type"` // "key"
	ID        string `json:"id"`
	Account   string `json:"account"`
	PublicKey []byte `json:"public_key"` // Ed25519, base64 in JSON
	Created   string `json:"created"`
}

// AddKey registers an Ed25519 public key that p's account signs its
// declarations with.
func (r *Registry) AddKey(ctx context.Context, p Principal, pub []byte) (store.Key, ledger.Receipt, error) {
	if err := requireWrite(p); err != nil {
		return store.Key{}, ledger.Receipt{}, err
	}
	if len(pub) != ed25519.PublicKeySize {
		return store.Key{}, ledger.Receipt{}, invalidf("public key is %d bytes, want %d (Ed25519)", len(pub), ed25519.PublicKeySize)
	}
	now := r.timestamp()
	k := store.Key{ID: newID("key"), AccountID: p.Account.ID, PublicKey: pub, CreatedAt: now}
	rs, err := r.write(ctx, func(tx store.Tx, log func(any) (int64, error)) error {
		idx, err := log(keyStatement{Type: "key", ID: k.ID, Account: k.AccountID, PublicKey: pub, Created: rfc3339(now)})
		if err != nil {
			return err
		}
		k.LogIndex = idx
		return tx.AddKey(k)
	})
	if err != nil {
		return store.Key{}, ledger.Receipt{}, fmt.Errorf("add key: %w", err)
	}
	return k, rs[0], nil
}

// delegationStatement is the log entry of a delegation.
type delegationStatement struct {
	Type         string `json:"type"` // "delegation"
	Member       string `json:"member"`
	Organisation string `json:"organisation"`
	Created      string `json:"created"`
}

// Delegate lets organisation act for p's account: register works and
// declare for it. Only the member can delegate.
func (r *Registry) Delegate(ctx context.Context, p Principal, organisation string) (ledger.Receipt, error) {
	if err := requireWrite(p); err != nil {
		return ledger.Receipt{}, err
	}
	now := r.timestamp()
	rs, err := r.write(ctx, func(tx store.Tx, log func(any) (int64, error)) error {
		org, err := tx.Account(organisation)
		if err != nil {
			return err
		}
		if org.Kind != store.KindOrganisation {
			return fmt.Errorf("%w: %s is not an organisation", ErrForbidden, organisation)
		}
		if org.ID == p.Account.ID {
			return invalidf("an account cannot delegate to itself")
		}
		idx, err := log(delegationStatement{Type: "delegation", Member: p.Account.ID, Organisation: org.ID, Created: rfc3339(now)})
		if err != nil {
			return err
		}
		return tx.CreateDelegation(store.Delegation{MemberID: p.Account.ID, OrganisationID: org.ID, CreatedAt: now, LogIndex: idx})
	})
	if err != nil {
		return ledger.Receipt{}, fmt.Errorf("delegate to %s: %w", organisation, err)
	}
	return rs[0], nil
}

// actingFor returns the account p acts for: its own, or a member who
// delegated to p's organisation and has not revoked it.
func actingFor(tx store.ReadTx, p Principal, member string) (string, error) {
	if member == "" || member == p.Account.ID {
		return p.Account.ID, nil
	}
	d, err := tx.Delegation(member, p.Account.ID)
	if err != nil || !d.RevokedAt.IsZero() {
		return "", fmt.Errorf("%w: %s has not delegated to %s", ErrForbidden, member, p.Account.ID)
	}
	return member, nil
}
