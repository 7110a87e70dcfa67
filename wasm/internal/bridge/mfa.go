package bridge

import (
	"encoding/json"
	"errors"
	"strconv"
	"time"

	"github.com/ropcgo/ropc/sdk/core"
)

// The sign-in functions: the password grant with Auth0's realm or
// Keycloak's otp, and the MFA steps after an mfa_required answer. The
// decisions (which grant, what the challenge asks of the user, how to poll,
// which kind an error is) are core's, as for the Go SDK.

// SignInResponse is ParseTokenResponse's input plus the headers and grant
// that decide an error's kind and retry delay.
type SignInResponse struct {
	Response
	RetryAfter string
	Grant      string // "" for the password or refresh grant, else an MFA grant
}

func (r SignInResponse) core(body []byte) core.Response {
	c := r.Response.core(body)
	c.RetryAfter = r.RetryAfter
	return c
}

// BuildSignInRequest builds the password grant with an optional Auth0 realm
// (password-realm grant) and one-time code (Keycloak's otp).
func BuildSignInRequest(endpoint string, c Client, username, password, scope, params, realm, otp string) string {
	ex, err := extra(params)
	if err != nil {
		return fail(err)
	}
	return request(core.NewPasswordRequest(endpoint, c.auth(), core.PasswordParams{
		Username: username, Password: password, Scopes: splitScope(scope), Extra: ex, Realm: realm, OTP: otp,
	}))
}

// BuildMFATokenRequest builds one MFA grant request (mfa-otp, mfa-oob,
// mfa-recovery-code).
func BuildMFATokenRequest(endpoint string, c Client, grant, mfaToken, otp, oobCode, bindingCode, recoveryCode, scope, params string) string {
	ex, err := extra(params)
	if err != nil {
		return fail(err)
	}
	return request(core.NewMFATokenRequest(endpoint, c.auth(), core.MFAParams{
		Grant: mfaGrant(grant), MFAToken: mfaToken, OTP: otp, OOBCode: oobCode, BindingCode: bindingCode,
		RecoveryCode: recoveryCode, Scopes: splitScope(scope), Extra: ex,
	}))
}

// ParseSignInResponse parses a token answer like ParseTokenResponse, with
// the Retry-After header and, for an MFA grant, the kind refined by the
// grant (a refused code, a denied approval).
func ParseSignInResponse(r SignInResponse, body []byte, requestedScope, previousRefreshToken, previousScope string) string {
	cr := r.core(body)
	var t *core.Token
	var err error
	if r.Grant != "" {
		t, err = core.ParseMFATokenResponse(cr, now(), mfaGrant(r.Grant))
	} else {
		t, err = core.ParseTokenResponse(cr, now())
	}
	if err != nil {
		return fail(err)
	}
	return tokenAnswer(t, body, requestedScope, previousRefreshToken, previousScope)
}

// mfaGrant maps JavaScript's short names (otp, oob, recovery_code) to the
// grant types, so the grant URIs are written down once, in core.
func mfaGrant(name string) string {
	switch name {
	case "otp":
		return core.GrantMFAOTP
	case "oob":
		return core.GrantMFAOOB
	case "recovery_code":
		return core.GrantMFARecoveryCode
	}
	return name
}

// ChallengeEndpoint picks the MFA challenge endpoint from the server's
// metadata (JSON object, may be "") or the token endpoint.
func ChallengeEndpoint(tokenURL, metadataJSON string) string {
	var raw map[string]any
	if metadataJSON != "" {
		if err := json.Unmarshal([]byte(metadataJSON), &raw); err != nil {
			return fail(errors.New("ropc: malformed metadata from the JavaScript layer"))
		}
	}
	ep, err := core.ChallengeEndpointFor(tokenURL, raw)
	return result(ep, err)
}

