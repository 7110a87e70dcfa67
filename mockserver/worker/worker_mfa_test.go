//go:build !js

package main

import (
	"context"
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ropcgo/ropc/mockserver"
	"github.com/ropcgo/ropc/mockserver/sqlstore"
)

// envWorkerMFAURL names a running worker with the config of
// mfaConfigFile (scripts/test-worker.sh serves one after the other tests);
// it takes the same admin token as envWorkerURL's.
const envWorkerMFAURL = "ROPC_WORKER_MFA_URL"

// mfaConfigFile is the auth0-profile config the MFA test runs on; the
// script passes the same file to the worker as ROPC_MOCK_CONFIG.
const mfaConfigFile = "testdata/mfa-config.json"

// mfaTarget is a worker serving mfaConfigFile and a way to make the next
// request reach another Go instance.
type mfaTarget struct {
	clients []*workerClient
	cur     int
	cfg     *mockserver.Config
	// other moves to another instance: on the Workers runtime a panic ends
	// the instance and the next request starts a new one; natively the next
	// request goes to a second handler over the same SQLite file.
	other func(t *testing.T)
}

func (m *mfaTarget) c() *workerClient { return m.clients[m.cur] }

func newMFATarget(t *testing.T) (string, *mfaTarget) {
	t.Helper()
	raw, err := os.ReadFile(mfaConfigFile)
	require.NoError(t, err)
	cfg, err := mockserver.ParseConfig(mfaConfigFile, raw)
	require.NoError(t, err)
	m := &mfaTarget{cfg: cfg}
	if u := os.Getenv(envWorkerMFAURL); u != "" {
		adminToken := os.Getenv(envWorkerAdminToken)
		require.NotEmpty(t, adminToken, "%s is set but %s is not", envWorkerMFAURL, envWorkerAdminToken)
		c := newWorkerClient(strings.TrimSuffix(u, "/"), adminToken)
		m.clients = []*workerClient{c}
		m.other = func(t *testing.T) {
			t.Helper()
			before := c.instance(t, http.MethodGet)
			status, _, body := c.do(t, http.MethodPost, pathPanic, "", map[string]string{"Authorization": "Bearer " + adminToken})
			require.Equal(t, http.StatusInternalServerError, status, "%v", body)
			after := c.instance(t, http.MethodGet)
			require.NotEqual(t, before["id"], after["id"], "a new Go instance serves the next step")
		}
		return "workers_runtime", m
	}
	if os.Getenv(envWorkerRequired) != "" {
		t.Fatalf("%s is not set", envWorkerMFAURL)
	}
	// Two instances of the worker's wiring, each with its own connection
	// to one SQLite file, as two isolates share one D1 database.
	path := filepath.Join(t.TempDir(), "state.db")
	env := envMap{envConfig: string(raw), envSigningKey: newTestKey(t), envAdminToken: "native-admin-token"}
	for range 2 {
		store, db, err := sqlstore.OpenSQLite(context.Background(), path)
		require.NoError(t, err)
		t.Cleanup(func() { _ = db.Close() })
		h, err := newHandler(env.get, store, nil)
		require.NoError(t, err)
		srv := httptest.NewServer(h)
		t.Cleanup(srv.Close)
		m.clients = append(m.clients, newWorkerClient(srv.URL, env[envAdminToken]))
	}
	m.other = func(*testing.T) { m.cur = 1 - m.cur }
	return "native_wiring", m
}

// mfaUser returns the config's user with a factor of type kind.
func (m *mfaTarget) mfaUser(t *testing.T, kind string) mockserver.User {
	t.Helper()
	for _, u := range m.cfg.Users {
		if u.MFA != nil && u.MFA.Type == kind {
			return u
		}
	}
	t.Fatalf("%s has no user with a %s factor", mfaConfigFile, kind)
	return mockserver.User{}
}

func (m *mfaTarget) basic() map[string]string {
	cl := m.cfg.Clients[0]
	// RFC 6749 §2.3.1: client_secret_basic.
	return map[string]string{"Authorization": "Basic " + base64.StdEncoding.EncodeToString(
		[]byte(url.QueryEscape(cl.ClientID)+":"+url.QueryEscape(cl.ClientSecret)))}
}

func (m *mfaTarget) token(t *testing.T, form url.Values) (int, map[string]any) {
	t.Helper()
	status, _, body := m.c().do(t, http.MethodPost, "/oauth/token", form.Encode(), m.basic())
	return status, body
}

// signIn runs the password grant for u, which must answer Auth0's
// mfa_required with an mfa_token.
func (m *mfaTarget) signIn(t *testing.T, u mockserver.User) string {
	t.Helper()
	status, body := m.token(t, url.Values{"grant_type": {"password"}, "username": {u.Username}, "password": {u.Password}, "scope": {"openid"}})
	require.Equal(t, http.StatusForbidden, status, "%v", body)
	require.Equal(t, "mfa_required", body["error"])
	tok, _ := body["mfa_token"].(string)
	require.NotEmpty(t, tok)
	return tok
}

