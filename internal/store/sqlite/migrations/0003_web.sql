-- 0003: the web app's tables (passwords, sessions, failed sign-ins, server
-- secrets), hidden campaign listings, and the indexes its pages read by.
-- Secrets and private data: none of these rows is a log entry.

CREATE TABLE credentials (
	account_id TEXT PRIMARY KEY REFERENCES accounts (id),
	login      TEXT NOT NULL UNIQUE,
	password   TEXT NOT NULL,
	email      TEXT NOT NULL,
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL
) STRICT;

CREATE TABLE sessions (
	hash       BLOB PRIMARY KEY,
	account_id TEXT NOT NULL REFERENCES accounts (id),
	csrf       BLOB NOT NULL,
	created_at INTEGER NOT NULL,
	seen_at    INTEGER NOT NULL
) STRICT;
CREATE INDEX sessions_account ON sessions (account_id);

CREATE TABLE sign_in_failures (
	name         TEXT PRIMARY KEY,
	count        INTEGER NOT NULL,
	last_at      INTEGER NOT NULL,
	locked_until INTEGER NOT NULL
) STRICT;

CREATE TABLE secrets (
	name  TEXT PRIMARY KEY,
	value BLOB NOT NULL
) STRICT;

CREATE TABLE signatures_hidden (
	signature_id TEXT PRIMARY KEY REFERENCES signatures (id)
) STRICT;

CREATE INDEX campaigns_created ON campaigns (created_at, id);
CREATE INDEX campaigns_account ON campaigns (account_id, created_at);
CREATE INDEX declarations_on_behalf ON declarations (on_behalf_of, id) WHERE on_behalf_of <> '';
CREATE INDEX delegations_member ON delegations (member_id);
