package main

import (
	"bytes"
	"encoding/json"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ropcgo/ropc/mockserver"
	"github.com/ropcgo/ropc/mockserver/mocktest"
)

func profileMock(t *testing.T, profile string) *mocktest.Server {
	cfg := mockserver.DefaultConfig()
	cfg.OOBInterval = mockserver.Duration(time.Second)
	return mocktest.New(t, mocktest.WithConfig(cfg), mocktest.WithProfile(profile))
}

// hookWriter collects stderr and runs hook once a line containing marker is written: the user
// acting on what the CLI told them.
type hookWriter struct {
	mu     sync.Mutex
	buf    bytes.Buffer
	marker string
	hook   func()
	once   sync.Once
}

func (w *hookWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	n, err := w.buf.Write(p)
	hit := w.marker != "" && strings.Contains(w.buf.String(), w.marker)
	w.mu.Unlock()
	if hit && w.hook != nil {
		w.once.Do(w.hook)
	}
	return n, err
}

func (w *hookWriter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.String()
}

type cliErrorJSON struct {
	Error      string         `json:"error"`
	Kind       string         `json:"kind"`
	Extra      map[string]any `json:"extra"`
	RetryAfter *int64         `json:"retry_after"`
}

func TestTokenSignInAgainstProfiles(t *testing.T) {
	const approveLine = "approve the sign-in on your device"
	tests := []struct {
		profile, name, user string
		password            string
		code                func(srv *mocktest.Server) string // the --otp-stdin line, if any
		args                []string
		onApprove           func(srv *mocktest.Server) // run when the CLI prints its one oob line
		wantKind            string                     // "" means a token on stdout
	}{
		{profile: "keycloak", name: "wrong password", user: mocktest.TOTPUser, password: "wrong", code: (*mocktest.Server).TOTP, wantKind: "invalid_credentials"},
		{profile: "keycloak", name: "totp with --otp-stdin", user: mocktest.TOTPUser, code: (*mocktest.Server).TOTP},
		{profile: "keycloak", name: "wrong code looks like a wrong password", user: mocktest.TOTPUser, code: wrongCLICode, wantKind: "invalid_credentials"},
		{profile: "keycloak", name: "no code looks like a wrong password", user: mocktest.TOTPUser, wantKind: "invalid_credentials"},
		{profile: "keycloak", name: "disabled", user: mocktest.DisabledUser, wantKind: "account_disabled"},
		{profile: "keycloak", name: "password expired", user: mocktest.ExpiredUser, wantKind: "account_setup_required"},
		{profile: "keycloak", name: "setup required", user: mocktest.SetupUser, wantKind: "account_setup_required"},
		{profile: "keycloak", name: "locked", user: mocktest.LockedUser, wantKind: "invalid_credentials"},

		{profile: "auth0", name: "wrong password", user: mocktest.TOTPUser, password: "wrong", wantKind: "invalid_credentials"},
		{profile: "auth0", name: "totp with --otp-stdin", user: mocktest.TOTPUser, code: (*mocktest.Server).TOTP},
		{profile: "auth0", name: "wrong code", user: mocktest.TOTPUser, code: wrongCLICode, wantKind: "mfa_invalid_code"},
		{profile: "auth0", name: "no terminal, no --otp-stdin", user: mocktest.TOTPUser, wantKind: "mfa_required"},
		{profile: "auth0", name: "out-of-band approved", user: mocktest.OOBUser,
			onApprove: func(srv *mocktest.Server) { srv.ApproveMFA(mocktest.OOBUser) }},
		{profile: "auth0", name: "out-of-band denied", user: mocktest.OOBUser,
			onApprove: func(srv *mocktest.Server) { srv.DenyMFA(mocktest.OOBUser) }, wantKind: "mfa_denied"},
		{profile: "auth0", name: "locked", user: mocktest.LockedUser, wantKind: "account_locked"},
		{profile: "auth0", name: "disabled", user: mocktest.DisabledUser, wantKind: "account_disabled"},
		{profile: "auth0", name: "password expired", user: mocktest.ExpiredUser, wantKind: "invalid_credentials"},
		{profile: "auth0", name: "setup required", user: mocktest.SetupUser, wantKind: "account_setup_required"},
		{profile: "auth0", name: "--realm", user: mocktest.Username, args: []string{"--realm", "Username-Password-Authentication"}},

		{profile: "okta", name: "totp with --otp-stdin", user: mocktest.TOTPUser, code: (*mocktest.Server).TOTP},
		{profile: "okta", name: "wrong code", user: mocktest.TOTPUser, code: wrongCLICode, wantKind: "mfa_invalid_code"},
		{profile: "okta", name: "no terminal, no --otp-stdin", user: mocktest.TOTPUser, wantKind: "mfa_required"},
		{profile: "okta", name: "out-of-band approved", user: mocktest.OOBUser,
			onApprove: func(srv *mocktest.Server) { srv.ApproveMFA(mocktest.OOBUser) }},
		{profile: "okta", name: "out-of-band denied", user: mocktest.OOBUser,
			onApprove: func(srv *mocktest.Server) { srv.DenyMFA(mocktest.OOBUser) }, wantKind: "mfa_denied"},
		{profile: "okta", name: "wrong password", user: mocktest.TOTPUser, password: "wrong", wantKind: "invalid_credentials"},
		{profile: "okta", name: "locked", user: mocktest.LockedUser, wantKind: "invalid_credentials"},
		{profile: "okta", name: "disabled", user: mocktest.DisabledUser, wantKind: "invalid_credentials"},
		{profile: "okta", name: "password expired", user: mocktest.ExpiredUser, wantKind: "invalid_credentials"},
		{profile: "okta", name: "setup required", user: mocktest.SetupUser, wantKind: "invalid_credentials"},

		{profile: "entra", name: "wrong password", user: mocktest.Username, password: "wrong", wantKind: "invalid_credentials"},
		{profile: "entra", name: "interaction required", user: mocktest.TOTPUser, code: (*mocktest.Server).TOTP, wantKind: "interaction_required"},
		{profile: "entra", name: "locked", user: mocktest.LockedUser, wantKind: "account_locked"},
		{profile: "entra", name: "disabled", user: mocktest.DisabledUser, wantKind: "account_disabled"},
		{profile: "entra", name: "password expired", user: mocktest.ExpiredUser, wantKind: "password_expired"},
		{profile: "entra", name: "setup required", user: mocktest.SetupUser, wantKind: "interaction_required"},
	}
	for _, tt := range tests {
		t.Run(tt.profile+"/"+tt.name, func(t *testing.T) {
			t.Parallel()
			srv := profileMock(t, tt.profile)
			password := tt.password
			if password == "" {
				password = mocktest.Password
			}
			stdin := password + "\n"
			args := []string{"token", "--token-url", srv.TokenURL, "--client-id", mocktest.ClientID, "--username", tt.user, "--password-stdin"}
			if tt.code != nil {
				stdin += tt.code(srv) + "\n"
				args = append(args, "--otp-stdin")
			}
			args = append(args, tt.args...)
			stderr := &hookWriter{}
			if tt.onApprove != nil {
				stderr.marker = approveLine
				stderr.hook = func() { tt.onApprove(srv) }
			}
			var stdout bytes.Buffer
			code := run(args, strings.NewReader(stdin), &stdout, stderr, func(k string) string { return secretEnv[k] })
			errText := stderr.String()
			assert.NotContains(t, errText, password)
			if tt.onApprove != nil {
				assert.Equal(t, 1, strings.Count(errText, approveLine), "exactly one line for the out-of-band wait: %s", errText)
			}
			if tt.wantKind == "" {
				require.Equal(t, exitOK, code, errText)
				var tok storedToken
				require.NoError(t, json.Unmarshal(stdout.Bytes(), &tok))
				assert.NotEmpty(t, tok.AccessToken)
				return
			}
			require.Equal(t, exitOAuth, code, errText)
			var out cliErrorJSON
			require.NoError(t, json.Unmarshal([]byte(lastLine(errText)), &out), errText)
			assert.Equal(t, tt.wantKind, out.Kind, errText)
			assert.NotNil(t, out.Extra, `"extra" is {} when the body has nothing else`)
			if tok, ok := out.Extra["mfa_token"]; ok {
				assert.Equal(t, "[redacted]", tok)
			}
		})
	}
}

