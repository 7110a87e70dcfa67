package sdk

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/ropcgo/ropc/mockserver"
)

// The default mock's credentials (mockserver/demo.json, as mockserver.DefaultConfig uses them).
var (
	mockClientID     = mockserver.DemoCredentials().ClientID
	mockClientSecret = mockserver.DemoCredentials().ClientSecret
	mockUser         = mockserver.DemoCredentials().Username
	mockPassword     = mockserver.DemoCredentials().Password
)

// mockEnv is the real mock server on loopback, with per-endpoint request counts taken in front
// of it (the counting wrapper observes; the mock does all the OAuth work).
type mockEnv struct {
	srv      *httptest.Server
	mock     *mockserver.Server
	password atomic.Int32 // token requests with grant_type=password
	refresh  atomic.Int32 // token requests with grant_type=refresh_token
	resource atomic.Int32 // requests to /userinfo
	// gate, when set, runs before a refresh request reaches the mock (to hold it in flight).
	gate atomic.Pointer[func()]
}

func startMock(t testing.TB) *mockEnv {
	t.Helper()
	m, err := mockserver.New(mockserver.DefaultConfig(), mockserver.Options{})
	require.NoError(t, err)
	env := &mockEnv{mock: m}
	env.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/token":
			b, _ := io.ReadAll(r.Body)
			r.Body = io.NopCloser(bytes.NewReader(b))
			switch {
			case strings.Contains(string(b), "grant_type=refresh_token"):
				env.refresh.Add(1)
				if g := env.gate.Load(); g != nil {
					(*g)()
				}
			case strings.Contains(string(b), "grant_type=password"):
				env.password.Add(1)
			}
		case "/userinfo":
			env.resource.Add(1)
		}
		m.ServeHTTP(w, r)
	}))
	t.Cleanup(env.srv.Close)
	return env
}

func (e *mockEnv) client(t testing.TB, mutate ...func(*Config)) *Client {
	t.Helper()
	cfg := Config{
		TokenURL:         e.srv.URL + "/token",
		RevocationURL:    e.srv.URL + "/revoke",
		IntrospectionURL: e.srv.URL + "/introspect",
		ClientID:         mockClientID,
		ClientSecret:     mockClientSecret,
	}
	for _, m := range mutate {
		m(&cfg)
	}
	c, err := NewClient(cfg)
	require.NoError(t, err)
	return c
}

// signIn runs the password grant against the mock.
func (e *mockEnv) signIn(t testing.TB, c *Client, opts ...RequestOption) *Token {
	t.Helper()
	tok, err := c.PasswordToken(context.Background(), mockUser, mockPassword, opts...)
	require.NoError(t, err)
	require.NotEmpty(t, tok.AccessToken)
	require.NotEmpty(t, tok.RefreshToken)
	return tok
}
