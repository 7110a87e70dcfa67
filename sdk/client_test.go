package sdk

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestPasswordTokenAgainstMock(t *testing.T) {
	env := startMock(t)
	tests := []struct {
		name      string
		cfg       func(*Config)
		user      string
		password  string
		opts      []RequestOption
		wantCode  string // OAuth error code, "" = success
		wantScope string
	}{
		{name: "basic auth", user: mockUser, password: mockPassword},
		{name: "post auth", cfg: func(c *Config) { c.AuthMethod = AuthClientSecretPost }, user: mockUser, password: mockPassword},
		{name: "public client", cfg: func(c *Config) { c.ClientID, c.ClientSecret = "public-client", "" }, user: mockUser, password: mockPassword},
		{name: "scope", user: mockUser, password: mockPassword, opts: []RequestOption{WithScopes("read")}, wantScope: "read"},
		{name: "wrong password", user: "janedoe", password: "wrong", wantCode: "invalid_grant"},
		{name: "unknown user", user: "nobody", password: "x", wantCode: "invalid_grant"},
		{name: "wrong client secret", cfg: func(c *Config) { c.ClientSecret = "nope" }, user: mockUser, password: mockPassword, wantCode: "invalid_client"},
		{name: "unknown scope", user: mockUser, password: mockPassword, opts: []RequestOption{WithScopes("admin")}, wantCode: "invalid_scope"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var mutate []func(*Config)
			if tt.cfg != nil {
				mutate = append(mutate, tt.cfg)
			}
			c := env.client(t, mutate...)
			before := env.password.Load()
			tok, err := c.PasswordToken(context.Background(), tt.user, tt.password, tt.opts...)
			assert.Equal(t, before+1, env.password.Load(), "exactly one request, never a retry")
			if tt.wantCode != "" {
				var oe *OAuthError
				require.ErrorAs(t, err, &oe)
				assert.Equal(t, tt.wantCode, oe.Code)
				assert.GreaterOrEqual(t, oe.Status, 400)
				assert.NotContains(t, err.Error(), tt.password)
				assert.False(t, errors.Is(err, ErrSignInAgain), "a failed sign-in is not a lost session")
				return
			}
			require.NoError(t, err)
			assert.NotEmpty(t, tok.AccessToken)
			assert.Equal(t, "Bearer", tok.TokenType)
			assert.True(t, tok.ExpiryKnown())
			assert.WithinDuration(t, time.Now().Add(time.Hour), tok.Expiry, time.Minute)
			if tt.wantScope != "" {
				assert.Equal(t, tt.wantScope, tok.Scope)
			}
			for _, verb := range []string{"%v", "%+v", "%#v", "%s"} {
				out := fmt.Sprintf(verb, tok)
				assert.NotContains(t, out, tok.AccessToken)
				assert.NotContains(t, out, tok.RefreshToken)
			}
		})
	}
}

func TestRefreshAgainstMock(t *testing.T) {
	env := startMock(t)
	c := env.client(t)
	first := env.signIn(t, c)

	t.Run("narrows scope", func(t *testing.T) {
		tok, err := c.Refresh(context.Background(), first.RefreshToken, WithScopes("read"))
		require.NoError(t, err)
		assert.Equal(t, "read", tok.Scope)
		assert.NotEqual(t, first.AccessToken, tok.AccessToken)
		assert.NotEmpty(t, tok.RefreshToken)
		first = tok
	})
	t.Run("cannot widen scope", func(t *testing.T) {
		_, err := c.Refresh(context.Background(), first.RefreshToken, WithScopes("read", "write", "admin"))
		var oe *OAuthError
		require.ErrorAs(t, err, &oe)
		assert.Equal(t, "invalid_scope", oe.Code)
	})
	t.Run("unknown refresh token", func(t *testing.T) {
		_, err := c.Refresh(context.Background(), "not-a-refresh-token")
		var oe *OAuthError
		require.ErrorAs(t, err, &oe)
		assert.Equal(t, "invalid_grant", oe.Code)
		assert.NotContains(t, err.Error(), "not-a-refresh-token")
	})
}

