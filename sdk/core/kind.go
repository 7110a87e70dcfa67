package core

import (
	"encoding/json"
	"strconv"
	"strings"
	"time"
)

// Kind names the situation behind an OAuth error, whichever server sent it:
// the RFC 6749 §5.2 code alone cannot tell a wrong password from a code
// needed, a locked account or an expired password, because servers use
// invalid_grant for all of them. Every *OAuthError gets exactly one Kind.
type Kind string

// The kinds, one per situation a program (or a person) acts on differently.
const (
	// KindInvalidCredentials: wrong username or password (RFC 6749 §5.2
	// invalid_grant on the password grant; Auth0 "Wrong email or password.",
	// Entra AADSTS50126). On a refresh it means the refresh token is dead.
	// Keycloak answers "Invalid user credentials" also for a missing or wrong
	// one-time code and for a user locked by brute-force detection
	// (keycloak#31616, keycloak#48273): nothing in that answer tells them
	// apart, so it is reported as what it says, invalid_credentials.
	KindInvalidCredentials Kind = "invalid_credentials"
	// KindMFARequired: the password was right and a second factor is needed;
	// Auth0 and Okta send mfa_required with an mfa_token to continue with.
	KindMFARequired Kind = "mfa_required"
	// KindMFAInvalidCode: a one-time or recovery code was refused.
	KindMFAInvalidCode Kind = "mfa_invalid_code"
	// KindMFADenied: the user rejected an out-of-band (push) approval.
	KindMFADenied Kind = "mfa_denied"
	// KindInteractionRequired: only an interactive (browser) sign-in can
	// continue, e.g. Entra's AADSTS50076/50079 (MFA, or MFA enrolment) with a
	// claims challenge: the password grant cannot do it.
	KindInteractionRequired Kind = "interaction_required"
	// KindPasswordExpired: the password must be changed first (Entra
	// AADSTS50055, suberror user_password_expired; Auth0 password_leaked).
	KindPasswordExpired Kind = "password_expired"
	// KindAccountSetupRequired: the account has pending setup. Keycloak sends
	// "Account is not fully set up" for any required action, an expired
	// password included (keycloak#36108), so that answer is this kind.
	KindAccountSetupRequired Kind = "account_setup_required"
	// KindAccountLocked: locked for now after failed attempts (Auth0
	// too_many_attempts, even with HTTP 429; Entra AADSTS50053). RetryAfter
	// says when to try again, if the server said.
	KindAccountLocked Kind = "account_locked"
	// KindAccountDisabled: disabled or blocked by an administrator.
	KindAccountDisabled Kind = "account_disabled"
	// KindRateLimited: too many requests (HTTP 429, slow_down); see RetryAfter.
	KindRateLimited Kind = "rate_limited"
	// KindConsentRequired: the user or an administrator must consent to the
	// client's access first (Entra AADSTS65001).
	KindConsentRequired Kind = "consent_required"
	// KindInvalidClient: the client is misconfigured or not allowed this
	// grant (invalid_client, unauthorized_client).
	KindInvalidClient Kind = "invalid_client"
	// KindInvalidScope: the requested scope is refused (invalid_scope).
	KindInvalidScope Kind = "invalid_scope"
	// KindServerUnavailable: a server-side failure (server_error,
	// temporarily_unavailable, HTTP 5xx); worth retrying later.
	KindServerUnavailable Kind = "server_unavailable"
	// KindOther: none of the above.
	KindOther Kind = "other"
)

// Kinds lists every Kind, in the order of the constants.
func Kinds() []Kind {
	return []Kind{KindInvalidCredentials, KindMFARequired, KindMFAInvalidCode, KindMFADenied,
		KindInteractionRequired, KindPasswordExpired, KindAccountSetupRequired, KindAccountLocked,
		KindAccountDisabled, KindRateLimited, KindConsentRequired, KindInvalidClient, KindInvalidScope,
		KindServerUnavailable, KindOther}
}

