//go:build !js

package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ropcgo/ropc/mockserver"
)

func TestNewHandler(t *testing.T) {
	key := newTestKey(t)
	publicOnly := `{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}`
	const notJSONSecret = "not-json-secret-value"
	cfgWithKey, err := json.Marshal(map[string]any{
		"signing_key": json.RawMessage(key),
		"clients":     []map[string]any{{"client_id": "c1", "client_secret": "s1", "scopes": []string{"read"}}},
		"users":       []map[string]any{{"username": "alice", "password": "pw-alice"}},
	})
	require.NoError(t, err)

	tests := []struct {
		name       string
		env        envMap
		wantErr    string // substring; "" = success
		notInError string // a secret that must not leak into the error
	}{
		{name: "demo config and key", env: envMap{envSigningKey: key}},
		{name: "key with surrounding whitespace", env: envMap{envSigningKey: "\n " + key + "\n"}},
		{name: "config var carries the key", env: envMap{envConfig: string(cfgWithKey)}},
		{name: "no key anywhere", env: envMap{}, wantErr: "SIGNING_KEY secret is not set"},
		{name: "key is not JSON", env: envMap{envSigningKey: notJSONSecret}, wantErr: "not JSON", notInError: notJSONSecret},
		{name: "key has no private part", env: envMap{envSigningKey: publicOnly}, wantErr: "signing_key", notInError: "11qYAYKx"},
		{name: "config var is not JSON", env: envMap{envSigningKey: key, envConfig: "{"}, wantErr: envConfig},
		{name: "config var has an unknown key", env: envMap{envSigningKey: key, envConfig: `{"clients":[],"users":[],"bogus":1}`}, wantErr: "bogus"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, err := newHandler(tt.env.get, mockserver.NewMemoryStore(), nil)
			if tt.wantErr != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.wantErr)
				if tt.notInError != "" {
					assert.NotContains(t, err.Error(), tt.notInError)
				}
				assert.Nil(t, h)
				return
			}
			require.NoError(t, err)
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "http://worker.example/healthz", nil))
			assert.Equal(t, http.StatusOK, rec.Code)
		})
	}
}

// TestNewHandlerConfigVar: users and clients come from ROPC_MOCK_CONFIG
// instead of the demo config.
func TestNewHandlerConfigVar(t *testing.T) {
	cfg := `{"clients":[{"client_id":"c1","client_secret":"s1","scopes":["read"]}],"users":[{"username":"alice","password":"pw-alice"}]}`
	h, err := newHandler(envMap{envSigningKey: newTestKey(t), envConfig: cfg}.get, mockserver.NewMemoryStore(), nil)
	require.NoError(t, err)
	tests := []struct {
		name               string
		client, secret     string
		username, password string
		want               int
	}{
		{"configured user", "c1", "s1", "alice", "pw-alice", http.StatusOK},
		{"demo user is gone", "c1", "s1", "johndoe", "A3ddj3w", http.StatusBadRequest},
		{"demo client is gone", "client_id", "client_secret", "alice", "pw-alice", http.StatusUnauthorized},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := "grant_type=password&username=" + tt.username + "&password=" + tt.password
			r := httptest.NewRequest(http.MethodPost, "http://worker.example/token", strings.NewReader(body))
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			r.SetBasicAuth(tt.client, tt.secret)
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, r)
			assert.Equal(t, tt.want, rec.Code, rec.Body.String())
		})
	}
}

// TestAdminOnlyWithToken: the admin API stays off on Workers unless
// the ADMIN_TOKEN secret is set.
func TestAdminOnlyWithToken(t *testing.T) {
	key := newTestKey(t)
	tests := []struct {
		name  string
		env   envMap
		auth  string // Authorization header sent
		isOff bool
	}{
		{"no token: admin routes do not exist", envMap{envSigningKey: key}, "", true},
		{"token set, none sent: refused", envMap{envSigningKey: key, envAdminToken: "t0ken"}, "", false},
		{"token set, wrong one sent: refused", envMap{envSigningKey: key, envAdminToken: "t0ken"}, "Bearer nope", false},
		{"token set and sent from a remote client: served", envMap{envSigningKey: key, envAdminToken: "t0ken"}, "Bearer t0ken", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, err := newHandler(tt.env.get, mockserver.NewMemoryStore(), nil)
			require.NoError(t, err)
			r := httptest.NewRequest(http.MethodPost, "http://worker.example/_admin/reset", nil)
			if tt.auth != "" {
				r.Header.Set("Authorization", tt.auth)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, r)
			if tt.isOff {
				// The mock's own 404 for an unknown endpoint.
				assert.Equal(t, http.StatusNotFound, rec.Code)
				assert.Contains(t, rec.Body.String(), "not_found")
				return
			}
			assert.NotContains(t, rec.Body.String(), "t0ken")
			if tt.auth == "Bearer t0ken" {
				// httptest.NewRequest comes from 192.0.2.1, like any client of a Worker.
				assert.Less(t, rec.Code, 300, rec.Body.String())
				return
			}
			assert.Equal(t, http.StatusUnauthorized, rec.Code, rec.Body.String())
		})
	}
}