func wrongCLICode(srv *mocktest.Server) string {
	if srv.TOTP() == "000000" {
		return "111111"
	}
	return "000000"
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}

func TestTokenMFARequiredShowsRedactedToken(t *testing.T) {
	srv := profileMock(t, "auth0")
	r := ropc(t, mocktest.Password+"\n", secretEnv, "token", "--token-url", srv.TokenURL, "--client-id", mocktest.ClientID,
		"--username", mocktest.TOTPUser, "--password-stdin")
	require.Equal(t, exitOAuth, r.code, r.stderr)
	var out cliErrorJSON
	require.NoError(t, json.Unmarshal([]byte(r.stderr), &out), "stderr is exactly the JSON: %s", r.stderr)
	assert.Equal(t, "mfa_required", out.Kind)
	assert.Equal(t, "[redacted]", out.Extra["mfa_token"])
}

func TestTokenRecoveryCode(t *testing.T) {
	srv := profileMock(t, "auth0")
	args := []string{"token", "--token-url", srv.TokenURL, "--client-id", mocktest.ClientID,
		"--username", mocktest.TOTPUser, "--password-stdin", "--otp-stdin", "--recovery"}
	stdin := mocktest.Password + "\n" + mocktest.RecoveryCodes[1] + "\n"
	r := ropc(t, stdin, secretEnv, args...)
	require.Equal(t, exitOK, r.code, r.stderr)
	var tok storedToken
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &tok))
	assert.NotEmpty(t, tok.AccessToken)
	assert.NotEmpty(t, tok.RecoveryCode, "the new recovery code is printed")

	r = ropc(t, stdin, secretEnv, args...)
	require.Equal(t, exitOAuth, r.code)
	var out cliErrorJSON
	require.NoError(t, json.Unmarshal([]byte(r.stderr), &out))
	assert.Equal(t, "mfa_invalid_code", out.Kind, "a recovery code works once")
}

