package mockserver

import "net/http"

// okta answers like an Okta custom authorization server ("default") with
// Identity Engine direct authentication. Sources: Okta developer docs,
// "Configure Direct Authentication grant types" (MFA OTP and MFA OOB flows:
// the 403 mfa_required body, the /challenge request and answer, the 400
// authorization_pending body), and Okta's ROPC answer for invalid
// credentials or a locked account (400 invalid_grant "The credentials
// provided were invalid.").
type okta struct{}

const oktaServer = "/oauth2/default"

func (okta) issuerSuffix(*Config) string { return oktaServer }

func (okta) routes(*Config) map[string]endpoint {
	v1 := oktaServer + "/v1"
	return map[string]endpoint{
		v1 + "/token":      epToken,
		v1 + "/challenge":  epChallenge,
		v1 + "/introspect": epIntrospect,
		v1 + "/revoke":     epRevoke,
		v1 + "/userinfo":   epUserinfo,
		v1 + "/keys":       epJWKS,
		oktaServer + "/.well-known/openid-configuration":       epOIDCMetadata,
		oktaServer + "/.well-known/oauth-authorization-server": epOAuthMetadata,
	}
}

func (okta) grants() map[string]grantKind {
	return map[string]grantKind{
		"password": grantPassword, "refresh_token": grantRefresh,
		GrantMFAOTP: grantMFAOTP, GrantMFAOOB: grantMFAOOB,
	}
}

func (okta) mfaMode() mfaMode { return mfaContinue }

// recoveryCodes: direct authentication has no recovery-code grant.
func (okta) recoveryCodes() bool { return false }

func (okta) answer(sit situation, a *answerCtx) *wireError {
	e := func(status int, code, desc string, extra ...member) *wireError {
		return &wireError{status: status, code: code, description: desc, extra: extra}
	}
	switch sit {
	case sitMFARequired:
		return e(http.StatusForbidden, "mfa_required", "Verify with an additional authenticator to complete the sign-in process.",
			member{"mfa_token", a.mfaToken})
	case sitOOBPending:
		return e(http.StatusBadRequest, "authorization_pending",
			"No user response received on the out-of-band authenticator yet. Continue polling to wait for a response.")
	case sitSlowDown:
		// Okta documents the slow_down code (its SDKs keep polling on it)
		// but no description.
		return e(http.StatusBadRequest, "slow_down", slowDownDescription(a.st.oobInterval()))
	case sitOOBDenied:
		// Okta documents no body for a refused push; its direct
		// authentication SDKs handle access_denied, RFC 8628 §3.5's code.
		return e(http.StatusBadRequest, "access_denied", "The user rejected the out-of-band challenge.")
	case sitUnknownRealm:
		return e(http.StatusBadRequest, "invalid_request", "the realm parameter is not supported")
	}
	// Okta sends the same answer for a wrong password, an unknown user and
	// a locked account; it documents no distinct answer in this grant for a
	// disabled user, an expired password, enrolment needed, a wrong code or
	// an expired mfa_token, so those get it too.
	return e(http.StatusBadRequest, "invalid_grant", "The credentials provided were invalid.")
}

// wrap: Okta answers protocol errors in the RFC 6749 §5.2 shape.
func (okta) wrap(e *oauthError, _ *answerCtx) *wireError { return fromOAuth(e) }

func (okta) metadata(iss, _ string, st *state, _ bool) map[string]any {
	m := commonMetadata(iss, st, []string{"password", "refresh_token", GrantMFAOTP, GrantMFAOOB})
	v1 := iss + "/v1"
	m["token_endpoint"] = v1 + "/token"
	m["introspection_endpoint"] = v1 + "/introspect"
	m["revocation_endpoint"] = v1 + "/revoke"
	m["userinfo_endpoint"] = v1 + "/userinfo"
	m["jwks_uri"] = v1 + "/keys"
	return m
}
