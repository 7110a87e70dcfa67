package admin

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ropcgo/ropc/mockserver"
)

// withHost sends an admin request with the given Host header (as a page on
// a DNS-rebound name would) and returns the status.
func (f *fixture) withHost(host, method, path, body string) int {
	f.t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, f.url+path, rd)
	require.NoError(f.t, err)
	req.Host = host
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := f.client.Do(req)
	require.NoError(f.t, err)
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

func TestAdminHostCheck(t *testing.T) {
	cfg := mockserver.DefaultConfig()
	cfg.Issuer = "http://auth.test:8080"
	f := newFixtureConfig(t, cfg, Options{Enabled: true})
	port := f.url[strings.LastIndex(f.url, ":")+1:]
	for _, tc := range []struct {
		host string
		ok   bool
	}{
		{"127.0.0.1:" + port, true},
		{"127.0.0.2:" + port, true},
		{"[::1]:" + port, true},
		{"localhost:" + port, true},
		{"LOCALHOST", true},
		{"app.localhost:" + port, true},
		{"auth.test:" + port, true}, // the issuer's host
		{"Auth.Test", true},
		{"evil.example:" + port, false},
		{"127.0.0.1.evil.example", false},
		{"localhost.evil.example:" + port, false},
		{"auth.test.evil.example", false},
		{"10.0.0.1:" + port, false},
	} {
		t.Run(tc.host, func(t *testing.T) {
			f.h.ClearRequests()
			for _, req := range []struct{ method, path, body string }{
				{http.MethodGet, "/_admin/requests", ""},
				{http.MethodPost, "/_admin/users", `{"username":"mallory","password":"x"}`},
				{http.MethodPost, "/_admin/faults", `{"status":503}`},
				{http.MethodPost, "/_admin/clock", `{"advance":"1h"}`},
			} {
				status := f.withHost(tc.host, req.method, req.path, req.body)
				if tc.ok {
					assert.Less(t, status, 300, "%s %s", req.method, req.path)
					continue
				}
				assert.Equal(t, http.StatusForbidden, status, "%s %s", req.method, req.path)
			}
			if tc.ok {
				return
			}
			entries := f.h.Requests()
			require.Len(t, entries, 4, "every refusal is journaled")
			for _, e := range entries {
				assert.Equal(t, http.StatusForbidden, e.Status)
				assert.Equal(t, "host_not_allowed", e.Error)
				assert.True(t, strings.HasPrefix(e.Path, "/_admin/"), e.Path)
			}
			assert.Empty(t, f.h.Faults(), "no fault was added")
			status, _, _ := f.password()
			assert.Equal(t, http.StatusOK, status, "no fault took effect")
			form := url.Values{"grant_type": {"password"}, "username": {"mallory"}, "password": {"x"}}
			resp, err := f.tokenRequest(t.Context(), form)
			require.NoError(t, err)
			resp.Body.Close()
			assert.Equal(t, http.StatusBadRequest, resp.StatusCode, "the refused user was not created")
		})
		f.h.ClearFaults()
		_ = f.h.Reset()
	}
}

// TestTokenEndpointAnswersAnyHost: developers map names such as auth.test to
// loopback, so the protocol endpoints keep answering whatever the Host.
func TestTokenEndpointAnswersAnyHost(t *testing.T) {
	f := newFixture(t, Options{Enabled: true})
	req, err := http.NewRequest(http.MethodPost, f.url+"/token",
		strings.NewReader(passwordForm(demoUser, demoPass).Encode()))
	require.NoError(t, err)
	req.Host = "evil.example"
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(demoClient, demoSecret)
	resp, err := f.client.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)
}
