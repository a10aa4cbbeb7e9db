package sqlite

import (
	"fmt"
	"time"

	"github.com/askfirst/askfirst/internal/store"
)

// The web app's tables (store.WebReader, store.WebWriter).

const credentialCols = `account_id, login, password, email, created_at, updated_at`

func scanCredential(s interface{ Scan(...any) error }) (store.Credential, error) {
	var c store.Credential
	var created, updated int64
	err := s.Scan(&c.AccountID, &c.Login, &c.Password, &c.Email, &created, &updated)
	c.CreatedAt, c.UpdatedAt = fromNanos(created), fromNanos(updated)
	return c, err
}

func (t *tx) CreateCredential(c store.Credential) error {
	if err := store.ValidateCredential(c); err != nil {
		return err
	}
	_, err := t.exec("create credential of "+c.AccountID,
		`INSERT INTO credentials (`+credentialCols+`) VALUES (?, ?, ?, ?, ?, ?)`,
		c.AccountID, c.Login, c.Password, c.Email, nanos(c.CreatedAt), nanos(c.UpdatedAt))
	return err
}

func (t *tx) CredentialByLogin(login string) (store.Credential, error) {
	c, err := scanCredential(t.q.QueryRowContext(t.ctx, `SELECT `+credentialCols+` FROM credentials WHERE login = ?`, login))
	return c, mapErr("credential of login "+login, err)
}

func (t *tx) Credential(accountID string) (store.Credential, error) {
	c, err := scanCredential(t.q.QueryRowContext(t.ctx, `SELECT `+credentialCols+` FROM credentials WHERE account_id = ?`, accountID))
	return c, mapErr("credential of "+accountID, err)
}

func (t *tx) CreateSession(s store.Session) error {
	if err := store.ValidateSession(s); err != nil {
		return err
	}
	_, err := t.exec("create session of "+s.AccountID,
		`INSERT INTO sessions (hash, account_id, csrf, created_at, seen_at) VALUES (?, ?, ?, ?, ?)`,
		s.Hash, s.AccountID, s.CSRF, nanos(s.CreatedAt), nanos(s.SeenAt))
	return err
}

func (t *tx) SessionByHash(hash []byte) (store.Session, error) {
	var s store.Session
	var created, seen int64
	err := t.q.QueryRowContext(t.ctx, `SELECT hash, account_id, csrf, created_at, seen_at FROM sessions WHERE hash = ?`, hash).
		Scan(&s.Hash, &s.AccountID, &s.CSRF, &created, &seen)
	s.CreatedAt, s.SeenAt = fromNanos(created), fromNanos(seen)
	return s, mapErr("session", err)
}

func (t *tx) TouchSession(hash []byte, at time.Time) error {
	r, err := t.exec("touch session", `UPDATE sessions SET seen_at = ? WHERE hash = ?`, nanos(at), hash)
	if err != nil {
		return err
	}
	return affected("touch session", r)
}

func (t *tx) DeleteSession(hash []byte) error {
	_, err := t.exec("delete session", `DELETE FROM sessions WHERE hash = ?`, hash)
	return err
}

func (t *tx) DeleteSessionsBefore(created, seen time.Time) (int64, error) {
	r, err := t.exec("delete old sessions", `DELETE FROM sessions WHERE created_at < ? OR seen_at < ?`, nanos(created), nanos(seen))
	if err != nil {
		return 0, err
	}
	n, err := r.RowsAffected()
	return n, mapErr("delete old sessions", err)
}

func (t *tx) SignInFailures(key string) (store.SignInFailures, error) {
	var f store.SignInFailures
	var last, locked int64
	err := t.q.QueryRowContext(t.ctx, `SELECT name, count, last_at, locked_until FROM sign_in_failures WHERE name = ?`, key).
		Scan(&f.Key, &f.Count, &last, &locked)
	f.LastAt, f.LockedUntil = fromNanos(last), fromNanos(locked)
	return f, mapErr("sign-in failures of "+key, err)
}

func (t *tx) PutSignInFailures(f store.SignInFailures) error {
	if f.Key == "" {
		return fmt.Errorf("put sign-in failures: empty key: %w", store.ErrInvalid)
	}
	_, err := t.exec("put sign-in failures of "+f.Key,
		`INSERT INTO sign_in_failures (name, count, last_at, locked_until) VALUES (?, ?, ?, ?)
		 ON CONFLICT (name) DO UPDATE SET count = excluded.count, last_at = excluded.last_at, locked_until = excluded.locked_until`,
		f.Key, f.Count, nanos(f.LastAt), nanos(f.LockedUntil))
	return err
}

