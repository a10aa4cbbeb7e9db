package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/askfirst/askfirst/internal/store"
)

// maxPage caps the limit of every listing method.
const maxPage = 10000

// maxParams is how many values one IN (...) list carries.
const maxParams = 500

// tx implements store.Tx on one database/sql transaction.
type tx struct {
	ctx context.Context
	q   *sql.Tx
	// In an Update (write), the log size once read under the write lock,
	// kept current by AppendLog, and the hashes appended, so a batch of
	// appends reads its own hashes from memory.
	write     bool
	sizeKnown bool
	size      int64
	hashes    map[int64]tlog.Hash
}

var _ store.Tx = (*tx)(nil)

// nanos converts t for storage. Times are kept to the microsecond, as in
// every driver (PostgreSQL's timestamptz resolution).
func nanos(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.Truncate(time.Microsecond).UnixNano()
}

func fromNanos(n int64) time.Time {
	if n == 0 {
		return time.Time{}
	}
	return time.Unix(0, n).UTC()
}

func clampLimit(limit int) int {
	if limit <= 0 || limit > maxPage {
		return maxPage
	}
	return limit
}

func (t *tx) exec(op, query string, args ...any) (sql.Result, error) {
	r, err := t.q.ExecContext(t.ctx, query, args...)
	return r, mapErr(op, err)
}

func affected(op string, r sql.Result) error {
	n, err := r.RowsAffected()
	if err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	if n == 0 {
		return fmt.Errorf("%s: %w", op, store.ErrNotFound)
	}
	return nil
}

// Accounts, tokens, keys.

func (t *tx) CreateAccount(a store.Account) error {
	if err := store.ValidateAccount(a); err != nil {
		return err
	}
	_, err := t.exec("create account "+a.ID,
		`INSERT INTO accounts (id, kind, name, created_at, log_index) VALUES (?, ?, ?, ?, ?)`,
		a.ID, a.Kind, a.Name, nanos(a.CreatedAt), a.LogIndex)
	return err
}

func (t *tx) Account(id string) (store.Account, error) {
	var a store.Account
	var created int64
	err := t.q.QueryRowContext(t.ctx, `SELECT id, kind, name, created_at, log_index FROM accounts WHERE id = ?`, id).
		Scan(&a.ID, &a.Kind, &a.Name, &created, &a.LogIndex)
	a.CreatedAt = fromNanos(created)
	return a, mapErr("account "+id, err)
}

