package conformance

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// DPoP (RFC 9449) over HTTP, with proofs signed by go-jose: on the Workers
// runtime, where each request may meet a fresh instance, the refresh-token
// binding and the jti replay cache pass only if they live in D1.

type dpopKey struct {
	key    *ecdsa.PrivateKey
	signer jose.Signer
}

func newDPoPKey(t *testing.T) *dpopKey {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	s, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.ES256, Key: k}, (&jose.SignerOptions{EmbedJWK: true}).WithType("dpop+jwt"))
	require.NoError(t, err)
	return &dpopKey{key: k, signer: s}
}

func (k *dpopKey) thumbprint(t *testing.T) string {
	sum, err := (&jose.JSONWebKey{Key: k.key.Public()}).Thumbprint(crypto.SHA256)
	require.NoError(t, err)
	return base64.RawURLEncoding.EncodeToString(sum)
}

// proof signs an RFC 9449 §4.2 proof for method and url (ath for accessToken).
func (k *dpopKey) proof(t *testing.T, method, url, accessToken string) string {
	t.Helper()
	var jti [16]byte
	_, _ = rand.Read(jti[:])
	claims := map[string]any{"jti": base64.RawURLEncoding.EncodeToString(jti[:]), "htm": method, "htu": url, "iat": time.Now().Unix()}
	if accessToken != "" {
		sum := sha256.Sum256([]byte(accessToken))
		claims["ath"] = base64.RawURLEncoding.EncodeToString(sum[:])
	}
	b, err := json.Marshal(claims)
	require.NoError(t, err)
	jws, err := k.signer.Sign(b)
	require.NoError(t, err)
	out, err := jws.CompactSerialize()
	require.NoError(t, err)
	return out
}

func (c *client) dpopToken(t *testing.T, proof string, pairs ...string) response {
	t.Helper()
	return c.do(t, req{path: "/token", body: form(pairs...), header: map[string]string{"DPoP": proof}})
}

func (c *client) dpopTests(t *testing.T) {
	tokenURL := c.tg.BaseURL + "/token"
	grant := []string{"grant_type", "password", "username", Username, "password", Password, "client_id", PublicClientID}

	t.Run("bound token, refresh with the key only, DPoP scheme at userinfo", func(t *testing.T) {
		k := newDPoPKey(t)
		r := c.dpopToken(t, k.proof(t, "POST", tokenURL, ""), grant...)
		require.Equal(t, http.StatusOK, r.Status, "%s", r.Body)
		m := r.JSON(t)
		assert.Equal(t, "DPoP", m["token_type"], "RFC 9449 §5")
		at, rt := str(m, "access_token"), str(m, "refresh_token")
		if !c.tg.Opaque {
			assert.Equal(t, map[string]any{"jkt": k.thumbprint(t)}, c.verifyJWT(t, at)["cnf"], "RFC 9449 §6.1 cnf.jkt")
		}
		in := c.do(t, req{path: "/introspect", body: form("token", at, "client_id", PublicClientID)}).JSON(t)
		assert.Equal(t, map[string]any{"jkt": k.thumbprint(t)}, in["cnf"], "RFC 9449 §6.2")

		refresh := []string{"grant_type", "refresh_token", "refresh_token", rt, "client_id", PublicClientID}
		assertOAuthError(t, c.dpopToken(t, newDPoPKey(t).proof(t, "POST", tokenURL, ""), refresh...), http.StatusBadRequest, "invalid_grant")
		assertOAuthError(t, c.do(t, req{path: "/token", body: form(refresh...)}), http.StatusBadRequest, "invalid_grant")
		r = c.dpopToken(t, k.proof(t, "POST", tokenURL, ""), refresh...)
		require.Equal(t, http.StatusOK, r.Status, "%s", r.Body)
		at = str(r.JSON(t), "access_token")

		userinfo := c.tg.BaseURL + "/userinfo"
		ok := c.do(t, req{method: http.MethodGet, path: "/userinfo", header: map[string]string{
			"Authorization": "DPoP " + at, "DPoP": k.proof(t, "GET", userinfo, at)}})
		require.Equal(t, http.StatusOK, ok.Status, "%s", ok.Body)
		assert.Equal(t, Username, ok.JSON(t)["sub"])
		asBearer := c.do(t, req{method: http.MethodGet, path: "/userinfo", header: bearer(at)})
		assert.Equal(t, http.StatusUnauthorized, asBearer.Status)
		chal := asBearer.Header.Get("WWW-Authenticate")
		assert.True(t, strings.HasPrefix(chal, "DPoP "), chal)
		assert.Contains(t, chal, `error="invalid_token"`)
	})

	t.Run("a replayed proof is refused", func(t *testing.T) {
		p := newDPoPKey(t).proof(t, "POST", tokenURL, "")
		require.Equal(t, http.StatusOK, c.dpopToken(t, p, grant...).Status)
		r := c.dpopToken(t, p, grant...)
		assertOAuthError(t, r, http.StatusBadRequest, "invalid_dpop_proof")
	})

	t.Run("a proof for another URL is refused", func(t *testing.T) {
		r := c.dpopToken(t, newDPoPKey(t).proof(t, "POST", c.tg.BaseURL+"/revoke", ""), grant...)
		assertOAuthError(t, r, http.StatusBadRequest, "invalid_dpop_proof")
	})

	t.Run("metadata and CORS", func(t *testing.T) {
		m := c.do(t, req{method: http.MethodGet, path: "/.well-known/oauth-authorization-server"}).JSON(t)
		assert.Equal(t, []any{"ES256", "EdDSA"}, m["dpop_signing_alg_values_supported"])
		pre := c.do(t, req{method: http.MethodOptions, path: "/token", header: map[string]string{
			"Origin": "http://localhost:1", "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "dpop"}})
		assert.Contains(t, pre.Header.Get("Access-Control-Allow-Headers"), "DPoP")
	})
}
