package main

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestGetAgainstMock(t *testing.T) {
	mock := newMock(t)
	userinfo := mock.URL + "/userinfo"
	common := []string{"--token-url", mock.URL + "/token", "--client-id", "client_id"}

	t.Run("token JSON on stdin", func(t *testing.T) {
		tok := getToken(t, mock.URL)
		r := ropc(t, tok, secretEnv, append([]string{"get", userinfo, "--token-stdin"}, common...)...)
		require.Equal(t, exitOK, r.code, r.stderr)
		var claims map[string]any
		require.NoError(t, json.Unmarshal([]byte(r.stdout), &claims))
		assert.Equal(t, "johndoe", claims["sub"])
		assert.Empty(t, r.stderr)
	})
	t.Run("flags before the URL", func(t *testing.T) {
		r := ropc(t, demoPassword, secretEnv, append(append([]string{"get"}, common...), "--username", "johndoe", "--password-stdin", userinfo)...)
		require.Equal(t, exitOK, r.code, r.stderr)
		assert.Contains(t, r.stdout, `"johndoe"`)
	})
	t.Run("bare access token", func(t *testing.T) {
		at := decodeToken(t, getToken(t, mock.URL))["access_token"].(string)
		r := ropc(t, at+"\n", secretEnv, append([]string{"get", userinfo, "--token-stdin"}, common...)...)
		require.Equal(t, exitOK, r.code, r.stderr)
	})
	t.Run("expired token is refreshed first and saved", func(t *testing.T) {
		var tok storedToken
		require.NoError(t, json.Unmarshal([]byte(getToken(t, mock.URL)), &tok))
		past := time.Now().Add(-time.Minute).UTC().Format(time.RFC3339)
		tok.ExpiresAt = &past
		tok.AccessToken = "stale"
		in, err := json.Marshal(tok)
		require.NoError(t, err)
		saved := filepath.Join(t.TempDir(), "token.json")
		r := ropc(t, string(in), secretEnv, append([]string{"get", userinfo, "--token-stdin", "--save-token", saved}, common...)...)
		require.Equal(t, exitOK, r.code, r.stderr)
		assert.Contains(t, r.stdout, `"johndoe"`)
		b, err := os.ReadFile(saved)
		require.NoError(t, err)
		st, err := os.Stat(saved)
		require.NoError(t, err)
		assert.Equal(t, os.FileMode(0o600), st.Mode().Perm())
		newTok := decodeToken(t, string(b))
		assert.NotEqual(t, tok.RefreshToken, newTok["refresh_token"], "the rotated refresh token is kept")

		// Without --save-token the user is told the stored token went stale.
		tok = storedToken{}
		require.NoError(t, json.Unmarshal(b, &tok))
		tok.ExpiresAt = &past
		in, _ = json.Marshal(tok)
		r = ropc(t, string(in), secretEnv, append([]string{"get", userinfo, "--token-stdin"}, common...)...)
		require.Equal(t, exitOK, r.code, r.stderr)
		assert.Contains(t, r.stderr, "--save-token")
		assertNoSecretsIn(t, r.stderr, tok.RefreshToken)
	})
	t.Run("invalid token is an OAuth error", func(t *testing.T) {
		r := ropc(t, "garbage\n", secretEnv, append([]string{"get", userinfo, "--token-stdin"}, common...)...)
		assert.Equal(t, exitOAuth, r.code, r.stderr)
		e := decodeOAuthError(t, r.stderr)
		assert.Equal(t, "invalid_token", e["error"])
		assert.Equal(t, float64(http.StatusUnauthorized), e["status"])
	})
	t.Run("expired token with a revoked refresh token", func(t *testing.T) {
		raw := getToken(t, mock.URL)
		require.Equal(t, exitOK, ropc(t, raw, secretEnv, "revoke", "--issuer", mock.URL, "--client-id", "client_id", "--token-stdin").code)
		var tok storedToken
		require.NoError(t, json.Unmarshal([]byte(raw), &tok))
		past := time.Now().Add(-time.Minute).UTC().Format(time.RFC3339)
		tok.ExpiresAt = &past
		in, _ := json.Marshal(tok)
		r := ropc(t, string(in), secretEnv, append([]string{"get", userinfo, "--token-stdin"}, common...)...)
		assert.Equal(t, exitOAuth, r.code, r.stderr)
		assert.Equal(t, "invalid_grant", decodeOAuthError(t, r.stderr)["error"])
	})
	t.Run("not found", func(t *testing.T) {
		r := ropc(t, getToken(t, mock.URL), secretEnv, append([]string{"get", mock.URL + "/nothing-here", "--token-stdin"}, common...)...)
		assert.Equal(t, exitFailure, r.code, r.stderr)
		assert.Contains(t, r.stderr, "HTTP 404")
		assert.Empty(t, r.stdout)
	})
	t.Run("wrong password", func(t *testing.T) {
		r := ropc(t, "wrong-Passw0rd", secretEnv, append([]string{"get", userinfo, "--username", "johndoe", "--password-stdin"}, common...)...)
		assert.Equal(t, exitOAuth, r.code, r.stderr)
		assertNoSecretsIn(t, r.stderr)
	})
}

