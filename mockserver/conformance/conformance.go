// Package conformance is the HTTP-level behaviour suite of the mock token
// server. It talks to a running server only over HTTP, so the same tests
// check the native handler (httptest) and the Cloudflare Workers build.
//
// The target must serve mockserver.DefaultConfig() clients and users with the
// default lockout policy. The lockout test locks the user janedoe for a
// minute; every other test uses johndoe, whose few deliberate failures are
// always followed by a successful sign-in (which clears them).
package conformance

import (
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Target is a running mock.
type Target struct {
	// BaseURL is the issuer, e.g. "http://127.0.0.1:8080" (no trailing slash).
	BaseURL string
	// Client sends the requests; nil means a client with a 10 s timeout.
	// Redirects are never followed either way.
	Client *http.Client
	// Opaque is set when the target issues opaque access tokens.
	Opaque bool
}

// Credentials of mockserver.DefaultConfig().
const (
	ClientID       = "client_id"
	ClientSecret   = "client_secret"
	PublicClientID = "public-client"
	Username       = "johndoe"
	Password       = "A3ddj3w"
	LockUsername   = "janedoe"
	LockPassword   = "S3cr3t-jane"
)

// Run runs every conformance test against tg.
func Run(t *testing.T, tg Target) {
	tg.BaseURL = strings.TrimSuffix(tg.BaseURL, "/")
	c := &client{t: t, tg: tg, hc: httpClient(tg.Client)}
	t.Run("token", c.tokenTests)
	t.Run("refresh", c.refreshTests)
	t.Run("introspect", c.introspectTests)
	t.Run("revoke", c.revokeTests)
	t.Run("userinfo", c.userinfoTests)
	t.Run("discovery", c.discoveryTests)
	t.Run("cors", c.corsTests)
	t.Run("lockout", c.lockoutTests)
	t.Run("dpop", c.dpopTests)
}

func httpClient(hc *http.Client) *http.Client {
	var n http.Client
	if hc != nil {
		n = *hc
	} else {
		n.Timeout = 10 * time.Second
	}
	n.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &n
}

type client struct {
	t  *testing.T
	tg Target
	hc *http.Client
}

// response is a fully read HTTP answer.
type response struct {
	Status int
	Header http.Header
	Body   []byte
}

// JSON decodes the body as an object (failing the test if it is not one).
func (r response) JSON(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	require.NoError(t, json.Unmarshal(r.Body, &m), "body is not a JSON object: %q", r.Body)
	return m
}

// req describes one request.
type req struct {
	method string
	path   string // may include a query
	body   string
	ctype  string // default application/x-www-form-urlencoded when body != ""
	header map[string]string
}

func (c *client) do(t *testing.T, r req) response {
	t.Helper()
	if r.method == "" {
		r.method = http.MethodPost
	}
	var body io.Reader
	if r.body != "" {
		body = strings.NewReader(r.body)
	}
	hr, err := http.NewRequest(r.method, c.tg.BaseURL+r.path, body)
	require.NoError(t, err)
	if r.body != "" || r.method == http.MethodPost {
		ct := r.ctype
		if ct == "" {
			ct = "application/x-www-form-urlencoded"
		}
		hr.Header.Set("Content-Type", ct)
	}
	for k, v := range r.header {
		hr.Header.Set(k, v)
	}
	resp, err := c.hc.Do(hr)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return response{Status: resp.StatusCode, Header: resp.Header, Body: b}
}

// form encodes pairs in order (url.Values would sort and merge repeats).
func form(pairs ...string) string {
	var b strings.Builder
	for i := 0; i+1 < len(pairs); i += 2 {
		if b.Len() > 0 {
			b.WriteByte('&')
		}
		b.WriteString(url.QueryEscape(pairs[i]))
		b.WriteByte('=')
		b.WriteString(url.QueryEscape(pairs[i+1]))
	}
	return b.String()
}

// basic is RFC 6749 §2.3.1: form-urlencode id and secret, then base64.
func basic(id, secret string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(url.QueryEscape(id)+":"+url.QueryEscape(secret)))
}

func basicAuth() map[string]string {
	return map[string]string{"Authorization": basic(ClientID, ClientSecret)}
}

// token posts to /token with Basic client authentication.
func (c *client) token(t *testing.T, pairs ...string) response {
	t.Helper()
	return c.do(t, req{path: "/token", body: form(pairs...), header: basicAuth()})
}

// password gets a token for johndoe (scope optional) and asserts success.
func (c *client) password(t *testing.T, scope string) map[string]any {
	t.Helper()
	pairs := []string{"grant_type", "password", "username", Username, "password", Password}
	if scope != "" {
		pairs = append(pairs, "scope", scope)
	}
	r := c.token(t, pairs...)
	require.Equal(t, http.StatusOK, r.Status, "password grant: %s", r.Body)
	return r.JSON(t)
}

// assertOAuthError checks an RFC 6749 §5.2 error answer.
func assertOAuthError(t *testing.T, r response, status int, code string) {
	t.Helper()
	assert.Equal(t, status, r.Status, "status; body %s", r.Body)
	assert.True(t, strings.HasPrefix(r.Header.Get("Content-Type"), "application/json"), "content type %q", r.Header.Get("Content-Type"))
	var m map[string]any
	if !assert.NoError(t, json.Unmarshal(r.Body, &m), "body %q", r.Body) {
		return
	}
	assert.Equal(t, code, m["error"], "error code; body %s", r.Body)
	if d, ok := m["error_description"]; ok {
		s, isStr := d.(string)
		assert.True(t, isStr, "error_description is a string")
		assert.True(t, validDescription(s), "error_description %q has characters RFC 6749 §5.2 forbids", s)
	}
}

// validDescription: RFC 6749 §5.2 error_description charset
// %x20-21 / %x23-5B / %x5D-7E.
func validDescription(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c > 0x7e || c == '"' || c == '\\' {
			return false
		}
	}
	return true
}

// assertNoStore: RFC 6749 §5.1 headers.
func assertNoStore(t *testing.T, r response) {
	t.Helper()
	assert.Equal(t, "no-store", r.Header.Get("Cache-Control"), "Cache-Control")
	assert.Equal(t, "no-cache", r.Header.Get("Pragma"), "Pragma")
}

func str(m map[string]any, k string) string {
	s, _ := m[k].(string)
	return s
}
