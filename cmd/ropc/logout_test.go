package main

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestLogoutRevokesTheSavedRefreshToken(t *testing.T) {
	mock := startMockProc(t)
	d := newDesktop(t, secretService(t).Address)
	require.Equal(t, exitOK, d.run(demoPassword, signInArgs(mock, "--save", "revoked")...).code)
	// Read the refresh token the way another program would: straight from the Secret Service.
	rt := savedRefreshToken(t, d, "revoked")
	r := d.run("", "logout", "--from", "revoked")
	require.Equal(t, exitOK, r.code, r.stderr)
	resp, err := http.PostForm(mock.URL+"/token", url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt},
		"client_id": {"client_id"}, "client_secret": {demoSecret}})
	require.NoError(t, err)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.Equal(t, http.StatusBadRequest, resp.StatusCode)
	assert.Contains(t, string(body), "invalid_grant", "the server no longer accepts the refresh token")
}

// savedRefreshToken reads the refresh token from the keychain record (savedRecord), outside ropc.
func savedRefreshToken(t *testing.T, d *desktop, name string) string {
	t.Helper()
	var rec struct {
		RefreshToken string `json:"refresh_token"`
	}
	require.NoError(t, json.Unmarshal([]byte(savedRecord(t, d, name)), &rec))
	require.NotEmpty(t, rec.RefreshToken)
	return rec.RefreshToken
}

func TestLogoutEdges(t *testing.T) {
	mock := startMockProc(t)
	d := newDesktop(t, secretService(t).Address)

	// No revocation endpoint known (no --revocation-url, no issuer): the entry goes, the token
	// is not revoked, and the user is told.
	plain := []string{"token", "--token-url", mock.URL + "/token", "--client-id", "client_id", "--username", "johndoe", "--password-stdin", "--save", "norevoke"}
	require.Equal(t, exitOK, d.run(demoPassword, plain...).code)
	r := d.run("", "logout", "--from", "norevoke")
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Equal(t, false, decodeJSON(t, r.stdout)["revoked"])
	assert.Contains(t, r.stderr, "no revocation endpoint")
	assert.Equal(t, exitUsage, d.run("", "refresh", "--from", "norevoke").code, "the entry is gone")

	// The server is down: revocation fails, and the entry is kept for another try.
	require.Equal(t, exitOK, d.run(demoPassword, signInArgs(mock, "--save", "kept")...).code)
	mock.stop()
	r = d.run("", "logout", "--from", "kept", "--timeout", "5s")
	assert.Equal(t, exitFailure, r.code)
	assert.Contains(t, r.stderr, `saved token "kept" is kept`)
	mock.start(strings.TrimPrefix(mock.URL, "http://"))
	r = d.run("", "logout", "--from", "kept")
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Equal(t, true, decodeJSON(t, r.stdout)["revoked"])
}
