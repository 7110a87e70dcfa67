package main

import (
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestTokenAgainstMock(t *testing.T) {
	mock := newMock(t)
	tokenURL := mock.URL + "/token"
	secretFile := filepath.Join(t.TempDir(), "secret")
	require.NoError(t, os.WriteFile(secretFile, []byte(demoSecret+"\n"), 0o600))

	tests := []struct {
		name      string
		stdin     string
		env       map[string]string
		args      []string
		wantCode  int
		wantScope string
		wantError string // OAuth error code on stderr
		wantMsg   string // substring of the stderr message
	}{
		{name: "basic auth", stdin: demoPassword + "\n", env: secretEnv, args: []string{"--token-url", tokenURL, "--client-id", "client_id", "--username", "johndoe", "--password-stdin", "--scope", "read write"}, wantScope: "read write"},
		{name: "post auth", stdin: demoPassword, env: secretEnv, args: []string{"--token-url", tokenURL, "--client-id", "client_id", "--auth", "post", "--username", "johndoe", "--password-stdin", "--scope", "read"}, wantScope: "read"},
		{name: "public client", stdin: demoPassword + "\r\n", args: []string{"--token-url", tokenURL, "--client-id", "public-client", "--auth", "none", "--username", "johndoe", "--password-stdin"}, wantScope: "read write"},
		{name: "public client ignores exported secret", stdin: demoPassword, env: secretEnv, args: []string{"--token-url", tokenURL, "--client-id", "public-client", "--auth", "none", "--username", "johndoe", "--password-stdin"}, wantScope: "read write"},
		{name: "issuer discovery", stdin: demoPassword, env: secretEnv, args: []string{"--issuer", mock.URL, "--client-id", "client_id", "--username", "johndoe", "--password-stdin"}, wantScope: "read write"},
		{name: "secret file", stdin: demoPassword, args: []string{"--token-url", tokenURL, "--client-id", "client_id", "--client-secret-file", secretFile, "--username", "johndoe", "--password-stdin"}, wantScope: "read write"},
		{name: "flags after --", stdin: demoPassword, env: secretEnv, args: []string{"--token-url=" + tokenURL, "-client-id=client_id", "-username=johndoe", "-password-stdin"}, wantScope: "read write"},

		{name: "wrong password", stdin: "wrong-Passw0rd\n", env: secretEnv, args: []string{"--token-url", tokenURL, "--client-id", "client_id", "--username", "johndoe", "--password-stdin"}, wantCode: exitOAuth, wantError: "invalid_grant"},
		{name: "unknown user", stdin: demoPassword, env: secretEnv, args: []string{"--token-url", tokenURL, "--client-id", "client_id", "--username", "nobody", "--password-stdin"}, wantCode: exitOAuth, wantError: "invalid_grant"},
		{name: "wrong client secret", stdin: demoPassword, env: map[string]string{secretEnvVar: "wrong-Passw0rd"}, args: []string{"--token-url", tokenURL, "--client-id", "client_id", "--username", "johndoe", "--password-stdin"}, wantCode: exitOAuth, wantError: "invalid_client"},
		{name: "scope beyond the client", stdin: demoPassword, env: secretEnv, args: []string{"--token-url", tokenURL, "--client-id", "client_id", "--username", "johndoe", "--password-stdin", "--scope", "admin"}, wantCode: exitOAuth, wantError: "invalid_scope"},

		{name: "no username", stdin: demoPassword, env: secretEnv, args: []string{"--token-url", tokenURL, "--client-id", "client_id", "--password-stdin"}, wantCode: exitUsage, wantMsg: "--username"},
		{name: "no client id", stdin: demoPassword, env: secretEnv, args: []string{"--token-url", tokenURL, "--username", "johndoe", "--password-stdin"}, wantCode: exitUsage, wantMsg: "--client-id"},
		{name: "no endpoint", stdin: demoPassword, env: secretEnv, args: []string{"--client-id", "client_id", "--username", "johndoe", "--password-stdin"}, wantCode: exitUsage, wantMsg: "--token-url or --issuer"},
		{name: "no secret", stdin: demoPassword, args: []string{"--token-url", tokenURL, "--client-id", "client_id", "--username", "johndoe", "--password-stdin"}, wantCode: exitUsage, wantMsg: secretEnvVar},
		{name: "missing secret file", stdin: demoPassword, args: []string{"--token-url", tokenURL, "--client-id", "client_id", "--client-secret-file", "/nonexistent/secret", "--username", "johndoe", "--password-stdin"}, wantCode: exitUsage, wantMsg: "client-secret-file"},
		{name: "secret as a flag is refused", stdin: demoPassword, args: []string{"--token-url", tokenURL, "--client-id", "client_id", "--client-secret", "sup3r-s3cret-flag", "--username", "johndoe", "--password-stdin"}, wantCode: exitUsage, wantMsg: "no --client-secret flag"},
		{name: "password as a flag is refused", args: []string{"--password=sup3r-s3cret-flag"}, wantCode: exitUsage, wantMsg: "no --password flag"},
		{name: "bad auth", stdin: demoPassword, env: secretEnv, args: []string{"--token-url", tokenURL, "--client-id", "client_id", "--auth", "jwt", "--username", "johndoe", "--password-stdin"}, wantCode: exitUsage, wantMsg: "--auth"},
		{name: "reserved param", stdin: demoPassword, env: secretEnv, args: []string{"--token-url", tokenURL, "--client-id", "client_id", "--username", "johndoe", "--password-stdin", "--param", "grant_type=client_credentials"}, wantCode: exitUsage, wantMsg: "grant_type"},
		{name: "malformed param", stdin: demoPassword, env: secretEnv, args: []string{"--token-url", tokenURL, "--client-id", "client_id", "--username", "johndoe", "--password-stdin", "--param", "audience"}, wantCode: exitUsage, wantMsg: "key=value"},
		{name: "empty stdin", stdin: "", env: secretEnv, args: []string{"--token-url", tokenURL, "--client-id", "client_id", "--username", "johndoe", "--password-stdin"}, wantCode: exitUsage, wantMsg: "no password"},
		{name: "no terminal to prompt", stdin: demoPassword, env: secretEnv, args: []string{"--token-url", tokenURL, "--client-id", "client_id", "--username", "johndoe"}, wantCode: exitUsage, wantMsg: "--password-stdin"},
		{name: "stray argument", stdin: demoPassword, env: secretEnv, args: []string{"--token-url", tokenURL, "--client-id", "client_id", "--username", "johndoe", "--password-stdin", "extra"}, wantCode: exitUsage, wantMsg: "unexpected argument"},
		{name: "plain http to another host", stdin: demoPassword, env: secretEnv, args: []string{"--token-url", "http://as.example/token", "--client-id", "client_id", "--username", "johndoe", "--password-stdin"}, wantCode: exitUsage, wantMsg: "https"},
		{name: "https issuer that is not there", stdin: demoPassword, env: secretEnv, args: []string{"--issuer", "https://127.0.0.1:1", "--client-id", "client_id", "--username", "johndoe", "--password-stdin", "--timeout", "2s"}, wantCode: exitFailure, wantMsg: "connection refused"},
		{name: "connection refused", stdin: demoPassword, env: secretEnv, args: []string{"--token-url", "http://127.0.0.1:1/token", "--client-id", "client_id", "--username", "johndoe", "--password-stdin"}, wantCode: exitFailure, wantMsg: "connection refused"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := ropc(t, tt.stdin, tt.env, append([]string{"token"}, tt.args...)...)
			assert.Equal(t, tt.wantCode, r.code, "stderr: %s", r.stderr)
			switch tt.wantCode {
			case exitOK:
				tok := decodeToken(t, r.stdout)
				assert.NotEmpty(t, tok["access_token"])
				assert.Equal(t, "Bearer", tok["token_type"])
				assert.Equal(t, float64(3600), tok["expires_in"], "integer seconds")
				exp, err := time.Parse(time.RFC3339, tok["expires_at"].(string))
				require.NoError(t, err)
				assert.WithinDuration(t, time.Now().Add(time.Hour), exp, time.Minute)
				assert.NotEmpty(t, tok["refresh_token"])
				assert.Equal(t, tt.wantScope, tok["scope"])
				assert.Empty(t, r.stderr)
			case exitOAuth:
				assert.Empty(t, r.stdout)
				e := decodeOAuthError(t, r.stderr)
				assert.Equal(t, tt.wantError, e["error"])
				assert.NotZero(t, e["status"])
			default:
				assert.Empty(t, r.stdout)
				assert.Contains(t, r.stderr, tt.wantMsg)
				assert.Equal(t, 1, strings.Count(r.stderr, "\n"), "one line: %q", r.stderr)
			}
			assertNoSecretsIn(t, r.stderr)
		})
	}
}

