package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/askfirst/askfirst/internal/store"
)

// maxPage caps the limit of every listing method.
const maxPage = 10000

// tx implements store.Tx on one pgx transaction.
type tx struct {
	ctx context.Context
	q   pgx.Tx
	// In an Update, the log size read under the log_head lock and kept
	// current by AppendLog (written back once, before commit), and the
	// hashes appended, so a batch of appends reads its own hashes from
	// memory.
	locked bool
	size   int64
	hashes map[int64]tlog.Hash
}

var _ store.Tx = (*tx)(nil)

// ts converts t for storage: NULL for the zero time, else UTC to the
// microsecond (timestamptz resolution).
func ts(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UTC().Truncate(time.Microsecond)
}

func fromTS(p *time.Time) time.Time {
	if p == nil {
		return time.Time{}
	}
	return p.UTC()
}

func clampLimit(limit int) int {
	if limit <= 0 || limit > maxPage {
		return maxPage
	}
	return limit
}

func (t *tx) exec(op, query string, args ...any) (pgconn.CommandTag, error) {
	r, err := t.q.Exec(t.ctx, query, args...)
	return r, mapErr(op, err)
}

// insert runs an INSERT ... ON CONFLICT DO NOTHING and reports a row not
// inserted as ErrConflict. Unlike a unique violation, which aborts a
// PostgreSQL transaction, this leaves the transaction usable, as on SQLite.
func (t *tx) insert(op, query string, args ...any) error {
	r, err := t.exec(op, query, args...)
	if err != nil {
		return err
	}
	if r.RowsAffected() == 0 {
		return fmt.Errorf("%s: %w", op, store.ErrConflict)
	}
	return nil
}

func affected(op string, r pgconn.CommandTag) error {
	if r.RowsAffected() == 0 {
		return fmt.Errorf("%s: %w", op, store.ErrNotFound)
	}
	return nil
}

// Accounts, tokens, keys.

func (t *tx) CreateAccount(a store.Account) error {
	if err := store.ValidateAccount(a); err != nil {
		return err
	}
	err := t.insert("create account "+a.ID,
		`INSERT INTO accounts (id, kind, name, created_at, log_index) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING`,
		a.ID, a.Kind, a.Name, ts(a.CreatedAt), a.LogIndex)
	return err
}

func (t *tx) Account(id string) (store.Account, error) {
	var a store.Account
	var created *time.Time
	err := t.q.QueryRow(t.ctx, `SELECT id, kind, name, created_at, log_index FROM accounts WHERE id = $1`, id).
		Scan(&a.ID, &a.Kind, &a.Name, &created, &a.LogIndex)
	a.CreatedAt = fromTS(created)
	return a, mapErr("account "+id, err)
}

func (t *tx) CreateToken(k store.Token) error {
	if err := store.ValidateToken(k); err != nil {
		return err
	}
	err := t.insert("create token "+k.ID,
		`INSERT INTO tokens (id, account_id, hash, scope, label, created_at, revoked_at) VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING`,
		k.ID, k.AccountID, k.Hash, k.Scope, k.Label, ts(k.CreatedAt), ts(k.RevokedAt))
	return err
}

const tokenCols = `id, account_id, hash, scope, label, created_at, revoked_at`

func scanToken(s interface{ Scan(...any) error }) (store.Token, error) {
	var k store.Token
	var created, revoked *time.Time
	err := s.Scan(&k.ID, &k.AccountID, &k.Hash, &k.Scope, &k.Label, &created, &revoked)
	k.CreatedAt, k.RevokedAt = fromTS(created), fromTS(revoked)
	return k, err
}

func (t *tx) TokenByHash(hash []byte) (store.Token, error) {
	k, err := scanToken(t.q.QueryRow(t.ctx, `SELECT `+tokenCols+` FROM tokens WHERE hash = $1`, hash))
	return k, mapErr("token by hash", err)
}

func (t *tx) Tokens(accountID string) ([]store.Token, error) {
	return queryList(t, "tokens of "+accountID, scanToken,
		`SELECT `+tokenCols+` FROM tokens WHERE account_id = $1 ORDER BY created_at, id`, accountID)
}

