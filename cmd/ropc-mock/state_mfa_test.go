package main

import (
	"io"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ropcgo/ropc/mockserver"
)

// TestBinaryStateFileKeepsMFASignIns: with -state, a sign-in that got its
// mfa_token before a restart finishes after it, and the TOTP code it used
// stays used.
func TestBinaryStateFileKeepsMFASignIns(t *testing.T) {
	const secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
	dir := t.TempDir()
	bin := buildBinary(t, dir)
	config := filepath.Join(dir, "auth0.json")
	writeFile(t, config, `{"profile": "auth0",
		"clients": [{"client_id": "client_id", "client_secret": "client_secret"}],
		"users": [{"username": "ann", "password": "pw", "mfa": {"type": "totp", "secret": "`+secret+`"}}]}`)
	args := []string{"-config", config, "-key-file", filepath.Join(dir, "key.jwk"), "-state", filepath.Join(dir, "state.db")}
	token := func(issuer string, form url.Values) (int, string) {
		t.Helper()
		form.Set("client_id", "client_id")
		form.Set("client_secret", "client_secret")
		resp, err := http.Post(issuer+"/oauth/token", "application/x-www-form-urlencoded", strings.NewReader(form.Encode()))
		require.NoError(t, err)
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		require.NoError(t, err)
		return resp.StatusCode, string(b)
	}
	signIn := func(issuer string) string {
		t.Helper()
		code, body := token(issuer, url.Values{"grant_type": {"password"}, "username": {"ann"}, "password": {"pw"}})
		require.Equal(t, http.StatusForbidden, code, body)
		tok := between(body, `"mfa_token":"`, `"`)
		require.NotEmpty(t, tok, body)
		return tok
	}
	issuer, cmd, exited, _ := startBinary(t, bin, append([]string{"-addr", "127.0.0.1:0"}, args...)...)
	mfaToken := signIn(issuer)
	require.NoError(t, cmd.Process.Signal(syscall.SIGTERM))
	select {
	case err := <-exited:
		require.NoError(t, err)
	case <-time.After(10 * time.Second):
		t.Fatal("no exit after SIGTERM")
	}
	exited <- nil

	// startBinary's cleanup stops the second one.
	issuer2, _, _, _ := startBinary(t, bin, append([]string{"-addr", strings.TrimPrefix(issuer, "http://")}, args...)...)
	otp, err := mockserver.TOTP(secret, time.Now())
	require.NoError(t, err)
	code, body := token(issuer2, url.Values{"grant_type": {mockserver.GrantMFAOTP}, "mfa_token": {mfaToken}, "otp": {otp}})
	assert.Equal(t, http.StatusOK, code, "the sign-in survives a restart with -state: %s", body)
	assert.Contains(t, body, `"access_token"`)

	// RFC 6238 §5.2: the code stays used.
	code, body = token(issuer2, url.Values{"grant_type": {mockserver.GrantMFAOTP}, "mfa_token": {signIn(issuer2)}, "otp": {otp}})
	assert.Equal(t, http.StatusForbidden, code, body)
	assert.Contains(t, body, "Invalid otp_code.")
}
