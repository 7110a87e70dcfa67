//go:build !js

package main

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ropcgo/ropc/mockserver"
	"github.com/ropcgo/ropc/mockserver/conformance"
	"github.com/ropcgo/ropc/mockserver/sqlstore"
)

// envWorkerURL names a running worker to test. scripts/test-worker.sh (make
// test) builds the worker, serves it with `wrangler dev` on a loopback port,
// sets these, and requires the workers_runtime subtests to pass.
const (
	envWorkerURL      = "ROPC_WORKER_URL"
	envWorkerRequired = "ROPC_WORKER_REQUIRED"
	// envWorkerAdminToken is the ADMIN_TOKEN the worker under test was given.
	envWorkerAdminToken = "ROPC_WORKER_ADMIN_TOKEN"
)

// TestWorkerConformance runs the mock's HTTP conformance suite against the
// worker. On the Workers runtime every request is a fresh Go instance, so
// refresh rotation and reuse, revocation and lockout pass only if the state
// really lives in D1. Without a running worker it checks the same wiring
// (newHandler) natively over SQLite, the engine D1 runs.
func TestWorkerConformance(t *testing.T) {
	name, url, _ := workerTarget(t)
	t.Run(name, func(t *testing.T) {
		conformance.Run(t, conformance.Target{BaseURL: url})
	})
}

// TestWorkerAdminReset: with the ADMIN_TOKEN secret the admin API answers
// only with that token, and its reset clears the state kept in the store
// (the one admin action that lasts beyond a Worker instance); changes that
// would not last are refused. It runs after the conformance suite, whose
// state it clears.
func TestWorkerAdminReset(t *testing.T) {
	name, url, adminToken := workerTarget(t)
	t.Run(name, func(t *testing.T) {
		hc := &http.Client{Timeout: 10 * time.Second}
		post := func(t *testing.T, path, body string, header map[string]string) (int, map[string]any) {
			t.Helper()
			req, err := http.NewRequest(http.MethodPost, url+path, strings.NewReader(body))
			require.NoError(t, err)
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			for k, v := range header {
				req.Header.Set(k, v)
			}
			resp, err := hc.Do(req)
			require.NoError(t, err)
			defer resp.Body.Close()
			var m map[string]any
			_ = json.NewDecoder(resp.Body).Decode(&m)
			return resp.StatusCode, m
		}
		basic := map[string]string{"Authorization": "Basic " + base64.StdEncoding.EncodeToString([]byte(conformance.ClientID+":"+conformance.ClientSecret))}
		status, tok := post(t, "/token", "grant_type=password&username="+conformance.Username+"&password="+conformance.Password, basic)
		require.Equal(t, http.StatusOK, status, "password grant: %v", tok)
		rt, _ := tok["refresh_token"].(string)
		require.NotEmpty(t, rt)

		status, _ = post(t, "/_admin/reset", "", nil)
		assert.Equal(t, http.StatusUnauthorized, status, "reset without the admin token")
		status, _ = post(t, "/_admin/reset", "", map[string]string{"Authorization": "Bearer wrong-" + adminToken})
		assert.Equal(t, http.StatusUnauthorized, status, "reset with a wrong admin token")
		status, body := post(t, "/_admin/reset", "", map[string]string{"Authorization": "Bearer " + adminToken})
		require.Less(t, status, 300, "reset with the admin token: %v", body)

		// RFC 6749 §5.2: a refresh token the server no longer knows is invalid_grant.
		status, body = post(t, "/token", "grant_type=refresh_token&refresh_token="+rt, basic)
		assert.Equal(t, http.StatusBadRequest, status)
		assert.Equal(t, "invalid_grant", body["error"], "the reset cleared the refresh token from the store")

		// A change that would live only in this request's instance is refused, not answered 2xx and lost.
		status, body = post(t, "/_admin/users", "", map[string]string{"Authorization": "Bearer " + adminToken})
		assert.Equal(t, http.StatusNotImplemented, status, "%v", body)
	})
}

// workerTarget names the target and returns its URL and admin token: the
// worker under wrangler dev when envWorkerURL is set, else the worker's
// wiring served natively over SQLite with an admin token.
func workerTarget(t *testing.T) (name, url, adminToken string) {
	t.Helper()
	if url := os.Getenv(envWorkerURL); url != "" {
		adminToken := os.Getenv(envWorkerAdminToken)
		if adminToken == "" {
			t.Fatalf("%s is set but %s is not", envWorkerURL, envWorkerAdminToken)
		}
		return "workers_runtime", strings.TrimSuffix(url, "/"), adminToken
	}
	if os.Getenv(envWorkerRequired) != "" {
		t.Fatalf("%s is not set", envWorkerURL)
	}
	store, db, err := sqlstore.OpenSQLite(context.Background(), filepath.Join(t.TempDir(), "state.db"))
	require.NoError(t, err)
	t.Cleanup(func() { _ = db.Close() })
	adminToken = "native-admin-token"
	h, err := newHandler(envMap{envSigningKey: newTestKey(t), envAdminToken: adminToken}.get, store, nil)
	require.NoError(t, err)
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return "native_wiring", srv.URL, adminToken
}

// envMap stands in for the Worker's env bindings.
type envMap map[string]string

func (e envMap) get(name string) string { return e[name] }

// newTestKey returns a fresh private JWK, as the scripts put in SIGNING_KEY.
func newTestKey(t *testing.T) string {
	t.Helper()
	key, err := mockserver.GenerateSigningKey(nil)
	require.NoError(t, err)
	jwk, err := mockserver.MarshalSigningKey(key)
	require.NoError(t, err)
	return string(jwk)
}
