-- 0003: the web app's tables (passwords, sessions, failed sign-ins, server
-- secrets), hidden campaign listings, and the indexes its pages read by.
-- Secrets and private data: none of these rows is a log entry.

CREATE TABLE credentials (
	account_id TEXT COLLATE "C" PRIMARY KEY REFERENCES accounts (id),
	login      TEXT COLLATE "C" NOT NULL UNIQUE,
	password   TEXT NOT NULL,
	email      TEXT NOT NULL,
	created_at TIMESTAMPTZ,
	updated_at TIMESTAMPTZ
);

CREATE TABLE sessions (
	hash       BYTEA PRIMARY KEY,
	account_id TEXT COLLATE "C" NOT NULL REFERENCES accounts (id),
	csrf       BYTEA NOT NULL,
	created_at TIMESTAMPTZ NOT NULL,
	seen_at    TIMESTAMPTZ NOT NULL
);
CREATE INDEX sessions_account ON sessions (account_id);

CREATE TABLE sign_in_failures (
	name         TEXT COLLATE "C" PRIMARY KEY,
	count        INTEGER NOT NULL,
	last_at      TIMESTAMPTZ,
	locked_until TIMESTAMPTZ
);

CREATE TABLE secrets (
	name  TEXT COLLATE "C" PRIMARY KEY,
	value BYTEA NOT NULL
);

CREATE TABLE signatures_hidden (
	signature_id TEXT COLLATE "C" PRIMARY KEY REFERENCES signatures (id)
);

CREATE INDEX campaigns_created ON campaigns (created_at, id);
CREATE INDEX campaigns_account ON campaigns (account_id, created_at);
CREATE INDEX declarations_on_behalf ON declarations (on_behalf_of, id) WHERE on_behalf_of <> '';
CREATE INDEX delegations_member ON delegations (member_id);
