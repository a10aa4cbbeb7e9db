-- 0001: the registry's rows and the log (DESIGN §2, §5, §7).
-- Identifiers and codes use the "C" collation so that paging by ID orders
-- bytes the same way on every driver.

CREATE TABLE accounts (
	id         TEXT COLLATE "C" PRIMARY KEY,
	kind       TEXT NOT NULL CHECK (kind IN ('creator', 'organisation', 'developer')),
	name       TEXT NOT NULL,
	created_at TIMESTAMPTZ,
	log_index  BIGINT NOT NULL
);

CREATE TABLE tokens (
	id         TEXT COLLATE "C" PRIMARY KEY,
	account_id TEXT COLLATE "C" NOT NULL REFERENCES accounts (id),
	hash       BYTEA NOT NULL UNIQUE,
	scope      TEXT NOT NULL CHECK (scope IN ('read', 'write')),
	label      TEXT NOT NULL,
	created_at TIMESTAMPTZ,
	revoked_at TIMESTAMPTZ
);
CREATE INDEX tokens_account ON tokens (account_id);

CREATE TABLE keys (
	id         TEXT COLLATE "C" PRIMARY KEY,
	account_id TEXT COLLATE "C" NOT NULL REFERENCES accounts (id),
	public_key BYTEA NOT NULL,
	created_at TIMESTAMPTZ,
	revoked_at TIMESTAMPTZ,
	log_index  BIGINT NOT NULL
);
CREATE INDEX keys_account ON keys (account_id);

CREATE TABLE works (
	id            TEXT COLLATE "C" PRIMARY KEY,
	account_id    TEXT COLLATE "C" NOT NULL REFERENCES accounts (id),
	registered_by TEXT COLLATE "C" NOT NULL,
	iscc          TEXT COLLATE "C" NOT NULL,
	datahash      TEXT COLLATE "C" NOT NULL,
	pdq           BYTEA,
	pdq_quality   INTEGER NOT NULL,
	mediatype     TEXT NOT NULL,
	filesize      BIGINT NOT NULL,
	title         TEXT NOT NULL,
	creator       TEXT NOT NULL,
	created_at    TIMESTAMPTZ,
	log_index     BIGINT NOT NULL
);
CREATE INDEX works_account ON works (account_id, id);
CREATE INDEX works_datahash ON works (datahash) WHERE datahash <> '';
CREATE INDEX works_iscc ON works (iscc) WHERE iscc <> '';

CREATE TABLE work_units (
	work_id TEXT COLLATE "C" NOT NULL REFERENCES works (id),
	seq     INTEGER NOT NULL,
	kind    TEXT NOT NULL,
	bits    INTEGER NOT NULL,
	code    TEXT COLLATE "C" NOT NULL,
	PRIMARY KEY (work_id, seq)
);
CREATE INDEX work_units_code ON work_units (code);

CREATE TABLE work_locators (
	work_id TEXT COLLATE "C" NOT NULL REFERENCES works (id),
	seq     INTEGER NOT NULL,
	url     TEXT COLLATE "C" NOT NULL,
	domain  TEXT COLLATE "C" NOT NULL,
	PRIMARY KEY (work_id, seq)
);
CREATE INDEX work_locators_url ON work_locators (url);
CREATE INDEX work_locators_domain ON work_locators (domain, work_id);

CREATE TABLE declarations (
	id             TEXT COLLATE "C" PRIMARY KEY,
	account_id     TEXT COLLATE "C" NOT NULL REFERENCES accounts (id),
	on_behalf_of   TEXT COLLATE "C" NOT NULL,
	subject_kind   TEXT NOT NULL,
	subject_value  TEXT COLLATE "C" NOT NULL,
	subject_domain TEXT COLLATE "C" NOT NULL,
	terms          JSONB NOT NULL,
	supersedes     TEXT COLLATE "C" NOT NULL,
	superseded_by  TEXT COLLATE "C" NOT NULL,
	statement      BYTEA NOT NULL,
	signature      BYTEA,
	key_id         TEXT NOT NULL,
	created_at     TIMESTAMPTZ,
	log_index      BIGINT NOT NULL
);
CREATE INDEX declarations_subject ON declarations (subject_kind, subject_value) WHERE superseded_by = '';
CREATE INDEX declarations_prefix ON declarations (subject_domain) WHERE subject_kind = 'url-prefix' AND superseded_by = '';
CREATE INDEX declarations_account ON declarations (account_id, id);

