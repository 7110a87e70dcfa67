package mockserver

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestMetadata(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Issuer = "https://auth.example"
	cfg.Clients = append(cfg.Clients, Client{ClientID: "x", ClientSecret: "y", Scopes: []string{"admin", "read"}})
	ts := newTestServer(t, cfg, Options{})
	oauth := ts.do(http.MethodGet, "/.well-known/oauth-authorization-server", "", nil).json(t)
	assert.Equal(t, "https://auth.example", oauth["issuer"])
	assert.Equal(t, []any{"admin", "read", "write"}, oauth["scopes_supported"], "union of client scopes, sorted")
	assert.NotContains(t, oauth, "subject_types_supported")
	oidc := ts.do(http.MethodGet, "/.well-known/openid-configuration", "", nil).json(t)
	assert.Equal(t, []any{"public"}, oidc["subject_types_supported"])
	assert.Equal(t, []any{"EdDSA"}, oidc["id_token_signing_alg_values_supported"])

	r := ts.do(http.MethodGet, "/jwks", "", nil)
	assert.Equal(t, "application/jwk-set+json", r.Header.Get("Content-Type"))
	var set struct {
		Keys []map[string]any `json:"keys"`
	}
	require.NoError(t, json.Unmarshal([]byte(r.Body), &set))
	require.Len(t, set.Keys, 1)
	assert.Equal(t, "OKP", set.Keys[0]["kty"])
	assert.Equal(t, "EdDSA", set.Keys[0]["alg"])
	assert.Equal(t, "sig", set.Keys[0]["use"])
	assert.NotContains(t, set.Keys[0], "d")
}
