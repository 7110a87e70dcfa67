package core

import (
	"fmt"
	"net/url"
	"sort"
)

// PasswordParams are the RFC 6749 §4.3.2 parameters of a password grant.
type PasswordParams struct {
	Username string
	Password string
	Scopes   []string   // space-joined into "scope" (RFC 6749 §3.3)
	Extra    url.Values // extension parameters such as audience or resource (RFC 8707)
	// Realm selects an Auth0 connection: the request becomes Auth0's
	// password-realm grant (grant_type GrantPasswordRealm with realm;
	// Authentication API, "Resource Owner Password").
	Realm string
	// OTP is a one-time code sent with the password as "otp", which is how
	// Keycloak's direct grant takes it (ValidateOTP reads otp, and totp from
	// older clients): Keycloak cannot ask for a code, so a caller who has one
	// sends it up front.
	OTP string
}

// RefreshParams are the RFC 6749 §6 parameters of a refresh.
type RefreshParams struct {
	RefreshToken string
	Scopes       []string // RFC 6749 §6: may narrow, never widen, the original scope
	Extra        url.Values
}

// String never shows the password; the username is personal data and is
// redacted too, as in Request.String.
func (p PasswordParams) String() string {
	return fmt.Sprintf("PasswordParams{Username:%s Password:%s Scopes:%q Extra:%s Realm:%q OTP:%s}",
		redacted(p.Username), redacted(p.Password), p.Scopes, redactedKeys(p.Extra), p.Realm, redacted(p.OTP))
}

// GoString never shows the password.
func (p PasswordParams) GoString() string { return "core." + p.String() }

// Format routes every verb through String/GoString.
func (p PasswordParams) Format(f fmt.State, verb rune) {
	formatRedacted(f, verb, p.String(), p.GoString())
}

// String never shows the refresh token.
func (p RefreshParams) String() string {
	return fmt.Sprintf("RefreshParams{RefreshToken:%s Scopes:%q Extra:%s}",
		redacted(p.RefreshToken), p.Scopes, redactedKeys(p.Extra))
}

// GoString never shows the refresh token.
func (p RefreshParams) GoString() string { return "core." + p.String() }

// Format routes every verb through String/GoString.
func (p RefreshParams) Format(f fmt.State, verb rune) {
	formatRedacted(f, verb, p.String(), p.GoString())
}

// redactedKeys lists extension parameter names without their values, which
// may be as sensitive as the grant's own (an audience is harmless, an
// assertion is not).
func redactedKeys(extra url.Values) string {
	keys := make([]string, 0, len(extra))
	for k := range extra {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return fmt.Sprintf("%q", keys)
}

// Reserved parameters the grant sets itself; Extra may not override them,
// which would otherwise let a stray option swap the grant or the credentials.
var (
	reservedPassword = []string{"grant_type", "username", "password", "scope", "client_id", "client_secret", "refresh_token", "realm", "otp"}
	reservedRefresh  = []string{"grant_type", "refresh_token", "scope", "client_id", "client_secret", "username", "password"}
)

// NewPasswordRequest builds the RFC 6749 §4.3.2 access token request.
func NewPasswordRequest(tokenURL string, auth ClientAuth, p PasswordParams) (*Request, error) {
	if p.Username == "" {
		return nil, &ParamError{Key: "username", Reason: "required (RFC 6749 §4.3.2)"}
	}
	if p.Password == "" {
		return nil, &ParamError{Key: "password", Reason: "required (RFC 6749 §4.3.2)"}
	}
	form := newFormParams()
	form.Set("grant_type", "password")
	if p.Realm != "" {
		form.Set("grant_type", GrantPasswordRealm)
		form.Set("realm", p.Realm)
	}
	form.Set("username", p.Username)
	form.Set("password", p.Password)
	if p.OTP != "" {
		form.Set("otp", p.OTP)
	}
	return newTokenEndpointRequest(tokenURL, auth, form, p.Scopes, p.Extra, reservedPassword)
}

// NewRefreshRequest builds the RFC 6749 §6 refresh request.
func NewRefreshRequest(tokenURL string, auth ClientAuth, p RefreshParams) (*Request, error) {
	if p.RefreshToken == "" {
		return nil, &ParamError{Key: "refresh_token", Reason: "required (RFC 6749 §6)"}
	}
	form := newFormParams()
	form.Set("grant_type", "refresh_token")
	form.Set("refresh_token", p.RefreshToken)
	return newTokenEndpointRequest(tokenURL, auth, form, p.Scopes, p.Extra, reservedRefresh)
}
