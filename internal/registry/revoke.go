package registry

import (
	"context"
	"fmt"

	"github.com/askfirst/askfirst/internal/ledger"
	"github.com/askfirst/askfirst/internal/store"
)

// Revocable trust: an account withdraws what it gave as easily as it gave
// it. Each revocation is a log entry in the same transaction as its row.
// What was written before the revocation stays in the log; what is
// attempted after it is refused (actingFor, verifySigned).

// delegationRevocationStatement is the log entry of a revoked delegation.
type delegationRevocationStatement struct {
	Type         string `json:"type"` // "delegation-revocation"
	Member       string `json:"member"`
	Organisation string `json:"organisation"`
	Revoked      string `json:"revoked"`
}

// RevokeDelegation ends the delegation from p's account to organisation:
// from then on the organisation can no longer register works or declare
// for the account. Declarations it made before stay, and the member may
// supersede them. store.ErrNotFound if there is no active delegation.
func (r *Registry) RevokeDelegation(ctx context.Context, p Principal, organisation string) (ledger.Receipt, error) {
	if err := requireWrite(p); err != nil {
		return ledger.Receipt{}, err
	}
	now := r.timestamp()
	rs, err := r.write(ctx, func(tx store.Tx, log func(any) (int64, error)) error {
		if _, err := tx.Delegation(p.Account.ID, organisation); err != nil {
			return err
		}
		if _, err := log(delegationRevocationStatement{Type: "delegation-revocation", Member: p.Account.ID, Organisation: organisation,
			Revoked: rfc3339(now)}); err != nil {
			return err
		}
		return tx.RevokeDelegation(p.Account.ID, organisation, now)
	})
	if err != nil {
		return ledger.Receipt{}, fmt.Errorf("revoke the delegation to %s: %w", organisation, err)
	}
	return rs[0], nil
}

// keyRevocationStatement is the log entry of a revoked signing key.
type keyRevocationStatement struct {
	Type    string `json:"type"` // "key-revocation"
	ID      string `json:"id"`
	Account string `json:"account"`
	Revoked string `json:"revoked"`
}

// RevokeKey revokes one of p's account's signing keys: declarations signed
// with it are refused from then on; those signed before keep their
// signature, and the log shows when the key was revoked.
// store.ErrNotFound for a key of another account or none,
// store.ErrConflict for a key already revoked.
func (r *Registry) RevokeKey(ctx context.Context, p Principal, id string) (ledger.Receipt, error) {
	if err := requireWrite(p); err != nil {
		return ledger.Receipt{}, err
	}
	now := r.timestamp()
	rs, err := r.write(ctx, func(tx store.Tx, log func(any) (int64, error)) error {
		k, err := tx.Key(id)
		if err != nil {
			return err
		}
		if k.AccountID != p.Account.ID {
			return fmt.Errorf("key %s: %w", id, store.ErrNotFound)
		}
		if k.Revoked() {
			return fmt.Errorf("key %s was revoked at %s: %w", id, rfc3339(k.RevokedAt), store.ErrConflict)
		}
		if _, err := log(keyRevocationStatement{Type: "key-revocation", ID: id, Account: p.Account.ID, Revoked: rfc3339(now)}); err != nil {
			return err
		}
		return tx.RevokeKey(id, now)
	})
	if err != nil {
		return ledger.Receipt{}, fmt.Errorf("revoke key %s: %w", id, err)
	}
	return rs[0], nil
}