// TestAdminRefusesLostChanges: with the admin API on, changes that would live
// only in this request's Go instance are refused (501) instead of answered
// 2xx and forgotten; reads and the store-wide reset still work.
func TestAdminRefusesLostChanges(t *testing.T) {
	h, err := newHandler(envMap{envSigningKey: newTestKey(t), envAdminToken: "t0ken"}.get, mockserver.NewMemoryStore(), nil)
	require.NoError(t, err)
	tests := []struct {
		method, path, body string
		want               int
	}{
		{http.MethodPost, "/_admin/faults", `{"match":{"path":"/token"},"status":503,"error":"temporarily_unavailable"}`, http.StatusNotImplemented},
		{http.MethodDelete, "/_admin/faults", "", http.StatusNotImplemented},
		{http.MethodDelete, "/_admin/faults/f1", "", http.StatusNotImplemented},
		{http.MethodDelete, "/_admin/requests", "", http.StatusNotImplemented},
		{http.MethodPost, "/_admin/clock", `{"advance":"1h"}`, http.StatusNotImplemented},
		{http.MethodPost, "/_admin/users", `{"username":"u2","password":"p2"}`, http.StatusNotImplemented},
		{http.MethodDelete, "/_admin/users/johndoe", "", http.StatusNotImplemented},
		{http.MethodPost, "/_admin/clients", `{"client_id":"c2","client_secret":"s2"}`, http.StatusNotImplemented},
		{http.MethodDelete, "/_admin/clients/client_id", "", http.StatusNotImplemented},
		{http.MethodGet, "/_admin/faults", "", http.StatusOK},
		{http.MethodGet, "/_admin/clock", "", http.StatusOK},
		{http.MethodPost, "/_admin/reset", "", http.StatusNoContent},
		{http.MethodGet, "/healthz", "", http.StatusOK},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.path, func(t *testing.T) {
			r := httptest.NewRequest(tt.method, "http://worker.example"+tt.path, strings.NewReader(tt.body))
			r.Header.Set("Authorization", "Bearer t0ken")
			r.Header.Set("Content-Type", "application/json")
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, r)
			require.Equal(t, tt.want, rec.Code, rec.Body.String())
			if tt.want == http.StatusNotImplemented {
				assert.Contains(t, rec.Body.String(), envConfig)
				assert.NotContains(t, rec.Body.String(), "t0ken")
			}
		})
	}
}

func TestUnavailable(t *testing.T) {
	rec := httptest.NewRecorder()
	unavailable(errors.New("the SIGNING_KEY secret is not set")).ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/token", nil))
	assert.Equal(t, http.StatusInternalServerError, rec.Code)
	assert.Equal(t, "application/json", rec.Header().Get("Content-Type"))
	assert.Equal(t, "no-store", rec.Header().Get("Cache-Control"))
	var body map[string]string
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &body))
	assert.Equal(t, "server_error", body["error"])
	assert.Contains(t, body["error_description"], "SIGNING_KEY")
}

func TestNewLogger(t *testing.T) {
	tests := []struct {
		level       string
		infoVisible bool
		warnVisible bool
	}{
		{"", false, true},
		{"warn", false, true},
		{"info", true, true},
		{"debug", true, true},
		{"error", false, false},
		{"nonsense", false, true},
	}
	for _, tt := range tests {
		t.Run(tt.level, func(t *testing.T) {
			var buf bytes.Buffer
			l := newLogger(tt.level, &buf)
			l.Info("info-line")
			l.Warn("warn-line")
			assert.Equal(t, tt.infoVisible, strings.Contains(buf.String(), "info-line"))
			assert.Equal(t, tt.warnVisible, strings.Contains(buf.String(), "warn-line"))
			assert.IsType(t, &slog.Logger{}, l)
		})
	}
}

// TestWranglerConfig keeps wrangler.toml and the code in step: the entry
// point the generator writes, the D1 binding the code opens, and no secret
// in the committed file.
func TestWranglerConfig(t *testing.T) {
	b, err := os.ReadFile("wrangler.toml")
	require.NoError(t, err)
	toml := string(b)
	assert.Contains(t, toml, `main = "build/worker.mjs"`)
	assert.Contains(t, toml, `binding = "`+d1Binding+`"`)
	assert.Contains(t, toml, envConfig+` = ""`, "the demo config is the default")
	for _, secret := range []string{envSigningKey + " =", envAdminToken + " =", `"d":`} {
		assert.NotContains(t, toml, secret, "secrets belong in `wrangler secret put` / .dev.vars")
	}
}
