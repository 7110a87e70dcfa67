// Package bridge is the JSON-in, JSON-out face of sdk/core that the WebAssembly
// module exports to JavaScript. It holds no state and does no I/O: JavaScript
// builds a request here, sends it with fetch, and hands the status, headers and
// body bytes back here to be parsed (the build/process pairs of oauth4webapi).
//
// It is plain Go so it is tested natively; wasm/main.go only wires each function
// to a js.Func. It must not import net/http: that would add ~2 MB gzipped to the
// .wasm and, under Node, would not even reach the network.
package bridge

import (
	"encoding/json"
	"errors"
	"net/url"
	"time"

	"github.com/ropcgo/ropc/sdk/core"
)

// Client is the client-authentication part of every input.
type Client struct {
	ClientID     string `json:"clientId"`
	ClientSecret string `json:"clientSecret"`
	AuthMethod   string `json:"authMethod"`
}

func (c Client) auth() core.ClientAuth {
	return core.ClientAuth{ClientID: c.ClientID, ClientSecret: c.ClientSecret, Method: core.AuthMethod(c.AuthMethod)}
}

// PasswordInput is what buildPasswordRequest takes.
type PasswordInput struct {
	Client
	Endpoint string              `json:"endpoint"`
	Username string              `json:"username"`
	Password string              `json:"password"`
	Scope    []string            `json:"scope"`
	Params   map[string][]string `json:"params"`
}

// RefreshInput is what buildRefreshRequest takes.
type RefreshInput struct {
	Client
	Endpoint     string              `json:"endpoint"`
	RefreshToken string              `json:"refreshToken"`
	Scope        []string            `json:"scope"`
	Params       map[string][]string `json:"params"`
}

// TokenInput is what buildRevocation and buildIntrospection take.
type TokenInput struct {
	Client
	Endpoint string `json:"endpoint"`
	Token    string `json:"token"`
	Hint     string `json:"hint"`
}

// Response is what every parse function takes, beside the body bytes.
type Response struct {
	Status          int    `json:"status"`
	ContentType     string `json:"contentType"`
	WWWAuthenticate string `json:"wwwAuthenticate"`
	// Issuer is used by parseMetadata only (RFC 8414 §3.3 issuer check).
	Issuer string `json:"issuer,omitempty"`
	// NowMs lets the caller fix "now" (tests); 0 means the clock.
	NowMs int64 `json:"nowMs,omitempty"`
}

// Request is a request for JavaScript to send with fetch.
type Request struct {
	Method  string            `json:"method"`
	URL     string            `json:"url"`
	Headers map[string]string `json:"headers"`
	Body    string            `json:"body"`
}

// Token is the JavaScript token shape of issue 5: expiresIn in seconds or
// null, expiresAt in milliseconds since the epoch or null, refreshToken or null.
type Token struct {
	AccessToken  string         `json:"accessToken"`
	TokenType    string         `json:"tokenType"`
	ExpiresIn    *int64         `json:"expiresIn"`
	ExpiresAt    *int64         `json:"expiresAt"`
	RefreshToken *string        `json:"refreshToken"`
	Scope        string         `json:"scope"`
	Raw          map[string]any `json:"raw"`
}

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
// "http" (a non-OAuth HTTP status), "protocol" (a malformed answer) or
// "invalid" (bad input, refused before anything was sent). Message comes from
// core's errors, which never carry secrets.
type Error struct {
	Kind        string `json:"kind"`
	Message     string `json:"message"`
	Code        string `json:"code,omitempty"`
	Description string `json:"description,omitempty"`
	URI         string `json:"uri,omitempty"`
	Status      int    `json:"status,omitempty"`
	ContentType string `json:"contentType,omitempty"`
	Reason      string `json:"reason,omitempty"`
}

// Challenge is a parsed RFC 6750 §3 WWW-Authenticate: Bearer header.
type Challenge struct {
	Bearer bool              `json:"bearer"`
	Params map[string]string `json:"params"`
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
	b, _ := json.Marshal(envelope{Error: toError(err)}) // Error holds only strings and ints: cannot fail
	return string(b)
}

func toError(err error) *Error {
	var oe *core.OAuthError
	var he *core.HTTPError
	var pe *core.ProtocolError
	switch {
	case errors.As(err, &oe):
		return &Error{Kind: "oauth", Message: oe.Error(), Code: oe.Code, Description: oe.Description, URI: oe.URI, Status: oe.Status}
	case errors.As(err, &he):
		return &Error{Kind: "http", Message: he.Error(), Status: he.Status, ContentType: he.ContentType}
	case errors.As(err, &pe):
		return &Error{Kind: "protocol", Message: pe.Error(), Reason: pe.Reason}
	}
	return &Error{Kind: "invalid", Message: err.Error()}
}

