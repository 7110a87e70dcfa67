package mockserver

import "net/http"

// keycloak answers like a Keycloak realm's direct access grant. Source:
// keycloak/keycloak services/.../authenticators/directgrant (ValidateUsername,
// ValidatePassword, ValidateOTP) and protocol/oidc/grants/
// ResourceOwnerPasswordCredentialsGrantType.
type keycloak struct{}

func (keycloak) realm(cfg *Config) string {
	if cfg.Realm != "" {
		return cfg.Realm
	}
	return DefaultKeycloakRealm
}

func (k keycloak) issuerSuffix(cfg *Config) string { return "/realms/" + k.realm(cfg) }

func (k keycloak) routes(cfg *Config) map[string]endpoint {
	iss := k.issuerSuffix(cfg)
	oidc := iss + "/protocol/openid-connect"
	return map[string]endpoint{
		oidc + "/token":                           epToken,
		oidc + "/token/introspect":                epIntrospect,
		oidc + "/revoke":                          epRevoke,
		oidc + "/userinfo":                        epUserinfo,
		oidc + "/certs":                           epJWKS,
		iss + "/.well-known/openid-configuration": epOIDCMetadata,
	}
}

func (keycloak) grants() map[string]grantKind {
	return map[string]grantKind{"password": grantPassword, "refresh_token": grantRefresh}
}

func (keycloak) mfaMode() mfaMode { return mfaInline }

// recoveryCodes: Keycloak's recovery authentication codes are not part of
// the default direct grant flow.
func (keycloak) recoveryCodes() bool { return false }

func (keycloak) answer(sit situation, _ *answerCtx) *wireError {
	switch sit {
	case sitDisabled:
		// ValidateUsername: !user.isEnabled() -> 400 "Account disabled".
		return &wireError{status: http.StatusBadRequest, code: "invalid_grant", description: "Account disabled"}
	case sitPasswordExpired, sitSetupRequired:
		// An expired password is Keycloak's UPDATE_PASSWORD required
		// action; any pending required action is 400 "Account is not fully
		// set up", which does not say which (keycloak#36108).
		return &wireError{status: http.StatusBadRequest, code: "invalid_grant", description: "Account is not fully set up"}
	}
	// Wrong password, unknown user, a missing or wrong code (ValidateOTP),
	// and a temporarily locked user (brute-force detection) all get 401
	// "Invalid user credentials" (keycloak#31616, keycloak#48273).
	return &wireError{status: http.StatusUnauthorized, code: "invalid_grant", description: "Invalid user credentials"}
}

// wrap keeps protocol errors as they are: Keycloak answers them in the RFC
// 6749 §5.2 shape (e.g. 401 invalid_client).
func (keycloak) wrap(e *oauthError, _ *answerCtx) *wireError { return fromOAuth(e) }

func (k keycloak) metadata(iss, _ string, st *state, _ bool) map[string]any {
	m := commonMetadata(iss, st, []string{"password", "refresh_token"})
	oidc := iss + "/protocol/openid-connect"
	m["token_endpoint"] = oidc + "/token"
	m["introspection_endpoint"] = oidc + "/token/introspect"
	m["revocation_endpoint"] = oidc + "/revoke"
	m["userinfo_endpoint"] = oidc + "/userinfo"
	m["jwks_uri"] = oidc + "/certs"
	return m
}