func (t *tx) CreateToken(k store.Token) error {
	if err := store.ValidateToken(k); err != nil {
		return err
	}
	_, err := t.exec("create token "+k.ID,
		`INSERT INTO tokens (id, account_id, hash, scope, label, created_at, revoked_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		k.ID, k.AccountID, k.Hash, k.Scope, k.Label, nanos(k.CreatedAt), nanos(k.RevokedAt))
	return err
}

const tokenCols = `id, account_id, hash, scope, label, created_at, revoked_at`

func scanToken(s interface{ Scan(...any) error }) (store.Token, error) {
	var k store.Token
	var created, revoked int64
	err := s.Scan(&k.ID, &k.AccountID, &k.Hash, &k.Scope, &k.Label, &created, &revoked)
	k.CreatedAt, k.RevokedAt = fromNanos(created), fromNanos(revoked)
	return k, err
}

func (t *tx) TokenByHash(hash []byte) (store.Token, error) {
	k, err := scanToken(t.q.QueryRowContext(t.ctx, `SELECT `+tokenCols+` FROM tokens WHERE hash = ?`, hash))
	return k, mapErr("token by hash", err)
}

func (t *tx) Tokens(accountID string) ([]store.Token, error) {
	return queryList(t, "tokens of "+accountID, scanToken,
		`SELECT `+tokenCols+` FROM tokens WHERE account_id = ? ORDER BY created_at, id`, accountID)
}

func (t *tx) RevokeToken(id string, at time.Time) error {
	op := "revoke token " + id
	r, err := t.exec(op, `UPDATE tokens SET revoked_at = CASE WHEN revoked_at = 0 THEN ? ELSE revoked_at END WHERE id = ?`, nanos(at), id)
	if err != nil {
		return err
	}
	return affected(op, r)
}

func (t *tx) AddKey(k store.Key) error {
	if err := store.ValidateKey(k); err != nil {
		return err
	}
	_, err := t.exec("add key "+k.ID,
		`INSERT INTO keys (id, account_id, public_key, created_at, revoked_at, log_index) VALUES (?, ?, ?, ?, ?, ?)`,
		k.ID, k.AccountID, k.PublicKey, nanos(k.CreatedAt), nanos(k.RevokedAt), k.LogIndex)
	return err
}

const keyCols = `id, account_id, public_key, created_at, revoked_at, log_index`

func scanKey(s interface{ Scan(...any) error }) (store.Key, error) {
	var k store.Key
	var created, revoked int64
	err := s.Scan(&k.ID, &k.AccountID, &k.PublicKey, &created, &revoked, &k.LogIndex)
	k.CreatedAt, k.RevokedAt = fromNanos(created), fromNanos(revoked)
	return k, err
}

func (t *tx) Key(id string) (store.Key, error) {
	k, err := scanKey(t.q.QueryRowContext(t.ctx, `SELECT `+keyCols+` FROM keys WHERE id = ?`, id))
	return k, mapErr("key "+id, err)
}

func (t *tx) Keys(accountID string) ([]store.Key, error) {
	return queryList(t, "keys of "+accountID, scanKey,
		`SELECT `+keyCols+` FROM keys WHERE account_id = ? ORDER BY created_at, id`, accountID)
}

func (t *tx) RevokeKey(id string, at time.Time) error {
	op := "revoke key " + id
	r, err := t.exec(op, `UPDATE keys SET revoked_at = CASE WHEN revoked_at = 0 THEN ? ELSE revoked_at END WHERE id = ?`, nanos(at), id)
	if err != nil {
		return err
	}
	return affected(op, r)
}

// Works.

func (t *tx) CreateWork(w store.Work) error {
	if err := store.ValidateWork(w); err != nil {
		return err
	}
	op := "create work " + w.ID
	var pdq any
	if w.PDQ != nil {
		pdq = w.PDQ
	}
	if _, err := t.exec(op,
		`INSERT INTO works (id, account_id, registered_by, iscc, datahash, pdq, pdq_quality, mediatype, filesize, title, creator, created_at, log_index)
		 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		w.ID, w.AccountID, w.RegisteredBy, w.ISCC, w.Datahash, pdq, w.PDQQuality, w.Mediatype, w.Filesize,
		w.Title, w.Creator, nanos(w.CreatedAt), w.LogIndex); err != nil {
		return err
	}
	for i, u := range w.Units {
		if _, err := t.exec(op, `INSERT INTO work_units (work_id, seq, kind, bits, code) VALUES (?, ?, ?, ?, ?)`,
			w.ID, i, u.Kind, u.Bits, u.Code); err != nil {
			return err
		}
	}
	for i, l := range w.Locators {
		if _, err := t.exec(op, `INSERT INTO work_locators (work_id, seq, url, domain) VALUES (?, ?, ?, ?)`,
			w.ID, i, l.URL, strings.ToLower(l.Domain)); err != nil {
			return err
		}
	}
	return nil
}

const workCols = `w.id, w.account_id, w.registered_by, w.iscc, w.datahash, w.pdq, w.pdq_quality, w.mediatype, w.filesize, w.title, w.creator, w.created_at, w.log_index`