// BuildChallengeRequest builds the challenge request; types is a
// space-separated list of otp and oob ("" for both).
func BuildChallengeRequest(endpoint string, c Client, mfaToken, types, authenticatorID string) string {
	return request(core.NewChallengeRequest(endpoint, c.auth(), core.ChallengeParams{
		MFAToken: mfaToken, Types: splitScope(types), AuthenticatorID: authenticatorID,
	}))
}

// Challenge is the JavaScript shape of a challenge answer: what to ask of the
// user (promptType "otp" or "oob", core's decision), the binding code to show,
// and the oob code and interval for polling.
type challengeOut struct {
	Type        string `json:"type"`
	PromptType  string `json:"promptType"`
	CodeGrant   string `json:"codeGrant,omitempty"` // the grant a typed code goes with (core's "mfa_code_grant")
	OOBCode     string `json:"oobCode,omitempty"`
	BindingCode string `json:"bindingCode,omitempty"`
	Channel     string `json:"channel,omitempty"`
	Interval    int64  `json:"interval"`
	ExpiresIn   int64  `json:"expiresIn"`
}

// ParseChallengeResponse parses a challenge endpoint's answer.
func ParseChallengeResponse(r SignInResponse, body []byte) string {
	ch, err := core.ParseChallengeResponse(r.core(body))
	if err != nil {
		return fail(err)
	}
	return result(challengeOut{Type: ch.Type, PromptType: ch.PromptType(), CodeGrant: ch.CodeGrant(), OOBCode: ch.OOBCode,
		BindingCode: ch.ShownBindingCode(), Channel: ch.Channel,
		Interval: int64(ch.Interval / time.Second), ExpiresIn: int64(ch.ExpiresIn / time.Second)}, nil)
}

// BuildAuthenticatorsRequest builds Auth0's GET /mfa/authenticators next
// to the challenge endpoint; ok is false where the provider has no list.
func BuildAuthenticatorsRequest(challengeEndpoint, mfaToken string) string {
	ep, ok := core.AuthenticatorsEndpoint(challengeEndpoint)
	if !ok {
		return `{"ok":false}`
	}
	return request(core.NewAuthenticatorsRequest(ep, mfaToken))
}

type authenticatorOut struct {
	ID      string `json:"id"`
	Type    string `json:"type"`
	Channel string `json:"channel,omitempty"`
	Name    string `json:"name,omitempty"`
}

// ParseAuthenticators parses the list and keeps the ones a user can pick.
func ParseAuthenticators(r SignInResponse, body []byte) string {
	list, err := core.ParseAuthenticators(r.core(body))
	if err != nil {
		return fail(err)
	}
	out := []authenticatorOut{}
	for _, a := range core.SelectableAuthenticators(list) {
		out = append(out, authenticatorOut{ID: a.ID, Type: a.Type, Channel: a.Channel, Name: a.Name})
	}
	return result(out, nil)
}

// OOBPoll decides the next poll after an OAuth error code: {"again":bool,
// "next":seconds}.
func OOBPoll(code, intervalSeconds string) string {
	secs, err := strconv.ParseInt(intervalSeconds, 10, 64)
	if err != nil {
		secs = 0
	}
	next, again := core.OOBPoll(&core.OAuthError{Code: code}, time.Duration(secs)*time.Second)
	return result(struct {
		Again bool  `json:"again"`
		Next  int64 `json:"next"`
	}{again, int64(next / time.Second)}, nil)
}

// SignInStep applies core.NextSignInStep to the password grant's answer as JavaScript holds it:
// failed, the OAuthError's kind and mfa_token ("" for none, or another error), and what the
// caller gave; the answer is the step ("done", "fail", "otp", "recovery_code", "challenge").
func SignInStep(failed bool, oauthKind, mfaToken string, canPrompt, otp, recovery bool) string {
	var err error
	if failed {
		oe := &core.OAuthError{Kind: core.Kind(oauthKind)}
		if mfaToken != "" {
			oe.Extra = map[string]any{"mfa_token": mfaToken}
		}
		err = oe
	}
	step := core.NextSignInStep(core.SignInState{Err: err, CanPrompt: canPrompt, OTP: otp, Recovery: recovery})
	return `{"ok":"` + string(step) + `"}`
}