// RFC 6749 §6: a server may keep the refresh token; the mock always rotates, so this is a
// third-party server that does not.
func TestRefreshKeepsOldRefreshToken(t *testing.T) {
	tests := []struct {
		name   string
		body   string
		wantRT string
	}{
		{"omitted", `{"access_token":"new","token_type":"Bearer","expires_in":60}`, "old-rt"},
		{"null", `{"access_token":"new","token_type":"Bearer","refresh_token":null}`, "old-rt"},
		{"rotated", `{"access_token":"new","token_type":"Bearer","refresh_token":"new-rt"}`, "new-rt"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				require.NoError(t, r.ParseForm())
				assert.Equal(t, "refresh_token", r.PostForm.Get("grant_type"))
				assert.Equal(t, "old-rt", r.PostForm.Get("refresh_token"))
				w.Header().Set("Content-Type", "application/json")
				_, _ = io.WriteString(w, tt.body)
			}))
			defer srv.Close()
			c := newTestClient(t, srv.URL)
			tok, err := c.Refresh(context.Background(), "old-rt", WithScopes("read"))
			require.NoError(t, err)
			assert.Equal(t, tt.wantRT, tok.RefreshToken)
			assert.Equal(t, "read", tok.Scope, "RFC 6749 §5.1: omitted scope equals the requested one")
		})
	}
}

func TestWithParamReservedRejected(t *testing.T) {
	env := startMock(t)
	c := env.client(t)
	_, err := c.PasswordToken(context.Background(), mockUser, mockPassword, WithParam("grant_type", "client_credentials"))
	require.Error(t, err)
	assert.Equal(t, int32(0), env.password.Load()+env.refresh.Load(), "rejected before any request")
	assert.True(t, strings.Contains(err.Error(), "grant_type"))
}

// A hostile server echoes the credentials into error_description; they must not reach the message.
func TestOAuthErrorScrubsEchoedSecrets(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		echo := r.PostForm.Get("password") + r.PostForm.Get("refresh_token")
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusBadRequest)
		_ = json.NewEncoder(w).Encode(map[string]string{
			"error": "invalid_grant", "error_description": "bad " + echo, "error_uri": "https://x/" + echo})
	}))
	defer srv.Close()
	c := newTestClient(t, srv.URL)
	for _, secret := range []string{"hunter2-long", `quote"d`} {
		_, err := c.PasswordToken(context.Background(), "u", secret)
		var oe *OAuthError
		require.ErrorAs(t, err, &oe)
		assert.Equal(t, "invalid_grant", oe.Code)
		assert.NotContains(t, err.Error(), "hunter2")
		assert.NotContains(t, err.Error(), "quote")
		assert.Empty(t, oe.URI)
	}
	_, err := c.Refresh(context.Background(), "rt-secret-value")
	require.Error(t, err)
	assert.NotContains(t, err.Error(), "rt-secret-value")
}

// A hostile server echoes what it received wherever an error message shows server text: a
// redirect's Location, the Content-Type of a non-OAuth failure or of an unparseable body, the
// OAuth error code. No call may return a message holding the password, client secret or token.
func TestErrorsScrubEchoedCredentials(t *testing.T) {
	const password, secret, token = "Hunter2Pass", "Sup3rSecret", "T0kenValue"
	echo := func(r *http.Request) string {
		_ = r.ParseForm()
		return r.PostForm.Get("password") + r.PostForm.Get("token") + r.PostForm.Get("client_secret")
	}
	handlers := map[string]http.HandlerFunc{
		"redirect path": func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Location", "https://evil.example/"+echo(r))
			w.WriteHeader(http.StatusTemporaryRedirect)
		},
		"content type of a 500": func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html; x="+echo(r))
			w.WriteHeader(http.StatusInternalServerError)
		},
		"content type of a bad 200": func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", echo(r))
			_, _ = io.WriteString(w, "garbage")
		},
		"error code": func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusBadRequest)
			_ = json.NewEncoder(w).Encode(map[string]string{"error": echo(r), "error_description": echo(r)})
		},
	}
	for name, h := range handlers {
		t.Run(name, func(t *testing.T) {
			srv := httptest.NewServer(h)
			defer srv.Close()
			for _, method := range []AuthMethod{AuthClientSecretBasic, AuthClientSecretPost} {
				c := newTestClient(t, srv.URL, func(cfg *Config) {
					cfg.ClientSecret, cfg.AuthMethod = secret, method
					cfg.RevocationURL, cfg.IntrospectionURL = srv.URL+"/revoke", srv.URL+"/introspect"
				})
				ctx := context.Background()
				_, err1 := c.PasswordToken(ctx, "user", password)
				_, err2 := c.Refresh(ctx, token)
				err3 := c.Revoke(ctx, token, "")
				_, err4 := c.Introspect(ctx, token, "")
				require.Error(t, err1)
				require.Error(t, err2)
				require.Error(t, err4, "no handler here answers a valid introspection")
				// RFC 7009 §2.2: any 200 is a successful revocation, so err3 may be nil.
				for i, err := range []error{err1, err2, err3, err4} {
					if err == nil {
						continue
					}
					for _, s := range []string{password, secret, token} {
						assert.NotContains(t, strings.ToLower(err.Error()), strings.ToLower(s), "call %d with %s: %v", i+1, method, err)
					}
				}
			}
		})
	}
}