func TestTokenInsecureFlag(t *testing.T) {
	// 192.0.2.1 is TEST-NET-1 (RFC 5737): never routed, so the request
	// fails at the network (exit 3) instead of being refused up front (exit 2).
	args := []string{"token", "--token-url", "http://192.0.2.1/token", "--client-id", "client_id", "--username", "johndoe", "--password-stdin", "--timeout", "300ms"}
	r := ropc(t, demoPassword, secretEnv, args...)
	assert.Equal(t, exitUsage, r.code)
	assert.Contains(t, r.stderr, "--insecure")
	assert.Contains(t, r.stderr, "https")

	r = ropc(t, demoPassword, secretEnv, append(args, "--insecure")...)
	assert.Equal(t, exitFailure, r.code, r.stderr)
	assertNoSecretsIn(t, r.stderr)
}

func TestTokenStatus(t *testing.T) {
	mock := newMock(t)
	r := ropc(t, "wrong-Passw0rd", map[string]string{secretEnvVar: "nope"}, "token", "--token-url", mock.URL+"/token", "--client-id", "client_id", "--username", "johndoe", "--password-stdin")
	require.Equal(t, exitOAuth, r.code)
	e := decodeOAuthError(t, r.stderr)
	assert.Equal(t, float64(http.StatusUnauthorized), e["status"], "invalid_client via Basic is 401 (RFC 6749 §5.2)")
}

