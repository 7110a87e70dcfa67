package main

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRevokeAgainstMock(t *testing.T) {
	mock := newMock(t)

	// Token JSON piped in, endpoint discovered: the refresh token is revoked
	// and can no longer be used.
	tok := getToken(t, mock.URL)
	r := ropc(t, tok, secretEnv, "revoke", "--issuer", mock.URL, "--client-id", "client_id", "--token-stdin")
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Equal(t, map[string]any{"revoked": true, "token_type_hint": "refresh_token"}, decodeToken(t, r.stdout))
	r = ropc(t, tok, secretEnv, "refresh", "--issuer", mock.URL, "--client-id", "client_id", "--refresh-token-stdin")
	assert.Equal(t, exitOAuth, r.code, "revoked refresh token: %s", r.stderr)

	// Access token with an explicit hint and endpoint; the mock then rejects it at /userinfo.
	tok = getToken(t, mock.URL)
	r = ropc(t, tok, secretEnv, "revoke", "--revocation-url", mock.URL+"/revoke", "--client-id", "client_id", "--token-stdin", "--hint", "access_token")
	require.Equal(t, exitOK, r.code, r.stderr)
	r = ropc(t, decodeToken(t, tok)["access_token"].(string), secretEnv, "get", mock.URL+"/userinfo", "--token-url", mock.URL+"/token", "--client-id", "client_id", "--token-stdin")
	assert.Equal(t, exitOAuth, r.code, r.stderr)
	assert.Equal(t, "invalid_token", decodeOAuthError(t, r.stderr)["error"])

	// A bare token line, unknown to the server: still success (RFC 7009 §2.2).
	r = ropc(t, "not-a-token\n", secretEnv, "revoke", "--issuer", mock.URL, "--client-id", "client_id", "--token-stdin")
	assert.Equal(t, exitOK, r.code, r.stderr)

	// Wrong client secret: invalid_client, exit 1.
	r = ropc(t, "not-a-token\n", map[string]string{secretEnvVar: "wrong-Passw0rd"}, "revoke", "--issuer", mock.URL, "--client-id", "client_id", "--token-stdin")
	assert.Equal(t, exitOAuth, r.code, r.stderr)
	assert.Equal(t, "invalid_client", decodeOAuthError(t, r.stderr)["error"])
	assertNoSecretsIn(t, r.stderr)
}

func TestRevokeUsageErrors(t *testing.T) {
	mock := newMock(t)
	tests := []struct {
		name, stdin string
		args        []string
		msg         string
	}{
		{"no revocation endpoint", "tok", []string{"--token-url", mock.URL + "/token", "--client-id", "client_id", "--token-stdin"}, "revocation"},
		{"bad hint", "tok", []string{"--issuer", mock.URL, "--client-id", "client_id", "--token-stdin", "--hint", "id_token"}, "--hint"},
		{"stdin required", "tok", []string{"--issuer", mock.URL, "--client-id", "client_id"}, "--token-stdin"},
		{"token flag refused", "", []string{"--token=abc"}, "no --token flag"},
		{"empty stdin", "  \n", []string{"--issuer", mock.URL, "--client-id", "client_id", "--token-stdin"}, "no token"},
		{"json lacks hinted token", `{"access_token":"at"}`, []string{"--issuer", mock.URL, "--client-id", "client_id", "--token-stdin", "--hint", "refresh_token"}, "refresh_token"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := ropc(t, tt.stdin, secretEnv, append([]string{"revoke"}, tt.args...)...)
			assert.Equal(t, exitUsage, r.code, r.stderr)
			assert.Contains(t, r.stderr, tt.msg)
		})
	}
}
