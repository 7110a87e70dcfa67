package mockserver

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Profile names for Config.Profile.
const (
	ProfileRFC      = "rfc"      // plain RFC 6749 (the default)
	ProfileKeycloak = "keycloak" // Keycloak realm
	ProfileAuth0    = "auth0"    // Auth0 tenant with the MFA API
	ProfileOkta     = "okta"     // Okta custom authorization server, direct authentication
	ProfileEntra    = "entra"    // Microsoft Entra ID v2.0 tenant endpoint
)

// Profile defaults.
const (
	DefaultKeycloakRealm = "ropc"
	DefaultAuth0Realm    = "Username-Password-Authentication"
	DefaultEntraTenant   = "ropc.onmicrosoft.com"
	DefaultOOBInterval   = 5 * time.Second
	// mfaTokenTTL: Auth0: "The default expiry time of access tokens with
	// the https://{yourDomain}/mfa/* audience is 10 minutes."
	mfaTokenTTL = 10 * time.Minute
	// oobCodeTTL: Okta's challenge answer says "expires_in": 300.
	oobCodeTTL = 5 * time.Minute
)

// The grant types of the providers' MFA APIs (Auth0's names, which Okta's
// direct authentication uses too).
const (
	GrantPasswordRealm   = "http://auth0.com/oauth/grant-type/password-realm"
	GrantMFAOTP          = "http://auth0.com/oauth/grant-type/mfa-otp"
	GrantMFAOOB          = "http://auth0.com/oauth/grant-type/mfa-oob"
	GrantMFARecoveryCode = "http://auth0.com/oauth/grant-type/mfa-recovery-code"
)

// User account states for User.State.
const (
	StateActive          = "active"
	StateLocked          = "locked"
	StateDisabled        = "disabled"
	StatePasswordExpired = "password_expired"
	StateSetupRequired   = "setup_required"
)

// situation is what a provider has to tell the client about a sign-in.
type situation int

const (
	sitWrongPassword   situation = iota // known user, wrong password
	sitUnknownUser                      // no such user
	sitLocked                           // state locked, or the brute-force lockout
	sitDisabled                         // state disabled
	sitPasswordExpired                  // state password_expired
	sitSetupRequired                    // state setup_required
	sitMFARequired                      // the user has a second factor
	sitOTPInvalid                       // one-time code missing, wrong or reused
	sitOOBPending                       // out-of-band challenge not answered yet
	sitSlowDown                         // polled sooner than the interval
	sitOOBDenied                        // out-of-band challenge refused
	sitRecoveryInvalid                  // recovery code wrong or used
	sitMFATokenInvalid                  // mfa_token or oob_code unknown
	sitMFATokenExpired                  // mfa_token expired
	sitOOBExpired                       // oob_code expired
	sitUnknownRealm                     // password-realm with a connection not in Config.Realms
)

// mfaMode is how a provider handles a user with a second factor in the
// password grant.
type mfaMode int

const (
	mfaInline   mfaMode = iota // the code goes with the password (Keycloak's otp)
	mfaContinue                // mfa_required + mfa_token, then the MFA grants (Auth0, Okta)
	mfaRefuse                  // the grant cannot do MFA (Entra)
)

// endpoint is what a profile path serves.
type endpoint int

const (
	epToken endpoint = iota + 1
	epChallenge
	epAuthenticators
	epOIDCMetadata
	epOAuthMetadata
	epJWKS
	epIntrospect
	epRevoke
	epUserinfo
)

// grantKind is what a grant_type value means to a profile.
type grantKind int

const (
	grantPassword grantKind = iota + 1
	grantPasswordRealm
	grantRefresh
	grantMFAOTP
	grantMFAOOB
	grantMFARecovery
)

// provider is one identity provider's paths and answers.
type provider interface {
	// issuerSuffix is the issuer below the mock's base URL ("/realms/ropc").
	issuerSuffix(cfg *Config) string
	// routes maps paths below the base URL to endpoints.
	routes(cfg *Config) map[string]endpoint
	grants() map[string]grantKind
	mfaMode() mfaMode
	// recoveryCodes reports whether the provider has recovery codes.
	recoveryCodes() bool
	// answer is the provider's error for a sign-in situation.
	answer(sit situation, a *answerCtx) *wireError
	// wrap turns a protocol error (bad request, bad client, ...) into the
	// provider's shape.
	wrap(e *oauthError, a *answerCtx) *wireError
	// metadata is the discovery document; oauth is the RFC 8414 variant.
	metadata(iss, base string, st *state, oauth bool) map[string]any
}

