package core_test

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ropcgo/ropc/sdk/core"
)

func TestParseMetadata(t *testing.T) {
	good := `{"issuer":"http://127.0.0.1:8080","token_endpoint":"http://127.0.0.1:8080/token",
	  "revocation_endpoint":"http://127.0.0.1:8080/revoke","introspection_endpoint":"http://127.0.0.1:8080/introspect",
	  "userinfo_endpoint":"http://127.0.0.1:8080/userinfo","jwks_uri":"http://127.0.0.1:8080/jwks",
	  "grant_types_supported":["password","refresh_token"],"scopes_supported":["read","write"],
	  "token_endpoint_auth_methods_supported":["client_secret_basic","client_secret_post","none"],"x":1}`
	m, err := core.ParseMetadata(core.Response{Status: 200, ContentType: "application/json", Body: []byte(good)}, "http://127.0.0.1:8080")
	require.NoError(t, err)
	assert.Equal(t, "http://127.0.0.1:8080/token", m.TokenEndpoint)
	assert.Equal(t, "http://127.0.0.1:8080/revoke", m.RevocationEndpoint)
	assert.Equal(t, "http://127.0.0.1:8080/introspect", m.IntrospectionEndpoint)
	assert.Equal(t, "http://127.0.0.1:8080/userinfo", m.UserinfoEndpoint)
	assert.Equal(t, "http://127.0.0.1:8080/jwks", m.JWKSURI)
	assert.Equal(t, []string{"password", "refresh_token"}, m.GrantTypesSupported)
	assert.Equal(t, []string{"read", "write"}, m.ScopesSupported)
	assert.Len(t, m.TokenEndpointAuthMethodsSupported, 3)
	assert.NotNil(t, m.Raw["x"])

	_, err = core.ParseMetadata(core.Response{Status: 200, Body: []byte(good)}, "http://127.0.0.1:8080/")
	assert.NoError(t, err, "a trailing slash is the same issuer")

	tests := []struct {
		name, issuer, body string
		status             int
		field              string
		httpStatus         int
	}{
		{"issuer mismatch (mix-up)", "https://other.example", good, 200, "issuer", 0},
		{"no issuer", "https://as.example", `{"token_endpoint":"https://as.example/token"}`, 200, "issuer", 0},
		{"no token endpoint", "https://as.example", `{"issuer":"https://as.example"}`, 200, "token_endpoint", 0},
		{"relative token endpoint", "https://as.example", `{"issuer":"https://as.example","token_endpoint":"/token"}`, 200, "token_endpoint", 0},
		{"grant types not array", "https://as.example", `{"issuer":"https://as.example","token_endpoint":"https://as.example/t","grant_types_supported":"password"}`, 200, "grant_types_supported", 0},
		{"form body", "https://as.example", `issuer=https://as.example&token_endpoint=https://as.example/t`, 200, "", 0},
		{"404 html", "https://as.example", `<html>nope</html>`, 404, "", 404},
		{"404 json", "https://as.example", `{"detail":"nope"}`, 404, "", 404},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := core.ParseMetadata(core.Response{Status: tt.status, Body: []byte(tt.body)}, tt.issuer)
			if tt.httpStatus != 0 {
				var he *core.HTTPError
				require.True(t, errors.As(err, &he), "%v", err)
				assert.Equal(t, tt.httpStatus, he.Status)
				return
			}
			var pe *core.ProtocolError
			require.True(t, errors.As(err, &pe), "%v", err)
			assert.Equal(t, tt.field, pe.Field)
		})
	}
}

// RFC 6749 §5.2 error bodies are OAuth errors on the metadata endpoint too,
// whatever the status, so discovery can report what the server said.
func TestParseMetadataErrorBody(t *testing.T) {
	for _, status := range []int{200, 400, 401} {
		_, err := core.ParseMetadata(core.Response{Status: status, Body: []byte(`{"error":"invalid_request"}`)}, "https://as.example")
		var oe *core.OAuthError
		require.True(t, errors.As(err, &oe), "status %d: %v", status, err)
		assert.Equal(t, "invalid_request", oe.Code)
		assert.Equal(t, status, oe.Status)
	}
}

func FuzzParseMetadata(f *testing.F) {
	f.Add([]byte(`{"issuer":"https://as.example","token_endpoint":"https://as.example/token","grant_types_supported":["password"]}`), "https://as.example")
	f.Add([]byte(`{"issuer":5}`), "x")
	f.Fuzz(func(t *testing.T, body []byte, issuer string) {
		m, err := core.ParseMetadata(core.Response{Status: 200, Body: body}, issuer)
		if err == nil {
			require.NotEmpty(t, m.TokenEndpoint)
			require.NotEmpty(t, m.Issuer)
		}
	})
}