// providerCodes are error codes that providers define beyond RFC 6749 §5.2.
// A provider's own code decides before the HTTP status: Auth0 sends
// too_many_attempts with 429, and that is a locked account, not a rate limit.
var providerCodes = map[string]Kind{
	// Auth0 (Authentication API errors; auth0 SDKs' isMultifactor* checks) and
	// Okta direct authentication both answer mfa_required with an mfa_token.
	"mfa_required":    KindMFARequired,
	"a0.mfa_required": KindMFARequired,
	// Auth0: MFA is required but the user has no factor enrolled; enrolment is
	// account setup the password grant cannot do.
	"mfa_registration_required":    KindAccountSetupRequired,
	"a0.mfa_registration_required": KindAccountSetupRequired,
	"unsupported_challenge_type":   KindAccountSetupRequired,
	// Wrong one-time code: Auth0 documents invalid_mfa_code in some places and
	// mfa_invalid_code / a0.mfa_invalid_code in others; its OIDC endpoints
	// send invalid_grant "Invalid otp_code." (see descriptionKinds). Okta's
	// Guardian-style invalid_otp is the same situation.
	"invalid_mfa_code":    KindMFAInvalidCode,
	"mfa_invalid_code":    KindMFAInvalidCode,
	"a0.mfa_invalid_code": KindMFAInvalidCode,
	"invalid_otp":         KindMFAInvalidCode,
	// Auth0 brute-force protection: "Your account has been blocked after
	// multiple consecutive login attempts" (HTTP 429).
	"too_many_attempts": KindAccountLocked,
	// Auth0: blocked by an administrator.
	"blocked_user": KindAccountDisabled,
	// Auth0 breached-password detection: the password must be reset.
	"password_leaked":          KindPasswordExpired,
	"password_change_required": KindPasswordExpired,
	// OpenID Connect Core §3.1.2.6 codes, which Entra also sends on the token
	// endpoint.
	"interaction_required": KindInteractionRequired,
	"login_required":       KindInteractionRequired,
	"consent_required":     KindConsentRequired,
	// RFC 8628 §3.5 polling answers, reused by the Auth0/Okta mfa-oob grant.
	"slow_down": KindRateLimited,
	// RFC 6749 §5.2 and §4.1.2.1.
	"invalid_client":          KindInvalidClient,
	"unauthorized_client":     KindInvalidClient,
	"invalid_scope":           KindInvalidScope,
	"server_error":            KindServerUnavailable,
	"temporarily_unavailable": KindServerUnavailable,
}

// entraCodes maps Microsoft Entra ID AADSTS numbers (the error_codes member,
// or "AADSTSnnnnn" in the description) to kinds; learn.microsoft.com
// "Microsoft Entra authentication and authorization error codes".
var entraCodes = map[int64]Kind{
	50126:   KindInvalidCredentials,   // invalid username or password
	50034:   KindInvalidCredentials,   // user account does not exist in the directory
	50056:   KindInvalidCredentials,   // invalid or null password
	50053:   KindAccountLocked,        // smart lockout, or sign-in from a malicious IP
	50055:   KindPasswordExpired,      // password expired
	50144:   KindPasswordExpired,      // Active Directory password expired
	50057:   KindAccountDisabled,      // user account is disabled
	50076:   KindInteractionRequired,  // MFA required by policy: needs an interactive sign-in
	50079:   KindInteractionRequired,  // MFA enrolment required: interactive only
	50072:   KindInteractionRequired,  // must enrol for a second factor
	50074:   KindInteractionRequired,  // strong authentication required
	50158:   KindInteractionRequired,  // external security challenge not satisfied
	50125:   KindAccountSetupRequired, // interrupted by password reset or registration
	65001:   KindConsentRequired,      // consent missing for the application
	65004:   KindConsentRequired,      // user declined consent
	70011:   KindInvalidScope,         // invalid scope
	7000215: KindInvalidClient,        // invalid client secret
	700016:  KindInvalidClient,        // application not found in the tenant
	7000218: KindInvalidClient,        // client_assertion or client_secret required
}

// entraSuberrors maps Entra's suberror member (documented with MSAL's
// InteractionRequiredAuthError) to kinds.
var entraSuberrors = map[string]Kind{
	"basic_action":          KindInteractionRequired,
	"additional_action":     KindInteractionRequired,
	"message_only":          KindInteractionRequired,
	"consent_required":      KindConsentRequired,
	"user_password_expired": KindPasswordExpired,
}

// descriptionKinds match error_description text, lower-cased, for providers
// that tell situations apart only there. Checked in order; the first
// prefix that matches wins.
var descriptionKinds = []struct {
	prefix string
	kind   Kind
}{
	// Keycloak (services/.../directgrant and AuthenticationManager): the same
	// invalid_grant code, the situation only in the description.
	{"account is not fully set up", KindAccountSetupRequired},
	{"account disabled", KindAccountDisabled},
	{"account is disabled", KindAccountDisabled},
	{"account temporarily disabled", KindAccountLocked}, // brute force, Keycloak before 24
	{"account is temporarily disabled", KindAccountLocked},
	{"invalid user credentials", KindInvalidCredentials},
	// Auth0 OIDC endpoints (auth0 SDKs' isMultifactorCodeInvalid).
	{"invalid otp_code", KindMFAInvalidCode},
	{"invalid binding_code", KindMFAInvalidCode},
	{"invalid recovery_code", KindMFAInvalidCode},
	{"mfa authorization rejected", KindMFADenied},
	{"wrong email or password", KindInvalidCredentials},
	{"user is blocked", KindAccountDisabled},
}

