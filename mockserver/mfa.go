package mockserver

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Second-factor sign-ins of the provider profiles. Their state is in the
// Store (MFAStore), so a sign-in completes whichever instance of the mock
// serves each of its requests, and survives a restart on a -state file.

// mfaForgetAfter is how long past its expiry a sign-in is kept: a client
// that comes back late is told its mfa_token expired rather than that it
// is unknown.
const mfaForgetAfter = mfaTokenTTL

// startMFA records a sign-in waiting for its second factor under token.
func (s *Server) startMFA(ctx context.Context, token, username, clientID, scope string, now time.Time) error {
	expires := now.Add(mfaTokenTTL)
	return s.store.StartMFA(ctx, MFASignIn{
		Hash: TokenHash(token), Username: username, ClientID: clientID, Scope: scope,
		ExpiresAt: expires, ForgetAt: expires.Add(mfaForgetAfter),
	}, now)
}

// lookupMFA returns the sign-in of token, or the situation to answer:
// sitMFATokenInvalid if unknown, sitMFATokenExpired if expired (the sign-in
// then ends, so the next try hears it is unknown).
func (s *Server) lookupMFA(ctx context.Context, token string, now time.Time) (MFASignIn, situation, error) {
	in, err := s.store.GetMFA(ctx, TokenHash(token))
	if errors.Is(err, ErrNotFound) {
		return MFASignIn{}, sitMFATokenInvalid, nil
	}
	if err != nil {
		return MFASignIn{}, 0, err
	}
	if !now.Before(in.ExpiresAt) {
		if _, err := s.store.EndMFA(ctx, in.Hash); err != nil {
			return MFASignIn{}, 0, err
		}
		return MFASignIn{}, sitMFATokenExpired, nil
	}
	return in, 0, nil
}

// finishMFA ends a sign-in whose second factor passed; its mfa_token stops
// working. It answers sitMFATokenInvalid when another request ended it
// first, so one sign-in yields one set of tokens.
func (s *Server) finishMFA(ctx context.Context, token string) (situation, error) {
	ended, err := s.store.EndMFA(ctx, TokenHash(token))
	if err != nil || ended {
		return 0, err
	}
	return sitMFATokenInvalid, nil
}

// challengeOOB starts (or restarts) the out-of-band challenge of a sign-in
// with code; false if the sign-in is unknown.
func (s *Server) challengeOOB(ctx context.Context, token, code string, now time.Time) (bool, error) {
	return s.store.ChallengeMFA(ctx, TokenHash(token), TokenHash(code), now.Add(oobCodeTTL))
}

// pollOOB answers one mfa-oob token request: 0 when approved (the caller
// issues tokens), else the situation to answer. interval is the least time
// between polls (RFC 8628 §3.5 slow_down).
func (s *Server) pollOOB(ctx context.Context, token, code string, now time.Time, interval time.Duration) (situation, error) {
	in, err := s.store.PollMFA(ctx, TokenHash(token), TokenHash(code), now)
	switch {
	case errors.Is(err, ErrNotFound):
		return sitMFATokenInvalid, nil
	case err != nil:
		return 0, err
	case !now.Before(in.ExpiresAt):
		return sitMFATokenExpired, nil
	case !now.Before(in.OOBExpiresAt):
		return sitOOBExpired, nil
	}
	switch in.OOBStatus {
	case OOBApproved:
		return 0, nil
	case OOBDenied:
		// A refusal is final (Auth0: "you should stop polling").
		if _, err := s.store.EndMFA(ctx, in.Hash); err != nil {
			return 0, err
		}
		return sitOOBDenied, nil
	}
	if last := in.OOBLastPoll; !last.IsZero() && now.Sub(last) < interval {
		return sitSlowDown, nil
	}
	return sitOOBPending, nil
}

// useTOTP accepts code for username if it matches a step after the last
// one the user has used (RFC 6238 §5.2), and records that step.
func (s *Server) useTOTP(ctx context.Context, username string, key []byte, code string, now time.Time) (bool, error) {
	notBefore, ok, err := s.store.LastTOTPStep(ctx, username)
	if err != nil {
		return false, err
	}
	if !ok {
		notBefore = -1 << 62
	}
	step, ok := matchTOTP(key, code, now, notBefore)
	if !ok {
		return false, nil
	}
	// Once now's step is past step+totpSkew, no code of step or before is
	// accepted anyway: the record can go.
	forget := time.Unix((step+totpSkew+1)*int64(TOTPStep/time.Second), 0)
	return s.store.UseTOTPStep(ctx, username, step, forget, now)
}

// useRecovery spends code if it is one of the user's configured or issued
// codes and has not been used; next is issued in its place.
func (s *Server) useRecovery(ctx context.Context, username string, configured []string, code, next string) (bool, error) {
	isConfigured := false
	for _, c := range configured {
		if equalStrings(c, code) {
			isConfigured = true
		}
	}
	spent, err := s.store.SpendRecoveryCode(ctx, username, TokenHash(code), isConfigured)
	if err != nil || !spent {
		return false, err
	}
	return true, s.store.AddRecoveryCode(ctx, username, TokenHash(next))
}

// PendingMFA lists the users whose out-of-band challenge waits for
// ApproveMFA or DenyMFA, sorted. A store error is logged and lists none;
// ListPendingMFA returns it.
func (s *Server) PendingMFA() []string {
	users, err := s.ListPendingMFA(context.Background())
	if err != nil {
		s.log.Error("pending out-of-band challenges", "error", err.Error())
		return []string{}
	}
	return users
}

// ListPendingMFA is PendingMFA with the store's error.
func (s *Server) ListPendingMFA(ctx context.Context) ([]string, error) {
	return s.store.PendingMFA(ctx, s.clock.Now())
}

// ApproveMFA approves the pending out-of-band challenge of username (what
// the user's tap on "Approve" does). ErrNotFound if none is pending.
func (s *Server) ApproveMFA(username string) error { return s.resolveOOB(username, OOBApproved) }

// DenyMFA refuses the pending out-of-band challenge of username.
// ErrNotFound if none is pending.
func (s *Server) DenyMFA(username string) error { return s.resolveOOB(username, OOBDenied) }

func (s *Server) resolveOOB(username string, status OOBStatus) error {
	n, err := s.store.ResolveMFA(context.Background(), username, status, s.clock.Now())
	if err != nil {
		return err
	}
	if n == 0 {
		return fmt.Errorf("no out-of-band challenge pending for user %q: %w", username, ErrNotFound)
	}
	return nil
}

// equalStrings compares in constant time for equal lengths.
func equalStrings(a, b string) bool {
	return len(a) == len(b) && constantTimeEq([]byte(a), []byte(b))
}
