package mockserver

import (
	"encoding/hex"
	"net/http"
	"strconv"
)

// entra answers like the Microsoft identity platform v2.0 endpoint of one
// tenant. Sources: Microsoft's ROPC and AADSTS error code documentation,
// and error bodies quoted in AzureAD/MicrosoftDocs issue threads (e.g.
// azure-activedirectory-library-for-nodejs#151 for interaction_required
// with error_codes, claims and suberror).
type entra struct{}

func (entra) tenant(cfg *Config) string {
	if cfg.Tenant != "" {
		return cfg.Tenant
	}
	return DefaultEntraTenant
}

func (e entra) issuerSuffix(cfg *Config) string { return "/" + e.tenant(cfg) + "/v2.0" }

func (e entra) routes(cfg *Config) map[string]endpoint {
	t := "/" + e.tenant(cfg)
	return map[string]endpoint{
		t + "/oauth2/v2.0/token":                     epToken,
		t + "/discovery/v2.0/keys":                   epJWKS,
		t + "/v2.0/.well-known/openid-configuration": epOIDCMetadata,
	}
}

func (entra) grants() map[string]grantKind {
	return map[string]grantKind{"password": grantPassword, "refresh_token": grantRefresh}
}

// mfaMode: "The password grant cannot do MFA": a user who must do MFA gets
// interaction_required and has to sign in interactively.
func (entra) mfaMode() mfaMode    { return mfaRefuse }
func (entra) recoveryCodes() bool { return false }

// entraMFAMessage is AADSTS50076's text; %s is the resource.
const entraMFAMessage = "Due to a configuration change made by your administrator, or because you moved to a new location, you must use multi-factor authentication to access '"

func (e entra) answer(sit situation, a *answerCtx) *wireError {
	switch sit {
	case sitUnknownUser:
		return e.aadsts(a, http.StatusBadRequest, "invalid_grant", 50034,
			"The user account {EmailHidden} does not exist in the "+e.tenant(a.st.cfg)+" directory. To sign into this application, the account must be added to the directory.")
	case sitLocked:
		return e.aadsts(a, http.StatusBadRequest, "invalid_grant", 50053,
			"The account is locked, you've tried to sign in too many times with an incorrect user ID or password.")
	case sitDisabled:
		return e.aadsts(a, http.StatusBadRequest, "invalid_grant", 50057,
			"The user account is disabled.")
	case sitPasswordExpired:
		return e.aadsts(a, http.StatusBadRequest, "invalid_grant", 50055, "The password is expired.",
			member{"suberror", "user_password_expired"})
	case sitSetupRequired:
		// MFA enrolment needed: AADSTS50079, which only an interactive
		// sign-in can satisfy.
		return e.aadsts(a, http.StatusBadRequest, "interaction_required", 50079,
			"Due to a configuration change made by your administrator, or because you moved to a new location, you must enroll in multi-factor authentication to access '"+e.resource(a)+"'.",
			e.claims(a)...)
	case sitMFARequired:
		return e.aadsts(a, http.StatusBadRequest, "interaction_required", 50076, entraMFAMessage+e.resource(a)+"'.",
			e.claims(a)...)
	}
	return e.aadsts(a, http.StatusBadRequest, "invalid_grant", 50126,
		"Error validating credentials due to invalid username or password.")
}

// resource is what Entra names in "must use multi-factor authentication to
// access '…'": the audience of the token asked for.
func (entra) resource(a *answerCtx) string {
	if a.st.cfg.Audience != "" {
		return a.st.cfg.Audience
	}
	return a.s.issuer(a.r, a.st)
}

// claims is the conditional access challenge: a claims request (OpenID
// Connect Core §5.5) naming the policy, plus suberror basic_action.
func (entra) claims(a *answerCtx) []member {
	policy := a.s.uuid()
	return []member{
		{"claims", `{"access_token":{"capolids":{"essential":true,"values":["` + policy + `"]}}}`},
		{"suberror", "basic_action"},
	}
}

// aadsts builds an Entra error body: the description carries the AADSTS
// code and the trace lines, and error_codes, timestamp, trace_id,
// correlation_id and error_uri follow.
func (entra) aadsts(a *answerCtx, status int, code string, n int, text string, extra ...member) *wireError {
	trace, corr := a.s.uuid(), a.s.uuid()
	ts := a.now.UTC().Format("2006-01-02 15:04:05Z")
	num := strconv.Itoa(n)
	desc := "AADSTS" + num + ": " + text + "\r\nTrace ID: " + trace + "\r\nCorrelation ID: " + corr + "\r\nTimestamp: " + ts
	members := []member{
		{"error_codes", []int{n}}, {"timestamp", ts}, {"trace_id", trace}, {"correlation_id", corr},
		{"error_uri", "https://login.microsoftonline.com/error?code=" + num},
	}
	return &wireError{status: status, code: code, description: desc, extra: append(members, extra...)}
}

// wrap gives protocol errors Entra's envelope with the AADSTS code Entra
// uses for them.
func (e entra) wrap(oe *oauthError, a *answerCtx) *wireError {
	n := 900144 // "The request body must contain the following parameter"
	switch oe.code {
	case "invalid_client":
		n = 7000215 // "Invalid client secret provided."
	case "unsupported_grant_type":
		n = 70003
	case "invalid_scope":
		n = 70011
	case "invalid_grant":
		n = 70000 // "The provided grant is invalid or malformed."
	case "temporarily_unavailable":
		n = 90033
	}
	w := e.aadsts(a, oe.status, oe.code, n, oe.description)
	if oe.basicChallenge {
		w.header = http.Header{"Www-Authenticate": {`Basic realm="` + defaultRealm + `", charset="UTF-8"`}}
	}
	return w
}

func (e entra) metadata(iss, base string, st *state, _ bool) map[string]any {
	m := commonMetadata(iss, st, []string{"password", "refresh_token"})
	t := base + "/" + e.tenant(st.cfg)
	m["token_endpoint"] = t + "/oauth2/v2.0/token"
	m["jwks_uri"] = t + "/discovery/v2.0/keys"
	return m
}

// uuid is a random RFC 9562 version 4 UUID from the server's random source
// (so deterministic mode stays deterministic).
func (s *Server) uuid() string {
	var b [16]byte
	if err := s.randomBytes(b[:]); err != nil {
		return "00000000-0000-4000-8000-000000000000"
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}
