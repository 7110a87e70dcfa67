// Package sqlstore keeps the mock's protocol state (refresh-token families,
// rotation, revocations, lockout counters, second-factor sign-ins) in SQL through database/sql, so a
// host with many short-lived Go instances — Cloudflare Workers, one instance
// per isolate, with the D1 driver of github.com/syumai/workers — behaves like
// the long-lived native server. The SQL is SQLite's dialect (D1 is SQLite); on native hosts
// OpenSQLite gives the same store over an on-disk file.
//
// D1 has no interactive transactions, so every method is a single statement
// whose effect is atomic on its own: consume-once is one conditional UPDATE
// and a lockout failure is one upsert with RETURNING (after a bounded
// DELETE of idle lockout rows, atomic on its own too).
package sqlstore

import (
	"context"
	"database/sql"
	_ "embed"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"time"

	"github.com/ropcgo/ropc/mockserver"
)

// Schema creates the tables if they do not exist (idempotent). The worker
// scripts apply the same file with `wrangler d1 execute`.
//
//go:embed schema.sql
var Schema string

// sweepOneIn is the chance (1 in n) that an insert also deletes expired
// tokens. A counter would do on a long-lived server, but a Worker instance
// lives for one request, so the choice is random.
const sweepOneIn = 256

// Store is a mockserver.Store over database/sql.
type Store struct {
	db      *sql.DB
	sweep   func() bool
	limit   func() int  // max_tokens per table; nil: no limit
	onEvict func(n int) // hears rows the limit removed

	forgetMu   sync.Mutex
	forgetIdle *sql.Stmt // forgetIdleLoginsSQL, prepared on first use
}

var _ mockserver.Store = (*Store)(nil)

// New returns a Store using db, whose tables must exist (see Schema and
// Migrate). The Store does not close db.
func New(db *sql.DB) *Store {
	return &Store{db: db, sweep: func() bool { return rand.IntN(sweepOneIn) == 0 }}
}

// Migrate applies Schema one statement at a time (D1 prepares a single
// statement per call, and so does database/sql on most drivers).
func Migrate(ctx context.Context, db *sql.DB) error {
	for _, stmt := range schemaStatements(Schema) {
		if _, err := db.ExecContext(ctx, stmt); err != nil {
			return fmt.Errorf("sqlstore: apply schema: %w", err)
		}
	}
	return nil
}

