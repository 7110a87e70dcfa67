package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/ropcgo/ropc/mockserver"
)

// The second-factor state (mockserver.MFAStore): one statement per method,
// so a sign-in started on one Workers isolate finishes on any other.

const mfaColumns = `hash, username, client_id, scope, expires_at, forget_at, oob_code, oob_expires_at, oob_status`

// StartMFA inserts a sign-in; now and then it first deletes sign-ins past
// forget_at and, past the max_tokens limit, the oldest.
func (s *Store) StartMFA(ctx context.Context, in mockserver.MFASignIn, now time.Time) error {
	if s.sweep() {
		if err := s.sweepMFA(ctx, now); err != nil {
			return err
		}
	}
	_, err := s.db.ExecContext(ctx, `INSERT OR REPLACE INTO ropc_mfa_sign_ins
		(hash, username, client_id, scope, expires_at, forget_at, oob_code, oob_expires_at, oob_status, oob_last_poll, oob_prev_poll)
		VALUES (?, ?, ?, ?, ?, ?, NULL, NULL, 0, NULL, NULL)`,
		in.Hash, in.Username, in.ClientID, in.Scope, micros(in.ExpiresAt), micros(in.ForgetAt))
	return wrap("start mfa", err)
}

func (s *Store) sweepMFA(ctx context.Context, now time.Time) error {
	if _, err := s.db.ExecContext(ctx, `DELETE FROM ropc_mfa_sign_ins WHERE forget_at <= ?`, now.UnixMicro()); err != nil {
		return wrap("sweep mfa sign-ins", err)
	}
	if _, err := s.db.ExecContext(ctx, `DELETE FROM ropc_totp_steps WHERE forget_at <= ?`, now.UnixMicro()); err != nil {
		return wrap("sweep totp steps", err)
	}
	return s.evictOverLimit(ctx, "ropc_mfa_sign_ins", "forget_at")
}

// GetMFA reads a sign-in.
func (s *Store) GetMFA(ctx context.Context, hash string) (mockserver.MFASignIn, error) {
	in, err := scanMFA(s.db.QueryRowContext(ctx, `SELECT `+mfaColumns+`, oob_last_poll FROM ropc_mfa_sign_ins WHERE hash = ?`, hash))
	if errors.Is(err, sql.ErrNoRows) {
		return mockserver.MFASignIn{}, mockserver.ErrNotFound
	}
	return in, wrap("get mfa", err)
}

// EndMFA deletes a sign-in; only the caller that deleted the row hears true.
func (s *Store) EndMFA(ctx context.Context, hash string) (bool, error) {
	return s.changed(ctx, "end mfa", `DELETE FROM ropc_mfa_sign_ins WHERE hash = ?`, hash)
}

// ChallengeMFA starts or restarts the out-of-band challenge of a sign-in.
func (s *Store) ChallengeMFA(ctx context.Context, hash, codeHash string, expires time.Time) (bool, error) {
	return s.changed(ctx, "challenge mfa", `UPDATE ropc_mfa_sign_ins
		SET oob_code = ?, oob_expires_at = ?, oob_status = 0, oob_last_poll = NULL, oob_prev_poll = NULL
		WHERE hash = ?`, codeHash, micros(expires), hash)
}

// ResolveMFA answers the user's pending, unexpired challenges.
func (s *Store) ResolveMFA(ctx context.Context, username string, status mockserver.OOBStatus, now time.Time) (int, error) {
	res, err := s.db.ExecContext(ctx, `UPDATE ropc_mfa_sign_ins SET oob_status = ?1
		WHERE username = ?2 AND oob_code IS NOT NULL AND oob_status = 0 AND oob_expires_at > ?3 AND expires_at > ?3`,
		int64(status), username, now.UnixMicro())
	if err != nil {
		return 0, wrap("resolve mfa", err)
	}
	n, err := res.RowsAffected()
	return int(n), wrap("resolve mfa", err)
}

