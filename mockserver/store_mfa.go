package mockserver

import (
	"context"
	"time"
)

// MFAStore is the part of Store that holds second-factor sign-ins of the
// provider profiles: pending mfa_tokens and their out-of-band challenges,
// the last TOTP step each user has used, and recovery codes spent and
// issued. It is in the Store, not in the Server, because a sign-in takes
// several requests and any instance of the mock may serve each of them
// (Workers isolates; a native server restarted on its -state file).
//
// As for tokens, secrets are stored only as TokenHash values: the
// mfa_token, the oob_code and recovery codes. Every method is one SQL
// statement; the handler decides (expiry, slow_down) from what they return.
type MFAStore interface {
	// StartMFA records a sign-in that waits for its second factor. It may
	// first forget sign-ins whose ForgetAt has passed at now, and, past the
	// store's record limit (max_tokens), the oldest ones.
	StartMFA(ctx context.Context, in MFASignIn, now time.Time) error
	// GetMFA returns the sign-in of an mfa_token hash, expired or not, until
	// the store forgets it. ErrNotFound if unknown.
	GetMFA(ctx context.Context, hash string) (MFASignIn, error)
	// EndMFA deletes a sign-in and reports whether it was there, so of two
	// requests finishing one sign-in only one gets tokens.
	// SQL: DELETE ... WHERE hash=?.
	EndMFA(ctx context.Context, hash string) (bool, error)
	// ChallengeMFA starts (or restarts) the out-of-band challenge of a
	// sign-in: code, expiry, status pending, no poll yet. It reports false
	// if the sign-in is unknown.
	ChallengeMFA(ctx context.Context, hash, codeHash string, expires time.Time) (bool, error)
	// ResolveMFA sets the out-of-band challenges of username that are
	// pending and unexpired (challenge and sign-in) at now to status, and
	// returns how many it changed.
	ResolveMFA(ctx context.Context, username string, status OOBStatus, now time.Time) (int, error)
	// PollMFA records a poll at now of the challenge whose code hashes to
	// codeHash and returns the sign-in as it was, LastPoll being the poll
	// before this one (RFC 8628 §3.5 slow_down is decided on it).
	// ErrNotFound if no sign-in has that token and code.
	// SQL: UPDATE ... SET prev_poll = last_poll, last_poll = ? ... RETURNING.
	PollMFA(ctx context.Context, hash, codeHash string, now time.Time) (MFASignIn, error)
	// PendingMFA lists, sorted and without repeats, the users with an
	// out-of-band challenge pending and unexpired at now.
	PendingMFA(ctx context.Context, now time.Time) ([]string, error)

	// LastTOTPStep returns the last RFC 6238 time step username has used a
	// code of; ok is false if none is recorded.
	LastTOTPStep(ctx context.Context, username string) (step int64, ok bool, err error)
	// UseTOTPStep records step as username's last used step if it is later
	// than the recorded one, and reports whether it did: of two requests
	// with one code only one is accepted (RFC 6238 §5.2). The record may be
	// forgotten after forgetAt, when no code of that step is accepted any
	// more; records whose forgetAt has passed at now may go.
	// SQL: an upsert whose update has WHERE step < excluded.step.
	UseTOTPStep(ctx context.Context, username string, step int64, forgetAt, now time.Time) (bool, error)

	// SpendRecoveryCode spends a recovery code of username once and reports
	// whether this call spent it. configured codes (from the config) are
	// remembered as spent; issued ones (AddRecoveryCode) are deleted.
	SpendRecoveryCode(ctx context.Context, username, codeHash string, configured bool) (bool, error)
	// AddRecoveryCode records a code issued to username by a recovery-code
	// sign-in; it works once.
	AddRecoveryCode(ctx context.Context, username, codeHash string) error
}

// MFASignIn is a sign-in that passed the password step and waits for its
// second factor.
type MFASignIn struct {
	Hash     string // TokenHash of the mfa_token
	Username string
	ClientID string // the mfa_token works only for the client it was issued to
	Scope    string // the scope granted at the password step
	// ExpiresAt is the mfa_token's expiry; until ForgetAt an expired
	// sign-in is still returned, so a late client hears "expired", not
	// "unknown". The store may delete the record from ForgetAt on.
	ExpiresAt time.Time
	ForgetAt  time.Time

	// The out-of-band challenge, once ChallengeMFA has started one.
	OOBCodeHash  string // TokenHash of the oob_code; "" when none
	OOBExpiresAt time.Time
	OOBStatus    OOBStatus
	// OOBLastPoll is the time of the last poll; as PollMFA returns it, of
	// the poll before the one it records. Zero if none.
	OOBLastPoll time.Time
}

// OOBStatus is the state of an out-of-band challenge.
type OOBStatus int

// Out-of-band challenge states. The values are stored (SQL column
// oob_status), so they never change.
const (
	OOBPending  OOBStatus = 0
	OOBApproved OOBStatus = 1
	OOBDenied   OOBStatus = 2
)