func TestGetUsageErrors(t *testing.T) {
	common := []string{"--token-url", "http://127.0.0.1:1/token", "--client-id", "client_id"}
	tests := []struct {
		name  string
		args  []string
		stdin string
		msg   string
	}{
		{"no URL", []string{"--token-stdin"}, "at", "exactly one resource URL"},
		{"two URLs", []string{"http://127.0.0.1/a", "http://127.0.0.1/b", "--token-stdin"}, "at", "exactly one resource URL"},
		{"relative URL", []string{"/userinfo", "--token-stdin"}, "at", "absolute https URL"},
		{"plain http elsewhere", []string{"http://api.example/me", "--token-stdin"}, "at", "https"},
		{"neither token nor username", []string{"http://127.0.0.1/me"}, "", "one of --token-stdin, --username or --from"},
		{"both token and username", []string{"http://127.0.0.1/me", "--token-stdin", "--username", "u"}, "", "one of --token-stdin, --username or --from"},
		{"stdin twice", []string{"http://127.0.0.1/me", "--token-stdin", "--password-stdin"}, "", "both want standard input"},
		{"bad expires_at", []string{"http://127.0.0.1/me", "--token-stdin"}, `{"access_token":"a","expires_at":"soon"}`, "RFC 3339"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := ropc(t, tt.stdin, secretEnv, append(append([]string{"get"}, tt.args...), common...)...)
			assert.Equal(t, exitUsage, r.code, r.stderr)
			assert.Contains(t, r.stderr, tt.msg)
		})
	}
}

func TestGetRefusesCrossOriginRedirect(t *testing.T) {
	var leaked []string
	other := sloppy(t, func(w http.ResponseWriter, r *http.Request) { leaked = append(leaked, r.Header.Get("Authorization")) })
	res := sloppy(t, func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, other.URL+"/steal", http.StatusFound)
	})
	r := ropc(t, "some-access-token\n", secretEnv, "get", res.URL+"/me", "--token-url", res.URL+"/token", "--client-id", "client_id", "--token-stdin")
	assert.Equal(t, exitFailure, r.code, r.stderr)
	assert.Contains(t, r.stderr, "redirect")
	assert.Empty(t, leaked, "the bearer token must not follow a redirect to another origin")
	assert.NotContains(t, r.stderr, "some-access-token")
}

// A hostile resource server echoes the bearer token into its RFC 6750 §3 challenge.
func TestGetScrubsEchoedTokenFromChallenge(t *testing.T) {
	const at = "echoed-Acc3ss-token"
	res := sloppy(t, func(w http.ResponseWriter, r *http.Request) {
		sent := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
		w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token", error_description="rejected `+sent+`", error_uri="https://x/`+sent+`"`)
		w.WriteHeader(http.StatusUnauthorized)
	})
	r := ropc(t, at+"\n", secretEnv, "get", res.URL+"/me", "--token-url", res.URL+"/token", "--client-id", "client_id", "--token-stdin")
	assert.Equal(t, exitOAuth, r.code, r.stderr)
	assert.Equal(t, "invalid_token", decodeOAuthError(t, r.stderr)["error"])
	assertNoSecretsIn(t, r.stderr, at)
}
