package conformance

import (
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// introspect asks /introspect about tok with Basic client authentication.
func (c *client) introspect(t *testing.T, tok string, extra ...string) map[string]any {
	t.Helper()
	r := c.do(t, req{path: "/introspect", body: form(append([]string{"token", tok}, extra...)...), header: basicAuth()})
	require.Equal(t, http.StatusOK, r.Status, "introspect: %s", r.Body)
	return r.JSON(t)
}

func (c *client) revoke(t *testing.T, tok string, extra ...string) response {
	t.Helper()
	return c.do(t, req{path: "/revoke", body: form(append([]string{"token", tok}, extra...)...), header: basicAuth()})
}

func bearer(tok string) map[string]string { return map[string]string{"Authorization": "Bearer " + tok} }

func (c *client) introspectTests(t *testing.T) {
	m := c.password(t, "read")
	t.Run("active access token", func(t *testing.T) {
		got := c.introspect(t, str(m, "access_token"))
		assert.Equal(t, true, got["active"])
		assert.Equal(t, "read", got["scope"])
		assert.Equal(t, ClientID, got["client_id"])
		assert.Equal(t, Username, got["username"])
		assert.Equal(t, Username, got["sub"])
		assert.Equal(t, "Bearer", got["token_type"])
		assert.Greater(t, got["exp"], got["iat"])
	})
	t.Run("active refresh token, with and without hint", func(t *testing.T) {
		for _, hint := range []string{"", "refresh_token", "access_token", "bogus"} {
			got := c.introspect(t, str(m, "refresh_token"), "token_type_hint", hint)
			assert.Equal(t, true, got["active"], "hint %q", hint)
			assert.Equal(t, "read", got["scope"])
			assert.Equal(t, Username, got["username"])
		}
	})
	t.Run("unknown token is inactive and nothing else", func(t *testing.T) {
		for _, tok := range []string{"garbage", "a.b.c", strings.Repeat("x", 600)} {
			r := c.do(t, req{path: "/introspect", body: form("token", tok), header: basicAuth()})
			require.Equal(t, http.StatusOK, r.Status)
			assert.JSONEq(t, `{"active":false}`, string(r.Body))
		}
	})
	t.Run("client authentication required", func(t *testing.T) {
		r := c.do(t, req{path: "/introspect", body: form("token", str(m, "access_token"))})
		assertOAuthError(t, r, http.StatusUnauthorized, "invalid_client")
		r = c.do(t, req{path: "/introspect", body: form("token", str(m, "access_token")), header: map[string]string{"Authorization": basic(ClientID, "wrong")}})
		assertOAuthError(t, r, http.StatusUnauthorized, "invalid_client")
		assert.True(t, strings.HasPrefix(r.Header.Get("WWW-Authenticate"), "Basic"))
	})
	t.Run("a public client sees only its own tokens", func(t *testing.T) {
		r := c.do(t, req{path: "/introspect", body: form("token", str(m, "access_token"), "client_id", PublicClientID)})
		require.Equal(t, http.StatusOK, r.Status)
		assert.JSONEq(t, `{"active":false}`, string(r.Body))
	})
	t.Run("bad requests", func(t *testing.T) {
		assertOAuthError(t, c.do(t, req{path: "/introspect", body: form("token_type_hint", "access_token"), header: basicAuth()}), http.StatusBadRequest, "invalid_request")
		assertOAuthError(t, c.do(t, req{path: "/introspect?token=x", body: form("token", "y"), header: basicAuth()}), http.StatusBadRequest, "invalid_request")
		r := c.do(t, req{method: http.MethodGet, path: "/introspect", header: basicAuth()})
		assert.Equal(t, http.StatusMethodNotAllowed, r.Status)
	})
}

func (c *client) revokeTests(t *testing.T) {
	t.Run("revoking an access token", func(t *testing.T) {
		m := c.password(t, "")
		at := str(m, "access_token")
		r := c.revoke(t, at, "token_type_hint", "access_token")
		assert.Equal(t, http.StatusOK, r.Status, "%s", r.Body)
		assert.Equal(t, false, c.introspect(t, at)["active"])
		u := c.do(t, req{method: http.MethodGet, path: "/userinfo", header: bearer(at)})
		assert.Equal(t, http.StatusUnauthorized, u.Status)
		// The refresh token of the grant still works.
		assert.Equal(t, http.StatusOK, c.refresh(t, str(m, "refresh_token")).Status)
	})
	t.Run("revoking a refresh token also invalidates its access tokens", func(t *testing.T) {
		m := c.password(t, "")
		r := c.refresh(t, str(m, "refresh_token"))
		require.Equal(t, http.StatusOK, r.Status)
		n := r.JSON(t)
		// A wrong hint must not matter (RFC 7009 §2.1).
		r = c.revoke(t, str(n, "refresh_token"), "token_type_hint", "access_token")
		assert.Equal(t, http.StatusOK, r.Status, "%s", r.Body)
		assertOAuthError(t, c.refresh(t, str(n, "refresh_token")), http.StatusBadRequest, "invalid_grant")
		assert.Equal(t, false, c.introspect(t, str(n, "access_token"))["active"])
		assert.Equal(t, false, c.introspect(t, str(m, "access_token"))["active"])
		u := c.do(t, req{method: http.MethodGet, path: "/userinfo", header: bearer(str(n, "access_token"))})
		assert.Equal(t, http.StatusUnauthorized, u.Status)
	})
	t.Run("unknown token answers 200", func(t *testing.T) {
		for _, tok := range []string{"garbage", "a.b.c"} {
			r := c.revoke(t, tok)
			assert.Equal(t, http.StatusOK, r.Status, "RFC 7009 §2.2")
		}
	})
	t.Run("public client revokes its own token with client_id", func(t *testing.T) {
		r := c.do(t, req{path: "/token", body: form("grant_type", "password", "username", Username, "password", Password, "client_id", PublicClientID)})
		require.Equal(t, http.StatusOK, r.Status)
		rt := str(r.JSON(t), "refresh_token")
		r = c.do(t, req{path: "/revoke", body: form("token", rt, "client_id", PublicClientID)})
		assert.Equal(t, http.StatusOK, r.Status, "%s", r.Body)
		r = c.do(t, req{path: "/token", body: form("grant_type", "refresh_token", "refresh_token", rt, "client_id", PublicClientID)})
		assertOAuthError(t, r, http.StatusBadRequest, "invalid_grant")
	})
	t.Run("another client's token is refused and stays valid", func(t *testing.T) {
		m := c.password(t, "")
		r := c.do(t, req{path: "/revoke", body: form("token", str(m, "refresh_token"), "client_id", PublicClientID)})
		assertOAuthError(t, r, http.StatusBadRequest, "unauthorized_client")
		assert.Equal(t, http.StatusOK, c.refresh(t, str(m, "refresh_token")).Status)
	})
	t.Run("client authentication required", func(t *testing.T) {
		assertOAuthError(t, c.do(t, req{path: "/revoke", body: form("token", "x")}), http.StatusUnauthorized, "invalid_client")
	})
	t.Run("missing token", func(t *testing.T) {
		assertOAuthError(t, c.do(t, req{path: "/revoke", body: form("token_type_hint", "refresh_token"), header: basicAuth()}), http.StatusBadRequest, "invalid_request")
	})
}

func (c *client) userinfoTests(t *testing.T) {
	m := c.password(t, "")
	at := str(m, "access_token")
	t.Run("claims of the user", func(t *testing.T) {
		for _, rq := range []req{
			{method: http.MethodGet, header: bearer(at)},
			{method: http.MethodGet, header: map[string]string{"Authorization": "bearer " + at}},
			{method: http.MethodPost, body: form("access_token", at)}, // RFC 6750 §2.2
		} {
			rq.path = "/userinfo"
			r := c.do(t, rq)
			require.Equal(t, http.StatusOK, r.Status, "%s", r.Body)
			got := r.JSON(t)
			assert.Equal(t, Username, got["sub"])
			assert.Equal(t, "johndoe@example.com", got["email"])
		}
	})
	t.Run("no token: challenge without error code", func(t *testing.T) {
		r := c.do(t, req{method: http.MethodGet, path: "/userinfo"})
		assert.Equal(t, http.StatusUnauthorized, r.Status)
		h := r.Header.Get("WWW-Authenticate")
		assert.True(t, strings.HasPrefix(h, "Bearer "), "RFC 6750 §3: %q", h)
		assert.NotContains(t, h, "error=", "RFC 6750 §3.1: no error code without credentials")
	})
	t.Run("bad token: invalid_token", func(t *testing.T) {
		for _, tok := range []string{"garbage", at[:len(at)-4] + "AAAA", "a.b.c"} {
			r := c.do(t, req{method: http.MethodGet, path: "/userinfo", header: bearer(tok)})
			assert.Equal(t, http.StatusUnauthorized, r.Status)
			h := r.Header.Get("WWW-Authenticate")
			assert.True(t, strings.HasPrefix(h, "Bearer "), h)
			assert.Contains(t, h, `error="invalid_token"`)
		}
	})
	t.Run("token in the query is refused", func(t *testing.T) {
		r := c.do(t, req{method: http.MethodGet, path: "/userinfo?access_token=" + at})
		assert.Equal(t, http.StatusBadRequest, r.Status)
		assert.Contains(t, r.Header.Get("WWW-Authenticate"), `error="invalid_request"`)
	})
	t.Run("two methods at once is invalid_request", func(t *testing.T) {
		r := c.do(t, req{method: http.MethodPost, path: "/userinfo", body: form("access_token", at), header: bearer(at)})
		assert.Equal(t, http.StatusBadRequest, r.Status)
		assert.Contains(t, r.Header.Get("WWW-Authenticate"), `error="invalid_request"`)
	})
}

func (c *client) discoveryTests(t *testing.T) {
	for _, path := range []string{"/.well-known/oauth-authorization-server", "/.well-known/openid-configuration"} {
		t.Run(path, func(t *testing.T) {
			r := c.do(t, req{method: http.MethodGet, path: path})
			require.Equal(t, http.StatusOK, r.Status)
			m := r.JSON(t)
			// RFC 8414 §3.3: issuer must be identical to the one asked for.
			assert.Equal(t, c.tg.BaseURL, m["issuer"])
			for k, p := range map[string]string{"token_endpoint": "/token", "jwks_uri": "/jwks", "introspection_endpoint": "/introspect",
				"revocation_endpoint": "/revoke", "userinfo_endpoint": "/userinfo"} {
				assert.Equal(t, c.tg.BaseURL+p, m[k], k)
			}
			assert.ElementsMatch(t, []any{"password", "refresh_token"}, m["grant_types_supported"])
			assert.Subset(t, m["token_endpoint_auth_methods_supported"], []any{"client_secret_basic", "client_secret_post", "none"})
			assert.Subset(t, m["scopes_supported"], []any{"read", "write"})
		})
	}
	t.Run("jwks", func(t *testing.T) {
		r := c.do(t, req{method: http.MethodGet, path: "/jwks"})
		require.Equal(t, http.StatusOK, r.Status)
		keys, _ := r.JSON(t)["keys"].([]any)
		require.NotEmpty(t, keys)
		for _, k := range keys {
			km, _ := k.(map[string]any)
			assert.NotContains(t, km, "d", "no private key material")
			assert.NotEmpty(t, km["kid"])
		}
	})
	t.Run("healthz", func(t *testing.T) {
		r := c.do(t, req{method: http.MethodGet, path: "/healthz"})
		assert.Equal(t, http.StatusOK, r.Status)
	})
	t.Run("unknown path is 404", func(t *testing.T) {
		r := c.do(t, req{method: http.MethodGet, path: "/nope"})
		assert.Equal(t, http.StatusNotFound, r.Status)
	})
}

func (c *client) corsTests(t *testing.T) {
	for _, path := range []string{"/token", "/introspect", "/revoke", "/userinfo"} {
		t.Run("preflight "+path, func(t *testing.T) {
			r := c.do(t, req{method: http.MethodOptions, path: path, header: map[string]string{
				"Origin": "http://app.example", "Access-Control-Request-Method": "POST",
				"Access-Control-Request-Headers": "authorization, content-type",
			}})
			assert.Less(t, r.Status, 300, "preflight status")
			assert.NotEmpty(t, r.Header.Get("Access-Control-Allow-Origin"))
			assert.Contains(t, r.Header.Get("Access-Control-Allow-Methods"), "POST")
			assert.Contains(t, strings.ToLower(r.Header.Get("Access-Control-Allow-Headers")), "authorization")
			assert.Contains(t, strings.ToLower(r.Header.Get("Access-Control-Allow-Headers")), "content-type")
		})
	}
	t.Run("responses carry CORS headers, errors too", func(t *testing.T) {
		h := basicAuth()
		h["Origin"] = "http://app.example"
		r := c.do(t, req{path: "/token", body: form("grant_type", "password", "username", Username, "password", Password), header: h})
		require.Equal(t, http.StatusOK, r.Status)
		assert.NotEmpty(t, r.Header.Get("Access-Control-Allow-Origin"))
		r = c.do(t, req{method: http.MethodGet, path: "/userinfo", header: map[string]string{"Origin": "http://app.example"}})
		assert.NotEmpty(t, r.Header.Get("Access-Control-Allow-Origin"))
		assert.Contains(t, strings.ToLower(r.Header.Get("Access-Control-Expose-Headers")), "www-authenticate")
		// RFC 9110 §10.2.3: a script must be able to read when to retry.
		assert.Contains(t, strings.ToLower(r.Header.Get("Access-Control-Expose-Headers")), "retry-after")
	})
}

func (c *client) lockoutTests(t *testing.T) {
	// RFC 6749 §4.3.2: brute-force protection. Default policy: 10 failures
	// within 5 minutes lock the username for a minute.
	for i := 0; i < 10; i++ {
		r := c.token(t, "grant_type", "password", "username", LockUsername, "password", "wrong-"+LockPassword)
		assertOAuthError(t, r, http.StatusBadRequest, "invalid_grant")
	}
	r := c.token(t, "grant_type", "password", "username", LockUsername, "password", LockPassword)
	assertOAuthError(t, r, http.StatusBadRequest, "invalid_grant")
	assertNoStore(t, r)
	// Other users are unaffected.
	c.password(t, "")
}
