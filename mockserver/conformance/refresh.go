package conformance

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"testing"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func b64std(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

// verifyJWT checks an RFC 9068 access token against the target's /jwks and
// returns its claims.
func (c *client) verifyJWT(t *testing.T, tok string) map[string]any {
	t.Helper()
	r := c.do(t, req{method: http.MethodGet, path: "/jwks"})
	require.Equal(t, http.StatusOK, r.Status)
	var set jose.JSONWebKeySet
	require.NoError(t, json.Unmarshal(r.Body, &set))
	require.NotEmpty(t, set.Keys)
	jws, err := jose.ParseSignedCompact(tok, []jose.SignatureAlgorithm{jose.EdDSA, jose.ES256})
	require.NoError(t, err)
	require.Len(t, jws.Signatures, 1)
	hdr := jws.Signatures[0].Protected
	assert.Equal(t, "at+jwt", hdr.ExtraHeaders[jose.HeaderType], "RFC 9068 §2.1 typ")
	keys := set.Key(hdr.KeyID)
	require.NotEmpty(t, keys, "kid %q not in JWKS", hdr.KeyID)
	for _, k := range keys {
		assert.True(t, k.IsPublic(), "JWKS must hold public keys only")
	}
	payload, err := jws.Verify(keys[0])
	require.NoError(t, err, "signature verifies with the JWKS key")
	var claims map[string]any
	require.NoError(t, json.Unmarshal(payload, &claims))
	return claims
}

func (c *client) refresh(t *testing.T, rt string, extra ...string) response {
	t.Helper()
	return c.token(t, append([]string{"grant_type", "refresh_token", "refresh_token", rt}, extra...)...)
}

func (c *client) refreshTests(t *testing.T) {
	t.Run("rotates on every use", func(t *testing.T) {
		first := c.password(t, "")
		rt1 := str(first, "refresh_token")
		r := c.refresh(t, rt1)
		require.Equal(t, http.StatusOK, r.Status, "%s", r.Body)
		assertNoStore(t, r)
		second := r.JSON(t)
		rt2 := str(second, "refresh_token")
		assert.NotEmpty(t, rt2)
		assert.NotEqual(t, rt1, rt2, "a new refresh token on every use")
		assert.NotEqual(t, str(first, "access_token"), str(second, "access_token"))
		assert.Equal(t, "read write", second["scope"])
		r = c.refresh(t, rt2)
		require.Equal(t, http.StatusOK, r.Status, "%s", r.Body)
	})

	t.Run("reuse of a rotated token revokes the family", func(t *testing.T) {
		first := c.password(t, "")
		rt1 := str(first, "refresh_token")
		r := c.refresh(t, rt1)
		require.Equal(t, http.StatusOK, r.Status, "%s", r.Body)
		second := r.JSON(t)
		// RFC 9700 §4.14.2: the old token comes back: reject it and revoke
		// the whole grant, including the legitimately rotated token.
		assertOAuthError(t, c.refresh(t, rt1), http.StatusBadRequest, "invalid_grant")
		assertOAuthError(t, c.refresh(t, str(second, "refresh_token")), http.StatusBadRequest, "invalid_grant")
		assert.False(t, c.introspect(t, str(second, "access_token"))["active"] == true, "access token of the revoked family is inactive")
		assert.False(t, c.introspect(t, str(first, "access_token"))["active"] == true)
	})

	t.Run("narrows but never widens scope", func(t *testing.T) {
		m := c.password(t, "read write")
		r := c.refresh(t, str(m, "refresh_token"), "scope", "read")
		require.Equal(t, http.StatusOK, r.Status, "%s", r.Body)
		n := r.JSON(t)
		assert.Equal(t, "read", n["scope"])
		// RFC 6749 §6: the new refresh token keeps the original scope, so
		// asking for all of it again is allowed.
		r = c.refresh(t, str(n, "refresh_token"), "scope", "read write")
		require.Equal(t, http.StatusOK, r.Status, "%s", r.Body)
		assert.Equal(t, "read write", r.JSON(t)["scope"])

		narrow := c.password(t, "read")
		r = c.refresh(t, str(narrow, "refresh_token"), "scope", "read write")
		assertOAuthError(t, r, http.StatusBadRequest, "invalid_scope")
		assertNoStore(t, r)
		// The refused request did not consume the token.
		r = c.refresh(t, str(narrow, "refresh_token"))
		require.Equal(t, http.StatusOK, r.Status, "%s", r.Body)
		assert.Equal(t, "read", r.JSON(t)["scope"])
	})

	t.Run("bound to the client it was issued to", func(t *testing.T) {
		m := c.password(t, "")
		rt := str(m, "refresh_token")
		r := c.do(t, req{path: "/token", body: form("grant_type", "refresh_token", "refresh_token", rt, "client_id", PublicClientID)})
		assertOAuthError(t, r, http.StatusBadRequest, "invalid_grant")
		// Still valid for its own client.
		r = c.refresh(t, rt)
		assert.Equal(t, http.StatusOK, r.Status, "%s", r.Body)
	})

	t.Run("public client refreshes with client_id only", func(t *testing.T) {
		r := c.do(t, req{path: "/token", body: form("grant_type", "password", "username", Username, "password", Password, "client_id", PublicClientID, "scope", "read")})
		require.Equal(t, http.StatusOK, r.Status, "%s", r.Body)
		rt := str(r.JSON(t), "refresh_token")
		r = c.do(t, req{path: "/token", body: form("grant_type", "refresh_token", "refresh_token", rt, "client_id", PublicClientID)})
		require.Equal(t, http.StatusOK, r.Status, "%s", r.Body)
		assert.Equal(t, "read", r.JSON(t)["scope"])
	})

	for _, tc := range []struct {
		name   string
		pairs  []string
		status int
		code   string
	}{
		{"unknown token", []string{"grant_type", "refresh_token", "refresh_token", "not-a-token"}, http.StatusBadRequest, "invalid_grant"},
		{"an access token is not a refresh token", nil, http.StatusBadRequest, "invalid_grant"},
		{"missing refresh_token", []string{"grant_type", "refresh_token"}, http.StatusBadRequest, "invalid_request"},
		{"repeated refresh_token", []string{"grant_type", "refresh_token", "refresh_token", "a", "refresh_token", "b"}, http.StatusBadRequest, "invalid_request"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pairs := tc.pairs
			if pairs == nil {
				pairs = []string{"grant_type", "refresh_token", "refresh_token", str(c.password(t, ""), "access_token")}
			}
			r := c.token(t, pairs...)
			assertOAuthError(t, r, tc.status, tc.code)
			assertNoStore(t, r)
		})
	}
}