// profileState is the resolved profile of a config: the provider (nil for
// rfc) with its paths and grant types.
type profileState struct {
	prov   provider
	routes map[string]endpoint
	grants map[string]grantKind
}

func newProfileState(cfg *Config) profileState {
	p := providerFor(cfg.Profile)
	if p == nil {
		return profileState{}
	}
	return profileState{prov: p, routes: p.routes(cfg), grants: p.grants()}
}

func providerFor(name string) provider {
	switch name {
	case ProfileKeycloak:
		return keycloak{}
	case ProfileAuth0:
		return auth0{}
	case ProfileOkta:
		return okta{}
	case ProfileEntra:
		return entra{}
	}
	return nil
}

// answerCtx is what an answer may need.
type answerCtx struct {
	s        *Server
	st       *state
	r        *http.Request
	user     *userEntry
	username string
	mfaToken string
	now      time.Time
}

// wireError is a provider's error answer: the RFC 6749 §5.2 members, then
// the provider's own members in the order it sends them.
type wireError struct {
	status      int
	code        string
	description string
	extra       []member
	header      http.Header
}

type member struct {
	key string
	val any
}

// body renders the error. Descriptions are JSON-escaped, not sanitised:
// providers send characters RFC 6749 §5.2 leaves out (Entra's CR LF,
// Auth0's apostrophes), and the mock sends what they send.
func (e *wireError) body() []byte {
	b := append([]byte(`{"error":`), jsonString(e.code)...)
	if e.description != "" {
		b = append(b, `,"error_description":`...)
		b = append(b, jsonString(e.description)...)
	}
	for _, m := range e.extra {
		v, _ := json.Marshal(m.val)
		b = append(b, ',')
		b = append(b, jsonString(m.key)...)
		b = append(b, ':')
		b = append(b, v...)
	}
	return append(b, '}')
}

func jsonString(s string) []byte {
	b, _ := json.Marshal(s)
	return b
}

func (e *wireError) write(w http.ResponseWriter) {
	h := w.Header()
	noStore(h)
	for k, v := range e.header {
		h[k] = v
	}
	writeJSON(w, e.status, e.body())
}

// fromOAuth keeps an RFC-style error as it is (status, code, description,
// and the Basic challenge of a 401).
func fromOAuth(e *oauthError) *wireError {
	w := &wireError{status: e.status, code: e.code, description: e.description}
	if e.basicChallenge {
		w.header = http.Header{"Www-Authenticate": {`Basic realm="` + defaultRealm + `", charset="UTF-8"`}}
	}
	return w
}

// serveProfile routes a request under a provider profile. Endpoints live at
// the provider's paths below the mock's base URL (and the base URL's own
// path, if the configured issuer has one).
func (s *Server) serveProfile(w http.ResponseWriter, r *http.Request, st *state) {
	path := r.URL.Path
	if prefix := st.issuerPath; prefix != "" {
		if !strings.HasPrefix(path, prefix+"/") {
			s.notFound(w)
			return
		}
		path = path[len(prefix):]
	}
	SetCORS(w.Header())
	if path == PathHealthz {
		serveHealthz(w, r)
		return
	}
	switch st.routes[path] {
	case epToken:
		s.serveProfileToken(w, r, st)
	case epChallenge:
		s.serveChallenge(w, r, st)
	case epAuthenticators:
		s.serveAuthenticators(w, r, st)
	case epOIDCMetadata, epOAuthMetadata:
		s.serveProfileMetadata(w, r, st, st.routes[path] == epOAuthMetadata)
	case epJWKS:
		s.serveJWKS(w, r, st)
	case epIntrospect:
		s.serveIntrospect(w, r, st)
	case epRevoke:
		s.serveRevoke(w, r, st)
	case epUserinfo:
		s.serveUserinfo(w, r, st)
	default:
		s.notFound(w)
	}
}

