package main

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ropcgo/ropc/mockserver/mocktest"
)

// The mock's demo credentials (mockserver/demo.json).
var (
	demoSecret   = mocktest.ClientSecret
	demoPassword = mocktest.Password
)

// newMock starts the real mock server (built-in demo config) on loopback.
func newMock(t *testing.T) *mocktest.Server { return mocktest.New(t) }

// sloppy starts a third-party-style server that answers every request with
// handler; it stands for servers we did not write, not for our mock.
func sloppy(t *testing.T, handler http.HandlerFunc) *httptest.Server {
	t.Helper()
	ts := httptest.NewServer(handler)
	t.Cleanup(ts.Close)
	return ts
}

type result struct {
	code           int
	stdout, stderr string
}

// ropc runs the CLI in-process with stdin and the environment given.
func ropc(t *testing.T, stdin string, env map[string]string, args ...string) result {
	t.Helper()
	var out, errb bytes.Buffer
	getenv := func(k string) string { return env[k] }
	code := run(args, strings.NewReader(stdin), &out, &errb, getenv)
	return result{code: code, stdout: out.String(), stderr: errb.String()}
}

var secretEnv = map[string]string{secretEnvVar: demoSecret}

// assertNoSecretsIn checks that neither the client secret nor the password
// nor any given token appears in text. Passwords and tokens are looked for
// in any case too (messages lower-case media types); the demo client secret
// only as is, since "client_secret" is also a flag and variable name.
func assertNoSecretsIn(t *testing.T, text string, tokens ...string) {
	t.Helper()
	assert.NotContains(t, text, demoSecret)
	lower := strings.ToLower(text)
	for _, s := range append([]string{demoPassword, "wrong-Passw0rd", "sup3r-s3cret-flag"}, tokens...) {
		if s != "" {
			assert.NotContains(t, lower, strings.ToLower(s))
		}
	}
}

// decodeToken parses the one JSON object on stdout.
func decodeToken(t *testing.T, stdout string) map[string]any {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(stdout))
	var m map[string]any
	require.NoError(t, dec.Decode(&m), "stdout: %q", stdout)
	assert.False(t, dec.More(), "exactly one JSON object on stdout")
	return m
}

// decodeOAuthError parses the one JSON object on stderr.
func decodeOAuthError(t *testing.T, stderr string) map[string]any {
	t.Helper()
	assert.Equal(t, 1, strings.Count(strings.TrimSpace(stderr), "\n")+1, "one line on stderr: %q", stderr)
	var m map[string]any
	require.NoError(t, json.Unmarshal([]byte(stderr), &m), "stderr: %q", stderr)
	for _, k := range []string{"error", "error_description", "error_uri", "status"} {
		assert.Contains(t, m, k)
	}
	return m
}

func TestRunDispatch(t *testing.T) {
	tests := []struct {
		name     string
		args     []string
		wantCode int
		wantOut  string
		wantErr  string
	}{
		{"no command", nil, exitUsage, "", "usage: ropc"},
		{"unknown command", []string{"login"}, exitUsage, "", `unknown command "login"`},
		{"help", []string{"--help"}, exitOK, "usage: ropc", ""},
		{"subcommand help", []string{"token", "-h"}, exitOK, "", "--password-stdin"},
		{"unknown flag", []string{"token", "--nope"}, exitUsage, "", "flag provided but not defined"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := ropc(t, "", nil, tt.args...)
			assert.Equal(t, tt.wantCode, r.code)
			// An empty want means nothing at all there (Contains "" always holds).
			if tt.wantOut == "" {
				assert.Empty(t, r.stdout)
			} else {
				assert.Contains(t, r.stdout, tt.wantOut)
			}
			if tt.wantErr == "" {
				assert.Empty(t, r.stderr)
			} else {
				assert.Contains(t, r.stderr, tt.wantErr)
			}
		})
	}
}