func scanWork(s interface{ Scan(...any) error }) (store.Work, error) {
	var w store.Work
	var created int64
	err := s.Scan(&w.ID, &w.AccountID, &w.RegisteredBy, &w.ISCC, &w.Datahash, &w.PDQ, &w.PDQQuality,
		&w.Mediatype, &w.Filesize, &w.Title, &w.Creator, &created, &w.LogIndex)
	w.CreatedAt = fromNanos(created)
	return w, err
}

// works runs a query selecting workCols and fills in units and locators.
func (t *tx) works(op, query string, args ...any) ([]store.Work, error) {
	ws, err := queryList(t, op, scanWork, query, args...)
	if err != nil || len(ws) == 0 {
		return ws, err
	}
	byID := make(map[string]*store.Work, len(ws))
	ids := make([]any, 0, len(ws))
	for i := range ws {
		if _, dup := byID[ws[i].ID]; !dup {
			ids = append(ids, ws[i].ID)
		}
		byID[ws[i].ID] = &ws[i]
	}
	for start := 0; start < len(ids); start += maxParams {
		chunk := ids[start:min(start+maxParams, len(ids))]
		in := strings.TrimSuffix(strings.Repeat("?,", len(chunk)), ",")
		rows, err := t.q.QueryContext(t.ctx, `SELECT work_id, kind, bits, code FROM work_units WHERE work_id IN (`+in+`) ORDER BY work_id, seq`, chunk...)
		if err != nil {
			return nil, mapErr(op, err)
		}
		for rows.Next() {
			var id string
			var u store.Unit
			if err := rows.Scan(&id, &u.Kind, &u.Bits, &u.Code); err != nil {
				rows.Close()
				return nil, mapErr(op, err)
			}
			byID[id].Units = append(byID[id].Units, u)
		}
		if err := rows.Close(); err != nil {
			return nil, mapErr(op, err)
		}
		rows, err = t.q.QueryContext(t.ctx, `SELECT work_id, url, domain FROM work_locators WHERE work_id IN (`+in+`) ORDER BY work_id, seq`, chunk...)
		if err != nil {
			return nil, mapErr(op, err)
		}
		for rows.Next() {
			var id string
			var l store.Locator
			if err := rows.Scan(&id, &l.URL, &l.Domain); err != nil {
				rows.Close()
				return nil, mapErr(op, err)
			}
			byID[id].Locators = append(byID[id].Locators, l)
		}
		if err := rows.Close(); err != nil {
			return nil, mapErr(op, err)
		}
	}
	return ws, nil
}

func (t *tx) Work(id string) (store.Work, error) {
	op := "work " + id
	ws, err := t.works(op, `SELECT `+workCols+` FROM works w WHERE w.id = ?`, id)
	if err != nil {
		return store.Work{}, err
	}
	if len(ws) == 0 {
		return store.Work{}, fmt.Errorf("%s: %w", op, store.ErrNotFound)
	}
	return ws[0], nil
}

func (t *tx) WorksByUnit(code string) ([]store.Work, error) {
	return t.works("works by unit "+code, `SELECT `+workCols+` FROM works w
		WHERE w.id IN (SELECT work_id FROM work_units WHERE code = ? UNION SELECT id FROM works WHERE iscc = ? AND iscc <> '')
		ORDER BY w.id`, code, code)
}

func (t *tx) WorksByDatahash(datahash string) ([]store.Work, error) {
	if datahash == "" {
		return []store.Work{}, nil
	}
	return t.works("works by datahash "+datahash, `SELECT `+workCols+` FROM works w WHERE w.datahash = ? AND w.datahash <> '' ORDER BY w.id`, datahash)
}

func (t *tx) WorksByURL(url string) ([]store.Work, error) {
	return t.works("works by url "+url, `SELECT `+workCols+` FROM works w
		WHERE w.id IN (SELECT work_id FROM work_locators WHERE url = ?) ORDER BY w.id`, url)
}