CREATE TABLE domain_claims (
	domain      TEXT COLLATE "C" NOT NULL,
	account_id  TEXT COLLATE "C" NOT NULL REFERENCES accounts (id),
	token       TEXT NOT NULL,
	state       TEXT NOT NULL CHECK (state IN ('pending', 'verified')),
	method      TEXT NOT NULL,
	created_at  TIMESTAMPTZ,
	verified_at TIMESTAMPTZ,
	log_index   BIGINT NOT NULL,
	PRIMARY KEY (domain, account_id)
);
CREATE UNIQUE INDEX domain_claims_verified ON domain_claims (domain) WHERE state = 'verified';
CREATE INDEX domain_claims_account ON domain_claims (account_id);

CREATE TABLE delegations (
	member_id       TEXT COLLATE "C" NOT NULL REFERENCES accounts (id),
	organisation_id TEXT COLLATE "C" NOT NULL REFERENCES accounts (id),
	created_at      TIMESTAMPTZ,
	revoked_at      TIMESTAMPTZ,
	log_index       BIGINT NOT NULL
);
CREATE UNIQUE INDEX delegations_active ON delegations (member_id, organisation_id) WHERE revoked_at IS NULL;
CREATE INDEX delegations_organisation ON delegations (organisation_id) WHERE revoked_at IS NULL;

CREATE TABLE campaigns (
	id         TEXT COLLATE "C" PRIMARY KEY,
	account_id TEXT COLLATE "C" NOT NULL REFERENCES accounts (id),
	title      TEXT NOT NULL,
	statement  TEXT NOT NULL,
	created_at TIMESTAMPTZ,
	log_index  BIGINT NOT NULL
);

CREATE TABLE signatures (
	id             TEXT COLLATE "C" PRIMARY KEY,
	campaign_id    TEXT COLLATE "C" NOT NULL REFERENCES campaigns (id),
	account_id     TEXT COLLATE "C" NOT NULL REFERENCES accounts (id),
	name           TEXT NOT NULL,
	role           TEXT NOT NULL,
	domain         TEXT COLLATE "C" NOT NULL,
	listed         BOOLEAN NOT NULL,
	declaration_id TEXT COLLATE "C" NOT NULL,
	created_at     TIMESTAMPTZ,
	log_index      BIGINT NOT NULL,
	UNIQUE (campaign_id, account_id)
);
CREATE INDEX signatures_campaign ON signatures (campaign_id, id);

-- The log (DESIGN §5). log_head is the sequencer: every Update locks its
-- one row (SELECT ... FOR UPDATE) first, so writers from every process on
-- this database run one at a time and see the size the last one left.
CREATE TABLE log_head (
	id   INTEGER PRIMARY KEY CHECK (id = 1),
	size BIGINT NOT NULL CHECK (size >= 0)
);
INSERT INTO log_head (id, size) VALUES (1, 0);

CREATE TABLE log_entries (
	idx   BIGINT PRIMARY KEY,
	entry BYTEA NOT NULL
);

CREATE TABLE log_hashes (
	idx  BIGINT PRIMARY KEY,
	hash BYTEA NOT NULL CHECK (length(hash) = 32)
);

CREATE TABLE log_checkpoint (
	id   INTEGER PRIMARY KEY CHECK (id = 1),
	size BIGINT NOT NULL,
	note BYTEA NOT NULL
);