// decode reads a JSON input; its error never echoes the input, which holds secrets.
func decode(in string, v any) error {
	if err := json.Unmarshal([]byte(in), v); err != nil {
		return errors.New("ropc: malformed input from the JavaScript layer")
	}
	return nil
}

func request(r *core.Request, err error) string {
	if err != nil {
		return fail(err)
	}
	return result(Request{Method: r.Method, URL: r.URL, Headers: r.Header, Body: string(r.Body)}, nil)
}

// BuildPasswordRequest builds the RFC 6749 §4.3.2 access token request.
func BuildPasswordRequest(in string) string {
	var p PasswordInput
	if err := decode(in, &p); err != nil {
		return fail(err)
	}
	return request(core.NewPasswordRequest(p.Endpoint, p.auth(), core.PasswordParams{
		Username: p.Username, Password: p.Password, Scopes: p.Scope, Extra: url.Values(p.Params),
	}))
}

// BuildRefreshRequest builds the RFC 6749 §6 refresh request.
func BuildRefreshRequest(in string) string {
	var p RefreshInput
	if err := decode(in, &p); err != nil {
		return fail(err)
	}
	return request(core.NewRefreshRequest(p.Endpoint, p.auth(), core.RefreshParams{
		RefreshToken: p.RefreshToken, Scopes: p.Scope, Extra: url.Values(p.Params),
	}))
}

// BuildRevocation builds the RFC 7009 §2.1 revocation request.
func BuildRevocation(in string) string {
	var p TokenInput
	if err := decode(in, &p); err != nil {
		return fail(err)
	}
	return request(core.NewRevocationRequest(p.Endpoint, p.auth(), p.Token, p.Hint))
}

// BuildIntrospection builds the RFC 7662 §2.1 introspection request.
func BuildIntrospection(in string) string {
	var p TokenInput
	if err := decode(in, &p); err != nil {
		return fail(err)
	}
	return request(core.NewIntrospectionRequest(p.Endpoint, p.auth(), p.Token, p.Hint))
}

func response(in string) (Response, core.Response, error) {
	var r Response
	if err := decode(in, &r); err != nil {
		return r, core.Response{}, err
	}
	return r, core.Response{Status: r.Status, ContentType: r.ContentType, WWWAuthenticate: r.WWWAuthenticate}, nil
}

func now(r Response) time.Time {
	if r.NowMs != 0 {
		return time.UnixMilli(r.NowMs)
	}
	return time.Now()
}

// ParseTokenResponse parses an RFC 6749 §5.1 answer, or its §5.2 error.
func ParseTokenResponse(in string, body []byte) string {
	r, cr, err := response(in)
	if err != nil {
		return fail(err)
	}
	cr.Body = body
	t, err := core.ParseTokenResponse(cr, now(r))
	if err != nil {
		return fail(err)
	}
	return result(TokenOf(t), nil)
}

// TokenOf converts a core token to its JavaScript shape.
func TokenOf(t *core.Token) Token {
	out := Token{AccessToken: t.AccessToken, TokenType: t.TokenType, ExpiresIn: t.ExpiresIn, Scope: t.Scope, Raw: t.Raw}
	if t.ExpiryKnown() {
		ms := t.Expiry.UnixMilli()
		out.ExpiresAt = &ms
	}
	if t.RefreshToken != "" {
		rt := t.RefreshToken
		out.RefreshToken = &rt
	}
	if out.Raw == nil {
		out.Raw = map[string]any{}
	}
	return out
}

// ParseRevocation parses an RFC 7009 §2.2 answer; ok is true.
func ParseRevocation(in string, body []byte) string {
	_, cr, err := response(in)
	if err != nil {
		return fail(err)
	}
	cr.Body = body
	return result(true, core.ParseRevocationResponse(cr))
}

// ParseIntrospection parses an RFC 7662 §2.2 answer.
func ParseIntrospection(in string, body []byte) string {
	_, cr, err := response(in)
	if err != nil {
		return fail(err)
	}
	cr.Body = body
	i, err := core.ParseIntrospectionResponse(cr)
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

// ParseMetadata parses RFC 8414 §3.2 metadata and checks its issuer (§3.3).
func ParseMetadata(in string, body []byte) string {
	r, cr, err := response(in)
	if err != nil {
		return fail(err)
	}
	cr.Body = body
	m, err := core.ParseMetadata(cr, r.Issuer)
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

// DiscoveryURLs lists the metadata URLs to try for an issuer, in order.
func DiscoveryURLs(issuer string) string {
	urls, err := core.DiscoveryURLs(issuer)
	return result(urls, err)
}

// ParseBearerChallenge parses an RFC 6750 §3 WWW-Authenticate header.
func ParseBearerChallenge(header string) string {
	params, ok := core.ParseBearerChallenge(header)
	if params == nil {
		params = map[string]string{}
	}
	return result(Challenge{Bearer: ok, Params: params}, nil)
}
