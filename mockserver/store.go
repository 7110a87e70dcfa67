package mockserver

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"time"
)

// ErrNotFound is returned by Store lookups that find nothing.
var ErrNotFound = errors.New("mockserver: not found")

// Store holds all mutable protocol state, so a host whose instances come and
// go (on Cloudflare Workers each isolate runs its own instance, and any
// isolate may serve any request) can keep it in SQL.
//
// Tokens are stored only as TokenHash values (hex SHA-256), never raw.
// Every method maps to one SQL statement (GetRefreshToken is one SELECT with
// a join); the handler never needs an interactive transaction. Times are
// always passed in from the server's Clock; a Store never reads the wall
// clock for protocol decisions. Implementations must be safe for concurrent
// use.
type Store interface {
	// PutRefreshToken inserts a new refresh token: every rotated one, and a
	// grant's first (a new Family) with any store but the in-memory one,
	// whose first tokens are self-contained (refreshtoken.go).
	PutRefreshToken(ctx context.Context, rt RefreshToken) error
	// GetRefreshToken returns the token with the hash, with FamilyRevoked
	// set if the family id has been revoked. ErrNotFound if unknown.
	GetRefreshToken(ctx context.Context, hash string) (RefreshToken, error)
	// ConsumeRefreshToken atomically marks an unused token as used (rotated)
	// at now and reports true; it reports false if the token was already
	// used (or is unknown) — the caller then treats it as reuse (RFC 9700
	// §4.14.2). SQL: UPDATE ... SET used_at=? WHERE hash=? AND used_at IS NULL.
	ConsumeRefreshToken(ctx context.Context, hash string, now time.Time) (bool, error)

	// PutAccessToken stores an opaque access token (opaque token mode only;
	// JWT access tokens are self-contained and never stored).
	PutAccessToken(ctx context.Context, at AccessToken) error
	// GetAccessToken returns an opaque access token. ErrNotFound if unknown.
	GetAccessToken(ctx context.Context, hash string) (AccessToken, error)

	// Revoke records that id — an access token's jti, or a refresh-token
	// family id (which revokes every refresh and access token of the grant)
	// — is revoked. The record may be forgotten after until (the expiry of
	// the last token it revokes). A revoked family's refresh tokens may be
	// deleted at once: GetRefreshToken then answers ErrNotFound for them
	// instead of FamilyRevoked, which the handler treats alike.
	Revoke(ctx context.Context, id string, until time.Time) error
	// IsRevoked reports whether any of ids has been revoked.
	// SQL: SELECT 1 FROM revocations WHERE id IN (...) LIMIT 1.
	IsRevoked(ctx context.Context, ids ...string) (bool, error)
	// SpendOnce records id in the revocations until until (IsRevoked sees
	// it; sweeps may forget it after until) and reports true if it was not
	// recorded at now: unknown, or its record ended by now. Of concurrent
	// calls with one id, exactly one reports true, so instances sharing a
	// store (Workers isolates over D1) cannot both accept one DPoP proof
	// (RFC 9449 §11.1).
	// SQL: INSERT ... ON CONFLICT (id) DO UPDATE ... WHERE until <= now, and
	// the rows it changed.
	SpendOnce(ctx context.Context, id string, now, until time.Time) (bool, error)

	// LoginState returns the brute-force state of a username (zero value
	// if none).
	LoginState(ctx context.Context, username string) (LoginState, error)
	// RecordLoginFailure atomically counts one failed password for username
	// at now under policy p and returns the new state:
	//   - if the window has passed (WindowStart+p.Window <= now) the count
	//     restarts at 1 with WindowStart = now;
	//   - when Failures reaches p.MaxFailures, LockedUntil = now+p.Duration
	//     and the count restarts (Failures 0, WindowStart now).
	// It also forgets a few usernames (at most a fixed number per call,
	// oldest first) whose window has passed and whose lock has ended, so
	// guesses at unknown usernames cannot grow the state without bound and
	// a call costs the same however many usernames are tracked.
	// SQL: one INSERT ... ON CONFLICT DO UPDATE ... RETURNING with CASEs,
	// after a DELETE of at most a few idle rows found through an index.
	RecordLoginFailure(ctx context.Context, username string, now time.Time, p LockoutPolicy) (LoginState, error)
	// ClearLoginFailures forgets the failures of username (after a
	// successful login). The handler calls it only when Failures > 0.
	ClearLoginFailures(ctx context.Context, username string) error

	// MFAStore holds second-factor sign-ins (store_mfa.go).
	MFAStore

	// Clear deletes all state (Server.Reset), second-factor state included.
	Clear(ctx context.Context) error
}

// RefreshToken is the stored form of a refresh token.
type RefreshToken struct {
	Hash      string // TokenHash of the token
	Family    string // random id shared by every rotation of one grant
	ClientID  string // RFC 6749 §6: bound to the client it was issued to
	Subject   string // username
	Scope     string // space-separated granted scope
	IssuedAt  time.Time
	ExpiresAt time.Time
	// UsedAt is non-zero once the token has been rotated.
	UsedAt time.Time
	// FamilyRevoked is computed by GetRefreshToken (not stored): Family is
	// in the revocations.
	FamilyRevoked bool
	// selfContained: a grant's first token, never stored (refreshtoken.go).
	selfContained bool
}

// AccessToken is the stored form of an opaque access token.
type AccessToken struct {
	Hash      string // TokenHash of the token
	JTI       string // unique id; revoking the token revokes this id
	Family    string // refresh family it came from ("" if none)
	ClientID  string
	Subject   string
	Scope     string
	IssuedAt  time.Time
	ExpiresAt time.Time
}

// LockoutPolicy is the resolved brute-force policy.
type LockoutPolicy struct {
	MaxFailures int
	Window      time.Duration
	Duration    time.Duration
}

// LoginState is the brute-force state of one username.
type LoginState struct {
	Failures    int
	WindowStart time.Time
	LockedUntil time.Time
}

// Locked reports whether the username is locked at now.
func (s LoginState) Locked(now time.Time) bool { return now.Before(s.LockedUntil) }

// TokenHash is the key under which a token is stored: hex SHA-256.
func TokenHash(token string) string {
	// Tokens of the usual length are copied to the stack rather than
	// converted to a heap []byte.
	var in [128]byte
	var sum [sha256.Size]byte
	if len(token) <= len(in) {
		sum = sha256.Sum256(in[:copy(in[:], token)])
	} else {
		sum = sha256.Sum256([]byte(token))
	}
	var text [2 * sha256.Size]byte
	hex.Encode(text[:], sum[:])
	return string(text[:])
}

// NextLoginState is the reference semantics of RecordLoginFailure, shared by
// every Store implementation that can compute in Go.
func NextLoginState(s LoginState, now time.Time, p LockoutPolicy) LoginState {
	if s.WindowStart.IsZero() || !now.Before(s.WindowStart.Add(p.Window)) {
		s.Failures = 0
		s.WindowStart = now
	}
	s.Failures++
	if p.MaxFailures > 0 && s.Failures >= p.MaxFailures {
		s.LockedUntil = now.Add(p.Duration)
		s.Failures = 0
		s.WindowStart = now
	}
	return s
}
