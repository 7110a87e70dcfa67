// Package bridge is the face of sdk/core that the WebAssembly module exports
// to JavaScript: strings and bytes in, one JSON answer out ({"ok": ...} or
// {"error": ...}). It holds no state and does no I/O: JavaScript builds a
// request here, sends it with fetch, and hands the status, headers and body
// bytes back here to be parsed (the build/process pairs of oauth4webapi).
//
// It is plain Go so it is tested natively; wasm/exports.go only moves bytes
// between JavaScript and Call. It must not import net/http: that would add
// ~2 MB gzipped to the .wasm and, under Node, would not even reach the network.
package bridge

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/ropcgo/ropc/sdk/core"
)

// Client is the client-authentication part of every build call.
type Client struct {
	ClientID, ClientSecret, AuthMethod string
}

func (c Client) auth() core.ClientAuth {
	return core.ClientAuth{ClientID: c.ClientID, ClientSecret: c.ClientSecret, Method: core.AuthMethod(c.AuthMethod)}
}

// Response is what every parse function takes, beside the body bytes.
type Response struct {
	Status          int
	ContentType     string
	WWWAuthenticate string
}

func (r Response) core(body []byte) core.Response {
	return core.Response{Status: r.Status, ContentType: r.ContentType, WWWAuthenticate: r.WWWAuthenticate, Body: body}
}

// now is the clock of ParseSignInResponse (expires_in -> expiresAt); tests fix it.
var now = time.Now

// Introspection is the JavaScript shape of an RFC 7662 §2.2 answer.
type Introspection struct {
	Active    bool           `json:"active"`
	Scope     string         `json:"scope,omitempty"`
	ClientID  string         `json:"clientId,omitempty"`
	Username  string         `json:"username,omitempty"`
	TokenType string         `json:"tokenType,omitempty"`
	Subject   string         `json:"sub,omitempty"`
	Issuer    string         `json:"iss,omitempty"`
	JTI       string         `json:"jti,omitempty"`
	Audience  []string       `json:"aud,omitempty"`
	ExpiresAt int64          `json:"exp,omitempty"`
	IssuedAt  int64          `json:"iat,omitempty"`
	NotBefore int64          `json:"nbf,omitempty"`
	Raw       map[string]any `json:"raw"`
}

// Metadata is the JavaScript shape of RFC 8414 §2 server metadata.
type Metadata struct {
	Issuer                            string         `json:"issuer"`
	TokenEndpoint                     string         `json:"tokenEndpoint"`
	RevocationEndpoint                string         `json:"revocationEndpoint,omitempty"`
	IntrospectionEndpoint             string         `json:"introspectionEndpoint,omitempty"`
	UserinfoEndpoint                  string         `json:"userinfoEndpoint,omitempty"`
	JWKSURI                           string         `json:"jwksUri,omitempty"`
	GrantTypesSupported               []string       `json:"grantTypesSupported,omitempty"`
	ScopesSupported                   []string       `json:"scopesSupported,omitempty"`
	TokenEndpointAuthMethodsSupported []string       `json:"tokenEndpointAuthMethodsSupported,omitempty"`
	Raw                               map[string]any `json:"raw"`
}

// Error is a failure as JavaScript sees it. Kind is "oauth" (RFC 6749 §5.2),
// "http" (a non-OAuth HTTP status), "protocol" (a malformed answer),
// "insecure" (plain http to a host that is not loopback), "discovery" (no
// metadata URL gave usable metadata; Attempts names each), "token_type" (a
// token_type the client must not use, RFC 9449 §5) or "invalid" (bad input,
// refused before anything was sent). Message comes from core's errors, which
// never carry secrets.
type Error struct {
	Kind        string `json:"kind"`
	Message     string `json:"message"`
	Code        string `json:"code,omitempty"`
	Description string `json:"description,omitempty"`
	URI         string `json:"uri,omitempty"`
	Status      int    `json:"status,omitempty"`
	ContentType string `json:"contentType,omitempty"`
	Reason      string `json:"reason,omitempty"`
	// OAuthKind is core's Kind of an OAuth error (invalid_credentials,
	// mfa_required, ...); JavaScript shows it as err.kind.
	OAuthKind string `json:"oauthKind,omitempty"`
	// Extra is every other member of an OAuth error body.
	Extra map[string]any `json:"extra,omitempty"`
	// RetryAfter is the server's Retry-After in seconds, for rate_limited and
	// account_locked; 0 when unknown.
	RetryAfter int64 `json:"retryAfter,omitempty"`
	// Attempts are the URLs a failed discovery tried, in order, with their answers.
	Attempts []core.DiscoveryAttempt `json:"attempts,omitempty"`
	// Param is the parameter an "invalid" error is about (core.ParamError's Key), with
	// Reason its problem, so JavaScript can name its own option for it.
	Param string `json:"param,omitempty"`
}