func (t *tx) WorksByDomain(domain, after string, limit int) ([]store.Work, error) {
	return t.works("works by domain "+domain, `SELECT `+workCols+` FROM works w
		WHERE w.id IN (SELECT work_id FROM work_locators WHERE domain = ? AND work_id > ?) ORDER BY w.id LIMIT ?`,
		strings.ToLower(domain), after, clampLimit(limit))
}

func (t *tx) WorksByAccount(accountID, after string, limit int) ([]store.Work, error) {
	return t.works("works of "+accountID, `SELECT `+workCols+` FROM works w
		WHERE w.account_id = ? AND w.id > ? ORDER BY w.id LIMIT ?`, accountID, after, clampLimit(limit))
}

func (t *tx) ListWorks(after string, limit int) ([]store.Work, error) {
	return t.works("list works", `SELECT `+workCols+` FROM works w WHERE w.id > ? ORDER BY w.id LIMIT ?`, after, clampLimit(limit))
}

// Declarations.

func (t *tx) AddDeclaration(d store.Declaration) error {
	if err := store.ValidateDeclaration(d); err != nil {
		return err
	}
	op := "add declaration " + d.ID
	terms, err := json.Marshal(d.Terms)
	if err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	if d.Supersedes != "" {
		var by string
		err := t.q.QueryRowContext(t.ctx, `SELECT superseded_by FROM declarations WHERE id = ?`, d.Supersedes).Scan(&by)
		if err != nil {
			return mapErr(op+": superseded declaration "+d.Supersedes, err)
		}
		if by != "" {
			return fmt.Errorf("%s: declaration %s already superseded by %s: %w", op, d.Supersedes, by, store.ErrConflict)
		}
	}
	var sig any
	if d.Signature != nil {
		sig = d.Signature
	}
	if _, err := t.exec(op, `INSERT INTO declarations (id, account_id, on_behalf_of, subject_kind, subject_value, subject_domain,
		terms, supersedes, superseded_by, statement, signature, key_id, created_at, log_index)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, '', ?, ?, ?, ?, ?)`,
		d.ID, d.AccountID, d.OnBehalfOf, d.Subject.Kind, d.Subject.Value, strings.ToLower(d.Subject.Domain),
		string(terms), d.Supersedes, nonNil(d.Statement), sig, d.KeyID, nanos(d.CreatedAt), d.LogIndex); err != nil {
		return err
	}
	if d.Supersedes != "" {
		if _, err := t.exec(op, `UPDATE declarations SET superseded_by = ? WHERE id = ?`, d.ID, d.Supersedes); err != nil {
			return err
		}
	}
	return nil
}

func nonNil(b []byte) []byte {
	if b == nil {
		return []byte{}
	}
	return b
}

const declCols = `id, account_id, on_behalf_of, subject_kind, subject_value, subject_domain, terms, supersedes, superseded_by,
	statement, signature, key_id, created_at, log_index`

func scanDeclaration(s interface{ Scan(...any) error }) (store.Declaration, error) {
	var d store.Declaration
	var terms string
	var created int64
	err := s.Scan(&d.ID, &d.AccountID, &d.OnBehalfOf, &d.Subject.Kind, &d.Subject.Value, &d.Subject.Domain, &terms,
		&d.Supersedes, &d.SupersededBy, &d.Statement, &d.Signature, &d.KeyID, &created, &d.LogIndex)
	if err != nil {
		return d, err
	}
	d.CreatedAt = fromNanos(created)
	if len(d.Statement) == 0 {
		d.Statement = nil
	}
	if err := json.Unmarshal([]byte(terms), &d.Terms); err != nil {
		return d, fmt.Errorf("declaration %s: stored terms: %w", d.ID, err)
	}
	return d, nil
}

func (t *tx) Declaration(id string) (store.Declaration, error) {
	d, err := scanDeclaration(t.q.QueryRowContext(t.ctx, `SELECT `+declCols+` FROM declarations WHERE id = ?`, id))
	return d, mapErr("declaration "+id, err)
}

