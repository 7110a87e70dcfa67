package mockserver

import (
	"fmt"
)

// validateProfile checks the profile keys of the config and the users'
// second factors and states against the profile.
func (c *Config) validateProfile() error {
	bad := func(key, format string, args ...any) error {
		return &ConfigError{Key: key, Problem: fmt.Sprintf(format, args...)}
	}
	profile := c.Profile
	switch profile {
	case "", ProfileRFC, ProfileKeycloak, ProfileAuth0, ProfileOkta, ProfileEntra:
	default:
		return bad("profile", "%q is not a profile; use one of rfc, keycloak, auth0, okta, entra", profile)
	}
	if profile == "" {
		profile = ProfileRFC
	}
	if c.Realm != "" {
		if profile != ProfileKeycloak {
			return bad("realm", "applies to the keycloak profile only (profile is %s)", profile)
		}
		if !isPathSegment(c.Realm) {
			return bad("realm", "must be a URL path segment (letters, digits, '.', '_', '-')")
		}
	}
	if len(c.Realms) > 0 && profile != ProfileAuth0 {
		return bad("realms", "applies to the auth0 profile only (profile is %s)", profile)
	}
	for i, r := range c.Realms {
		if r == "" || !isVSCHAR(r) {
			return bad(fmt.Sprintf("realms[%d]", i), "must be a non-empty printable connection name")
		}
		if contains(c.Realms[:i], r) {
			return bad(fmt.Sprintf("realms[%d]", i), "duplicate connection %q", r)
		}
	}
	if c.Tenant != "" {
		if profile != ProfileEntra {
			return bad("tenant", "applies to the entra profile only (profile is %s)", profile)
		}
		if !isPathSegment(c.Tenant) {
			return bad("tenant", "must be a URL path segment, e.g. contoso.onmicrosoft.com or a tenant id")
		}
	}
	if c.OOBInterval < 0 {
		return bad("oob_interval", "must not be negative")
	}
	for i, u := range c.Users {
		if err := validateUserProfile(u, profile); err != nil {
			err.Key = fmt.Sprintf("users[%d]%s", i, err.Key)
			return err
		}
	}
	return nil
}

func validateUserProfile(u User, profile string) *ConfigError {
	bad := func(key, format string, args ...any) *ConfigError {
		return &ConfigError{Key: key, Problem: fmt.Sprintf(format, args...)}
	}
	switch u.State {
	case "", StateActive, StateLocked, StateDisabled, StatePasswordExpired, StateSetupRequired:
	default:
		return bad(".state", "%q is not a state; use active, locked, disabled, password_expired or setup_required", u.State)
	}
	for j, rc := range u.RecoveryCodes {
		if rc == "" || !isVSCHAR(rc) {
			return bad(fmt.Sprintf(".recovery_codes[%d]", j), "must be a non-empty printable code")
		}
		if contains(u.RecoveryCodes[:j], rc) {
			return bad(fmt.Sprintf(".recovery_codes[%d]", j), "repeats an earlier code")
		}
	}
	m := u.MFA
	if m == nil {
		return nil
	}
	switch m.Type {
	case MFATypeTOTP:
		if m.Secret == "" {
			return bad(".mfa.secret", "a totp factor needs its base32 secret")
		}
		if _, err := decodeTOTPSecret(m.Secret); err != nil {
			return bad(".mfa.secret", "%s", err.Error())
		}
	case MFATypeOOB:
		if m.Secret != "" {
			return bad(".mfa.secret", "an oob factor has no secret")
		}
		if m.OOB {
			return bad(".mfa.oob", "adds an oob factor to a totp one; this factor is oob already")
		}
	default:
		return bad(".mfa.type", "%q is not a factor; use totp or oob", m.Type)
	}
	switch {
	case profile == ProfileRFC:
		return bad(".mfa", "user %q has a second factor, which the rfc profile does not do; choose a provider profile (keycloak, auth0, okta, entra)", u.Username)
	case profile == ProfileKeycloak && m.OOB:
		return bad(".mfa.oob", "user %q has an oob factor, which the keycloak profile cannot do in the password grant (use totp alone)", u.Username)
	case profile == ProfileKeycloak && m.Type == MFATypeOOB:
		// Keycloak's direct grant flow validates only username, password
		// and an OTP (directgrant ValidateOTP); it has no out-of-band step.
		return bad(".mfa.type", "user %q has an oob factor, which the keycloak profile cannot do in the password grant (use totp)", u.Username)
	}
	return nil
}

// isPathSegment: RFC 3986 unreserved characters, non-empty.
func isPathSegment(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-' || c == '~') {
			return false
		}
	}
	return s != "." && s != ".."
}