type envelope struct {
	OK    any    `json:"ok,omitempty"`
	Error *Error `json:"error,omitempty"`
}

func result(v any, err error) string {
	if err != nil {
		return fail(err)
	}
	b, err := json.Marshal(envelope{OK: v})
	if err != nil {
		return fail(err)
	}
	return string(b)
}

func fail(err error) string {
	b, err := json.Marshal(envelope{Error: toError(err)})
	if err != nil { // Extra holds only what encoding/json decoded, so this does not happen
		b, _ = json.Marshal(envelope{Error: &Error{Kind: "protocol", Message: "ropc: error body cannot be re-encoded", Reason: "error body cannot be re-encoded"}})
	}
	return string(b)
}

func toError(err error) *Error {
	var oe *core.OAuthError
	var he *core.HTTPError
	var pe *core.ProtocolError
	var ie *core.InsecureURLError
	var de *core.DiscoveryError
	var te *core.TokenTypeError
	var pa *core.ParamError
	switch {
	case errors.As(err, &te):
		// RFC 9449 §5: a token the client must not use as received.
		return &Error{Kind: "token_type", Message: te.Error(), Reason: te.Want}
	case errors.As(err, &ie):
		return &Error{Kind: "insecure", Message: ie.Error()}
	case errors.As(err, &de):
		return &Error{Kind: "discovery", Message: de.Error(), Attempts: de.Attempts}
	case errors.As(err, &oe):
		extra := oe.Extra
		if extra == nil {
			extra = map[string]any{}
		}
		return &Error{Kind: "oauth", Message: oe.Error(), Code: oe.Code, Description: oe.Description, URI: oe.URI, Status: oe.Status,
			OAuthKind: string(oe.Kind), Extra: extra, RetryAfter: int64(oe.RetryAfter / time.Second)}
	case errors.As(err, &he):
		return &Error{Kind: "http", Message: he.Error(), Status: he.Status, ContentType: he.ContentType}
	case errors.As(err, &pe):
		return &Error{Kind: "protocol", Message: pe.Error(), Reason: pe.Reason}
	case errors.As(err, &pa):
		return &Error{Kind: "invalid", Message: pa.Error(), Param: pa.Key, Reason: pa.Reason}
	}
	return &Error{Kind: "invalid", Message: err.Error()}
}

func request(r *core.Request, err error) string {
	if err != nil {
		return fail(err)
	}
	// Hand-written JSON: encoding/json costs ~100 µs per call under js/wasm,
	// which the passwordGrant latency target (1.5x a plain fetch) cannot afford.
	var w jsonWriter
	w.openOK()
	w.str("method", r.Method)
	w.str("url", r.URL)
	w.key("headers")
	w.open()
	keys := make([]string, 0, len(r.Header))
	for k := range r.Header {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		w.str(k, r.Header[k])
	}
	w.close()
	w.str("body", string(r.Body))
	w.closeOK()
	return w.String()
}

// splitScope turns the space-separated scope JavaScript sends into the list core takes.
func splitScope(scope string) []string { return strings.Fields(scope) }

// extra parses extension parameters sent as a form-encoded string (URLSearchParams).
func extra(params string) (url.Values, error) {
	v, err := url.ParseQuery(params)
	if err != nil {
		return nil, errors.New("ropc: malformed extra parameters")
	}
	return v, nil
}

// BuildRefreshRequest builds the RFC 6749 §6 refresh request.
func BuildRefreshRequest(endpoint string, c Client, refreshToken, scope, params string) string {
	ex, err := extra(params)
	if err != nil {
		return fail(err)
	}
	return request(core.NewRefreshRequest(endpoint, c.auth(), core.RefreshParams{
		RefreshToken: refreshToken, Scopes: splitScope(scope), Extra: ex,
	}))
}

// BuildRevocation builds the RFC 7009 §2.1 revocation request.
func BuildRevocation(endpoint string, c Client, token, hint string) string {
	return request(core.NewRevocationRequest(endpoint, c.auth(), token, hint))
}

