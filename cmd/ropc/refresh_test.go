package main

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// getToken runs ropc token against the mock and returns its JSON output.
func getToken(t *testing.T, baseURL string) string {
	t.Helper()
	r := ropc(t, demoPassword, secretEnv, "token", "--token-url", baseURL+"/token", "--client-id", "client_id",
		"--username", "johndoe", "--password-stdin", "--scope", "read write")
	require.Equal(t, exitOK, r.code, r.stderr)
	return r.stdout
}

func TestRefreshAgainstMock(t *testing.T) {
	mock := newMock(t)
	first := getToken(t, mock.URL)
	rt := decodeToken(t, first)["refresh_token"].(string)

	// Piping the token JSON in; narrowing the scope (RFC 6749 §6).
	r := ropc(t, first, secretEnv, "refresh", "--token-url", mock.URL+"/token", "--client-id", "client_id", "--refresh-token-stdin", "--scope", "read")
	require.Equal(t, exitOK, r.code, r.stderr)
	second := decodeToken(t, r.stdout)
	assert.Equal(t, "read", second["scope"])
	assert.NotEqual(t, rt, second["refresh_token"], "the mock rotates refresh tokens")
	assertNoSecretsIn(t, r.stderr, rt)

	// Reusing the rotated refresh token: invalid_grant (RFC 9700 §4.14.2), exit 1.
	r = ropc(t, rt+"\n", secretEnv, "refresh", "--issuer", mock.URL, "--client-id", "client_id", "--refresh-token-stdin")
	assert.Equal(t, exitOAuth, r.code, r.stderr)
	assert.Equal(t, "invalid_grant", decodeOAuthError(t, r.stderr)["error"])
	assertNoSecretsIn(t, r.stderr, rt)

	// A fresh grant, refreshed from a bare token line via discovery.
	third := decodeToken(t, getToken(t, mock.URL))
	r = ropc(t, third["refresh_token"].(string)+"\n", secretEnv, "refresh", "--issuer", mock.URL, "--client-id", "client_id", "--refresh-token-stdin", "--scope", "write read")
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Equal(t, "write read", decodeToken(t, r.stdout)["scope"])

	// Widening is refused.
	r = ropc(t, decodeToken(t, r.stdout)["refresh_token"].(string), secretEnv, "refresh", "--issuer", mock.URL, "--client-id", "client_id", "--refresh-token-stdin", "--scope", "admin")
	assert.Equal(t, exitOAuth, r.code, r.stderr)
}

func TestRefreshUsageErrors(t *testing.T) {
	mock := newMock(t)
	tests := []struct {
		name, stdin string
		args        []string
		msg         string
	}{
		{"stdin flag required", "rt", []string{"--token-url", mock.URL + "/token", "--client-id", "client_id"}, "--refresh-token-stdin"},
		{"refresh token flag refused", "", []string{"--refresh-token", "rt"}, "no --refresh-token flag"},
		{"empty stdin", "", []string{"--token-url", mock.URL + "/token", "--client-id", "client_id", "--refresh-token-stdin"}, "no refresh token"},
		{"json without refresh_token", `{"access_token":"at"}`, []string{"--token-url", mock.URL + "/token", "--client-id", "client_id", "--refresh-token-stdin"}, "refresh_token"},
		{"broken json", `{"access_token":`, []string{"--token-url", mock.URL + "/token", "--client-id", "client_id", "--refresh-token-stdin"}, "not a valid token JSON"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := ropc(t, tt.stdin, secretEnv, append([]string{"refresh"}, tt.args...)...)
			assert.Equal(t, exitUsage, r.code, r.stderr)
			assert.Contains(t, r.stderr, tt.msg)
		})
	}
}