// Classify decides the Kind of an error answer from, in this order: the
// provider's own code, an mfa_token, Entra's AADSTS numbers and suberror, a
// provider's description, the RFC 6749 code, and last the HTTP status.
func Classify(code, description string, extra map[string]any, status int) Kind {
	if k, ok := providerCodes[code]; ok {
		return k
	}
	// An mfa_token is how Auth0 and Okta continue a sign-in with a second
	// factor; a server that sends one under another code asks for the same.
	if t, ok := extra["mfa_token"].(string); ok && t != "" {
		return KindMFARequired
	}
	if k, ok := entraKind(description, extra); ok {
		return k
	}
	if code == "invalid_grant" || code == "access_denied" || code == "invalid_request" || code == "unauthorized" {
		lower := strings.ToLower(strings.TrimSpace(description))
		for _, d := range descriptionKinds {
			if strings.HasPrefix(lower, d.prefix) {
				return d.kind
			}
		}
	}
	switch {
	case status == 429:
		return KindRateLimited
	case status >= 500:
		return KindServerUnavailable
	}
	if code == "invalid_grant" {
		// RFC 6749 §5.2: the grant (here the resource owner's credentials, or
		// the refresh token) is invalid.
		return KindInvalidCredentials
	}
	return KindOther
}

// entraKind reads Entra's members: the AADSTS numbers first (the most
// specific), then suberror.
func entraKind(description string, extra map[string]any) (Kind, bool) {
	if codes, ok := extra["error_codes"].([]any); ok {
		for _, c := range codes {
			if n, ok := int64Value(c); ok {
				if k, ok := entraCodes[n]; ok {
					return k, true
				}
			}
		}
	}
	if n, ok := aadstsInDescription(description); ok {
		if k, ok := entraCodes[n]; ok {
			return k, true
		}
	}
	if s, ok := extra["suberror"].(string); ok {
		if k, ok := entraSuberrors[s]; ok {
			return k, true
		}
	}
	return "", false
}

func int64Value(v any) (int64, bool) {
	switch n := v.(type) {
	case json.Number:
		i, err := n.Int64()
		return i, err == nil
	case float64:
		return int64(n), n == float64(int64(n))
	case string:
		i, err := strconv.ParseInt(n, 10, 64)
		return i, err == nil
	}
	return 0, false
}

// aadstsInDescription finds "AADSTS" followed by digits, which Entra puts at
// the start of every error_description.
func aadstsInDescription(d string) (int64, bool) {
	i := strings.Index(d, "AADSTS")
	if i < 0 {
		return 0, false
	}
	j := i + len("AADSTS")
	k := j
	for k < len(d) && d[k] >= '0' && d[k] <= '9' && k-j < 10 {
		k++
	}
	if k == j {
		return 0, false
	}
	n, err := strconv.ParseInt(d[j:k], 10, 64)
	return n, err == nil
}

// parseRetryAfter reads an RFC 9110 §10.2.3 Retry-After value: delay-seconds
// or an HTTP-date (IMF-fixdate), relative to now. Unknown or past is 0.
func parseRetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil {
		if secs <= 0 {
			return 0
		}
		if secs > maxExpiresIn {
			secs = maxExpiresIn
		}
		return time.Duration(secs) * time.Second
	}
	t, ok := parseIMFFixdate(v)
	if !ok {
		return 0
	}
	if d := t.Sub(now); d > 0 {
		return d.Truncate(time.Second)
	}
	return 0
}

var months = [...]string{"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"}

// parseIMFFixdate reads RFC 9110 §5.6.7's IMF-fixdate, "Sun, 06 Nov 1994
// 08:49:37 GMT", the form servers send. It replaces time.Parse, which would
// add about 100 KB to the WebAssembly module.
func parseIMFFixdate(v string) (time.Time, bool) {
	if len(v) != 29 || v[3] != ',' || v[4] != ' ' || v[7] != ' ' || v[11] != ' ' || v[16] != ' ' ||
		v[19] != ':' || v[22] != ':' || v[25:] != " GMT" {
		return time.Time{}, false
	}
	num := func(s string) (int, bool) {
		n := 0
		for i := 0; i < len(s); i++ {
			if s[i] < '0' || s[i] > '9' {
				return 0, false
			}
			n = n*10 + int(s[i]-'0')
		}
		return n, true
	}
	day, ok1 := num(v[5:7])
	year, ok2 := num(v[12:16])
	hour, ok3 := num(v[17:19])
	minute, ok4 := num(v[20:22])
	sec, ok5 := num(v[23:25])
	month := 0
	for i, m := range months {
		if v[8:11] == m {
			month = i + 1
		}
	}
	if !ok1 || !ok2 || !ok3 || !ok4 || !ok5 || month == 0 || day < 1 || day > 31 || hour > 23 || minute > 59 || sec > 60 {
		return time.Time{}, false
	}
	secs := daysFromCivil(year, month, day)*86400 + int64(hour*3600+minute*60+sec)
	return time.Unix(secs, 0), true
}

// daysFromCivil counts days from 1970-01-01 to a proleptic Gregorian date
// (H. Hinnant's algorithm); time.Date would add about 30 KB to the module.
func daysFromCivil(y, m, d int) int64 {
	if m <= 2 {
		y--
	}
	era := y / 400
	yoe := y - era*400
	mp := (m + 9) % 12
	doy := (153*mp+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return int64(era)*146097 + int64(doe) - 719468
}