// serveHealthz is the liveness endpoint, the same under every profile.
func serveHealthz(w http.ResponseWriter, r *http.Request) {
	if allowMethods(w, r, http.MethodGet, http.MethodHead) {
		writeJSON(w, http.StatusOK, []byte(`{"status":"ok"}`))
	}
}

func (s *Server) notFound(w http.ResponseWriter) {
	writeJSON(w, http.StatusNotFound, []byte(`{"error":"not_found","error_description":"no such endpoint"}`))
}

// baseURL is the mock's base URL: the configured issuer, or the request's
// origin. Under a profile the issuer is derived from it.
func (s *Server) baseURL(r *http.Request, st *state) string {
	if st.cfg.Issuer != "" {
		return strings.TrimSuffix(st.cfg.Issuer, "/")
	}
	return RequestOrigin(r)
}

// serveProfileMetadata serves the provider's discovery document.
func (s *Server) serveProfileMetadata(w http.ResponseWriter, r *http.Request, st *state, oauth bool) {
	if !allowMethods(w, r, http.MethodGet, http.MethodHead) {
		return
	}
	m := st.prov.metadata(s.issuer(r, st), s.baseURL(r, st), st, oauth)
	if profileSupportsDPoP(st) {
		m["dpop_signing_alg_values_supported"] = DPoPSigningAlgs // RFC 9449 §5.1
	}
	body, _ := json.Marshal(m)
	w.Header().Set("Cache-Control", "no-cache")
	writeJSON(w, http.StatusOK, body)
}

// commonMetadata is what every profile's discovery document shares.
func commonMetadata(iss string, st *state, grants []string) map[string]any {
	return map[string]any{
		"issuer":                                iss,
		"grant_types_supported":                 grants,
		"response_types_supported":              []string{},
		"subject_types_supported":               []string{"public"},
		"id_token_signing_alg_values_supported": []string{string(st.key.alg)},
		"scopes_supported":                      st.scopes,
		"token_endpoint_auth_methods_supported": []string{"client_secret_basic", "client_secret_post", "none"},
		"claims_supported":                      []string{"sub", "iss", "aud", "name", "email", "email_verified", "preferred_username"},
	}
}

// secondsCeil renders a duration as whole seconds, at least 1 (RFC 8628
// §3.2 "interval" is in seconds).
func secondsCeil(d time.Duration) int64 {
	n := int64((d + time.Second - 1) / time.Second)
	if n < 1 {
		n = 1
	}
	return n
}

// oobInterval is the configured poll interval.
func (st *state) oobInterval() time.Duration {
	if st.cfg.OOBInterval > 0 {
		return time.Duration(st.cfg.OOBInterval)
	}
	return DefaultOOBInterval
}

func slowDownDescription(d time.Duration) string {
	return "You are polling faster than allowed. Try again in " + strconv.FormatInt(secondsCeil(d), 10) + " seconds."
}

// ProfileURLs are the endpoints of a profile.
type ProfileURLs struct {
	Issuer    string // the iss of its tokens and discovery documents
	Token     string // token endpoint (RFC 6749 §3.2)
	Challenge string // MFA challenge endpoint ("" if the provider has none)
	Discovery string // {issuer}/.well-known/openid-configuration
}

// URLs returns where the config's profile serves its endpoints when the
// mock's base URL is base (no trailing slash; the base's own path, if the
// configured issuer has one, included).
func (c *Config) URLs(base string) ProfileURLs {
	base = strings.TrimSuffix(base, "/")
	p := providerFor(c.Profile)
	if p == nil {
		return ProfileURLs{Issuer: base, Token: base + PathToken, Discovery: base + PathOIDCMetadata}
	}
	u := ProfileURLs{Issuer: base + p.issuerSuffix(c)}
	u.Discovery = strings.TrimSuffix(u.Issuer, "/") + PathOIDCMetadata
	for path, ep := range p.routes(c) {
		switch ep {
		case epToken:
			u.Token = base + path
		case epChallenge:
			u.Challenge = base + path
		}
	}
	return u
}