// schemaStatements splits the schema on ';' after dropping "--" comment
// lines; the schema holds no string literals, so that is enough.
func schemaStatements(schema string) []string {
	var b strings.Builder
	for line := range strings.Lines(schema) {
		if strings.HasPrefix(strings.TrimSpace(line), "--") {
			continue
		}
		b.WriteString(line)
	}
	var out []string
	for stmt := range strings.SplitSeq(b.String(), ";") {
		if s := strings.TrimSpace(stmt); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// micros encodes a time as Unix microseconds; the zero time is NULL. Bind
// values stay int64/nil because the D1 driver hands them to JavaScript,
// which cannot take a time.Time.
func micros(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UnixMicro()
}

func fromMicros(v sql.NullInt64) time.Time {
	if !v.Valid {
		return time.Time{}
	}
	return time.UnixMicro(v.Int64)
}

func wrap(op string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("sqlstore: %s: %w", op, err)
}

// sweepExpired now and then deletes what can no longer matter, so the
// tables do not grow without bound: rows of table (a token table) that
// expired by now; refresh tokens of revoked families (none may be used
// again); revocations whose tokens have all expired; and, past the
// max_tokens limit, the oldest rows of table. Each is one statement, so D1
// needs no transaction.
func (s *Store) sweepExpired(ctx context.Context, table string, now time.Time) error {
	if !s.sweep() {
		return nil
	}
	at := now.UnixMicro()
	if _, err := s.db.ExecContext(ctx, `DELETE FROM `+table+` WHERE expires_at <= ?`, at); err != nil {
		return wrap("sweep "+table, err)
	}
	if table == "ropc_refresh_tokens" {
		if _, err := s.db.ExecContext(ctx, `DELETE FROM ropc_refresh_tokens WHERE family IN (SELECT id FROM ropc_revocations)`); err != nil {
			return wrap("sweep revoked families", err)
		}
	}
	if _, err := s.db.ExecContext(ctx, `DELETE FROM ropc_revocations WHERE until <= ?`, at); err != nil {
		return wrap("sweep revocations", err)
	}
	// By expiry: TTLs are near-constant, so that is issue order.
	return s.evictOverLimit(ctx, table, "expires_at")
}

// evictOverLimit deletes the oldest rows of table (keyed by hash) past the
// max_tokens limit, oldest by the indexed time column byTime, leaving room
// for the row being inserted, and tells onEvict how many went.
func (s *Store) evictOverLimit(ctx context.Context, table, byTime string) error {
	if s.limit == nil {
		return nil
	}
	res, err := s.db.ExecContext(ctx, `DELETE FROM `+table+` WHERE hash IN
		(SELECT hash FROM `+table+` ORDER BY `+byTime+` DESC LIMIT -1 OFFSET ?)`, max(s.limit()-1, 0))
	if err != nil {
		return wrap("sweep "+table+" over max_tokens", err)
	}
	if n, err := res.RowsAffected(); err == nil && n > 0 && s.onEvict != nil {
		s.onEvict(int(n))
	}
	return nil
}

// changed runs one statement and reports whether it changed a row.
func (s *Store) changed(ctx context.Context, op, query string, args ...any) (bool, error) {
	res, err := s.db.ExecContext(ctx, query, args...)
	if err != nil {
		return false, wrap(op, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, wrap(op, err)
	}
	return n > 0, nil
}

// SetTokenLimit bounds each token table to limit() rows, applied by the
// sweeps; onEvict hears how many unexpired rows a sweep removed.
func (s *Store) SetTokenLimit(limit func() int, onEvict func(n int)) {
	s.limit, s.onEvict = limit, onEvict
}

// PutRefreshToken inserts rt (replacing a token with the same hash, as the
// memory store does).
func (s *Store) PutRefreshToken(ctx context.Context, rt mockserver.RefreshToken) error {
	if err := s.sweepExpired(ctx, "ropc_refresh_tokens", rt.IssuedAt); err != nil {
		return err
	}
	_, err := s.db.ExecContext(ctx, `INSERT OR REPLACE INTO ropc_refresh_tokens
		(hash, family, client_id, subject, scope, issued_at, expires_at, used_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		rt.Hash, rt.Family, rt.ClientID, rt.Subject, rt.Scope, micros(rt.IssuedAt), micros(rt.ExpiresAt), micros(rt.UsedAt))
	return wrap("put refresh token", err)
}

// GetRefreshToken reads a token and, in the same statement, whether its
// family has been revoked.
func (s *Store) GetRefreshToken(ctx context.Context, hash string) (mockserver.RefreshToken, error) {
	var (
		rt                    mockserver.RefreshToken
		issued, expires, used sql.NullInt64
		familyRevoked         int64
	)
	err := s.db.QueryRowContext(ctx, `SELECT r.hash, r.family, r.client_id, r.subject, r.scope, r.issued_at, r.expires_at, r.used_at,
		EXISTS (SELECT 1 FROM ropc_revocations v WHERE v.id = r.family)
		FROM ropc_refresh_tokens r WHERE r.hash = ?`, hash).
		Scan(&rt.Hash, &rt.Family, &rt.ClientID, &rt.Subject, &rt.Scope, &issued, &expires, &used, &familyRevoked)
	if errors.Is(err, sql.ErrNoRows) {
		return mockserver.RefreshToken{}, mockserver.ErrNotFound
	}
	if err != nil {
		return mockserver.RefreshToken{}, wrap("get refresh token", err)
	}
	rt.IssuedAt, rt.ExpiresAt, rt.UsedAt = fromMicros(issued), fromMicros(expires), fromMicros(used)
	rt.FamilyRevoked = familyRevoked != 0
	return rt, nil
}

// ConsumeRefreshToken is the consume-once step of rotation (RFC 9700
// §4.14.2): the conditional UPDATE changes a row only for the first caller,
// so two concurrent refreshes with one token cannot both succeed.
func (s *Store) ConsumeRefreshToken(ctx context.Context, hash string, now time.Time) (bool, error) {
	return s.changed(ctx, "consume refresh token",
		`UPDATE ropc_refresh_tokens SET used_at = ? WHERE hash = ? AND used_at IS NULL`, now.UnixMicro(), hash)
}

// PutAccessToken stores an opaque access token.
func (s *Store) PutAccessToken(ctx context.Context, at mockserver.AccessToken) error {
	if err := s.sweepExpired(ctx, "ropc_access_tokens", at.IssuedAt); err != nil {
		return err
	}
	_, err := s.db.ExecContext(ctx, `INSERT OR REPLACE INTO ropc_access_tokens
		(hash, jti, family, client_id, subject, scope, issued_at, expires_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		at.Hash, at.JTI, at.Family, at.ClientID, at.Subject, at.Scope, micros(at.IssuedAt), micros(at.ExpiresAt))
	return wrap("put access token", err)
}

// GetAccessToken reads an opaque access token.
func (s *Store) GetAccessToken(ctx context.Context, hash string) (mockserver.AccessToken, error) {
	var (
		at              mockserver.AccessToken
		issued, expires sql.NullInt64
	)
	err := s.db.QueryRowContext(ctx, `SELECT hash, jti, family, client_id, subject, scope, issued_at, expires_at
		FROM ropc_access_tokens WHERE hash = ?`, hash).
		Scan(&at.Hash, &at.JTI, &at.Family, &at.ClientID, &at.Subject, &at.Scope, &issued, &expires)
	if errors.Is(err, sql.ErrNoRows) {
		return mockserver.AccessToken{}, mockserver.ErrNotFound
	}
	if err != nil {
		return mockserver.AccessToken{}, wrap("get access token", err)
	}
	at.IssuedAt, at.ExpiresAt = fromMicros(issued), fromMicros(expires)
	return at, nil
}

// Revoke records id as revoked until the later of until and any earlier
// record.
func (s *Store) Revoke(ctx context.Context, id string, until time.Time) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO ropc_revocations (id, until) VALUES (?, ?)
		ON CONFLICT (id) DO UPDATE SET until = MAX(until, excluded.until)`, id, until.UnixMicro())
	return wrap("revoke", err)
}

// SpendOnce records id until until and reports whether it was not recorded
// at now, in one upsert: a new row, or a row whose record had ended, is
// changed; a live one is left alone and counts no change. SQLite runs one
// statement at a time, so of concurrent calls (any instance, D1 included)
// exactly one sees the change.
func (s *Store) SpendOnce(ctx context.Context, id string, now, until time.Time) (bool, error) {
	return s.changed(ctx, "spend once", `INSERT INTO ropc_revocations (id, until) VALUES (?1, ?2)
		ON CONFLICT (id) DO UPDATE SET until = excluded.until WHERE ropc_revocations.until <= ?3`,
		id, until.UnixMicro(), now.UnixMicro())
}

// IsRevoked reports whether any non-empty id is revoked, in one SELECT.
func (s *Store) IsRevoked(ctx context.Context, ids ...string) (bool, error) {
	args := make([]any, 0, len(ids))
	for _, id := range ids {
		if id != "" {
			args = append(args, id)
		}
	}
	if len(args) == 0 {
		return false, nil
	}
	q := `SELECT 1 FROM ropc_revocations WHERE id IN (?` + strings.Repeat(", ?", len(args)-1) + `) LIMIT 1`
	var one int64
	err := s.db.QueryRowContext(ctx, q, args...).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, wrap("is revoked", err)
	}
	return true, nil
}

// LoginState returns the brute-force state of username (zero if none).
func (s *Store) LoginState(ctx context.Context, username string) (mockserver.LoginState, error) {
	st, err := scanLoginState(s.db.QueryRowContext(ctx,
		`SELECT failures, window_start, locked_until FROM ropc_login_states WHERE username = ?`, username))
	if errors.Is(err, sql.ErrNoRows) {
		return mockserver.LoginState{}, nil
	}
	return st, wrap("login state", err)
}

// recordFailureSQL is mockserver.NextLoginState as one upsert. In SQLite's
// DO UPDATE every SET expression sees the old row, so "the window restarts"
// (?3 >= window_start + ?4) and "this failure locks" are spelled out in each.
// ?1 username, ?2 failures of a first row, ?3 now, ?4 window, ?5 max
// failures, ?6 lock duration, ?7 window_start of a first row, ?8
// locked_until of a first row.
const recordFailureSQL = `INSERT INTO ropc_login_states (username, failures, window_start, locked_until)
VALUES (?1, ?2, ?7, ?8)
ON CONFLICT (username) DO UPDATE SET
  failures = CASE
    WHEN ?5 > 0 AND (CASE WHEN window_start IS NULL OR ?3 >= window_start + ?4 THEN 1 ELSE failures + 1 END) >= ?5 THEN 0
    ELSE (CASE WHEN window_start IS NULL OR ?3 >= window_start + ?4 THEN 1 ELSE failures + 1 END)
  END,
  window_start = CASE
    WHEN window_start IS NULL OR ?3 >= window_start + ?4 OR (?5 > 0 AND failures + 1 >= ?5) THEN ?3
    ELSE window_start
  END,
  locked_until = CASE
    WHEN ?5 > 0 AND (CASE WHEN window_start IS NULL OR ?3 >= window_start + ?4 THEN 1 ELSE failures + 1 END) >= ?5 THEN ?3 + ?6
    ELSE locked_until
  END
RETURNING failures, window_start, locked_until`

// forgetPerFailure is how many idle login states one failure may delete:
// more than the one row a failure can add, so the table drains.
const forgetPerFailure = 2

// forgetIdleLoginsSQL deletes the ?2 login states idle longest, if idle by
// ?1 (now minus the window): a state whose later time — lock end or
// window start — is ?1 or earlier neither counts nor locks any more. The
// expression is the ropc_login_states_idle index's, so SQLite reads only
// the rows it deletes.
const forgetIdleLoginsSQL = `DELETE FROM ropc_login_states WHERE username IN
  (SELECT username FROM ropc_login_states
   WHERE MAX(COALESCE(locked_until, 0), COALESCE(window_start, 0)) <= ?1
   ORDER BY MAX(COALESCE(locked_until, 0), COALESCE(window_start, 0)) LIMIT ?2)`

// forgetIdleStmt prepares forgetIdleLoginsSQL once: on SQLite, planning
// the statement costs several times running it.
func (s *Store) forgetIdleStmt(ctx context.Context) (*sql.Stmt, error) {
	s.forgetMu.Lock()
	defer s.forgetMu.Unlock()
	if s.forgetIdle == nil {
		st, err := s.db.PrepareContext(ctx, forgetIdleLoginsSQL)
		if err != nil {
			return nil, err
		}
		s.forgetIdle = st
	}
	return s.forgetIdle, nil
}

// RecordLoginFailure counts one failed password (RFC 6749 §4.3.2 asks the
// server to protect the endpoint against brute force) atomically, so
// concurrent failures on different instances are all counted.
func (s *Store) RecordLoginFailure(ctx context.Context, username string, now time.Time, p mockserver.LockoutPolicy) (mockserver.LoginState, error) {
	// Failures for arbitrary (unknown) usernames must not grow the table
	// without bound, nor may forgetting them cost more as it grows: each
	// failure deletes at most forgetPerFailure idle states, found through
	// the ropc_login_states_idle index. One failure adds at most one row, so
	// idle rows drain.
	forget, err := s.forgetIdleStmt(ctx)
	if err == nil {
		_, err = forget.ExecContext(ctx, now.Add(-p.Window).UnixMicro(), forgetPerFailure)
	}
	if err != nil {
		return mockserver.LoginState{}, wrap("forget idle login states", err)
	}
	first := mockserver.NextLoginState(mockserver.LoginState{}, now, p)
	st, err := scanLoginState(s.db.QueryRowContext(ctx, recordFailureSQL,
		username, int64(first.Failures), now.UnixMicro(), p.Window.Microseconds(), int64(p.MaxFailures),
		p.Duration.Microseconds(), micros(first.WindowStart), micros(first.LockedUntil)))
	return st, wrap("record login failure", err)
}

// ClearLoginFailures forgets the failure count but keeps a lock in force.
// A row with no failures and no lock reads like no row at all, so one
// UPDATE serves both cases the memory store tells apart.
func (s *Store) ClearLoginFailures(ctx context.Context, username string) error {
	_, err := s.db.ExecContext(ctx, `UPDATE ropc_login_states SET failures = 0, window_start = NULL WHERE username = ?`, username)
	return wrap("clear login failures", err)
}

// Clear deletes all state.
func (s *Store) Clear(ctx context.Context) error {
	for _, table := range []string{"ropc_refresh_tokens", "ropc_access_tokens", "ropc_revocations", "ropc_login_states",
		"ropc_mfa_sign_ins", "ropc_totp_steps", "ropc_recovery_codes"} {
		if _, err := s.db.ExecContext(ctx, `DELETE FROM `+table); err != nil {
			return wrap("clear "+table, err)
		}
	}
	return nil
}

func scanLoginState(row *sql.Row) (mockserver.LoginState, error) {
	var (
		failures            int64
		windowStart, locked sql.NullInt64
	)
	if err := row.Scan(&failures, &windowStart, &locked); err != nil {
		return mockserver.LoginState{}, err
	}
	return mockserver.LoginState{Failures: int(failures), WindowStart: fromMicros(windowStart), LockedUntil: fromMicros(locked)}, nil
}
