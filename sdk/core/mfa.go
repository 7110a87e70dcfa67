package core

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"time"
)

// Grant types that continue a password sign-in after the server answered
// mfa_required, and Auth0's password grant with a connection. Auth0 defines
// them (Authentication API, "Verify with one-time password", "Verify with
// out-of-band", "Verify with recovery code", "Resource Owner Password" with
// realm); Okta's direct authentication uses the same names today
// (developer.okta.com "Configure direct authentication grant types": MFA OTP
// and MFA OOB flows, grant_type=http://auth0.com/oauth/grant-type/mfa-otp).
const (
	GrantPasswordRealm    = "http://auth0.com/oauth/grant-type/password-realm"
	GrantMFAOTP           = "http://auth0.com/oauth/grant-type/mfa-otp"
	GrantMFAOOB           = "http://auth0.com/oauth/grant-type/mfa-oob"
	GrantMFARecoveryCode  = "http://auth0.com/oauth/grant-type/mfa-recovery-code"
	defaultOOBInterval    = 5 * time.Second // RFC 8628 §3.2 and Okta's documented interval
	slowDownIncrement     = 5 * time.Second // RFC 8628 §3.5: slow_down adds 5 seconds
	maxOOBPollingInterval = 60 * time.Second
)

// MFAParams are the parameters of one MFA grant request at the token
// endpoint. Grant picks which of OTP, OOBCode (+ BindingCode) or
// RecoveryCode is sent; MFAToken is the mfa_token of the mfa_required answer.
type MFAParams struct {
	Grant        string // GrantMFAOTP, GrantMFAOOB or GrantMFARecoveryCode
	MFAToken     string
	OTP          string // GrantMFAOTP: the one-time code
	OOBCode      string // GrantMFAOOB: oob_code from the challenge
	BindingCode  string // GrantMFAOOB: the code the user typed, when the challenge asked for one
	RecoveryCode string // GrantMFARecoveryCode
	Scopes       []string
	Extra        url.Values
}

// String never shows the codes or the mfa_token.
func (p MFAParams) String() string {
	return fmt.Sprintf("MFAParams{Grant:%q MFAToken:%s OTP:%s OOBCode:%s BindingCode:%s RecoveryCode:%s Scopes:%q Extra:%s}",
		p.Grant, redacted(p.MFAToken), redacted(p.OTP), redacted(p.OOBCode), redacted(p.BindingCode),
		redacted(p.RecoveryCode), p.Scopes, redactedKeys(p.Extra))
}

// GoString never shows the codes or the mfa_token.
func (p MFAParams) GoString() string { return "core." + p.String() }

// Format routes every verb through String/GoString.
func (p MFAParams) Format(f fmt.State, verb rune) { formatRedacted(f, verb, p.String(), p.GoString()) }

var reservedMFA = []string{"grant_type", "mfa_token", "otp", "oob_code", "binding_code", "recovery_code",
	"scope", "client_id", "client_secret", "username", "password", "refresh_token"}

// NewMFATokenRequest builds the token request that answers an MFA
// challenge. Nothing here carries the password: the mfa_token stands for the
// first factor, so a wrong code never counts twice against the password.
func NewMFATokenRequest(tokenURL string, auth ClientAuth, p MFAParams) (*Request, error) {
	if p.MFAToken == "" {
		return nil, &ParamError{Key: "mfa_token", Reason: "required: it comes with the server's mfa_required answer"}
	}
	form := newFormParams()
	form.Set("grant_type", p.Grant)
	form.Set("mfa_token", p.MFAToken)
	switch p.Grant {
	case GrantMFAOTP:
		if p.OTP == "" {
			return nil, &ParamError{Key: "otp", Reason: "required for the mfa-otp grant"}
		}
		form.Set("otp", p.OTP)
	case GrantMFAOOB:
		if p.OOBCode == "" {
			return nil, &ParamError{Key: "oob_code", Reason: "required for the mfa-oob grant: it comes with the challenge answer"}
		}
		form.Set("oob_code", p.OOBCode)
		if p.BindingCode != "" {
			form.Set("binding_code", p.BindingCode)
		}
	case GrantMFARecoveryCode:
		if p.RecoveryCode == "" {
			return nil, &ParamError{Key: "recovery_code", Reason: "required for the mfa-recovery-code grant"}
		}
		form.Set("recovery_code", p.RecoveryCode)
	default:
		return nil, &ParamError{Key: "grant_type", Reason: "not an MFA grant: want " + GrantMFAOTP + ", " + GrantMFAOOB + " or " + GrantMFARecoveryCode}
	}
	return newTokenEndpointRequest(tokenURL, auth, form, p.Scopes, p.Extra, reservedMFA)
}