// Function numbers of the sign-in functions, shared with js/loader.js. They
// start at 32, clear of the numbers of call.go, so that functions added
// there and here never collide.
const (
	FnBuildSignInRequest = 32 + iota
	FnBuildMFATokenRequest
	FnParseSignInResponse
	FnChallengeEndpoint
	FnBuildChallengeRequest
	FnParseChallengeResponse
	FnBuildAuthenticatorsRequest
	FnParseAuthenticators
	FnOOBPoll
	FnSignInStep
)

// signInArgCount is the number of arguments of each sign-in function.
var signInArgCount = map[int32]int{
	FnBuildSignInRequest: 10, FnBuildMFATokenRequest: 12, FnParseSignInResponse: 9, FnChallengeEndpoint: 2,
	FnBuildChallengeRequest: 7, FnParseChallengeResponse: 5, FnBuildAuthenticatorsRequest: 2,
	FnParseAuthenticators: 5, FnOOBPoll: 2, FnSignInStep: 6,
}

// callSignIn runs a sign-in function (Call has checked its number of arguments).
func callSignIn(fn int32, args [][]byte) string {
	s := func(i int) string { return string(args[i]) }
	client := func() Client { return Client{ClientID: s(1), ClientSecret: s(2), AuthMethod: s(3)} }
	response := func() (SignInResponse, []byte, error) {
		status, err := strconv.Atoi(s(0))
		if err != nil {
			return SignInResponse{}, nil, errors.New("ropc: malformed HTTP status from the JavaScript layer")
		}
		r := SignInResponse{Response: Response{Status: status, ContentType: s(1), WWWAuthenticate: s(2)}, RetryAfter: s(4)}
		if len(args) > 5 {
			r.Grant = s(5)
		}
		return r, append([]byte(nil), args[3]...), nil // args alias the reused input buffer
	}
	switch fn {
	case FnBuildSignInRequest: // endpoint, clientId, clientSecret, authMethod, username, password, scope, params, realm, otp
		return BuildSignInRequest(s(0), client(), s(4), s(5), s(6), s(7), s(8), s(9))
	case FnBuildMFATokenRequest: // endpoint, clientId, clientSecret, authMethod, grant, mfaToken, otp, oobCode, bindingCode, recoveryCode, scope, params
		return BuildMFATokenRequest(s(0), client(), s(4), s(5), s(6), s(7), s(8), s(9), s(10), s(11))
	case FnChallengeEndpoint: // tokenEndpoint, metadataJSON
		return ChallengeEndpoint(s(0), s(1))
	case FnBuildChallengeRequest: // endpoint, clientId, clientSecret, authMethod, mfaToken, types, authenticatorId
		return BuildChallengeRequest(s(0), client(), s(4), s(5), s(6))
	case FnBuildAuthenticatorsRequest: // challengeEndpoint, mfaToken
		return BuildAuthenticatorsRequest(s(0), s(1))
	case FnOOBPoll: // errorCode, intervalSeconds
		return OOBPoll(s(0), s(1))
	case FnSignInStep: // failed, oauthKind, mfaToken, canPrompt, otp, recovery
		return SignInStep(flag(s(0)), s(1), s(2), flag(s(3)), flag(s(4)), flag(s(5)))
	}
	// Parsers: status, contentType, wwwAuthenticate, body, retryAfter[, grant, requestedScope, previousRefreshToken, previousScope]
	r, body, err := response()
	if err != nil {
		return fail(err)
	}
	switch fn {
	case FnParseSignInResponse:
		return ParseSignInResponse(r, body, s(6), s(7), s(8))
	case FnParseChallengeResponse:
		return ParseChallengeResponse(r, body)
	default: // FnParseAuthenticators
		return ParseAuthenticators(r, body)
	}
}