func (m *mfaTarget) challenge(t *testing.T, mfaToken, kind string) (int, map[string]any) {
	t.Helper()
	form := url.Values{"mfa_token": {mfaToken}, "challenge_type": {kind}}
	status, _, body := m.c().do(t, http.MethodPost, "/mfa/challenge", form.Encode(), m.basic())
	return status, body
}

// TestWorkerMFA completes Auth0-profile sign-ins with a second factor —
// TOTP, and an out-of-band approval — with every step after the password
// served by another Go instance than the one before. That works only
// because the pending sign-in, the approval, the poll times and the used
// TOTP step live in the store (D1 on Workers), not in an instance.
func TestWorkerMFA(t *testing.T) {
	name, m := newMFATarget(t)
	t.Run(name, func(t *testing.T) {
		t.Run("totp", func(t *testing.T) {
			u := m.mfaUser(t, mockserver.MFATypeTOTP)
			tok := m.signIn(t, u)
			m.other(t)
			status, body := m.challenge(t, tok, "otp")
			require.Equal(t, http.StatusOK, status, "%v", body)
			assert.Equal(t, "otp", body["challenge_type"])

			code, err := mockserver.TOTP(u.MFA.Secret, time.Now())
			require.NoError(t, err)
			m.other(t)
			status, body = m.token(t, url.Values{"grant_type": {mockserver.GrantMFAOTP}, "mfa_token": {tok}, "otp": {code}})
			require.Equal(t, http.StatusOK, status, "mfa-otp: %v", body)
			assert.NotEmpty(t, body["access_token"])

			// The sign-in ended with its tokens, on every instance.
			m.other(t)
			status, body = m.token(t, url.Values{"grant_type": {mockserver.GrantMFAOTP}, "mfa_token": {tok}, "otp": {code}})
			assert.Equal(t, http.StatusForbidden, status)
			assert.Equal(t, "Malformed mfa_token", body["error_description"], "%v", body)

			// RFC 6238 §5.2: the code is not accepted a second time, even
			// by another instance in a new sign-in.
			tok = m.signIn(t, u)
			m.other(t)
			status, body = m.token(t, url.Values{"grant_type": {mockserver.GrantMFAOTP}, "mfa_token": {tok}, "otp": {code}})
			assert.Equal(t, http.StatusForbidden, status)
			assert.Equal(t, "Invalid otp_code.", body["error_description"], "%v", body)
		})

		t.Run("oob approval", func(t *testing.T) {
			u := m.mfaUser(t, mockserver.MFATypeOOB)
			tok := m.signIn(t, u)
			m.other(t)
			status, body := m.challenge(t, tok, "oob")
			require.Equal(t, http.StatusOK, status, "%v", body)
			oobCode, _ := body["oob_code"].(string)
			require.NotEmpty(t, oobCode)
			poll := func() (int, map[string]any) {
				return m.token(t, url.Values{"grant_type": {mockserver.GrantMFAOOB}, "mfa_token": {tok}, "oob_code": {oobCode}})
			}

			m.other(t)
			status, body = poll()
			assert.Equal(t, http.StatusBadRequest, status)
			assert.Equal(t, "authorization_pending", body["error"], "%v", body)
			// RFC 8628 §3.5: polling again within the interval (60 s in
			// the config, so a slow instance start cannot outlast it) is
			// slow_down, decided on the poll time another instance stored.
			m.other(t)
			status, body = poll()
			assert.Equal(t, http.StatusBadRequest, status)
			assert.Equal(t, "slow_down", body["error"], "%v", body)

			admin := map[string]string{"Authorization": "Bearer " + m.c().adminToken, "Content-Type": "application/json"}
			status, _, body = m.c().do(t, http.MethodGet, "/_admin/mfa", "", admin)
			require.Equal(t, http.StatusOK, status, "%v", body)
			assert.Equal(t, []any{u.Username}, body["pending"])
			status, _, body = m.c().do(t, http.MethodPost, "/_admin/mfa/approve", `{"username":"`+u.Username+`"}`, admin)
			require.Equal(t, http.StatusNoContent, status, "approve: %v", body)

			m.other(t)
			status, body = poll()
			require.Equal(t, http.StatusOK, status, "poll after the approval: %v", body)
			assert.NotEmpty(t, body["access_token"])
			status, body = poll()
			assert.Equal(t, http.StatusForbidden, status)
			assert.Equal(t, "Malformed mfa_token", body["error_description"], "one approval, one set of tokens: %v", body)
		})
	})
}