// ParseMFATokenResponse parses the answer to an MFA grant request. Beyond
// ParseTokenResponse it knows what the grant was: an invalid_grant (or
// access_denied) answer to a code is a refused code, and to an out-of-band
// poll a denial. Auth0 documents invalid_grant for a rejected out-of-band
// challenge ("Verify with out-of-band": "you should stop polling, as this
// response is final"); Okta's direct-authentication SDKs map access_denied
// the same way.
func ParseMFATokenResponse(r Response, now time.Time, grant string) (*Token, error) {
	t, err := ParseTokenResponse(r, now)
	if oe, ok := err.(*OAuthError); ok {
		oe.Kind = refineMFAKind(oe, grant)
	}
	return t, err
}

func refineMFAKind(oe *OAuthError, grant string) Kind {
	if oe.Code != "invalid_grant" && oe.Code != "access_denied" {
		return oe.Kind
	}
	if oe.Kind != KindInvalidCredentials && oe.Kind != KindOther {
		return oe.Kind // the provider said more precisely what happened
	}
	switch grant {
	case GrantMFAOTP, GrantMFARecoveryCode:
		return KindMFAInvalidCode
	case GrantMFAOOB:
		return KindMFADenied
	}
	return oe.Kind
}

// MFAToken returns the mfa_token of an mfa_required error, or "".
func MFAToken(err error) string {
	oe, ok := err.(*OAuthError)
	if !ok || oe.Kind != KindMFARequired {
		return ""
	}
	s, _ := oe.Extra["mfa_token"].(string)
	return s
}

// OOBPoll decides what an out-of-band poll does next, after the answer err
// (nil never reaches here: a token ends the polling). authorization_pending
// waits interval again; slow_down waits 5 seconds more from now on (RFC 8628
// §3.5, which Auth0's and Okta's mfa-oob grant follow); anything else ends
// the polling with err. An interval of 0 is the 5 s default.
func OOBPoll(err error, interval time.Duration) (next time.Duration, again bool) {
	if interval <= 0 {
		interval = defaultOOBInterval
	}
	oe, ok := err.(*OAuthError)
	if !ok {
		return 0, false
	}
	switch oe.Code {
	case "authorization_pending":
		return interval, true
	case "slow_down":
		return min(interval+slowDownIncrement, maxOOBPollingInterval), true
	}
	return 0, false
}

// ChallengeParams ask the server to start a second-factor challenge.
type ChallengeParams struct {
	MFAToken string
	// Types are the challenge types the client can handle, "otp" and "oob";
	// empty means both.
	Types           []string
	AuthenticatorID string // Auth0: a specific authenticator, from GET /mfa/authenticators
}

// String never shows the mfa_token.
func (p ChallengeParams) String() string {
	return fmt.Sprintf("ChallengeParams{MFAToken:%s Types:%q AuthenticatorID:%q}", redacted(p.MFAToken), p.Types, p.AuthenticatorID)
}

// GoString never shows the mfa_token.
func (p ChallengeParams) GoString() string { return "core." + p.String() }

// Format routes every verb through String/GoString.
func (p ChallengeParams) Format(f fmt.State, verb rune) {
	formatRedacted(f, verb, p.String(), p.GoString())
}