// BuildIntrospection builds the RFC 7662 §2.1 introspection request.
func BuildIntrospection(endpoint string, c Client, token, hint string) string {
	return request(core.NewIntrospectionRequest(endpoint, c.auth(), token, hint))
}

// tokenAnswer is the JavaScript shape of a parsed token, with
// core.GrantedScope and core.KeptRefreshToken applied. "raw" is left out when
// the body is a JSON object: JavaScript parses it itself (JSON.parse is far
// cheaper than encoding/json under wasm). For any other body (form-encoded
// answers) raw is the fields core parsed.
func tokenAnswer(t *core.Token, body []byte, requestedScope, previousRefreshToken, previousScope string) string {
	t.Scope = core.GrantedScope(t.Scope, splitScope(requestedScope), previousScope)
	t.RefreshToken = core.KeptRefreshToken(t.RefreshToken, previousRefreshToken)
	var w jsonWriter
	w.openOK()
	w.str("accessToken", t.AccessToken)
	w.str("tokenType", t.TokenType)
	w.key("expiresIn")
	if t.ExpiresIn != nil {
		w.int(*t.ExpiresIn)
	} else {
		w.null()
	}
	w.key("expiresAt")
	if t.ExpiryKnown() {
		w.int(t.Expiry.UnixMilli())
	} else {
		w.null()
	}
	w.key("refreshToken")
	if t.RefreshToken != "" {
		w.string(t.RefreshToken)
	} else {
		w.null()
	}
	w.str("scope", t.Scope)
	if !isJSONObject(body) {
		raw := t.Raw
		if raw == nil {
			raw = map[string]any{}
		}
		b, err := json.Marshal(raw)
		if err != nil {
			return fail(&core.ProtocolError{Reason: "response fields cannot be re-encoded"})
		}
		w.key("raw")
		w.raw(b)
	}
	w.closeOK()
	return w.String()
}

// isJSONObject mirrors core's own choice (it decodes a body as JSON when its
// first byte is '{'), so a body core parsed as JSON is one JSON.parse accepts.
func isJSONObject(body []byte) bool {
	b := bytes.TrimLeft(body, " \t\r\n")
	return len(b) > 0 && b[0] == '{'
}

// ParseRevocation parses an RFC 7009 §2.2 answer; ok is true.
func ParseRevocation(r Response, body []byte) string {
	return result(true, core.ParseRevocationResponse(r.core(body)))
}

// ParseIntrospection parses an RFC 7662 §2.2 answer.
func ParseIntrospection(r Response, body []byte) string {
	i, err := core.ParseIntrospectionResponse(r.core(body))
	if err != nil {
		return fail(err)
	}
	out := Introspection{Active: i.Active, Scope: i.Scope, ClientID: i.ClientID, Username: i.Username,
		TokenType: i.TokenType, Subject: i.Subject, Issuer: i.Issuer, JTI: i.JTI, Audience: i.Audience,
		ExpiresAt: i.ExpiresAt, IssuedAt: i.IssuedAt, NotBefore: i.NotBefore, Raw: i.Raw}
	if out.Raw == nil {
		out.Raw = map[string]any{}
	}
	return result(out, nil)
}

// ParseMetadata parses RFC 8414 §3.2 metadata, checks its issuer (§3.3) and
// its endpoints against core.CheckTransportSecurity.
func ParseMetadata(r Response, body []byte, issuer string, allowInsecure bool) string {
	m, err := core.ParseMetadata(r.core(body), issuer)
	if err == nil {
		err = core.CheckMetadataEndpoints(m, allowInsecure)
	}
	if err != nil {
		return fail(err)
	}
	out := Metadata{Issuer: m.Issuer, TokenEndpoint: m.TokenEndpoint, RevocationEndpoint: m.RevocationEndpoint,
		IntrospectionEndpoint: m.IntrospectionEndpoint, UserinfoEndpoint: m.UserinfoEndpoint, JWKSURI: m.JWKSURI,
		GrantTypesSupported: m.GrantTypesSupported, ScopesSupported: m.ScopesSupported,
		TokenEndpointAuthMethodsSupported: m.TokenEndpointAuthMethodsSupported, Raw: m.Raw}
	if out.Raw == nil {
		out.Raw = map[string]any{}
	}
	return result(out, nil)
}
