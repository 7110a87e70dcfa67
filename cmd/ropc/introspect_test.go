package main

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestIntrospectAgainstMock(t *testing.T) {
	mock := newMock(t)
	tok := getToken(t, mock.URL)
	at := decodeToken(t, tok)["access_token"].(string)

	// Token JSON piped in, endpoint discovered: the access token is active (RFC 7662 §2.2).
	r := ropc(t, tok, secretEnv, "introspect", "--issuer", mock.URL, "--client-id", "client_id", "--token-stdin")
	require.Equal(t, exitOK, r.code, r.stderr)
	out := decodeToken(t, r.stdout)
	assert.Equal(t, true, out["active"])
	assert.Equal(t, "johndoe", out["username"])
	assert.Equal(t, "client_id", out["client_id"])
	assertNoSecretsIn(t, r.stdout+r.stderr, at)

	// The refresh token, by hint, at a configured endpoint.
	r = ropc(t, tok, secretEnv, "introspect", "--introspection-url", mock.URL+"/introspect", "--client-id", "client_id", "--token-stdin", "--hint", "refresh_token")
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Equal(t, true, decodeToken(t, r.stdout)["active"])

	// An unknown token is a successful answer with active false, exit 0.
	r = ropc(t, "not-a-token\n", secretEnv, "introspect", "--issuer", mock.URL, "--client-id", "client_id", "--token-stdin")
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Equal(t, map[string]any{"active": false}, decodeToken(t, r.stdout))

	// After revocation the token is inactive.
	r = ropc(t, at+"\n", secretEnv, "revoke", "--issuer", mock.URL, "--client-id", "client_id", "--token-stdin", "--hint", "access_token")
	require.Equal(t, exitOK, r.code, r.stderr)
	r = ropc(t, at+"\n", secretEnv, "introspect", "--issuer", mock.URL, "--client-id", "client_id", "--token-stdin")
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Equal(t, false, decodeToken(t, r.stdout)["active"])

	// Wrong client secret: invalid_client, exit 1, JSON on stderr.
	r = ropc(t, at+"\n", map[string]string{secretEnvVar: "wrong-Passw0rd"}, "introspect", "--issuer", mock.URL, "--client-id", "client_id", "--token-stdin")
	assert.Equal(t, exitOAuth, r.code, r.stderr)
	assert.Equal(t, "invalid_client", decodeOAuthError(t, r.stderr)["error"])
	assertNoSecretsIn(t, r.stderr, at)

	// Nothing listening: exit 3.
	r = ropc(t, at+"\n", secretEnv, "introspect", "--introspection-url", "http://127.0.0.1:1/introspect", "--client-id", "client_id", "--token-stdin")
	assert.Equal(t, exitFailure, r.code, r.stderr)
}

func TestIntrospectUsageErrors(t *testing.T) {
	mock := newMock(t)
	tests := []struct {
		name, stdin string
		args        []string
		msg         string
	}{
		{"no introspection endpoint", "tok", []string{"--token-url", mock.URL + "/token", "--client-id", "client_id", "--token-stdin"}, "introspection"},
		{"bad hint", "tok", []string{"--issuer", mock.URL, "--client-id", "client_id", "--token-stdin", "--hint", "id_token"}, "--hint"},
		{"stdin required", "tok", []string{"--issuer", mock.URL, "--client-id", "client_id"}, "--token-stdin"},
		{"token flag refused", "", []string{"--token=abc"}, "no --token flag"},
		{"empty stdin", "  \n", []string{"--issuer", mock.URL, "--client-id", "client_id", "--token-stdin"}, "no token"},
		{"json lacks hinted token", `{"access_token":"at"}`, []string{"--issuer", mock.URL, "--client-id", "client_id", "--token-stdin", "--hint", "refresh_token"}, "refresh_token"},
		{"plain http elsewhere", "tok", []string{"--introspection-url", "http://as.example/introspect", "--client-id", "client_id", "--token-stdin"}, "https"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := ropc(t, tt.stdin, secretEnv, append([]string{"introspect"}, tt.args...)...)
			assert.Equal(t, exitUsage, r.code, r.stderr)
			assert.Contains(t, r.stderr, tt.msg)
		})
	}
}