// TestTokenAgainstSloppyServers: token endpoints in the wild that bend RFC 6749
// §5.1 in ways the SDK accepts on purpose.
func TestTokenAgainstSloppyServers(t *testing.T) {
	tests := []struct {
		name        string
		status      int
		contentType string
		body        string
		wantType    string
		wantExpires any // float64 seconds, or nil for unknown
		wantScope   string
	}{
		{"form-encoded (GitHub style)", 200, "application/x-www-form-urlencoded", "access_token=at-1&token_type=bearer&scope=read", "Bearer", nil, "read"},
		{"json as text/plain", 200, "text/plain", `{"access_token":"at-1","token_type":"Bearer","expires_in":60}`, "Bearer", float64(60), ""},
		{"expires_in as string (PayPal, Azure AD)", 200, "application/json", `{"access_token":"at-1","token_type":"Bearer","expires_in":"3599"}`, "Bearer", float64(3599), ""},
		{"expires_in decimal", 200, "application/json", `{"access_token":"at-1","token_type":"bearer","expires_in":59.9}`, "Bearer", float64(59), ""},
		{"expires_in null", 200, "application/json", `{"access_token":"at-1","token_type":"BEARER","expires_in":null}`, "Bearer", nil, ""},
		{"no token_type (LinkedIn)", 200, "application/json", `{"access_token":"at-1","expires_in":5184000}`, "", float64(5184000), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := sloppy(t, func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", tt.contentType)
				w.WriteHeader(tt.status)
				_, _ = w.Write([]byte(tt.body))
			})
			r := ropc(t, demoPassword, secretEnv, "token", "--token-url", srv.URL+"/token", "--client-id", "client_id", "--username", "johndoe", "--password-stdin")
			require.Equal(t, exitOK, r.code, r.stderr)
			tok := decodeToken(t, r.stdout)
			assert.Equal(t, "at-1", tok["access_token"])
			assert.Equal(t, tt.wantType, tok["token_type"])
			assert.Equal(t, tt.wantExpires, tok["expires_in"])
			assert.Contains(t, tok, "expires_in", "present even when unknown (null)")
			assert.Contains(t, tok, "expires_at")
			if tt.wantExpires == nil {
				assert.Nil(t, tok["expires_at"], "unknown expiry is null, not now")
			}
			assert.Equal(t, tt.wantScope, tok["scope"])
			assert.NotContains(t, tok, "refresh_token", "only when issued")
		})
	}
}

