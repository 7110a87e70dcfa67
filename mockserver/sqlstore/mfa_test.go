//go:build !js

package sqlstore_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ropcgo/ropc/mockserver"
	"github.com/ropcgo/ropc/mockserver/mocktest"
	"github.com/ropcgo/ropc/mockserver/sqlstore"
)

// TestMFAStoreOutage: when the store holding second-factor sign-ins fails
// (a D1 outage, say), every MFA step answers the retryable server error,
// never a verdict on the credentials, and no answer carries the mfa_token.
func TestMFAStoreOutage(t *testing.T) {
	st, db, err := sqlstore.OpenSQLite(context.Background(), filepath.Join(t.TempDir(), "state.db"))
	require.NoError(t, err)
	srv := mocktest.New(t, mocktest.WithProfile(mockserver.ProfileAuth0), mocktest.WithOptions(mockserver.Options{Store: st}))
	post := func(u string, form url.Values) (int, map[string]any, string) {
		t.Helper()
		form.Set("client_id", srv.ClientID)
		form.Set("client_secret", srv.ClientSecret)
		resp, err := http.Post(u, "application/x-www-form-urlencoded", strings.NewReader(form.Encode()))
		require.NoError(t, err)
		defer resp.Body.Close()
		raw, err := io.ReadAll(resp.Body)
		require.NoError(t, err)
		var body map[string]any
		require.NoError(t, json.Unmarshal(raw, &body), "%s", raw)
		return resp.StatusCode, body, string(raw)
	}
	status, body, _ := post(srv.TokenURL, url.Values{"grant_type": {"password"}, "username": {mocktest.TOTPUser}, "password": {mocktest.Password}})
	require.Equal(t, http.StatusForbidden, status, "%v", body)
	mfaToken, _ := body["mfa_token"].(string)
	require.NotEmpty(t, mfaToken)
	require.NoError(t, db.Close())

	for _, tt := range []struct {
		name string
		url  string
		form url.Values
	}{
		{"password step", srv.TokenURL, url.Values{"grant_type": {"password"}, "username": {mocktest.TOTPUser}, "password": {mocktest.Password}}},
		{"challenge", srv.ChallengeURL, url.Values{"mfa_token": {mfaToken}, "challenge_type": {"otp"}}},
		{"mfa-otp", srv.TokenURL, url.Values{"grant_type": {mockserver.GrantMFAOTP}, "mfa_token": {mfaToken}, "otp": {srv.TOTP()}}},
		{"mfa-oob", srv.TokenURL, url.Values{"grant_type": {mockserver.GrantMFAOOB}, "mfa_token": {mfaToken}, "oob_code": {"x"}}},
		{"mfa-recovery-code", srv.TokenURL, url.Values{"grant_type": {mockserver.GrantMFARecoveryCode}, "mfa_token": {mfaToken}, "recovery_code": {mocktest.RecoveryCodes[0]}}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			status, body, raw := post(tt.url, tt.form)
			assert.Equal(t, http.StatusServiceUnavailable, status, "%v", body)
			assert.Equal(t, "temporarily_unavailable", body["error"])
			assert.NotContains(t, raw, mfaToken)
		})
	}
}

// TestSweepForgetsTOTPSteps: a used TOTP step is kept while a code of it
// could still be accepted, and swept after its forget time.
func TestSweepForgetsTOTPSteps(t *testing.T) {
	ctx := context.Background()
	s, _ := sweepingStore(t)
	used, err := s.UseTOTPStep(ctx, "ann", 100, t0.Add(time.Minute), t0)
	require.NoError(t, err)
	require.True(t, used)
	used, err = s.UseTOTPStep(ctx, "bob", 101, t0.Add(2*time.Minute), t0.Add(30*time.Second))
	require.NoError(t, err)
	require.True(t, used)
	_, ok, err := s.LastTOTPStep(ctx, "ann")
	require.NoError(t, err)
	assert.True(t, ok, "kept before its forget time")

	used, err = s.UseTOTPStep(ctx, "cy", 102, t0.Add(3*time.Minute), t0.Add(time.Minute))
	require.NoError(t, err)
	require.True(t, used)
	_, ok, err = s.LastTOTPStep(ctx, "ann")
	require.NoError(t, err)
	assert.False(t, ok, "swept at its forget time")
	step, ok, err := s.LastTOTPStep(ctx, "bob")
	require.NoError(t, err)
	assert.True(t, ok)
	assert.Equal(t, int64(101), step)
}