// ChallengeEndpoint derives the MFA challenge endpoint from the token
// endpoint, for the two providers that have one in the password grant:
// Auth0's {tenant}/oauth/token pairs with {tenant}/mfa/challenge
// (Authentication API, "Challenge request"), Okta's
// /oauth2/{server}/v1/token with /oauth2/{server}/v1/challenge (direct
// authentication, "Challenge request"). Any other token endpoint has no
// known challenge endpoint; the host's configuration can name one.
func ChallengeEndpoint(tokenURL string) (string, error) {
	u, err := url.Parse(tokenURL)
	if err != nil || u.Host == "" {
		return "", &ParamError{Key: "token endpoint", Reason: "not a valid URL"}
	}
	switch {
	case strings.HasSuffix(u.Path, "/oauth/token"):
		u.Path = strings.TrimSuffix(u.Path, "/oauth/token") + "/mfa/challenge"
	case strings.HasSuffix(u.Path, "/v1/token"):
		u.Path = strings.TrimSuffix(u.Path, "/v1/token") + "/v1/challenge"
	default:
		return "", &ParamError{Key: "challenge endpoint", Reason: "unknown for this token endpoint (Auth0's /oauth/token and Okta's /v1/token have one); configure it"}
	}
	u.RawPath = ""
	u.RawQuery = ""
	return u.String(), nil
}

// NewChallengeRequest builds the request that starts a second-factor
// challenge. The two providers name the accepted types differently: Auth0's
// /mfa/challenge takes challenge_type, a space-separated list of "otp" and
// "oob"; Okta's /v1/challenge takes challenge_types_supported, a list of
// the MFA grant types. The endpoint's path says which it is.
func NewChallengeRequest(endpoint string, auth ClientAuth, p ChallengeParams) (*Request, error) {
	if p.MFAToken == "" {
		return nil, &ParamError{Key: "mfa_token", Reason: "required: it comes with the server's mfa_required answer"}
	}
	types := p.Types
	if len(types) == 0 {
		types = []string{"otp", "oob"}
	}
	for _, t := range types {
		if t != "otp" && t != "oob" {
			return nil, &ParamError{Key: "challenge_type", Reason: `each type must be "otp" or "oob"`}
		}
	}
	form := newFormParams()
	form.Set("mfa_token", p.MFAToken)
	if strings.HasSuffix(pathOf(endpoint), "/v1/challenge") {
		grants := make([]string, len(types))
		for i, t := range types {
			grants[i] = map[string]string{"otp": GrantMFAOTP, "oob": GrantMFAOOB}[t]
		}
		form.Set("challenge_types_supported", strings.Join(grants, " "))
	} else {
		form.Set("challenge_type", strings.Join(types, " "))
	}
	if p.AuthenticatorID != "" {
		form.Set("authenticator_id", p.AuthenticatorID)
	}
	req, err := newFormRequest("challenge", endpoint, auth, form)
	if err != nil {
		return nil, err
	}
	// Auth0 identifies the client by client_id in the body even when it
	// authenticates with Basic.
	if auth.EffectiveMethod() == AuthClientSecretBasic {
		form.Set("client_id", auth.ClientID)
		req.Body = form.encode()
	}
	return req, nil
}

func pathOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	return u.Path
}

// MFAChallenge is a challenge server's answer: what the user must do next.
type MFAChallenge struct {
	// Type is "otp" (type a code from an authenticator app, or one sent by
	// SMS/e-mail when BindingMethod is "prompt") or "oob" (approve on another
	// device). Okta's grant-type URIs are mapped to these.
	Type    string
	OOBCode string // for the mfa-oob grant
	// BindingMethod: "prompt" means the user types the code the out-of-band
	// channel delivered, sent as binding_code (Auth0 SMS/voice, Okta
	// SMS/voice); "transfer" means the app shows BindingCode for the user to
	// pick on the device (Okta Verify number challenge); "none" or "" means
	// nothing to bind.
	BindingMethod string
	BindingCode   string // the code to show, for "transfer"
	Channel       string // Okta: push, sms, voice; Auth0 leaves it out
	Interval      time.Duration
	ExpiresIn     time.Duration
	Raw           map[string]any
}

