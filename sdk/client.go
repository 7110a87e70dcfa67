package sdk

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ropcgo/ropc/sdk/core"
)

// Client talks to one authorization server as one OAuth client. It is safe for concurrent use.
type Client struct {
	// Behind pointers, so that even a copy of a Client printed with fmt (which walks unexported
	// fields without calling their String methods) shows addresses, not the client secret.
	cfg      *Config
	auth     *core.ClientAuth
	hc       *http.Client
	maxBytes int64
	now      func() time.Time

	dpop *dpopState // nil without Config.DPoP

	lastURL atomic.Pointer[cachedURL]

	mu   sync.Mutex // guards meta
	meta *Metadata  // discovery result, cached after the first success
}

// NewClient validates cfg and applies defaults. It does no network I/O: discovery, when Issuer
// replaces TokenURL, happens on the first call that needs an endpoint.
func NewClient(cfg Config) (*Client, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	method, err := core.ResolveAuthMethod(cfg.AuthMethod, cfg.ClientSecret)
	if err != nil {
		return nil, err
	}
	c := &Client{
		cfg:      &cfg,
		auth:     &core.ClientAuth{ClientID: cfg.ClientID, ClientSecret: cfg.ClientSecret, Method: method},
		hc:       newHTTPClient(&cfg),
		maxBytes: cfg.MaxResponseBytes,
		now:      cfg.Now,
	}
	if c.maxBytes == 0 {
		c.maxBytes = DefaultMaxResponseBytes
	}
	if cfg.DPoP != nil {
		d, err := newDPoP(cfg.DPoP)
		if err != nil {
			return nil, err
		}
		c.dpop = d
	}
	if c.now == nil {
		c.now = time.Now
	}
	return c, nil
}

// String identifies the client without its secret.
func (c *Client) String() string { return "sdk.Client{" + c.cfg.String() + "}" }

// GoString redacts like String.
func (c *Client) GoString() string { return c.String() }

// Format makes every verb go through String; without it %d or %x would print the fields.
func (c *Client) Format(f fmt.State, verb rune) { formatAs(f, verb, c.String()) }

// RequestOption adjusts one token request.
type RequestOption func(*requestOptions)

type requestOptions struct {
	scopes   []string
	extra    url.Values
	otp      string // WithOTP
	realm    string // WithRealm
	recovery bool   // WithRecoveryCode
}

// WithScopes requests scopes (RFC 6749 §3.3). On refresh it may only narrow the original grant (§6).
func WithScopes(scopes ...string) RequestOption {
	return func(o *requestOptions) { o.scopes = append(o.scopes, scopes...) }
}

// WithParam adds an extension parameter such as audience or resource (RFC 8707).
// Parameters the grant itself defines cannot be overridden.
func WithParam(key, value string) RequestOption {
	return func(o *requestOptions) {
		if o.extra == nil {
			o.extra = url.Values{}
		}
		o.extra.Add(key, value)
	}
}

func collect(opts []RequestOption) requestOptions {
	if len(opts) == 0 {
		return requestOptions{} // no heap copy on the common path
	}
	o := new(requestOptions)
	for _, opt := range opts {
		opt(o)
	}
	return *o
}

// PasswordToken performs the resource owner password credentials grant (RFC 6749 §4.3) once:
// no retry, no second authentication style, so a wrong password counts once against lockout.
func (c *Client) PasswordToken(ctx context.Context, username, password string, opts ...RequestOption) (*Token, error) {
	tokenURL, err := c.tokenEndpoint(ctx)
	if err != nil {
		return nil, err
	}
	o := collect(opts)
	req, err := core.NewPasswordRequest(tokenURL, *c.auth, core.PasswordParams{
		Username: username, Password: password, Scopes: o.scopes, Extra: o.extra, Realm: o.realm, OTP: o.otp,
	})
	if err != nil {
		return nil, err
	}
	tok, err := c.exchange(ctx, req, core.ParseTokenResponse)
	if err != nil {
		return nil, scrub(err, password, c.cfg.ClientSecret)
	}
	fillScope(tok, o.scopes)
	return tok, nil
}

