package sdk

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDiscoveryAgainstMock(t *testing.T) {
	env := startMock(t)
	c := env.client(t, func(c *Config) {
		c.Issuer, c.TokenURL, c.RevocationURL, c.IntrospectionURL = env.srv.URL, "", "", ""
	})
	m, err := c.Discover(context.Background())
	require.NoError(t, err)
	assert.Equal(t, env.srv.URL, m.Issuer)
	assert.Equal(t, env.srv.URL+"/token", m.TokenEndpoint)
	assert.Contains(t, m.GrantTypesSupported, "password")

	// Every call finds its endpoint through the cached metadata.
	tok := env.signIn(t, c)
	info, err := c.Introspect(context.Background(), tok.AccessToken, "")
	require.NoError(t, err)
	assert.True(t, info.Active)
	require.NoError(t, c.Revoke(context.Background(), tok.RefreshToken, "refresh_token"))
	_, err = c.Refresh(context.Background(), tok.RefreshToken)
	var oe *OAuthError
	require.ErrorAs(t, err, &oe)
	assert.Equal(t, "invalid_grant", oe.Code)
}

func TestDiscoveryWithoutIssuer(t *testing.T) {
	c := newTestClient(t, "https://as.example.com")
	_, err := c.Discover(context.Background())
	require.ErrorIs(t, err, ErrNoEndpoint)
}

// Third-party servers: OIDC-only, wrong issuer, insecure endpoints.
func TestDiscoveryFallbackAndChecks(t *testing.T) {
	tests := []struct {
		name     string
		rfc8414  bool   // serve the RFC 8414 document
		oidc     bool   // serve the OpenID document
		issuer   string // issuer in the document; "" = the server's URL
		tokenURL string // token_endpoint; "" = server URL + /token
		wantErr  string
		wantHits int32 // documents requested
	}{
		{name: "RFC 8414 first", rfc8414: true, oidc: true, wantHits: 1},
		{name: "OpenID fallback", oidc: true, wantHits: 2},
		{name: "neither", wantErr: "404", wantHits: 2},
		{name: "issuer mismatch", rfc8414: true, issuer: "https://evil.example.com", wantErr: "issuer", wantHits: 2},
		{name: "insecure token endpoint", rfc8414: true, tokenURL: "http://as.example.com/token", wantErr: "https", wantHits: 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var hits atomic.Int32
			var srv *httptest.Server
			srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				hits.Add(1)
				serve := (r.URL.Path == "/.well-known/oauth-authorization-server" && tt.rfc8414) ||
					(r.URL.Path == "/.well-known/openid-configuration" && tt.oidc)
				if !serve {
					http.NotFound(w, r)
					return
				}
				iss, tokenURL := tt.issuer, tt.tokenURL
				if iss == "" {
					iss = srv.URL
				}
				if tokenURL == "" {
					tokenURL = srv.URL + "/token"
				}
				w.Header().Set("Content-Type", "application/json")
				_, _ = io.WriteString(w, `{"issuer":"`+iss+`","token_endpoint":"`+tokenURL+`"}`)
			}))
			defer srv.Close()
			c := newTestClient(t, srv.URL, func(c *Config) { c.TokenURL, c.Issuer = "", srv.URL })
			m, err := c.Discover(context.Background())
			assert.Equal(t, tt.wantHits, hits.Load())
			if tt.wantErr != "" {
				require.Error(t, err)
				assert.Contains(t, strings.ToLower(err.Error()), tt.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, srv.URL+"/token", m.TokenEndpoint)
			_, err = c.Discover(context.Background())
			require.NoError(t, err)
			assert.Equal(t, tt.wantHits, hits.Load(), "cached")
		})
	}
}
