-- 0001: the registry's rows and the log (DESIGN §2, §5, §7).
-- Times are INTEGER nanoseconds since the Unix epoch, UTC; 0 means unset.

CREATE TABLE accounts (
	id         TEXT PRIMARY KEY,
	kind       TEXT NOT NULL CHECK (kind IN ('creator', 'organisation', 'developer')),
	name       TEXT NOT NULL,
	created_at INTEGER NOT NULL,
	log_index  INTEGER NOT NULL
) STRICT;

CREATE TABLE tokens (
	id         TEXT PRIMARY KEY,
	account_id TEXT NOT NULL REFERENCES accounts (id),
	hash       BLOB NOT NULL UNIQUE,
	scope      TEXT NOT NULL CHECK (scope IN ('read', 'write')),
	label      TEXT NOT NULL,
	created_at INTEGER NOT NULL,
	revoked_at INTEGER NOT NULL
) STRICT;
CREATE INDEX tokens_account ON tokens (account_id);

CREATE TABLE keys (
	id         TEXT PRIMARY KEY,
	account_id TEXT NOT NULL REFERENCES accounts (id),
	public_key BLOB NOT NULL,
	created_at INTEGER NOT NULL,
	revoked_at INTEGER NOT NULL,
	log_index  INTEGER NOT NULL
) STRICT;
CREATE INDEX keys_account ON keys (account_id);

CREATE TABLE works (
	id            TEXT PRIMARY KEY,
	account_id    TEXT NOT NULL REFERENCES accounts (id),
	registered_by TEXT NOT NULL,
	iscc          TEXT NOT NULL,
	datahash      TEXT NOT NULL,
	pdq           BLOB,
	pdq_quality   INTEGER NOT NULL,
	mediatype     TEXT NOT NULL,
	filesize      INTEGER NOT NULL,
	title         TEXT NOT NULL,
	creator       TEXT NOT NULL,
	created_at    INTEGER NOT NULL,
	log_index     INTEGER NOT NULL
) STRICT;
CREATE INDEX works_account ON works (account_id, id);
CREATE INDEX works_datahash ON works (datahash) WHERE datahash <> '';

CREATE TABLE work_units (
	work_id TEXT NOT NULL REFERENCES works (id),
	seq     INTEGER NOT NULL,
	kind    TEXT NOT NULL,
	bits    INTEGER NOT NULL,
	code    TEXT NOT NULL,
	PRIMARY KEY (work_id, seq)
) STRICT;
CREATE INDEX work_units_code ON work_units (code);

CREATE TABLE work_locators (
	work_id TEXT NOT NULL REFERENCES works (id),
	seq     INTEGER NOT NULL,
	url     TEXT NOT NULL,
	domain  TEXT NOT NULL,
	PRIMARY KEY (work_id, seq)
) STRICT;
CREATE INDEX work_locators_url ON work_locators (url);
CREATE INDEX work_locators_domain ON work_locators (domain, work_id);

CREATE TABLE declarations (
	id             TEXT PRIMARY KEY,
	account_id     TEXT NOT NULL REFERENCES accounts (id),
	on_behalf_of   TEXT NOT NULL,
	subject_kind   TEXT NOT NULL,
	subject_value  TEXT NOT NULL,
	subject_domain TEXT NOT NULL,
	terms          TEXT NOT NULL, -- JSON array of store.Term
	supersedes     TEXT NOT NULL,
	superseded_by  TEXT NOT NULL,
	statement      BLOB NOT NULL,
	signature      BLOB,
	key_id         TEXT NOT NULL,
	created_at     INTEGER NOT NULL,
	log_index      INTEGER NOT NULL
) STRICT;
CREATE INDEX declarations_subject ON declarations (subject_kind, subject_value) WHERE superseded_by = '';
CREATE INDEX declarations_prefix ON declarations (subject_domain) WHERE subject_kind = 'url-prefix' AND superseded_by = '';
CREATE INDEX declarations_account ON declarations (account_id, id);

CREATE TABLE domain_claims (
	domain      TEXT NOT NULL,
	account_id  TEXT NOT NULL REFERENCES accounts (id),
	token       TEXT NOT NULL,
	state       TEXT NOT NULL CHECK (state IN ('pending', 'verified')),
	method      TEXT NOT NULL,
	created_at  INTEGER NOT NULL,
	verified_at INTEGER NOT NULL,
	log_index   INTEGER NOT NULL,
	PRIMARY KEY (domain, account_id)
) STRICT;
CREATE UNIQUE INDEX domain_claims_verified ON domain_claims (domain) WHERE state = 'verified';
CREATE INDEX domain_claims_account ON domain_claims (account_id);

CREATE TABLE delegations (
	member_id       TEXT NOT NULL REFERENCES accounts (id),
	organisation_id TEXT NOT NULL REFERENCES accounts (id),
	created_at      INTEGER NOT NULL,
	revoked_at      INTEGER NOT NULL,
	log_index       INTEGER NOT NULL
) STRICT;
CREATE UNIQUE INDEX delegations_active ON delegations (member_id, organisation_id) WHERE revoked_at = 0;
CREATE INDEX delegations_organisation ON delegations (organisation_id) WHERE revoked_at = 0;

CREATE TABLE campaigns (
	id         TEXT PRIMARY KEY,
	account_id TEXT NOT NULL REFERENCES accounts (id),
	title      TEXT NOT NULL,
	statement  TEXT NOT NULL,
	created_at INTEGER NOT NULL,
	log_index  INTEGER NOT NULL
) STRICT;

CREATE TABLE signatures (
	id             TEXT PRIMARY KEY,
	campaign_id    TEXT NOT NULL REFERENCES campaigns (id),
	account_id     TEXT NOT NULL REFERENCES accounts (id),
	name           TEXT NOT NULL,
	role           TEXT NOT NULL,
	domain         TEXT NOT NULL,
	listed         INTEGER NOT NULL,
	declaration_id TEXT NOT NULL,
	created_at     INTEGER NOT NULL,
	log_index      INTEGER NOT NULL,
	UNIQUE (campaign_id, account_id)
) STRICT;
CREATE INDEX signatures_campaign ON signatures (campaign_id, id);

-- The log (DESIGN §5): entries by index, tree hashes by stored hash index
-- (golang.org/x/mod/sumdb/tlog), the latest signed checkpoint.
CREATE TABLE log_entries (
	idx   INTEGER PRIMARY KEY,
	entry BLOB NOT NULL
) STRICT;

CREATE TABLE log_hashes (
	idx  INTEGER PRIMARY KEY,
	hash BLOB NOT NULL CHECK (length(hash) = 32)
) STRICT;

CREATE TABLE log_checkpoint (
	id   INTEGER PRIMARY KEY CHECK (id = 1),
	size INTEGER NOT NULL,
	note BLOB NOT NULL
) STRICT;