func (t *tx) CurrentDeclarations(s store.Subject) ([]store.Declaration, error) {
	return queryList(t, "declarations about "+s.Kind+" "+s.Value, scanDeclaration,
		`SELECT `+declCols+` FROM declarations WHERE subject_kind = ? AND subject_value = ? AND superseded_by = ''
		 ORDER BY created_at, id`, s.Kind, s.Value)
}

func (t *tx) URLPrefixDeclarations(domain, url string) ([]store.Declaration, error) {
	return queryList(t, "url prefix declarations for "+url, scanDeclaration,
		`SELECT `+declCols+` FROM declarations WHERE subject_kind = 'url-prefix' AND superseded_by = '' AND subject_domain = ?
		 AND substr(?, 1, length(subject_value)) = subject_value ORDER BY created_at, id`, strings.ToLower(domain), url)
}

func (t *tx) DeclarationsByAccount(accountID, after string, limit int) ([]store.Declaration, error) {
	return queryList(t, "declarations of "+accountID, scanDeclaration,
		`SELECT `+declCols+` FROM declarations WHERE account_id = ? AND id > ? ORDER BY id LIMIT ?`,
		accountID, after, clampLimit(limit))
}

// Domains.

func (t *tx) CreateDomainClaim(c store.DomainClaim) error {
	if err := store.ValidateDomainClaim(c); err != nil {
		return err
	}
	_, err := t.exec("claim domain "+c.Domain,
		`INSERT INTO domain_claims (domain, account_id, token, state, method, created_at, verified_at, log_index)
		 VALUES (?, ?, ?, 'pending', '', ?, 0, 0)`,
		strings.ToLower(c.Domain), c.AccountID, c.Token, nanos(c.CreatedAt))
	return err
}

const claimCols = `domain, account_id, token, state, method, created_at, verified_at, log_index`

func scanClaim(s interface{ Scan(...any) error }) (store.DomainClaim, error) {
	var c store.DomainClaim
	var created, verified int64
	err := s.Scan(&c.Domain, &c.AccountID, &c.Token, &c.State, &c.Method, &created, &verified, &c.LogIndex)
	c.CreatedAt, c.VerifiedAt = fromNanos(created), fromNanos(verified)
	return c, err
}

func (t *tx) DomainClaim(domain, accountID string) (store.DomainClaim, error) {
	c, err := scanClaim(t.q.QueryRowContext(t.ctx, `SELECT `+claimCols+` FROM domain_claims WHERE domain = ? AND account_id = ?`,
		strings.ToLower(domain), accountID))
	return c, mapErr("domain claim "+domain+" by "+accountID, err)
}

func (t *tx) VerifiedDomain(domain string) (store.DomainClaim, error) {
	c, err := scanClaim(t.q.QueryRowContext(t.ctx, `SELECT `+claimCols+` FROM domain_claims WHERE domain = ? AND state = 'verified'`,
		strings.ToLower(domain)))
	return c, mapErr("verified domain "+domain, err)
}

func (t *tx) DomainClaims(accountID string) ([]store.DomainClaim, error) {
	return queryList(t, "domain claims of "+accountID, scanClaim,
		`SELECT `+claimCols+` FROM domain_claims WHERE account_id = ? ORDER BY domain`, accountID)
}

func (t *tx) VerifyDomain(domain, accountID, method string, at time.Time, logIndex int64) error {
	op := "verify domain " + domain + " for " + accountID
	r, err := t.exec(op, `UPDATE domain_claims SET state = 'verified', method = ?, verified_at = ?, log_index = ?
		WHERE domain = ? AND account_id = ?`, method, nanos(at), logIndex, strings.ToLower(domain), accountID)
	if err != nil {
		return err
	}
	return affected(op, r)
}

// Delegations.

