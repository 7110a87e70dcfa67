package core

import "time"

// DefaultRefreshMargin is how long before expiry a token holder (package
// sdk's TokenSource, the JavaScript session) refreshes, so that a token handed
// out does not expire on its way to the resource server or during a long
// request there. One minute leaves room for a slow network and a retry; the
// cap in RefreshAt keeps it from dominating short-lived tokens.
const DefaultRefreshMargin = 60 * time.Second

// RetryPause spaces refresh attempts after a transient failure while the old
// access token still works, so a server that is down is not asked on every call.
const RetryPause = 2 * time.Second

// CheckRefreshMargin refuses a negative margin.
//
// Shared rule "refresh_margin".
func CheckRefreshMargin(margin time.Duration) error {
	if margin < 0 {
		return &ParamError{Key: "refresh_margin", Reason: "must not be negative"}
	}
	return nil
}

// RefreshAt is when a token is due for refresh: margin before its expiry, but
// never earlier than half its lifetime, so that a server issuing tokens
// shorter than twice the margin does not get a refresh on every call. The
// zero time means never (the expiry is unknown: RFC 6749 §5.1 makes
// expires_in optional, and a resource server's 401 says when it is over).
//
// Shared rule "refresh_margin".
func RefreshAt(expiry time.Time, expiresIn *int64, margin time.Duration) time.Time {
	if expiry.IsZero() {
		return time.Time{}
	}
	if expiresIn != nil {
		if half := time.Duration(*expiresIn) * time.Second / 2; margin > half {
			margin = half
		}
	}
	return expiry.Add(-margin)
}

// ExpiresAt is the receive time plus expires_in seconds (RFC 6749 §5.1: the
// lifetime counts from when the response was generated; the receive time is
// the closest a client knows, and errs towards early). A nil lifetime is
// unknown and gives the zero time, never "expired now".
//
// Shared rule "expiry".
func ExpiresAt(received time.Time, expiresIn *int64) time.Time {
	if expiresIn == nil {
		return time.Time{}
	}
	return received.Add(time.Duration(*expiresIn) * time.Second)
}

// Expired reports whether an access token with this expiry can no longer be
// used at now: at the expiry instant it is over. Unknown expiry never expires.
//
// Shared rule "expiry".
func Expired(expiry, now time.Time) bool {
	return !expiry.IsZero() && !now.Before(expiry)
}
