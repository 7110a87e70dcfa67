package sdk

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestTransportAddsBearerToClone(t *testing.T) {
	env := startMock(t)
	c := env.client(t)
	ts := c.TokenSource(env.signIn(t, c))
	hc := ts.Client(nil)

	req, err := http.NewRequest(http.MethodGet, env.srv.URL+"/userinfo", nil)
	require.NoError(t, err)
	resp, err := hc.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	var claims map[string]any
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&claims))
	assert.Equal(t, mockUser, claims["sub"])
	assert.Empty(t, req.Header.Get("Authorization"), "the caller's request is not modified")
}

func TestTransportRefreshesOnInvalidToken(t *testing.T) {
	tests := []struct {
		name      string
		method    string
		body      func() io.Reader
		wantRetry bool
	}{
		{"GET", http.MethodGet, func() io.Reader { return nil }, true},
		{"POST replayable body", http.MethodPost, func() io.Reader { return strings.NewReader("a=b") }, true},
		{"POST one-shot body", http.MethodPost, func() io.Reader { return io.NopCloser(strings.NewReader("a=b")) }, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := startMock(t)
			c := env.client(t)
			tok := env.signIn(t, c)
			// The server no longer accepts the access token, though it has not expired locally.
			require.NoError(t, c.Revoke(context.Background(), tok.AccessToken, "access_token"))
			var changes atomic.Int32
			ts := c.TokenSource(tok, WithOnTokenChange(func(*Token) { changes.Add(1) }))

			req, err := http.NewRequest(tt.method, env.srv.URL+"/userinfo", tt.body())
			require.NoError(t, err)
			if tt.method == http.MethodPost {
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			}
			resp, err := ts.Client(nil).Do(req)
			require.NoError(t, err)
			defer resp.Body.Close()
			if tt.wantRetry {
				assert.Equal(t, http.StatusOK, resp.StatusCode)
				assert.Equal(t, int32(2), env.resource.Load())
				assert.Equal(t, int32(1), env.refresh.Load())
				assert.Equal(t, int32(1), changes.Load())
				assert.NotEqual(t, tok.AccessToken, ts.Current().AccessToken)
			} else {
				assert.Equal(t, http.StatusUnauthorized, resp.StatusCode)
				assert.Contains(t, resp.Header.Get("WWW-Authenticate"), "invalid_token")
				assert.Equal(t, int32(1), env.resource.Load())
				assert.Equal(t, int32(0), env.refresh.Load())
			}
		})
	}
}

func TestTransportRefreshRejected(t *testing.T) {
	env := startMock(t)
	c := env.client(t)
	tok := *env.signIn(t, c)
	require.NoError(t, c.Revoke(context.Background(), tok.RefreshToken, "refresh_token"))
	require.NoError(t, c.Revoke(context.Background(), tok.AccessToken, "access_token"))
	ts := c.TokenSource(&tok)
	resp, err := ts.Client(nil).Get(env.srv.URL + "/userinfo")
	if resp != nil {
		resp.Body.Close()
	}
	require.ErrorIs(t, err, ErrSignInAgain)
	assert.Equal(t, int32(1), env.refresh.Load())
}

// Third-party resource servers: challenges the mock does not send.
func TestTransportChallenges(t *testing.T) {
	tests := []struct {
		name      string
		challenge []string
		wantRetry bool
	}{
		{"no error code", []string{`Bearer realm="api"`}, false},
		{"insufficient_scope", []string{`Bearer error="insufficient_scope", scope="admin"`}, false},
		{"basic challenge", []string{`Basic realm="api"`}, false},
		{"no challenge", nil, false},
		{"invalid_token", []string{`Bearer realm="api", error="invalid_token"`}, true},
		{"invalid_token in second header", []string{`Basic realm="x"`, `Bearer error="invalid_token"`}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var refreshes, hits atomic.Int32
			var lastAuth atomic.Value
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path == "/token" {
					refreshes.Add(1)
					w.Header().Set("Content-Type", "application/json")
					_, _ = io.WriteString(w, `{"access_token":"at-2","token_type":"Bearer","expires_in":3600}`)
					return
				}
				hits.Add(1)
				lastAuth.Store(r.Header.Get("Authorization"))
				if r.Header.Get("Authorization") == "Bearer at-2" {
					return
				}
				for _, ch := range tt.challenge {
					w.Header().Add("WWW-Authenticate", ch)
				}
				w.WriteHeader(http.StatusUnauthorized)
			}))
			defer srv.Close()
			c := newTestClient(t, srv.URL)
			ts := c.TokenSource(&Token{AccessToken: "at-1", TokenType: "Bearer", RefreshToken: "rt"})
			resp, err := ts.Client(nil).Get(srv.URL + "/api")
			require.NoError(t, err)
			resp.Body.Close()
			if tt.wantRetry {
				assert.Equal(t, http.StatusOK, resp.StatusCode)
				assert.Equal(t, int32(1), refreshes.Load())
				assert.Equal(t, int32(2), hits.Load())
				assert.Equal(t, "Bearer at-2", lastAuth.Load())
			} else {
				assert.Equal(t, http.StatusUnauthorized, resp.StatusCode)
				assert.Equal(t, int32(0), refreshes.Load())
				assert.Equal(t, int32(1), hits.Load())
				assert.Equal(t, "Bearer at-1", lastAuth.Load())
			}
		})
	}
}