func (t *tx) CreateDelegation(d store.Delegation) error {
	if err := store.ValidateDelegation(d); err != nil {
		return err
	}
	_, err := t.exec("delegate "+d.MemberID+" to "+d.OrganisationID,
		`INSERT INTO delegations (member_id, organisation_id, created_at, revoked_at, log_index) VALUES (?, ?, ?, 0, ?)`,
		d.MemberID, d.OrganisationID, nanos(d.CreatedAt), d.LogIndex)
	return err
}

const delegationCols = `member_id, organisation_id, created_at, revoked_at, log_index`

func scanDelegation(s interface{ Scan(...any) error }) (store.Delegation, error) {
	var d store.Delegation
	var created, revoked int64
	err := s.Scan(&d.MemberID, &d.OrganisationID, &created, &revoked, &d.LogIndex)
	d.CreatedAt, d.RevokedAt = fromNanos(created), fromNanos(revoked)
	return d, err
}

func (t *tx) Delegation(memberID, organisationID string) (store.Delegation, error) {
	d, err := scanDelegation(t.q.QueryRowContext(t.ctx, `SELECT `+delegationCols+` FROM delegations
		WHERE member_id = ? AND organisation_id = ? AND revoked_at = 0`, memberID, organisationID))
	return d, mapErr("delegation of "+memberID+" to "+organisationID, err)
}

func (t *tx) Delegations(organisationID string) ([]store.Delegation, error) {
	return queryList(t, "delegations to "+organisationID, scanDelegation,
		`SELECT `+delegationCols+` FROM delegations WHERE organisation_id = ? AND revoked_at = 0 ORDER BY created_at, member_id`,
		organisationID)
}

func (t *tx) RevokeDelegation(memberID, organisationID string, at time.Time) error {
	op := "revoke delegation of " + memberID + " to " + organisationID
	r, err := t.exec(op, `UPDATE delegations SET revoked_at = ? WHERE member_id = ? AND organisation_id = ? AND revoked_at = 0`,
		max(nanos(at), 1), memberID, organisationID)
	if err != nil {
		return err
	}
	return affected(op, r)
}

// Campaigns.

func (t *tx) CreateCampaign(c store.Campaign) error {
	if err := store.ValidateCampaign(c); err != nil {
		return err
	}
	_, err := t.exec("create campaign "+c.ID,
		`INSERT INTO campaigns (id, account_id, title, statement, created_at, log_index) VALUES (?, ?, ?, ?, ?, ?)`,
		c.ID, c.AccountID, c.Title, c.Statement, nanos(c.CreatedAt), c.LogIndex)
	return err
}

func (t *tx) Campaign(id string) (store.Campaign, error) {
	var c store.Campaign
	var created int64
	err := t.q.QueryRowContext(t.ctx, `SELECT id, account_id, title, statement, created_at, log_index FROM campaigns WHERE id = ?`, id).
		Scan(&c.ID, &c.AccountID, &c.Title, &c.Statement, &created, &c.LogIndex)
	c.CreatedAt = fromNanos(created)
	return c, mapErr("campaign "+id, err)
}

func scanCampaign(s interface{ Scan(...any) error }) (store.Campaign, error) {
	var c store.Campaign
	var created int64
	err := s.Scan(&c.ID, &c.AccountID, &c.Title, &c.Statement, &created, &c.LogIndex)
	c.CreatedAt = fromNanos(created)
	return c, err
}

func (t *tx) Campaigns(after string, limit int) ([]store.Campaign, error) {
	return queryList(t, "list campaigns", scanCampaign,
		`SELECT id, account_id, title, statement, created_at, log_index FROM campaigns WHERE id > ? ORDER BY id LIMIT ?`, after, clampLimit(limit))
}

