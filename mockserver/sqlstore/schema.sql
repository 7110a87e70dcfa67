-- State of the ropc mock token server (package mockserver/sqlstore).
-- SQLite dialect: Cloudflare D1 and modernc.org/sqlite. Idempotent: safe to apply on every start.
-- Times are Unix microseconds (exact in a JavaScript number until the year 2255); NULL = none.
-- Tokens are kept only as hex SHA-256 hashes, never raw.

CREATE TABLE IF NOT EXISTS ropc_refresh_tokens (
  hash       TEXT PRIMARY KEY,
  family     TEXT NOT NULL,
  client_id  TEXT NOT NULL,
  subject    TEXT NOT NULL,
  scope      TEXT NOT NULL,
  issued_at  INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  used_at    INTEGER
);
CREATE INDEX IF NOT EXISTS ropc_refresh_tokens_expires_at ON ropc_refresh_tokens (expires_at);
-- The sweep deletes the tokens of revoked families.
CREATE INDEX IF NOT EXISTS ropc_refresh_tokens_family ON ropc_refresh_tokens (family);

CREATE TABLE IF NOT EXISTS ropc_access_tokens (
  hash       TEXT PRIMARY KEY,
  jti        TEXT NOT NULL,
  family     TEXT NOT NULL,
  client_id  TEXT NOT NULL,
  subject    TEXT NOT NULL,
  scope      TEXT NOT NULL,
  issued_at  INTEGER NOT NULL,
  expires_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS ropc_access_tokens_expires_at ON ropc_access_tokens (expires_at);

CREATE TABLE IF NOT EXISTS ropc_revocations (
  id    TEXT PRIMARY KEY,
  until INTEGER NOT NULL
);
-- The sweep forgets revocations whose tokens have all expired.
CREATE INDEX IF NOT EXISTS ropc_revocations_until ON ropc_revocations (until);

CREATE TABLE IF NOT EXISTS ropc_login_states (
  username     TEXT PRIMARY KEY,
  failures     INTEGER NOT NULL,
  window_start INTEGER,
  locked_until INTEGER
);