func TestTransportRetriesOnlyOnce(t *testing.T) {
	var refreshes, hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/token" {
			refreshes.Add(1)
			w.Header().Set("Content-Type", "application/json")
			_, _ = io.WriteString(w, `{"access_token":"at-n","token_type":"Bearer","expires_in":3600}`)
			return
		}
		hits.Add(1)
		w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
		w.WriteHeader(http.StatusUnauthorized)
	}))
	defer srv.Close()
	ts := newTestClient(t, srv.URL).TokenSource(&Token{AccessToken: "at-1", RefreshToken: "rt"})
	resp, err := ts.Client(nil).Get(srv.URL + "/api")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusUnauthorized, resp.StatusCode)
	assert.Equal(t, int32(1), refreshes.Load())
	assert.Equal(t, int32(2), hits.Load())
}

func TestTransportRefusesUnknownTokenType(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { hits.Add(1) }))
	defer srv.Close()
	ts := newTestClient(t, srv.URL).TokenSource(&Token{AccessToken: "at", TokenType: "mac"})
	resp, err := ts.Client(nil).Get(srv.URL)
	if resp != nil {
		resp.Body.Close()
	}
	require.Error(t, err)
	assert.Contains(t, err.Error(), "unsupported token type")
	assert.Equal(t, int32(0), hits.Load(), "RFC 6749 §7.1: not used at all")
}

func TestTransportRequiresTLS(t *testing.T) {
	tests := []struct {
		name     string
		url      string
		insecure bool
		wantErr  bool
	}{
		{"http remote refused", "http://api.example.com/x", false, true},
		{"http remote opt-in", "http://api.example.invalid/x", true, false},
		{"http loopback", "http://127.0.0.1:1/x", false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newTestClient(t, "https://as.example.com", func(c *Config) { c.AllowInsecureHTTP = tt.insecure })
			ts := c.TokenSource(&Token{AccessToken: "at", TokenType: "Bearer"})
			base := roundTripFunc(func(*http.Request) (*http.Response, error) { return nil, errSentinel })
			req, err := http.NewRequest(http.MethodGet, tt.url, nil)
			require.NoError(t, err)
			_, err = (&Transport{Source: ts, Base: base}).RoundTrip(req)
			var ie *InsecureURLError
			if tt.wantErr {
				require.ErrorAs(t, err, &ie)
				assert.Contains(t, err.Error(), "https")
			} else {
				require.ErrorIs(t, err, errSentinel, "reached the base transport")
			}
		})
	}
}

var errSentinel = errors.New("sentinel: base transport reached")

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func TestTransportWithoutRefreshTokenReturnsChallenge(t *testing.T) {
	env := startMock(t)
	c := env.client(t)
	tok := env.signIn(t, c)
	require.NoError(t, c.Revoke(context.Background(), tok.AccessToken, "access_token"))
	noRefresh := *tok
	noRefresh.RefreshToken = ""
	ts := c.TokenSource(&noRefresh)

	resp, err := ts.Client(nil).Get(env.srv.URL + "/userinfo")
	require.NoError(t, err, "a rejected token without a refresh token is the server's answer, not a client error")
	defer resp.Body.Close()
	assert.Equal(t, http.StatusUnauthorized, resp.StatusCode)
	assert.Contains(t, resp.Header.Get("WWW-Authenticate"), `error="invalid_token"`, "RFC 6750 §3 challenge kept")
	assert.Equal(t, int32(0), env.refresh.Load())

	// A replayable body is not reproduced (and left open) when there is nothing to retry with.
	req, err := http.NewRequest(http.MethodPost, env.srv.URL+"/userinfo", strings.NewReader("a=b"))
	require.NoError(t, err)
	getBody := req.GetBody
	var copies atomic.Int32
	req.GetBody = func() (io.ReadCloser, error) { copies.Add(1); return getBody() }
	resp, err = ts.Client(nil).Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	assert.Equal(t, http.StatusUnauthorized, resp.StatusCode)
	assert.Equal(t, int32(0), copies.Load(), "no replay copy of the body is made without a refresh token")
}

func TestTransportDropsTokenOnCrossOriginRedirect(t *testing.T) {
	env := startMock(t)
	c := env.client(t)
	ts := c.TokenSource(env.signIn(t, c))

	var gotAuth atomic.Value
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		gotAuth.Store(r.Header.Get("Authorization"))
		w.WriteHeader(http.StatusNoContent)
	}))
	defer other.Close()
	var sameOriginAuth atomic.Value
	origin := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/away":
			http.Redirect(w, r, other.URL+"/landing", http.StatusFound)
		case "/here":
			http.Redirect(w, r, "/landing", http.StatusFound)
		default:
			sameOriginAuth.Store(r.Header.Get("Authorization"))
			w.WriteHeader(http.StatusNoContent)
		}
	}))
	defer origin.Close()
	hc := ts.Client(nil)

	resp, err := hc.Get(origin.URL + "/away")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusNoContent, resp.StatusCode)
	assert.Equal(t, "", gotAuth.Load(), "the bearer token must not follow a redirect to another origin")

	resp, err = hc.Get(origin.URL + "/here")
	require.NoError(t, err)
	resp.Body.Close()
	assert.True(t, strings.HasPrefix(sameOriginAuth.Load().(string), "Bearer "), "same-origin redirects keep the token")
}