// String never shows the oob_code.
func (c MFAChallenge) String() string {
	return fmt.Sprintf("MFAChallenge{Type:%q OOBCode:%s BindingMethod:%q Channel:%q Interval:%s}",
		c.Type, redacted(c.OOBCode), c.BindingMethod, c.Channel, c.Interval)
}

// GoString never shows the oob_code.
func (c MFAChallenge) GoString() string { return "core." + c.String() }

// Format routes every verb through String/GoString.
func (c MFAChallenge) Format(f fmt.State, verb rune) {
	formatRedacted(f, verb, c.String(), c.GoString())
}

// ParseChallengeResponse parses a challenge endpoint's answer. Errors are
// those of ParseTokenResponse (an OAuth error body is an *OAuthError with
// its Kind).
func ParseChallengeResponse(r Response) (*MFAChallenge, error) {
	fields, _, err := decodeObject(r)
	if err != nil {
		return nil, err
	}
	c := &MFAChallenge{Raw: fields}
	typ, err := stringField(fields, "challenge_type")
	if err != nil {
		return nil, err
	}
	switch {
	case typ == "otp" || strings.HasSuffix(typ, "/mfa-otp") || strings.HasSuffix(typ, ":mfa-otp"):
		c.Type = "otp"
	case typ == "oob" || strings.HasSuffix(typ, "/mfa-oob") || strings.HasSuffix(typ, ":mfa-oob"):
		c.Type = "oob"
	default:
		return nil, &ProtocolError{Field: "challenge_type", Reason: "challenge_type is missing or not otp or oob"}
	}
	for _, f := range []struct {
		name string
		dst  *string
	}{{"oob_code", &c.OOBCode}, {"binding_method", &c.BindingMethod}, {"binding_code", &c.BindingCode}, {"channel", &c.Channel}} {
		if *f.dst, err = stringField(fields, f.name); err != nil {
			return nil, err
		}
	}
	if c.Type == "oob" && c.OOBCode == "" {
		return nil, &ProtocolError{Field: "oob_code", Reason: "an oob challenge has no oob_code"}
	}
	for _, f := range []struct {
		name string
		dst  *time.Duration
	}{{"interval", &c.Interval}, {"expires_in", &c.ExpiresIn}} {
		secs, known, err := secondsValue(fields, f.name)
		if err != nil {
			return nil, err
		}
		if known {
			*f.dst = time.Duration(secs) * time.Second
		}
	}
	return c, nil
}

// Shared rule "mfa_code_grant": a code the user typed after a challenge goes
// with the mfa-oob grant as binding_code when the challenge was out-of-band
// (SMS or voice, binding_method "prompt": Auth0's "Verify with SMS", Okta's
// direct authentication), and with the mfa-otp grant as otp otherwise. It is
// "" when the challenge asks for an approval, not a code (PromptType "oob").
func (c *MFAChallenge) CodeGrant() string {
	switch {
	case c.PromptType() != "otp":
		return ""
	case c.Type == "oob":
		return GrantMFAOOB
	default:
		return GrantMFAOTP
	}
}

// CodeParams are the MFA grant parameters that answer this challenge with the
// code the user typed (Shared rule "mfa_code_grant").
func (c *MFAChallenge) CodeParams(mfaToken, code string) MFAParams {
	if c.CodeGrant() == GrantMFAOOB {
		return MFAParams{Grant: GrantMFAOOB, MFAToken: mfaToken, OOBCode: c.OOBCode, BindingCode: code}
	}
	return MFAParams{Grant: GrantMFAOTP, MFAToken: mfaToken, OTP: code}
}

// PromptType is what a sign-in asks of the user after a challenge (the
// Type of a Go sdk.Challenge, the type of a JS challenge object): "otp" (a
// code to type), "oob" (approve on another device, showing BindingCode if
// any) — the same decision for every host.
func (c *MFAChallenge) PromptType() string {
	if c.Type == "oob" && c.BindingMethod == "prompt" {
		return "otp" // the user types the code the SMS or call delivered
	}
	return c.Type
}

// ShownBindingCode is the code to show the user while they approve, if any.
func (c *MFAChallenge) ShownBindingCode() string {
	if c.Type == "oob" && c.BindingMethod != "prompt" {
		return c.BindingCode
	}
	return ""
}