func TestTokenErrorJSONShape(t *testing.T) {
	srv := profileMock(t, "rfc")
	r := ropc(t, "wrong\n", secretEnv, "token", "--token-url", srv.TokenURL, "--client-id", mocktest.ClientID,
		"--username", mocktest.Username, "--password-stdin")
	require.Equal(t, exitOAuth, r.code)
	var raw map[string]any
	require.NoError(t, json.Unmarshal([]byte(r.stderr), &raw))
	assert.Equal(t, "invalid_credentials", raw["kind"])
	assert.Equal(t, map[string]any{}, raw["extra"])
	assert.NotContains(t, raw, "retry_after", "retry_after only when the server said")
}

func TestTokenOTPStdinNeedsTheLine(t *testing.T) {
	srv := profileMock(t, "keycloak")
	r := ropc(t, mocktest.Password+"\n", secretEnv, "token", "--token-url", srv.TokenURL, "--client-id", mocktest.ClientID,
		"--username", mocktest.TOTPUser, "--password-stdin", "--otp-stdin")
	assert.Equal(t, exitUsage, r.code)
	assert.Contains(t, r.stderr, "one-time code")
	assert.Zero(t, srv.Count(srv.TokenURL[len(srv.URL):], ""), "nothing is sent before all input is read")
}

func TestTokenRetryAfter(t *testing.T) {
	srv := profileMock(t, "auth0")
	srv.Fault(mocktest.Rule{Match: mocktest.Match{GrantType: "password"}, Times: 1, Status: 429, Error: "too_many_attempts", RetryAfter: 42})
	r := ropc(t, mocktest.Password+"\n", secretEnv, "token", "--token-url", srv.TokenURL, "--client-id", mocktest.ClientID,
		"--username", mocktest.Username, "--password-stdin")
	require.Equal(t, exitOAuth, r.code, r.stderr)
	var out cliErrorJSON
	require.NoError(t, json.Unmarshal([]byte(r.stderr), &out))
	assert.Equal(t, "account_locked", out.Kind)
	require.NotNil(t, out.RetryAfter)
	assert.Equal(t, int64(42), *out.RetryAfter)
}

// A recovery-code sign-in saved as a session still shows the new recovery code, which the
// session does not keep.
func TestTokenRecoveryCodeSaved(t *testing.T) {
	srv := profileMock(t, "auth0")
	// The file store lives in the user's configuration directory: a scratch one here.
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	args := []string{"token", "--token-url", srv.TokenURL, "--client-id", mocktest.ClientID,
		"--username", mocktest.TOTPUser, "--password-stdin", "--otp-stdin", "--recovery", "--save", "work", "--store", "file"}
	r := ropc(t, mocktest.Password+"\n"+mocktest.RecoveryCodes[0]+"\n", secretEnv, args...)
	require.Equal(t, exitOK, r.code, r.stderr)
	var out savedOutput
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &out))
	assert.Equal(t, "work", out.Saved)
	assert.NotEmpty(t, out.RecoveryCode)
}