func (t *tx) RevokeToken(id string, at time.Time) error {
	op := "revoke token " + id
	r, err := t.exec(op, `UPDATE tokens SET revoked_at = coalesce(revoked_at, $1) WHERE id = $2`, ts(at), id)
	if err != nil {
		return err
	}
	return affected(op, r)
}

func (t *tx) AddKey(k store.Key) error {
	if err := store.ValidateKey(k); err != nil {
		return err
	}
	err := t.insert("add key "+k.ID,
		`INSERT INTO keys (id, account_id, public_key, created_at, revoked_at, log_index) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING`,
		k.ID, k.AccountID, k.PublicKey, ts(k.CreatedAt), ts(k.RevokedAt), k.LogIndex)
	return err
}

const keyCols = `id, account_id, public_key, created_at, revoked_at, log_index`

func scanKey(s interface{ Scan(...any) error }) (store.Key, error) {
	var k store.Key
	var created, revoked *time.Time
	err := s.Scan(&k.ID, &k.AccountID, &k.PublicKey, &created, &revoked, &k.LogIndex)
	k.CreatedAt, k.RevokedAt = fromTS(created), fromTS(revoked)
	return k, err
}

func (t *tx) Key(id string) (store.Key, error) {
	k, err := scanKey(t.q.QueryRow(t.ctx, `SELECT `+keyCols+` FROM keys WHERE id = $1`, id))
	return k, mapErr("key "+id, err)
}

func (t *tx) Keys(accountID string) ([]store.Key, error) {
	return queryList(t, "keys of "+accountID, scanKey,
		`SELECT `+keyCols+` FROM keys WHERE account_id = $1 ORDER BY created_at, id`, accountID)
}

func (t *tx) RevokeKey(id string, at time.Time) error {
	op := "revoke key " + id
	r, err := t.exec(op, `UPDATE keys SET revoked_at = coalesce(revoked_at, $1) WHERE id = $2`, ts(at), id)
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
	if err := t.insert(op,
		`INSERT INTO works (id, account_id, registered_by, iscc, datahash, pdq, pdq_quality, mediatype, filesize, title, creator, created_at, log_index)
		 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) ON CONFLICT DO NOTHING`,
		w.ID, w.AccountID, w.RegisteredBy, w.ISCC, w.Datahash, pdq, w.PDQQuality, w.Mediatype, w.Filesize,
		w.Title, w.Creator, ts(w.CreatedAt), w.LogIndex); err != nil {
		return err
	}
	for i, u := range w.Units {
		if _, err := t.exec(op, `INSERT INTO work_units (work_id, seq, kind, bits, code) VALUES ($1, $2, $3, $4, $5)`,
			w.ID, i, u.Kind, u.Bits, u.Code); err != nil {
			return err
		}
	}
	for i, l := range w.Locators {
		if _, err := t.exec(op, `INSERT INTO work_locators (work_id, seq, url, domain) VALUES ($1, $2, $3, $4)`,
			w.ID, i, l.URL, strings.ToLower(l.Domain)); err != nil {
			return err
		}
	}
	return nil
}

const workCols = `w.id, w.account_id, w.registered_by, w.iscc, w.datahash, w.pdq, w.pdq_quality, w.mediatype, w.filesize, w.title, w.creator, w.created_at, w.log_index`

func scanWork(s interface{ Scan(...any) error }) (store.Work, error) {
	var w store.Work
	var created *time.Time
	err := s.Scan(&w.ID, &w.AccountID, &w.RegisteredBy, &w.ISCC, &w.Datahash, &w.PDQ, &w.PDQQuality,
		&w.Mediatype, &w.Filesize, &w.Title, &w.Creator, &created, &w.LogIndex)
	w.CreatedAt = fromTS(created)
	return w, err
}