// Authenticator is one of a user's enrolled second factors, as Auth0's
// GET /mfa/authenticators lists them (Authentication API, "List
// authenticators").
type Authenticator struct {
	ID      string // "id"
	Type    string // "authenticator_type": otp, oob, recovery-code
	Channel string // "oob_channel"
	Name    string // "name"
	Active  bool   // "active"
}

// AuthenticatorsEndpoint is Auth0's authenticator list next to its
// challenge endpoint; ok is false for a challenge endpoint of another shape
// (Okta has no list in direct authentication).
func AuthenticatorsEndpoint(challengeURL string) (string, bool) {
	u, err := url.Parse(challengeURL)
	if err != nil || !strings.HasSuffix(u.Path, "/mfa/challenge") {
		return "", false
	}
	u.Path = strings.TrimSuffix(u.Path, "/challenge") + "/authenticators"
	u.RawPath = ""
	return u.String(), true
}

// NewAuthenticatorsRequest builds GET /mfa/authenticators, authorised by
// the mfa_token as a bearer token (RFC 6750 §2.1), which is how Auth0 takes it.
func NewAuthenticatorsRequest(endpoint, mfaToken string) (*Request, error) {
	if err := CheckEndpointURL("authenticators endpoint", endpoint); err != nil {
		return nil, err
	}
	if mfaToken == "" {
		return nil, &ParamError{Key: "mfa_token", Reason: "required: it comes with the server's mfa_required answer"}
	}
	return &Request{Method: "GET", URL: endpoint, Header: map[string]string{
		"Accept": acceptJSON, "Authorization": "Bearer " + mfaToken,
	}}, nil
}

// ParseAuthenticators parses the JSON array of authenticators. An error
// object is an *OAuthError as for every other endpoint.
func ParseAuthenticators(r Response) ([]Authenticator, error) {
	b := bytes.TrimSpace(r.Body)
	if isSuccess(r.Status) && len(b) > 0 && b[0] == '[' {
		// Decoded as plain values (no struct decoding: it would grow the WebAssembly module).
		var items []any
		if err := json.Unmarshal(b, &items); err != nil {
			return nil, &ProtocolError{Reason: "authenticator list is not a JSON array"}
		}
		list := make([]Authenticator, 0, len(items))
		for _, it := range items {
			m, ok := it.(map[string]any)
			if !ok {
				return nil, &ProtocolError{Reason: "authenticator list holds a non-object"}
			}
			var a Authenticator
			for _, f := range []struct {
				name string
				dst  *string
			}{{"id", &a.ID}, {"authenticator_type", &a.Type}, {"oob_channel", &a.Channel}, {"name", &a.Name}} {
				var err error
				if *f.dst, err = stringField(m, f.name); err != nil {
					return nil, err
				}
			}
			a.Active, _ = m["active"].(bool)
			list = append(list, a)
		}
		return list, nil
	}
	if _, _, err := decodeObject(r); err != nil {
		return nil, err
	}
	return nil, &ProtocolError{Reason: "authenticator list is not a JSON array"}
}

// SelectableAuthenticators are the active authenticators a user can be
// asked to pick from for a challenge: recovery codes are left out (they are
// a separate way in, not a challenge). A choice is needed only with two or more.
func SelectableAuthenticators(list []Authenticator) []Authenticator {
	var out []Authenticator
	for _, a := range list {
		if a.Active && a.Type != "recovery-code" && a.ID != "" {
			out = append(out, a)
		}
	}
	return out
}

// ChallengeEndpointFor picks the challenge endpoint: the server's metadata
// member (Auth0 publishes mfa_challenge_endpoint) when there is one, else
// ChallengeEndpoint's derivation from the token endpoint.
func ChallengeEndpointFor(tokenURL string, metadata map[string]any) (string, error) {
	for _, k := range []string{"mfa_challenge_endpoint", "challenge_endpoint"} {
		if s, ok := metadata[k].(string); ok && s != "" {
			return s, nil
		}
	}
	return ChallengeEndpoint(tokenURL)
}
