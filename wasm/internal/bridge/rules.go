package bridge

import (
	"encoding/json"
	"errors"
	"math"
	"strconv"
	"time"

	"github.com/ropcgo/ropc/sdk/core"
)

// The shared rules of sdk/core (client config, plain http, default auth method, refresh margin, sign in
// again, discovery fallback) as JavaScript calls them. Booleans arrive as "1" or "", times as
// Unix milliseconds, and "" means absent (null in JavaScript).

func flag(s string) bool { return s == "1" }

// millis parses optional Unix milliseconds; "" is the zero time.
func millis(name, s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return time.Time{}, errors.New("ropc: " + name + " must be a whole number of milliseconds")
	}
	return time.UnixMilli(n), nil
}

// CheckClientConfig applies core.CheckClientConfig (a client id, and somewhere to send
// requests); ok is true.
func CheckClientConfig(c core.ClientConfig) string {
	return result(true, core.CheckClientConfig(c))
}

// RefusesToken applies core.RefusesToken to a WWW-Authenticate value (fetch's Headers.get joins
// its lines as core.ChallengeHeader does); ok is true or false.
func RefusesToken(wwwAuthenticate string) string {
	if core.RefusesToken(wwwAuthenticate) {
		return `{"ok":true}`
	}
	return `{"ok":false}`
}

// CheckEndpoint applies core.CheckSecureEndpoint; the answer is the URL.
func CheckEndpoint(field, url string, allowInsecure bool) string {
	return result(url, core.CheckSecureEndpoint(field, url, allowInsecure))
}

// CheckIssuer applies core.CheckSecureEndpoint and RFC 8414 §2's issuer shape; the answer is the issuer.
func CheckIssuer(issuer string, allowInsecure bool) string {
	if err := core.CheckSecureEndpoint("issuer", issuer, allowInsecure); err != nil {
		return fail(err)
	}
	_, err := core.DiscoveryURLs(issuer)
	return result(issuer, err)
}

// ResolveAuthMethod applies core.ResolveAuthMethod; the answer is the method to use.
func ResolveAuthMethod(method, secret string) string {
	m, err := core.ResolveAuthMethod(core.AuthMethod(method), secret)
	return result(string(m), err)
}

// RefreshMargin checks a margin in milliseconds ("" is core.DefaultRefreshMargin); the answer is
// the margin to use, in milliseconds.
func RefreshMargin(marginMS string) string {
	if marginMS == "" {
		return result(core.DefaultRefreshMargin.Milliseconds(), nil)
	}
	f, err := strconv.ParseFloat(marginMS, 64)
	if err != nil || math.IsNaN(f) || math.Abs(f) > float64(math.MaxInt64/int64(time.Millisecond)) {
		return fail(&core.ParamError{Key: "refresh_margin", Reason: "must be a number of milliseconds"})
	}
	d := time.Duration(f * float64(time.Millisecond))
	if err := core.CheckRefreshMargin(d); err != nil {
		return fail(err)
	}
	return result(d.Milliseconds(), nil)
}

// TokenStepInput is what the JavaScript session knows about its token.
type TokenStepInput struct {
	HasToken, HasAccessToken, HasRefreshToken, Rejected bool
	ExpiresAtMS, ExpiresIn, MarginMS, RetryAtMS, NowMS  string
}

// TokenStep applies core.RefreshAt and core.NextTokenStep: {"step", "reason", "refreshAt"}, the
// last in Unix milliseconds or null (never due). The session keeps refreshAt per token, so its
// fast path is a clock comparison, as in package sdk's TokenSource.
func TokenStep(in TokenStepInput) string {
	expiry, err := millis("expiresAt", in.ExpiresAtMS)
	if err != nil {
		return fail(err)
	}
	now, err := millis("now", in.NowMS)
	if err != nil {
		return fail(err)
	}
	retryAt, err := millis("retryAt", in.RetryAtMS)
	if err != nil {
		return fail(err)
	}
	margin, err := strconv.ParseInt(in.MarginMS, 10, 64)
	if err != nil {
		return fail(errors.New("ropc: marginMs must be a whole number"))
	}
	var expiresIn *int64
	if in.ExpiresIn != "" {
		n, err := strconv.ParseInt(in.ExpiresIn, 10, 64)
		if err != nil {
			return fail(errors.New("ropc: expiresIn must be a whole number of seconds"))
		}
		expiresIn = &n
	}
	refreshAt := core.RefreshAt(expiry, expiresIn, time.Duration(margin)*time.Millisecond)
	if !retryAt.IsZero() {
		refreshAt = retryAt // after a transient failure: core.AfterRefreshFailure's retry time
	}
	step, reason := core.NextTokenStep(core.TokenState{HasToken: in.HasToken, HasAccessToken: in.HasAccessToken,
		HasRefreshToken: in.HasRefreshToken, Rejected: in.Rejected, RefreshAt: refreshAt, Expiry: expiry, Now: now})
	var w jsonWriter
	w.openOK()
	w.str("step", string(step))
	w.str("reason", reason)
	w.key("refreshAt")
	if refreshAt.IsZero() {
		w.null()
	} else {
		w.int(refreshAt.UnixMilli())
	}
	w.closeOK()
	return w.String()
}

// RefreshFailure applies core.AfterRefreshFailure: {"step", "reason", "retryAt"}.
func RefreshFailure(oauthCode string, forced, hasAccessToken bool, expiresAtMS, nowMS string) string {
	expiry, err := millis("expiresAt", expiresAtMS)
	if err != nil {
		return fail(err)
	}
	now, err := millis("now", nowMS)
	if err != nil {
		return fail(err)
	}
	if !hasAccessToken {
		expiry = time.UnixMilli(0) // nothing to fall back on, as in package sdk
	}
	step, reason, retry := core.AfterRefreshFailure(core.RefreshFailure{OAuthCode: oauthCode, Forced: forced, Expiry: expiry, Now: now})
	var w jsonWriter
	w.openOK()
	w.str("step", string(step))
	w.str("reason", reason)
	w.key("retryAt")
	if retry.IsZero() {
		w.null()
	} else {
		w.int(retry.UnixMilli())
	}
	w.closeOK()
	return w.String()
}

// NextDiscoveryURL applies core.NextDiscoveryURL to the attempts so far (a JSON array of
// {"url", "status", "problem"}); the answer is the next URL, or a "discovery" error.
func NextDiscoveryURL(issuer, triedJSON string) string {
	var tried []core.DiscoveryAttempt
	if triedJSON != "" {
		if err := json.Unmarshal([]byte(triedJSON), &tried); err != nil {
			return fail(errors.New("ropc: malformed discovery attempts from the JavaScript layer"))
		}
	}
	u, err := core.NextDiscoveryURL(issuer, tried)
	return result(u, err)
}