// works runs a query selecting workCols and fills in units and locators.
func (t *tx) works(op, query string, args ...any) ([]store.Work, error) {
	ws, err := queryList(t, op, scanWork, query, args...)
	if err != nil || len(ws) == 0 {
		return ws, err
	}
	byID := make(map[string]*store.Work, len(ws))
	ids := make([]string, 0, len(ws))
	for i := range ws {
		if _, dup := byID[ws[i].ID]; !dup {
			ids = append(ids, ws[i].ID)
		}
		byID[ws[i].ID] = &ws[i]
	}
	rows, err := t.q.Query(t.ctx, `SELECT work_id, kind, bits, code FROM work_units WHERE work_id = ANY($1) ORDER BY work_id, seq`, ids)
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
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, mapErr(op, err)
	}
	rows, err = t.q.Query(t.ctx, `SELECT work_id, url, domain FROM work_locators WHERE work_id = ANY($1) ORDER BY work_id, seq`, ids)
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
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, mapErr(op, err)
	}
	return ws, nil
}

func (t *tx) Work(id string) (store.Work, error) {
	op := "work " + id
	ws, err := t.works(op, `SELECT `+workCols+` FROM works w WHERE w.id = $1`, id)
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
		WHERE w.id IN (SELECT work_id FROM work_units WHERE code = $1 UNION SELECT id FROM works WHERE iscc = $2 AND iscc <> '')
		ORDER BY w.id`, code, code)
}

func (t *tx) WorksByDatahash(datahash string) ([]store.Work, error) {
	if datahash == "" {
		return []store.Work{}, nil
	}
	return t.works("works by datahash "+datahash, `SELECT `+workCols+` FROM works w WHERE w.datahash = $1 AND w.datahash <> '' ORDER BY w.id`, datahash)
}

func (t *tx) WorksByURL(url string) ([]store.Work, error) {
	return t.works("works by url "+url, `SELECT `+workCols+` FROM works w
		WHERE w.id IN (SELECT work_id FROM work_locators WHERE url = $1) ORDER BY w.id`, url)
}

func (t *tx) WorksByDomain(domain, after string, limit int) ([]store.Work, error) {
	return t.works("works by domain "+domain, `SELECT `+workCols+` FROM works w
		WHERE w.id IN (SELECT work_id FROM work_locators WHERE domain = $1 AND work_id > $2) ORDER BY w.id LIMIT $3`,
		strings.ToLower(domain), after, clampLimit(limit))
}

func (t *tx) WorksByAccount(accountID, after string, limit int) ([]store.Work, error) {
	return t.works("works of "+accountID, `SELECT `+workCols+` FROM works w
		WHERE w.account_id = $1 AND w.id > $2 ORDER BY w.id LIMIT $3`, accountID, after, clampLimit(limit))
}

func (t *tx) ListWorks(after string, limit int) ([]store.Work, error) {
	return t.works("list works", `SELECT `+workCols+` FROM works w WHERE w.id > $1 ORDER BY w.id LIMIT $2`, after, clampLimit(limit))
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
		err := t.q.QueryRow(t.ctx, `SELECT superseded_by FROM declarations WHERE id = $1`, d.Supersedes).Scan(&by)
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
	if err := t.insert(op, `INSERT INTO declarations (id, account_id, on_behalf_of, subject_kind, subject_value, subject_domain,
		terms, supersedes, superseded_by, statement, signature, key_id, created_at, log_index)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, '', $9, $10, $11, $12, $13) ON CONFLICT DO NOTHING`,
		d.ID, d.AccountID, d.OnBehalfOf, d.Subject.Kind, d.Subject.Value, strings.ToLower(d.Subject.Domain),
		string(terms), d.Supersedes, nonNil(d.Statement), sig, d.KeyID, ts(d.CreatedAt), d.LogIndex); err != nil {
		return err
	}
	if d.Supersedes != "" {
		if _, err := t.exec(op, `UPDATE declarations SET superseded_by = $1 WHERE id = $2`, d.ID, d.Supersedes); err != nil {
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
	var created *time.Time
	err := s.Scan(&d.ID, &d.AccountID, &d.OnBehalfOf, &d.Subject.Kind, &d.Subject.Value, &d.Subject.Domain, &terms,
		&d.Supersedes, &d.SupersededBy, &d.Statement, &d.Signature, &d.KeyID, &created, &d.LogIndex)
	if err != nil {
		return d, err
	}
	d.CreatedAt = fromTS(created)
	if len(d.Statement) == 0 {
		d.Statement = nil
	}
	if err := json.Unmarshal([]byte(terms), &d.Terms); err != nil {
		return d, fmt.Errorf("declaration %s: stored terms: %w", d.ID, err)
	}
	return d, nil
}

func (t *tx) Declaration(id string) (store.Declaration, error) {
	d, err := scanDeclaration(t.q.QueryRow(t.ctx, `SELECT `+declCols+` FROM declarations WHERE id = $1`, id))
	return d, mapErr("declaration "+id, err)
}

func (t *tx) CurrentDeclarations(s store.Subject) ([]store.Declaration, error) {
	return queryList(t, "declarations about "+s.Kind+" "+s.Value, scanDeclaration,
		`SELECT `+declCols+` FROM declarations WHERE subject_kind = $1 AND subject_value = $2 AND superseded_by = ''
		 ORDER BY created_at, id`, s.Kind, s.Value)
}

func (t *tx) URLPrefixDeclarations(domain, url string) ([]store.Declaration, error) {
	return queryList(t, "url prefix declarations for "+url, scanDeclaration,
		`SELECT `+declCols+` FROM declarations WHERE subject_kind = 'url-prefix' AND superseded_by = '' AND subject_domain = $1
		 AND starts_with($2, subject_value) ORDER BY created_at, id`, strings.ToLower(domain), url)
}

func (t *tx) DeclarationsByAccount(accountID, after string, limit int) ([]store.Declaration, error) {
	return queryList(t, "declarations of "+accountID, scanDeclaration,
		`SELECT `+declCols+` FROM declarations WHERE account_id = $1 AND id > $2 ORDER BY id LIMIT $3`,
		accountID, after, clampLimit(limit))
}

// Domains.

func (t *tx) CreateDomainClaim(c store.DomainClaim) error {
	if err := store.ValidateDomainClaim(c); err != nil {
		return err
	}
	err := t.insert("claim domain "+c.Domain,
		`INSERT INTO domain_claims (domain, account_id, token, state, method, created_at, verified_at, log_index)
		 VALUES ($1, $2, $3, 'pending', '', $4, NULL, 0) ON CONFLICT DO NOTHING`,
		strings.ToLower(c.Domain), c.AccountID, c.Token, ts(c.CreatedAt))
	return err
}

const claimCols = `domain, account_id, token, state, method, created_at, verified_at, log_index`

func scanClaim(s interface{ Scan(...any) error }) (store.DomainClaim, error) {
	var c store.DomainClaim
	var created, verified *time.Time
	err := s.Scan(&c.Domain, &c.AccountID, &c.Token, &c.State, &c.Method, &created, &verified, &c.LogIndex)
	c.CreatedAt, c.VerifiedAt = fromTS(created), fromTS(verified)
	return c, err
}

func (t *tx) DomainClaim(domain, accountID string) (store.DomainClaim, error) {
	c, err := scanClaim(t.q.QueryRow(t.ctx, `SELECT `+claimCols+` FROM domain_claims WHERE domain = $1 AND account_id = $2`,
		strings.ToLower(domain), accountID))
	return c, mapErr("domain claim "+domain+" by "+accountID, err)
}

func (t *tx) VerifiedDomain(domain string) (store.DomainClaim, error) {
	c, err := scanClaim(t.q.QueryRow(t.ctx, `SELECT `+claimCols+` FROM domain_claims WHERE domain = $1 AND state = 'verified'`,
		strings.ToLower(domain)))
	return c, mapErr("verified domain "+domain, err)
}

func (t *tx) DomainClaims(accountID string) ([]store.DomainClaim, error) {
	return queryList(t, "domain claims of "+accountID, scanClaim,
		`SELECT `+claimCols+` FROM domain_claims WHERE account_id = $1 ORDER BY domain`, accountID)
}

func (t *tx) VerifyDomain(domain, accountID, method string, at time.Time, logIndex int64) error {
	op := "verify domain " + domain + " for " + accountID
	// Checked first: a unique violation would abort the transaction.
	if c, err := t.VerifiedDomain(domain); err == nil && c.AccountID != accountID {
		return fmt.Errorf("%s: verified by %s: %w", op, c.AccountID, store.ErrConflict)
	}
	r, err := t.exec(op, `UPDATE domain_claims SET state = 'verified', method = $1, verified_at = $2, log_index = $3
		WHERE domain = $4 AND account_id = $5`, method, ts(at), logIndex, strings.ToLower(domain), accountID)
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
	err := t.insert("delegate "+d.MemberID+" to "+d.OrganisationID,
		`INSERT INTO delegations (member_id, organisation_id, created_at, revoked_at, log_index) VALUES ($1, $2, $3, NULL, $4) ON CONFLICT DO NOTHING`,
		d.MemberID, d.OrganisationID, ts(d.CreatedAt), d.LogIndex)
	return err
}

const delegationCols = `member_id, organisation_id, created_at, revoked_at, log_index`

func scanDelegation(s interface{ Scan(...any) error }) (store.Delegation, error) {
	var d store.Delegation
	var created, revoked *time.Time
	err := s.Scan(&d.MemberID, &d.OrganisationID, &created, &revoked, &d.LogIndex)
	d.CreatedAt, d.RevokedAt = fromTS(created), fromTS(revoked)
	return d, err
}

func (t *tx) Delegation(memberID, organisationID string) (store.Delegation, error) {
	d, err := scanDelegation(t.q.QueryRow(t.ctx, `SELECT `+delegationCols+` FROM delegations
		WHERE member_id = $1 AND organisation_id = $2 AND revoked_at IS NULL`, memberID, organisationID))
	return d, mapErr("delegation of "+memberID+" to "+organisationID, err)
}

func (t *tx) Delegations(organisationID string) ([]store.Delegation, error) {
	return queryList(t, "delegations to "+organisationID, scanDelegation,
		`SELECT `+delegationCols+` FROM delegations WHERE organisation_id = $1 AND revoked_at IS NULL ORDER BY created_at, member_id`,
		organisationID)
}

func (t *tx) RevokeDelegation(memberID, organisationID string, at time.Time) error {
	op := "revoke delegation of " + memberID + " to " + organisationID
	r, err := t.exec(op, `UPDATE delegations SET revoked_at = $1 WHERE member_id = $2 AND organisation_id = $3 AND revoked_at IS NULL`,
		ts(nonZero(at)), memberID, organisationID)
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
	err := t.insert("create campaign "+c.ID,
		`INSERT INTO campaigns (id, account_id, title, statement, created_at, log_index) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING`,
		c.ID, c.AccountID, c.Title, c.Statement, ts(c.CreatedAt), c.LogIndex)
	return err
}

func (t *tx) Campaign(id string) (store.Campaign, error) {
	var c store.Campaign
	var created *time.Time
	err := t.q.QueryRow(t.ctx, `SELECT id, account_id, title, statement, created_at, log_index FROM campaigns WHERE id = $1`, id).
		Scan(&c.ID, &c.AccountID, &c.Title, &c.Statement, &created, &c.LogIndex)
	c.CreatedAt = fromTS(created)
	return c, mapErr("campaign "+id, err)
}

func scanCampaign(s interface{ Scan(...any) error }) (store.Campaign, error) {
	var c store.Campaign
	var created *time.Time
	err := s.Scan(&c.ID, &c.AccountID, &c.Title, &c.Statement, &created, &c.LogIndex)
	c.CreatedAt = fromTS(created)
	return c, err
}

func (t *tx) Campaigns(after string, limit int) ([]store.Campaign, error) {
	return queryList(t, "list campaigns", scanCampaign,
		`SELECT id, account_id, title, statement, created_at, log_index FROM campaigns WHERE id > $1 ORDER BY id LIMIT $2`, after, clampLimit(limit))
}

func (t *tx) AddSignature(s store.Signature) error {
	if err := store.ValidateSignature(s); err != nil {
		return err
	}
	err := t.insert("sign campaign "+s.CampaignID+" as "+s.AccountID,
		`INSERT INTO signatures (id, campaign_id, account_id, name, role, domain, listed, declaration_id, created_at, log_index)
		 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT DO NOTHING`,
		s.ID, s.CampaignID, s.AccountID, s.Name, s.Role, strings.ToLower(s.Domain), s.Listed, s.DeclarationID,
		ts(s.CreatedAt), s.LogIndex)
	return err
}

func scanSignature(s interface{ Scan(...any) error }) (store.Signature, error) {
	var g store.Signature
	var created *time.Time
	err := s.Scan(&g.ID, &g.CampaignID, &g.AccountID, &g.Name, &g.Role, &g.Domain, &g.Listed, &g.DeclarationID, &created, &g.LogIndex, &g.Hidden)
	g.CreatedAt = fromTS(created)
	return g, err
}

func (t *tx) Signatures(campaignID string, listedOnly bool, after string, limit int) ([]store.Signature, error) {
	return queryList(t, "signatures of "+campaignID, scanSignature,
		`SELECT id, campaign_id, account_id, name, role, domain, listed, declaration_id, created_at, log_index,
		 h.signature_id IS NOT NULL AS hidden
		 FROM signatures s LEFT JOIN signatures_hidden h ON h.signature_id = s.id
		 WHERE campaign_id = $1 AND ((listed AND h.signature_id IS NULL) OR NOT $2) AND id > $3 ORDER BY id LIMIT $4`,
		campaignID, listedOnly, after, clampLimit(limit))
}

func (t *tx) SignatureCount(campaignID string) (total, listed int64, err error) {
	err = t.q.QueryRow(t.ctx, `SELECT count(*), count(*) FILTER (WHERE listed AND h.signature_id IS NULL)
		FROM signatures s LEFT JOIN signatures_hidden h ON h.signature_id = s.id WHERE campaign_id = $1`, campaignID).
		Scan(&total, &listed)
	return total, listed, mapErr("count signatures of "+campaignID, err)
}

// The log.

func (t *tx) LogSize() (int64, error) {
	if t.locked {
		return t.size, nil
	}
	var n int64
	err := t.q.QueryRow(t.ctx, `SELECT size FROM log_head WHERE id = 1`).Scan(&n)
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
	if _, err := t.exec(op, `INSERT INTO log_entries (idx, entry) VALUES ($1, $2)`, index, nonNil(entry)); err != nil {
		return err
	}
	first := tlog.StoredHashIndex(0, index)
	idx := make([]int64, len(hashes))
	hs := make([][]byte, len(hashes))
	for i := range hashes {
		idx[i], hs[i] = first+int64(i), hashes[i][:]
	}
	if _, err := t.exec(op, `INSERT INTO log_hashes (idx, hash) SELECT * FROM unnest($1::bigint[], $2::bytea[])`, idx, hs); err != nil {
		return err
	}
	t.size = index + 1
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
	}, `SELECT entry FROM log_entries WHERE idx >= $1 AND idx < $2 ORDER BY idx`, start, end)
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
	var query []int64
	for _, x := range indexes {
		if h, ok := t.hashes[x]; ok {
			found[x] = h
		} else {
			query = append(query, x)
		}
	}
	if len(query) == 0 {
		for i, x := range indexes {
			out[i] = found[x]
		}
		return out, nil
	}
	rows, err := t.q.Query(t.ctx, `SELECT idx, hash FROM log_hashes WHERE idx = ANY($1)`, query)
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
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, mapErr("read log hashes", err)
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
	err := t.q.QueryRow(t.ctx, `SELECT size, note FROM log_checkpoint WHERE id = 1`).Scan(&size, &note)
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
	_, err = t.exec(op, `INSERT INTO log_checkpoint (id, size, note) VALUES (1, $1, $2)
		ON CONFLICT (id) DO UPDATE SET size = excluded.size, note = excluded.note`, size, note)
	return err
}

func isNotFound(err error) bool { return errors.Is(err, store.ErrNotFound) }

// queryList runs query and scans every row with scan.
func queryList[T any](t *tx, op string, scan func(interface{ Scan(...any) error }) (T, error), query string, args ...any) ([]T, error) {
	rows, err := t.q.Query(t.ctx, query, args...)
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

// nonZero returns at, or the current time if at is zero: a revocation
// needs a time, as NULL means "not revoked".
func nonZero(at time.Time) time.Time {
	if at.IsZero() {
		return time.Now()
	}
	return at
}