// PollMFA records the poll and returns the row with the previous poll time:
// in SQLite's UPDATE every SET expression reads the old row, and RETURNING
// the new one, so oob_prev_poll carries the old oob_last_poll out.
func (s *Store) PollMFA(ctx context.Context, hash, codeHash string, now time.Time) (mockserver.MFASignIn, error) {
	in, err := scanMFA(s.db.QueryRowContext(ctx, `UPDATE ropc_mfa_sign_ins
		SET oob_prev_poll = oob_last_poll, oob_last_poll = ?3
		WHERE hash = ?1 AND oob_code = ?2
		RETURNING `+mfaColumns+`, oob_prev_poll`, hash, codeHash, now.UnixMicro()))
	if errors.Is(err, sql.ErrNoRows) {
		return mockserver.MFASignIn{}, mockserver.ErrNotFound
	}
	return in, wrap("poll mfa", err)
}

// PendingMFA lists users with a pending, unexpired challenge.
func (s *Store) PendingMFA(ctx context.Context, now time.Time) ([]string, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT DISTINCT username FROM ropc_mfa_sign_ins
		WHERE oob_code IS NOT NULL AND oob_status = 0 AND oob_expires_at > ?1 AND expires_at > ?1 ORDER BY username`, now.UnixMicro())
	if err != nil {
		return nil, wrap("pending mfa", err)
	}
	defer rows.Close()
	users := []string{}
	for rows.Next() {
		var u string
		if err := rows.Scan(&u); err != nil {
			return nil, wrap("pending mfa", err)
		}
		users = append(users, u)
	}
	return users, wrap("pending mfa", rows.Err())
}

// LastTOTPStep reads the user's last used step.
func (s *Store) LastTOTPStep(ctx context.Context, username string) (int64, bool, error) {
	var step int64
	err := s.db.QueryRowContext(ctx, `SELECT step FROM ropc_totp_steps WHERE username = ?`, username).Scan(&step)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, wrap("last totp step", err)
	}
	return step, true, nil
}

// UseTOTPStep moves the user's last step forward, never back: the upsert
// changes no row when the recorded step is the same or later, so of two
// requests with one code only one is accepted (RFC 6238 §5.2).
func (s *Store) UseTOTPStep(ctx context.Context, username string, step int64, forgetAt, now time.Time) (bool, error) {
	if s.sweep() {
		if err := s.sweepMFA(ctx, now); err != nil {
			return false, err
		}
	}
	return s.changed(ctx, "use totp step", `INSERT INTO ropc_totp_steps (username, step, forget_at) VALUES (?1, ?2, ?3)
		ON CONFLICT (username) DO UPDATE SET step = excluded.step, forget_at = excluded.forget_at
		WHERE ropc_totp_steps.step < excluded.step`, username, step, micros(forgetAt))
}

// SpendRecoveryCode spends a code once: a configured code by recording it
// as spent (the insert changes nothing if it already is), an issued one by
// deleting it.
func (s *Store) SpendRecoveryCode(ctx context.Context, username, codeHash string, configured bool) (bool, error) {
	if configured {
		return s.changed(ctx, "spend recovery code", `INSERT INTO ropc_recovery_codes (username, hash, issued) VALUES (?, ?, 0)
			ON CONFLICT (username, hash) DO NOTHING`, username, codeHash)
	}
	return s.changed(ctx, "spend recovery code", `DELETE FROM ropc_recovery_codes WHERE username = ? AND hash = ? AND issued = 1`, username, codeHash)
}

// AddRecoveryCode records an issued code.
func (s *Store) AddRecoveryCode(ctx context.Context, username, codeHash string) error {
	_, err := s.db.ExecContext(ctx, `INSERT OR REPLACE INTO ropc_recovery_codes (username, hash, issued) VALUES (?, ?, 1)`, username, codeHash)
	return wrap("add recovery code", err)
}

// scanMFA reads mfaColumns and a poll time (the last, or for PollMFA the
// previous).
func scanMFA(row *sql.Row) (mockserver.MFASignIn, error) {
	var (
		in                          mockserver.MFASignIn
		expires, forget, oobExpires sql.NullInt64
		poll                        sql.NullInt64
		oobCode                     sql.NullString
		status                      int64
	)
	if err := row.Scan(&in.Hash, &in.Username, &in.ClientID, &in.Scope, &expires, &forget, &oobCode, &oobExpires, &status, &poll); err != nil {
		return mockserver.MFASignIn{}, err
	}
	in.ExpiresAt, in.ForgetAt, in.OOBExpiresAt, in.OOBLastPoll = fromMicros(expires), fromMicros(forget), fromMicros(oobExpires), fromMicros(poll)
	in.OOBCodeHash, in.OOBStatus = oobCode.String, mockserver.OOBStatus(status)
	return in, nil
}
