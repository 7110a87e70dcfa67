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
-- Every failure forgets the few usernames idle longest (window over, lock over) through this index on
-- the later of the two times, so a failure costs the same however many usernames are tracked.
CREATE INDEX IF NOT EXISTS ropc_login_states_idle ON ropc_login_states (MAX(COALESCE(locked_until, 0), COALESCE(window_start, 0)));

-- Sign-ins that passed the password step and wait for their second factor (provider profiles):
-- hash is the mfa_token's, oob_code the out-of-band code's. oob_status: 0 pending, 1 approved, 2 denied.
-- oob_prev_poll is the poll before the last, which PollMFA's RETURNING reads (RETURNING sees new values).
CREATE TABLE IF NOT EXISTS ropc_mfa_sign_ins (
  hash           TEXT PRIMARY KEY,
  username       TEXT NOT NULL,
  client_id      TEXT NOT NULL,
  scope          TEXT NOT NULL,
  expires_at     INTEGER NOT NULL,
  forget_at      INTEGER NOT NULL,
  oob_code       TEXT,
  oob_expires_at INTEGER,
  oob_status     INTEGER NOT NULL DEFAULT 0,
  oob_last_poll  INTEGER,
  oob_prev_poll  INTEGER
);
-- The sweep deletes sign-ins past forget_at; approve, deny and the pending list look them up by user.
CREATE INDEX IF NOT EXISTS ropc_mfa_sign_ins_forget_at ON ropc_mfa_sign_ins (forget_at);
CREATE INDEX IF NOT EXISTS ropc_mfa_sign_ins_username ON ropc_mfa_sign_ins (username);

-- The last RFC 6238 time step each user has used a code of (a code is accepted once).
CREATE TABLE IF NOT EXISTS ropc_totp_steps (
  username  TEXT PRIMARY KEY,
  step      INTEGER NOT NULL,
  forget_at INTEGER NOT NULL
);

-- Recovery codes (hashed): issued = 1 for a code a recovery-code sign-in handed out and not yet spent,
-- 0 for a configured code already spent.
CREATE TABLE IF NOT EXISTS ropc_recovery_codes (
  username TEXT NOT NULL,
  hash     TEXT NOT NULL,
  issued   INTEGER NOT NULL,
  PRIMARY KEY (username, hash)
);