// Refresh uses a refresh token (RFC 6749 §6). When the response carries no refresh_token, the
// old one stays valid (§6: the server MAY issue a new one), so it is kept in the result.
func (c *Client) Refresh(ctx context.Context, refreshToken string, opts ...RequestOption) (*Token, error) {
	tokenURL, err := c.tokenEndpoint(ctx)
	if err != nil {
		return nil, err
	}
	o := collect(opts)
	req, err := core.NewRefreshRequest(tokenURL, *c.auth, core.RefreshParams{
		RefreshToken: refreshToken, Scopes: o.scopes, Extra: o.extra,
	})
	if err != nil {
		return nil, err
	}
	tok, err := c.exchange(ctx, req, core.ParseTokenResponse)
	if err != nil {
		return nil, scrub(err, refreshToken, c.cfg.ClientSecret)
	}
	tok.RefreshToken = core.KeptRefreshToken(tok.RefreshToken, refreshToken)
	fillScope(tok, o.scopes)
	return tok, nil
}

// exchange sends a token request (with a DPoP proof when the client has a key), parses the
// answer with parse and checks its token type. The caller scrubs the error.
func (c *Client) exchange(ctx context.Context, req *core.Request, parse func(core.Response, time.Time) (*Token, error)) (*Token, error) {
	resp, err := c.sendProof(ctx, req)
	if err != nil {
		return nil, err
	}
	tok, err := parse(resp, c.now())
	if err != nil {
		return nil, err
	}
	return tok, c.checkTokenType(tok)
}

// scrub removes the secrets a request carried from an error built from the server's answer
// (core.Scrub), including a redirect's Location: a hostile server can echo the password anywhere,
// and error messages get logged.
func scrub(err error, secrets ...string) error {
	if err == nil {
		return nil
	}
	var re *RedirectError
	if errors.As(err, &re) && core.ContainsSecret(re.Location, secrets...) {
		re.Location = ""
	}
	return core.Scrub(err, secrets...)
}

// fillScope applies core.GrantedScope to a grant's answer: RFC 6749 §5.1, an omitted scope is
// the scope requested.
func fillScope(tok *Token, requested []string) {
	tok.Scope = core.GrantedScope(tok.Scope, requested, "")
}

// tokenEndpoint returns TokenURL, discovering it from Issuer when not configured.
func (c *Client) tokenEndpoint(ctx context.Context) (string, error) {
	if c.cfg.TokenURL != "" {
		return c.cfg.TokenURL, nil
	}
	if !core.NeedsDiscovery(c.cfg.TokenURL, c.cfg.Issuer, false) {
		return "", &endpointError{name: "token endpoint"}
	}
	m, err := c.metadata(ctx)
	if err != nil {
		return "", err
	}
	if m.TokenEndpoint == "" {
		return "", &ProtocolError{Reason: "authorization server metadata has no token_endpoint"}
	}
	return m.TokenEndpoint, nil
}

// endpoint returns a configured endpoint, or the discovered one when Issuer is set.
func (c *Client) endpoint(ctx context.Context, configured string, pick func(*Metadata) string, name string) (string, error) {
	if configured != "" {
		return configured, nil
	}
	if !core.NeedsDiscovery(configured, c.cfg.Issuer, false) {
		return "", &endpointError{name: name}
	}
	m, err := c.metadata(ctx)
	if err != nil {
		return "", err
	}
	if ep := pick(m); ep != "" {
		return ep, nil
	}
	return "", &endpointError{name: name, discovered: true}
}

type endpointError struct {
	name       string
	discovered bool
}

func (e *endpointError) Error() string {
	if e.discovered {
		return "ropc: the authorization server metadata has no " + e.name
	}
	return "ropc: no " + e.name + " configured and no Issuer to discover it"
}

func (e *endpointError) Unwrap() error { return ErrNoEndpoint }