func (t *tx) AddSignature(s store.Signature) error {
	if err := store.ValidateSignature(s); err != nil {
		return err
	}
	_, err := t.exec("sign campaign "+s.CampaignID+" as "+s.AccountID,
		`INSERT INTO signatures (id, campaign_id, account_id, name, role, domain, listed, declaration_id, created_at, log_index)
		 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		s.ID, s.CampaignID, s.AccountID, s.Name, s.Role, strings.ToLower(s.Domain), s.Listed, s.DeclarationID,
		nanos(s.CreatedAt), s.LogIndex)
	return err
}

func scanSignature(s interface{ Scan(...any) error }) (store.Signature, error) {
	var g store.Signature
	var created int64
	err := s.Scan(&g.ID, &g.CampaignID, &g.AccountID, &g.Name, &g.Role, &g.Domain, &g.Listed, &g.DeclarationID, &created, &g.LogIndex, &g.Hidden)
	g.CreatedAt = fromNanos(created)
	return g, err
}

func (t *tx) Signatures(campaignID string, listedOnly bool, after string, limit int) ([]store.Signature, error) {
	return queryList(t, "signatures of "+campaignID, scanSignature,
		`SELECT id, campaign_id, account_id, name, role, domain, listed, declaration_id, created_at, log_index,
		 h.signature_id IS NOT NULL AS hidden
		 FROM signatures s LEFT JOIN signatures_hidden h ON h.signature_id = s.id
		 WHERE campaign_id = ? AND ((listed AND h.signature_id IS NULL) OR NOT ?) AND id > ? ORDER BY id LIMIT ?`,
		campaignID, listedOnly, after, clampLimit(limit))
}

func (t *tx) SignatureCount(campaignID string) (total, listed int64, err error) {
	err = t.q.QueryRowContext(t.ctx, `SELECT count(*), coalesce(sum(listed AND h.signature_id IS NULL), 0)
		FROM signatures s LEFT JOIN signatures_hidden h ON h.signature_id = s.id WHERE campaign_id = ?`, campaignID).
		Scan(&total, &listed)
	return total, listed, mapErr("count signatures of "+campaignID, err)
}

// The log.

func (t *tx) LogSize() (int64, error) {
	if t.sizeKnown {
		return t.size, nil
	}
	var n int64
	err := t.q.QueryRowContext(t.ctx, `SELECT coalesce(max(idx) + 1, 0) FROM log_entries`).Scan(&n)
	if err == nil && t.write {
		t.size, t.sizeKnown = n, true
	}
	return n, mapErr("log size", err)
}

func (t *tx) AppendLog(index int64, entry []byte, hashes []tlog.Hash) error {
	op := fmt.Sprintf("append log entry %d", index)
	size, err := t.LogSize()
	if err != nil {
		return err
	}
	if index != size {
		return fmt.Errorf("%s: log size is %d: %w", op, size, store.ErrConflict)
	}
	if want := tlog.StoredHashCount(index+1) - tlog.StoredHashCount(index); int64(len(hashes)) != want {
		return fmt.Errorf("%s: %d hashes, want %d: %w", op, len(hashes), want, store.ErrInvalid)
	}
	if _, err := t.exec(op, `INSERT INTO log_entries (idx, entry) VALUES (?, ?)`, index, nonNil(entry)); err != nil {
		return err
	}
	first := tlog.StoredHashIndex(0, index)
	for i, h := range hashes {
		if _, err := t.exec(op, `INSERT INTO log_hashes (idx, hash) VALUES (?, ?)`, first+int64(i), h[:]); err != nil {
			return err
		}
	}
	t.size, t.sizeKnown = index+1, true
	if t.hashes == nil {
		t.hashes = map[int64]tlog.Hash{}
	}
	for i, h := range hashes {
		t.hashes[first+int64(i)] = h
	}
	return nil
}

func (t *tx) LogEntries(start, end int64) ([][]byte, error) {
	op := fmt.Sprintf("log entries [%d, %d)", start, end)
	if start < 0 || end < start {
		return nil, fmt.Errorf("%s: bad range: %w", op, store.ErrInvalid)
	}
	out, err := queryList(t, op, func(s interface{ Scan(...any) error }) ([]byte, error) {
		var b []byte
		err := s.Scan(&b)
		return b, err
	}, `SELECT entry FROM log_entries WHERE idx >= ? AND idx < ? ORDER BY idx`, start, end)
	if err != nil {
		return nil, err
	}
	if int64(len(out)) != end-start {
		return nil, fmt.Errorf("%s: have %d: %w", op, len(out), store.ErrNotFound)
	}
	return out, nil
}

func (t *tx) ReadHashes(indexes []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(indexes))
	found := make(map[int64]tlog.Hash, len(indexes))
	query := make([]int64, 0, len(indexes))
	for _, x := range indexes {
		if h, ok := t.hashes[x]; ok {
			found[x] = h
		} else {
			query = append(query, x)
		}
	}
	for start := 0; start < len(query); start += maxParams {
		chunk := query[start:min(start+maxParams, len(query))]
		args := make([]any, len(chunk))
		for i, x := range chunk {
			args[i] = x
		}
		in := strings.TrimSuffix(strings.Repeat("?,", len(chunk)), ",")
		rows, err := t.q.QueryContext(t.ctx, `SELECT idx, hash FROM log_hashes WHERE idx IN (`+in+`)`, args...)
		if err != nil {
			return nil, mapErr("read log hashes", err)
		}
		for rows.Next() {
			var idx int64
			var b []byte
			if err := rows.Scan(&idx, &b); err != nil {
				rows.Close()
				return nil, mapErr("read log hashes", err)
			}
			var h tlog.Hash
			if len(b) != len(h) {
				rows.Close()
				return nil, fmt.Errorf("read log hash %d: %d bytes stored", idx, len(b))
			}
			copy(h[:], b)
			found[idx] = h
		}
		if err := rows.Close(); err != nil {
			return nil, mapErr("read log hashes", err)
		}
	}
	for i, x := range indexes {
		h, ok := found[x]
		if !ok {
			return nil, fmt.Errorf("read log hash %d: %w", x, store.ErrNotFound)
		}
		out[i] = h
	}
	return out, nil
}

func (t *tx) Checkpoint() (int64, []byte, error) {
	var size int64
	var note []byte
	err := t.q.QueryRowContext(t.ctx, `SELECT size, note FROM log_checkpoint WHERE id = 1`).Scan(&size, &note)
	return size, note, mapErr("log checkpoint", err)
}

func (t *tx) PutCheckpoint(size int64, note []byte) error {
	op := fmt.Sprintf("store checkpoint of size %d", size)
	n, err := t.LogSize()
	if err != nil {
		return err
	}
	if size > n || size < 0 {
		return fmt.Errorf("%s: log size is %d: %w", op, n, store.ErrConflict)
	}
	old, _, err := t.Checkpoint()
	switch {
	case err == nil && old > size:
		return fmt.Errorf("%s: stored checkpoint has size %d: %w", op, old, store.ErrConflict)
	case err != nil && !isNotFound(err):
		return err
	}
	_, err = t.exec(op, `INSERT INTO log_checkpoint (id, size, note) VALUES (1, ?, ?)
		ON CONFLICT (id) DO UPDATE SET size = excluded.size, note = excluded.note`, size, note)
	return err
}

func isNotFound(err error) bool { return errors.Is(err, store.ErrNotFound) }

// queryList runs query and scans every row with scan.
func queryList[T any](t *tx, op string, scan func(interface{ Scan(...any) error }) (T, error), query string, args ...any) ([]T, error) {
	rows, err := t.q.QueryContext(t.ctx, query, args...)
	if err != nil {
		return nil, mapErr(op, err)
	}
	defer rows.Close()
	out := []T{}
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, mapErr(op, err)
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, mapErr(op, err)
	}
	return out, nil
}
