package mockserver

import "net/http"

// auth0 answers like an Auth0 tenant with the MFA API. Sources: Auth0
// Authentication API docs ("Multi-factor Authentication", "Verify with
// out-of-band", "Verify with recovery code"), "Authenticate Using the
// Resource Owner Password Flow with MFA", the Authentication API error
// reference, and the error pairs the Auth0 SDKs match (Auth0.Android
// isMultifactorCodeInvalid: "Invalid otp_code.", "MFA Authorization
// rejected.").
type auth0 struct{}

func (auth0) issuerSuffix(*Config) string { return "/" }

func (auth0) routes(*Config) map[string]endpoint {
	return map[string]endpoint{
		"/oauth/token":                      epToken,
		"/mfa/challenge":                    epChallenge,
		"/mfa/authenticators":               epAuthenticators,
		"/oauth/revoke":                     epRevoke,
		"/userinfo":                         epUserinfo,
		"/.well-known/jwks.json":            epJWKS,
		"/.well-known/openid-configuration": epOIDCMetadata,
	}
}

func (auth0) grants() map[string]grantKind {
	return map[string]grantKind{
		"password": grantPassword, GrantPasswordRealm: grantPasswordRealm, "refresh_token": grantRefresh,
		GrantMFAOTP: grantMFAOTP, GrantMFAOOB: grantMFAOOB, GrantMFARecoveryCode: grantMFARecovery,
	}
}

func (auth0) mfaMode() mfaMode    { return mfaContinue }
func (auth0) recoveryCodes() bool { return true }

func (auth0) answer(sit situation, a *answerCtx) *wireError {
	e := func(status int, code, desc string, extra ...member) *wireError {
		return &wireError{status: status, code: code, description: desc, extra: extra}
	}
	switch sit {
	case sitLocked:
		// Brute-force protection: 429 too_many_attempts.
		return e(http.StatusTooManyRequests, "too_many_attempts",
			"Your account has been blocked after multiple consecutive login attempts. We've sent you an email with instructions on how to unblock it.")
	case sitDisabled:
		// A blocked user. (blocked_user is the name of the log event and
		// of the Lock widget's error; the token endpoint answers this.)
		return e(http.StatusUnauthorized, "unauthorized", "user is blocked")
	case sitSetupRequired:
		// "mfa_registration_required: The administrator has required
		// multi-factor authentication, but the user has not enrolled".
		return e(http.StatusForbidden, "mfa_registration_required", "Multifactor authentication registration required",
			member{"mfa_token", a.mfaToken})
	case sitMFARequired:
		kind := "otp"
		if a.user != nil && a.user.MFA != nil && a.user.MFA.Type == MFATypeOOB {
			kind = "push-notification"
		}
		// mfa_requirements is sent by newer tenants (the Auth0 SDKs'
		// MfaRequiredError carries it).
		return e(http.StatusForbidden, "mfa_required", "Multifactor authentication required",
			member{"mfa_token", a.mfaToken},
			member{"mfa_requirements", map[string]any{"challenge": []map[string]string{{"type": kind}}}})
	case sitOTPInvalid:
		return e(http.StatusForbidden, "invalid_grant", "Invalid otp_code.")
	case sitOOBPending:
		// The API reference's samples show 200 for every answer, errors
		// included; the mock sends RFC 8628 §3.5's 400, like Okta.
		return e(http.StatusBadRequest, "authorization_pending", "Authorization pending: please repeat the request in a few seconds.")
	case sitSlowDown:
		return e(http.StatusBadRequest, "slow_down", slowDownDescription(a.st.oobInterval()))
	case sitOOBDenied:
		return e(http.StatusForbidden, "invalid_grant", "MFA Authorization rejected.")
	case sitRecoveryInvalid:
		// Auth0 documents no description for a wrong recovery code; this
		// follows its "Invalid otp_code." pattern.
		return e(http.StatusForbidden, "invalid_grant", "Invalid recovery_code.")
	case sitMFATokenExpired:
		return e(http.StatusForbidden, "expired_token", "mfa_token is expired")
	case sitOOBExpired:
		return e(http.StatusForbidden, "expired_token", "oob_code is expired")
	case sitMFATokenInvalid:
		return e(http.StatusForbidden, "invalid_grant", "Malformed mfa_token")
	case sitUnknownRealm:
		return e(http.StatusBadRequest, "invalid_request", "the connection was not found")
	}
	// Wrong password and unknown user. Auth0 documents no distinct answer
	// for an expired password in this grant, so that gets this one too.
	return e(http.StatusForbidden, "invalid_grant", "Wrong email or password.")
}

// wrap: Auth0 answers protocol errors in the RFC 6749 §5.2 shape.
func (auth0) wrap(e *oauthError, _ *answerCtx) *wireError { return fromOAuth(e) }

func (auth0) metadata(iss, base string, st *state, _ bool) map[string]any {
	m := commonMetadata(iss, st, []string{"password", GrantPasswordRealm, "refresh_token", GrantMFAOTP, GrantMFAOOB, GrantMFARecoveryCode})
	m["token_endpoint"] = base + "/oauth/token"
	m["revocation_endpoint"] = base + "/oauth/revoke"
	m["userinfo_endpoint"] = base + "/userinfo"
	m["jwks_uri"] = base + "/.well-known/jwks.json"
	m["mfa_challenge_endpoint"] = base + "/mfa/challenge"
	return m
}
