package core

import (
	"errors"
	"time"
)

// TokenStep is what a token holder does next.
type TokenStep string

const (
	// StepUse hands out the access token held now.
	StepUse TokenStep = "use"
	// StepRefresh runs (or joins) a refresh (RFC 6749 §6).
	StepRefresh TokenStep = "refresh"
	// StepSignInAgain: only the user's credentials can produce a usable token.
	StepSignInAgain TokenStep = "sign_in_again"
	// StepHandBack gives the resource server's 401 answer to the caller as
	// sent, with its RFC 6750 §3 challenge: there is nothing to refresh with.
	StepHandBack TokenStep = "hand_back"
	// StepFail reports the refresh failure to the caller; a later call tries again.
	StepFail TokenStep = "fail"
)

// TokenState is what a holder knows when asked for an access token.
type TokenState struct {
	HasToken        bool
	HasAccessToken  bool
	HasRefreshToken bool
	// Rejected: a resource server just refused the access token
	// (RFC 6750 §3.1 invalid_token), or the caller forces a refresh.
	Rejected bool
	// RefreshAt is from RefreshAt (or a retry time after a transient
	// failure); zero means never due.
	RefreshAt time.Time
	Expiry    time.Time
	Now       time.Time
}

// NextTokenStep decides between using the token, refreshing it and asking
// the user to sign in again.
//
// Shared rule "sign_in_again": "sign in again" means the holder cannot
// produce a usable access token without the user's password: there is no
// token, or the access token has expired and there is no refresh token, or
// the server rejected the refresh token (AfterRefreshFailure). A token inside
// the refresh margin but not yet expired, with no refresh token, is still
// handed out. A token a resource server rejected is refreshed when there is a
// refresh token; otherwise that server's 401 goes back to the caller.
func NextTokenStep(s TokenState) (TokenStep, string) {
	switch {
	case !s.HasToken:
		return StepSignInAgain, "no token"
	case s.Rejected && s.HasRefreshToken:
		return StepRefresh, "access token rejected"
	case s.Rejected:
		return StepHandBack, "access token rejected and there is no refresh token"
	case s.HasAccessToken && (s.RefreshAt.IsZero() || s.Now.Before(s.RefreshAt)):
		return StepUse, ""
	case s.HasRefreshToken:
		return StepRefresh, "access token due for refresh"
	case s.HasAccessToken && !Expired(s.Expiry, s.Now):
		return StepUse, "inside the refresh margin, and there is no refresh token"
	}
	return StepSignInAgain, "access token expired and there is no refresh token"
}

// RefreshFailure is a refresh that did not produce a token.
type RefreshFailure struct {
	// OAuthCode is the RFC 6749 §5.2 error code, "" for any other failure
	// (network, timeout, non-OAuth HTTP status, malformed answer).
	OAuthCode string
	// Forced: the refresh was asked for because the token was rejected, or
	// explicitly; the old token is then known to be useless.
	Forced bool
	// Expiry of the old access token; zero when unknown.
	Expiry time.Time
	Now    time.Time
}

// AfterRefreshFailure decides what a failed refresh means. The returned time
// is when to try refreshing again when the step is StepUse (the old token is
// kept until then).
//
// Shared rule "sign_in_again": invalid_grant on refresh (RFC 6749 §5.2: the
// refresh token is expired, revoked or already used) is "sign in again", and
// it stays so until the holder gets a new token: retrying cannot help. Any
// other failure while the old access token is still valid (and was not
// rejected) keeps the old token and retries after RetryPause (never after the
// expiry); otherwise the failure goes to the caller and the next call retries.
func AfterRefreshFailure(f RefreshFailure) (TokenStep, string, time.Time) {
	switch {
	case f.OAuthCode == "invalid_grant":
		return StepSignInAgain, "refresh token rejected", time.Time{}
	case !f.Forced && f.Expiry.IsZero():
		return StepFail, "", time.Time{} // unknown expiry: a refresh was asked for, nothing to fall back on
	case !f.Forced && !Expired(f.Expiry, f.Now):
		retry := f.Now.Add(RetryPause)
		if retry.After(f.Expiry) {
			retry = f.Expiry
		}
		return StepUse, "refresh failed; the old access token is still valid", retry
	}
	return StepFail, "", time.Time{}
}

// OAuthCodeOf is the RFC 6749 §5.2 code of err, or "".
func OAuthCodeOf(err error) string {
	var oe *OAuthError
	if errors.As(err, &oe) {
		return oe.Code
	}
	return ""
}