// TestTokenAgainstHostileServers: servers (or things in front of them) that
// fail, lie or attack; each must give the contract's exit code and a
// one-line message naming the cause, with no secret in it.
func TestTokenAgainstHostileServers(t *testing.T) {
	var stolen []string
	thief := sloppy(t, func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		stolen = append(stolen, r.PostForm.Get("password"))
	})
	big := strings.Repeat("x", 2<<20)
	tests := []struct {
		name     string
		handler  http.HandlerFunc
		wantCode int
		wantMsg  string
		wantErr  string
	}{
		{"HTML 502 from a proxy", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(http.StatusBadGateway)
			_, _ = w.Write([]byte("<html><body>Bad Gateway " + demoPassword + "</body></html>"))
		}, exitFailure, "HTTP 502", ""},
		{"307 redirect to another origin", func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, thief.URL+"/token", http.StatusTemporaryRedirect)
		}, exitFailure, "redirect", ""},
		{"oversized body", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte(`{"access_token":"` + big + `"}`))
		}, exitFailure, "exceeds the limit", ""},
		{"malformed JSON", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte(`{"access_token":"at-1",`))
		}, exitFailure, "malformed JSON", ""},
		{"no access_token", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte(`{"token_type":"Bearer"}`))
		}, exitFailure, "access_token", ""},
		{"negative expires_in", func(w http.ResponseWriter, r *http.Request) {
			_, _ = w.Write([]byte(`{"access_token":"at-1","expires_in":-60}`))
		}, exitFailure, "expires_in", ""},
		{"hangs past the timeout", func(w http.ResponseWriter, r *http.Request) {
			// Reading the body lets net/http notice the client hanging up.
			_, _ = io.Copy(io.Discard, r.Body)
			select {
			case <-r.Context().Done():
			case <-time.After(10 * time.Second):
			}
		}, exitFailure, "timed out", ""},
		{"error with HTTP 200", func(w http.ResponseWriter, r *http.Request) {
			_, _ = w.Write([]byte(`{"error":"invalid_grant","error_description":"nope"}`))
		}, exitOAuth, "", "invalid_grant"},
		{"error description with control characters", func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusBadRequest)
			_, _ = w.Write([]byte(`{"error":"invalid_request","error_description":"line1\nline2\u001b[31m"}`))
		}, exitOAuth, "", "invalid_request"},
		{"redirect echoing the password in its path", func(w http.ResponseWriter, r *http.Request) {
			_ = r.ParseForm()
			http.Redirect(w, r, thief.URL+"/"+r.PostForm.Get("password"), http.StatusTemporaryRedirect)
		}, exitFailure, "redirect", ""},
		{"500 echoing the password in its Content-Type", func(w http.ResponseWriter, r *http.Request) {
			_ = r.ParseForm()
			w.Header().Set("Content-Type", "text/html; x="+r.PostForm.Get("password"))
			w.WriteHeader(http.StatusInternalServerError)
		}, exitFailure, "HTTP 500", ""},
		{"garbage with the password as Content-Type", func(w http.ResponseWriter, r *http.Request) {
			_ = r.ParseForm()
			w.Header().Set("Content-Type", r.PostForm.Get("password"))
			_, _ = w.Write([]byte("garbage"))
		}, exitFailure, "invalid server response", ""},
		{"401 text/plain without OAuth body", func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = w.Write([]byte("Unauthorized"))
		}, exitFailure, "HTTP 401", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := sloppy(t, tt.handler)
			r := ropc(t, demoPassword, secretEnv, "token", "--token-url", srv.URL+"/token", "--client-id", "client_id", "--username", "johndoe", "--password-stdin", "--timeout", "500ms")
			t.Log(r.stderr)
			assert.Equal(t, tt.wantCode, r.code, r.stderr)
			assert.Empty(t, r.stdout)
			assert.Equal(t, 1, strings.Count(r.stderr, "\n"), "one line: %q", r.stderr)
			if tt.wantErr != "" {
				assert.Equal(t, tt.wantErr, decodeOAuthError(t, r.stderr)["error"])
			}
			assert.Contains(t, r.stderr, tt.wantMsg)
			assertNoSecretsIn(t, r.stderr)
		})
	}
	assert.Empty(t, stolen, "the password must never be re-sent to a redirect target")
}
