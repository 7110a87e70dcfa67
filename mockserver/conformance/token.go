package conformance

import (
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func randomName(prefix string) string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return prefix + hex.EncodeToString(b)
}

func (c *client) tokenTests(t *testing.T) {
	t.Run("curl request from the issue works unchanged", func(t *testing.T) {
		// The body is sent exactly as curl --data sends it (a raw space).
		r := c.do(t, req{path: "/token", body: "grant_type=password&username=johndoe&password=A3ddj3w&scope=read write&client_id=client_id&client_secret=client_secret"})
		require.Equal(t, http.StatusOK, r.Status, "%s", r.Body)
		m := r.JSON(t)
		assert.NotEmpty(t, str(m, "access_token"))
		assert.NotEmpty(t, str(m, "refresh_token"))
		assert.Equal(t, "Bearer", m["token_type"])
		assert.Greater(t, m["expires_in"], float64(0))
		assert.Equal(t, "read write", m["scope"])
		assertNoStore(t, r)
	})

	t.Run("basic and body client authentication both work", func(t *testing.T) {
		for name, rq := range map[string]req{
			"basic": {body: form("grant_type", "password", "username", Username, "password", Password), header: basicAuth()},
			"body":  {body: form("grant_type", "password", "username", Username, "password", Password, "client_id", ClientID, "client_secret", ClientSecret)},
			// RFC 6749 §2.3.1: the id is form-urlencoded before base64, so
			// an encoded '_' must decode to the same client.
			"basic percent-encoded": {body: form("grant_type", "password", "username", Username, "password", Password),
				header: map[string]string{"Authorization": "Basic " + b64std("client%5Fid:client%5Fsecret")}},
			"basic with matching client_id in body": {body: form("grant_type", "password", "username", Username, "password", Password, "client_id", ClientID), header: basicAuth()},
			"public client":                         {body: form("grant_type", "password", "username", Username, "password", Password, "client_id", PublicClientID)},
		} {
			t.Run(name, func(t *testing.T) {
				rq.path = "/token"
				r := c.do(t, rq)
				assert.Equal(t, http.StatusOK, r.Status, "%s", r.Body)
				assertNoStore(t, r)
			})
		}
	})

	t.Run("scope", func(t *testing.T) {
		for _, tc := range []struct{ name, scope, want string }{
			{"no scope means the client default", "", "read write"},
			{"narrower scope is granted as asked", "read", "read"},
			{"order and duplicates normalised", "write read write", "write read"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				m := c.password(t, tc.scope)
				assert.Equal(t, tc.want, m["scope"], "granted scope is returned")
			})
		}
		t.Run("empty scope counts as omitted", func(t *testing.T) {
			r := c.token(t, "grant_type", "password", "username", Username, "password", Password, "scope", "")
			require.Equal(t, http.StatusOK, r.Status, "%s", r.Body)
			assert.Equal(t, "read write", r.JSON(t)["scope"])
		})
		t.Run("scope beyond the client is invalid_scope", func(t *testing.T) {
			r := c.token(t, "grant_type", "password", "username", Username, "password", Password, "scope", "read admin")
			assertOAuthError(t, r, http.StatusBadRequest, "invalid_scope")
			assertNoStore(t, r)
		})
	})

	t.Run("unknown parameters are ignored", func(t *testing.T) {
		r := c.do(t, req{path: "/token", header: basicAuth(),
			body: form("grant_type", "password", "foo", "bar", "username", Username, "password", Password, "foo", "baz", "nonce", "x")})
		assert.Equal(t, http.StatusOK, r.Status, "%s", r.Body)
	})

	pw := func(extra ...string) string {
		return form(append([]string{"grant_type", "password", "username", Username, "password", Password}, extra...)...)
	}
	for _, tc := range []struct {
		name   string
		rq     req
		status int
		code   string
	}{
		{"GET is refused", req{method: http.MethodGet, header: basicAuth()}, http.StatusMethodNotAllowed, "invalid_request"},
		{"PUT is refused", req{method: http.MethodPut, body: pw(), header: basicAuth()}, http.StatusMethodNotAllowed, "invalid_request"},
		{"parameters in the query are refused", req{path: "/token?grant_type=password&username=johndoe&password=A3ddj3w", body: "x=y", header: basicAuth()}, http.StatusBadRequest, "invalid_request"},
		{"a query alongside a good body is refused", req{path: "/token?foo=bar", body: pw(), header: basicAuth()}, http.StatusBadRequest, "invalid_request"},
		{"JSON body is refused", req{body: `{"grant_type":"password","username":"johndoe","password":"A3ddj3w"}`, ctype: "application/json", header: basicAuth()}, http.StatusBadRequest, "invalid_request"},
		{"missing content type is refused", req{body: pw(), ctype: "text/plain", header: basicAuth()}, http.StatusBadRequest, "invalid_request"},
		{"repeated grant_type", req{body: "grant_type=password&" + pw(), header: basicAuth()}, http.StatusBadRequest, "invalid_request"},
		{"repeated username", req{body: pw("username", "other"), header: basicAuth()}, http.StatusBadRequest, "invalid_request"},
		{"repeated scope", req{body: pw("scope", "read", "scope", "write"), header: basicAuth()}, http.StatusBadRequest, "invalid_request"},
		{"missing grant_type", req{body: form("username", Username, "password", Password), header: basicAuth()}, http.StatusBadRequest, "invalid_request"},
		{"empty grant_type counts as missing", req{body: "grant_type=&" + form("username", Username, "password", Password), header: basicAuth()}, http.StatusBadRequest, "invalid_request"},
		{"missing username", req{body: form("grant_type", "password", "password", Password), header: basicAuth()}, http.StatusBadRequest, "invalid_request"},
		{"empty username counts as missing", req{body: form("grant_type", "password", "username", "", "password", Password), header: basicAuth()}, http.StatusBadRequest, "invalid_request"},
		{"missing password", req{body: form("grant_type", "password", "username", Username), header: basicAuth()}, http.StatusBadRequest, "invalid_request"},
		{"malformed percent-encoding", req{body: "grant_type=password&username=john%zzdoe&password=x", header: basicAuth()}, http.StatusBadRequest, "invalid_request"},
		{"truncated percent-encoding", req{body: "grant_type=password&username=johndoe&password=A3ddj3w%4", header: basicAuth()}, http.StatusBadRequest, "invalid_request"},
		{"unknown grant type", req{body: form("grant_type", "authorization_code", "code", "x"), header: basicAuth()}, http.StatusBadRequest, "unsupported_grant_type"},
		{"client_credentials is not supported", req{body: form("grant_type", "client_credentials"), header: basicAuth()}, http.StatusBadRequest, "unsupported_grant_type"},
		{"Basic and body secret at once", req{body: pw("client_id", ClientID, "client_secret", ClientSecret), header: basicAuth()}, http.StatusBadRequest, "invalid_request"},
		{"Basic with a wrong secret", req{body: pw(), header: map[string]string{"Authorization": basic(ClientID, "wrong")}}, http.StatusUnauthorized, "invalid_client"},
		{"Basic with an unknown client", req{body: pw(), header: map[string]string{"Authorization": basic("nobody", "x")}}, http.StatusUnauthorized, "invalid_client"},
		{"Basic that is not base64", req{body: pw(), header: map[string]string{"Authorization": "Basic !!!"}}, http.StatusUnauthorized, "invalid_client"},
		{"body with a wrong secret", req{body: pw("client_id", ClientID, "client_secret", "wrong")}, http.StatusUnauthorized, "invalid_client"},
		{"confidential client without secret", req{body: pw("client_id", ClientID)}, http.StatusUnauthorized, "invalid_client"},
		{"public client with a secret", req{body: pw("client_id", PublicClientID, "client_secret", "x")}, http.StatusUnauthorized, "invalid_client"},
		{"no client authentication", req{body: pw()}, http.StatusUnauthorized, "invalid_client"},
		{"body over 64 KiB", req{body: pw("padding", strings.Repeat("a", 70<<10)), header: basicAuth()}, http.StatusRequestEntityTooLarge, "invalid_request"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.rq.path = orDefault(tc.rq.path, "/token")
			r := c.do(t, tc.rq)
			assertOAuthError(t, r, tc.status, tc.code)
			// RFC 6749 §5.1: no-store/no-cache on every token answer.
			assertNoStore(t, r)
			if tc.code == "invalid_client" {
				assert.True(t, strings.HasPrefix(r.Header.Get("WWW-Authenticate"), "Basic"),
					"RFC 6749 §5.2: 401 invalid_client carries WWW-Authenticate: Basic, got %q", r.Header.Get("WWW-Authenticate"))
			}
		})
	}

	t.Run("unknown user and wrong password are byte-identical", func(t *testing.T) {
		unknown := c.token(t, "grant_type", "password", "username", randomName("nouser-"), "password", Password)
		wrong := c.token(t, "grant_type", "password", "username", Username, "password", "not-"+Password)
		assertOAuthError(t, unknown, http.StatusBadRequest, "invalid_grant")
		assert.Equal(t, string(unknown.Body), string(wrong.Body))
		assert.Equal(t, unknown.Status, wrong.Status)
		for _, h := range []string{"Content-Type", "Cache-Control", "Pragma", "WWW-Authenticate", "Content-Length"} {
			assert.Equal(t, unknown.Header.Get(h), wrong.Header.Get(h), h)
		}
		c.password(t, "") // clears johndoe's failure count
	})

	t.Run("access token is a JWT verifiable with the JWKS (or opaque)", func(t *testing.T) {
		m := c.password(t, "read")
		if c.tg.Opaque {
			assert.NotContains(t, str(m, "access_token"), ".", "opaque mode issues no JWT")
			assert.Equal(t, true, c.introspect(t, str(m, "access_token"))["active"])
			return
		}
		claims := c.verifyJWT(t, str(m, "access_token"))
		assert.Equal(t, c.tg.BaseURL, claims["iss"])
		assert.Equal(t, Username, claims["sub"])
		assert.Equal(t, ClientID, claims["client_id"])
		assert.Equal(t, "read", claims["scope"])
		assert.NotEmpty(t, claims["aud"])
		assert.NotEmpty(t, claims["jti"])
		iat, _ := claims["iat"].(float64)
		exp, _ := claims["exp"].(float64)
		assert.Greater(t, exp, iat)
		assert.Equal(t, m["expires_in"], exp-iat)
	})
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