func (t *tx) DeleteSignInFailures(key string) error {
	_, err := t.exec("delete sign-in failures of "+key, `DELETE FROM sign_in_failures WHERE name = ?`, key)
	return err
}

func (t *tx) Secret(name string) ([]byte, error) {
	var v []byte
	err := t.q.QueryRowContext(t.ctx, `SELECT value FROM secrets WHERE name = ?`, name).Scan(&v)
	return v, mapErr("secret "+name, err)
}

func (t *tx) PutSecret(name string, value []byte) error {
	if name == "" || len(value) == 0 {
		return fmt.Errorf("put secret %q: empty name or value: %w", name, store.ErrInvalid)
	}
	_, err := t.exec("put secret "+name, `INSERT INTO secrets (name, value) VALUES (?, ?)`, name, value)
	return err
}

func (t *tx) CampaignsByAccount(accountID string, limit int) ([]store.Campaign, error) {
	return queryList(t, "campaigns", func(s interface{ Scan(...any) error }) (store.Campaign, error) {
		var c store.Campaign
		var created int64
		err := s.Scan(&c.ID, &c.AccountID, &c.Title, &c.Statement, &created, &c.LogIndex)
		c.CreatedAt = fromNanos(created)
		return c, err
	}, `SELECT id, account_id, title, statement, created_at, log_index FROM campaigns
		WHERE (? = '' OR account_id = ?) ORDER BY created_at DESC, id DESC LIMIT ?`, accountID, accountID, clampLimit(limit))
}

func (t *tx) MemberDelegations(memberID string) ([]store.Delegation, error) {
	return queryList(t, "delegations of "+memberID, scanDelegation,
		`SELECT `+delegationCols+` FROM delegations WHERE member_id = ? ORDER BY created_at, organisation_id, revoked_at`, memberID)
}

func (t *tx) DeclarationsOnBehalfOf(memberID, after string, limit int) ([]store.Declaration, error) {
	if memberID == "" {
		return []store.Declaration{}, nil
	}
	return queryList(t, "declarations for "+memberID, scanDeclaration,
		`SELECT `+declCols+` FROM declarations WHERE on_behalf_of = ? AND id > ? ORDER BY id LIMIT ?`,
		memberID, after, clampLimit(limit))
}

func (t *tx) UpdateCampaign(id, title, statement string) error {
	op := "update campaign " + id
	r, err := t.exec(op, `UPDATE campaigns SET title = ?, statement = ? WHERE id = ?`, title, statement, id)
	if err != nil {
		return err
	}
	return affected(op, r)
}

func (t *tx) SetSignatureHidden(campaignID, signatureID string, hidden bool) error {
	op := fmt.Sprintf("set signature %s of %s hidden=%t", signatureID, campaignID, hidden)
	var n int
	if err := t.q.QueryRowContext(t.ctx, `SELECT count(*) FROM signatures WHERE id = ? AND campaign_id = ?`, signatureID, campaignID).Scan(&n); err != nil {
		return mapErr(op, err)
	}
	if n == 0 {
		return fmt.Errorf("%s: %w", op, store.ErrNotFound)
	}
	q := `DELETE FROM signatures_hidden WHERE signature_id = ?`
	if hidden {
		q = `INSERT INTO signatures_hidden (signature_id) VALUES (?) ON CONFLICT DO NOTHING`
	}
	_, err := t.exec(op, q, signatureID)
	return err
}

func (t *tx) WorksRegisteredFor(memberID, after string, limit int) ([]store.Work, error) {
	return t.works("works registered for "+memberID, `SELECT `+workCols+` FROM works w
		WHERE w.account_id = ? AND w.registered_by <> w.account_id AND w.id > ? ORDER BY w.id LIMIT ?`, memberID, after, clampLimit(limit))
}

func (t *tx) SignaturesByAccount(accountID string) ([]store.Signature, error) {
	return queryList(t, "signatures by "+accountID, scanSignature,
		`SELECT id, campaign_id, account_id, name, role, domain, listed, declaration_id, created_at, log_index,
		 h.signature_id IS NOT NULL AS hidden
		 FROM signatures s LEFT JOIN signatures_hidden h ON h.signature_id = s.id
		 WHERE account_id = ? ORDER BY created_at, id`, accountID)
}
