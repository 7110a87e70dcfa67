package admin

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ropcgo/ropc/mockserver"
)

func TestAdminRefusesNonLoopback(t *testing.T) {
	mock, err := mockserver.New(nil, mockserver.Options{})
	require.NoError(t, err)
	h, err := New(mock, Options{Enabled: true})
	require.NoError(t, err)

	for _, remote := range []string{"192.0.2.1:1234", "[2001:db8::1]:443", "10.0.0.1:80"} {
		req := httptest.NewRequest(http.MethodPost, "/_admin/faults", strings.NewReader(`{"status": 500}`))
		req.RemoteAddr = remote
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		assert.Equal(t, http.StatusForbidden, rec.Code, remote)
	}
	assert.Empty(t, h.Faults(), "nothing applied")

	req := httptest.NewRequest(http.MethodPost, "/_admin/faults", strings.NewReader(`{"status": 500}`))
	req.RemoteAddr = "127.0.0.1:5555"
	req.Host = "127.0.0.1:8080"
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	assert.Equal(t, http.StatusCreated, rec.Code)
}

func TestAdminRefusesOtherOrigins(t *testing.T) {
	f := newFixture(t, Options{Enabled: true})
	tests := []struct {
		origin string
		want   int
	}{
		{"https://evil.example", http.StatusForbidden},
		{"http://evil.example:8080", http.StatusForbidden}, // DNS rebinding to 127.0.0.1
		{"null", http.StatusForbidden},
		{"http://127.0.0.1:3000", http.StatusCreated},
		{"http://localhost:5173", http.StatusCreated},
		{"http://[::1]:8080", http.StatusCreated},
	}
	for _, tt := range tests {
		status, _ := f.do("POST", "/_admin/faults", `{"status": 500, "match": {"path": "/nowhere"}}`, "Origin", tt.origin)
		assert.Equal(t, tt.want, status, tt.origin)
	}
	assert.Len(t, f.h.Faults(), 3, "only the loopback origins applied")
}

func TestAdminToken(t *testing.T) {
	f := newFixture(t, Options{Enabled: true, Token: "s3cret-admin"})
	tests := []struct {
		name   string
		header []string
		want   int
	}{
		{"none", nil, http.StatusUnauthorized},
		{"wrong", []string{"Authorization", "Bearer nope"}, http.StatusUnauthorized},
		{"prefix of the token", []string{"Authorization", "Bearer s3cret"}, http.StatusUnauthorized},
		{"basic scheme", []string{"Authorization", "Basic czNjcmV0LWFkbWlu"}, http.StatusUnauthorized},
		{"right", []string{"Authorization", "Bearer s3cret-admin"}, http.StatusOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, body := f.do(http.MethodGet, "/_admin/requests", "", tt.header...)
			assert.Equal(t, tt.want, status)
			assert.NotContains(t, string(body), "s3cret-admin")
		})
	}
	// The mock's own endpoints need no admin token.
	status, _, _ := f.password()
	assert.Equal(t, http.StatusOK, status)
}

func TestAdminUnknownRoute(t *testing.T) {
	f := newFixture(t, Options{Enabled: true})
	for _, tc := range [][2]string{{"GET", "/_admin/"}, {"GET", "/_admin"}, {"POST", "/_admin/nope"}, {"PUT", "/_admin/faults"}} {
		status, body := f.do(tc[0], tc[1], "")
		assert.Equal(t, http.StatusNotFound, status, tc)
		assert.Contains(t, jsonMap(t, body), "error")
	}
	assert.Empty(t, f.h.Requests(), "admin calls are not journaled")
}

func TestAdminFaultRoutes(t *testing.T) {
	f := newFixture(t, Options{Enabled: true})

	status, body := f.do("POST", "/_admin/faults", `{"match": {"grant_type": "password"}, "times": 2, "status": 503, "error": "temporarily_unavailable", "retry_after": 2}`)
	require.Equal(t, http.StatusCreated, status, "%s", body)
	first, _ := jsonMap(t, body)["id"].(string)
	require.NotEmpty(t, first)
	status, body = f.do("POST", "/_admin/faults", `{"match": {"path": "/introspect"}, "status": 500}`)
	require.Equal(t, http.StatusCreated, status)
	second := jsonMap(t, body)["id"].(string)
	assert.NotEqual(t, first, second)

	status, body = f.do("GET", "/_admin/faults", "")
	require.Equal(t, http.StatusOK, status)
	var listed []Rule
	require.NoError(t, json.Unmarshal(body, &listed))
	require.Len(t, listed, 2)
	assert.Equal(t, first, listed[0].ID)

	tokenStatus, hdr, _ := f.password()
	assert.Equal(t, 503, tokenStatus)
	assert.Equal(t, "2", hdr.Get("Retry-After"))

	status, _ = f.do("DELETE", "/_admin/faults/"+first, "")
	assert.Equal(t, http.StatusNoContent, status)
	status, body = f.do("DELETE", "/_admin/faults/"+first, "")
	assert.Equal(t, http.StatusNotFound, status)
	assert.Equal(t, "id", jsonMap(t, body)["field"])
	tokenStatus, _, _ = f.password()
	assert.Equal(t, 200, tokenStatus, "removed before its second use")

	status, _ = f.do("DELETE", "/_admin/faults", "")
	assert.Equal(t, http.StatusNoContent, status)
	assert.Empty(t, f.h.Faults())
}

func TestAdminFaultRouteRefusesBadRules(t *testing.T) {
	f := newFixture(t, Options{Enabled: true})
	tests := []struct{ body, field string }{
		{`{"quirk": "teapot"}`, "quirk"},
		{`{"delay": "2 seconds"}`, "delay"},
		{`{"status": 503, "extra": 1}`, "extra"},
		{`{"times": "once", "status": 503}`, "times"},
		{`{"quirk": "redirect"}`, "location"},
		{`not json`, ""},
	}
	for _, tt := range tests {
		status, body := f.do("POST", "/_admin/faults", tt.body)
		assert.Equal(t, http.StatusBadRequest, status, tt.body)
		m := jsonMap(t, body)
		assert.Contains(t, m["error"], tt.field, tt.body)
		if tt.field != "" {
			assert.Equal(t, tt.field, m["field"], tt.body)
		}
	}
	assert.Empty(t, f.h.Faults(), "nothing half-applied")

	big := `{"error_description": "` + strings.Repeat("x", 2<<20) + `"}`
	status, _ := f.do("POST", "/_admin/faults", big)
	assert.Equal(t, http.StatusRequestEntityTooLarge, status)
}

func TestAdminRequestsRoutes(t *testing.T) {
	f := newFixture(t, Options{Enabled: true})
	f.password()
	status, body := f.do("GET", "/_admin/requests", "")
	require.Equal(t, http.StatusOK, status)
	var entries []map[string]any
	require.NoError(t, json.Unmarshal(body, &entries))
	require.Len(t, entries, 1)
	keys := make([]string, 0, len(entries[0]))
	for k := range entries[0] {
		keys = append(keys, k)
	}
	assert.ElementsMatch(t, []string{"time", "method", "path", "grant_type", "client_id", "client_auth", "username", "scope", "status", "error", "dpop"}, keys)
	assert.Equal(t, "password", entries[0]["grant_type"])
	assert.Equal(t, "basic", entries[0]["client_auth"])
	assert.EqualValues(t, 200, entries[0]["status"])

	status, _ = f.do("DELETE", "/_admin/requests", "")
	assert.Equal(t, http.StatusNoContent, status)
	status, body = f.do("GET", "/_admin/requests", "")
	assert.Equal(t, http.StatusOK, status)
	assert.JSONEq(t, `[]`, string(body))
}

func TestAdminClockRoute(t *testing.T) {
	f := newFixture(t, Options{Enabled: true})
	clock := f.mock.Clock()

	status, body := f.do("POST", "/_admin/clock", `{"set": "2031-02-03T04:05:06Z"}`)
	require.Equal(t, http.StatusOK, status, "%s", body)
	assert.Equal(t, "2031-02-03T04:05:06Z", jsonMap(t, body)["now"])
	assert.Equal(t, time.Date(2031, 2, 3, 4, 5, 6, 0, time.UTC), clock.Now().UTC())

	status, body = f.do("POST", "/_admin/clock", `{"advance": "1h30m"}`)
	require.Equal(t, http.StatusOK, status)
	assert.Equal(t, "2031-02-03T05:35:06Z", jsonMap(t, body)["now"])

	// The journal uses the mock's clock.
	f.password()
	assert.Equal(t, time.Date(2031, 2, 3, 5, 35, 6, 0, time.UTC), f.h.Requests()[0].Time.UTC())

	status, _ = f.do("POST", "/_admin/clock", `{"reset": true}`)
	require.Equal(t, http.StatusOK, status)
	assert.WithinDuration(t, time.Now(), clock.Now(), time.Minute)

	status, body = f.do("GET", "/_admin/clock", "")
	assert.Equal(t, http.StatusOK, status)
	assert.Contains(t, jsonMap(t, body), "now")

	bad := []struct{ body, field string }{
		{`{"advance": "soon"}`, "advance"},
		{`{"advance": "-1h"}`, "advance"},
		{`{"advance": 3600}`, "advance"},
		{`{"set": "tomorrow"}`, "set"},
		{`{"reset": false}`, "reset"},
		{`{"advance": "1h", "set": "2031-02-03T04:05:06Z"}`, ""},
		{`{}`, ""},
		{`{"rewind": "1h"}`, "rewind"},
	}
	before := clock.Now()
	for _, tt := range bad {
		status, body := f.do("POST", "/_admin/clock", tt.body)
		assert.Equal(t, http.StatusBadRequest, status, tt.body)
		if tt.field != "" {
			assert.Equal(t, tt.field, jsonMap(t, body)["field"], tt.body)
		}
	}
	assert.WithinDuration(t, before, clock.Now(), time.Minute, "a refused change moves nothing")
}

func TestAdminUserRoutes(t *testing.T) {
	f := newFixture(t, Options{Enabled: true})
	status, body := f.do("POST", "/_admin/users", `{"username": "alice", "password": "wonderland", "claims": {"email": "alice@example.com"}}`)
	require.Equal(t, http.StatusCreated, status, "%s", body)
	assert.Equal(t, "alice", jsonMap(t, body)["username"])

	resp, err := f.tokenRequest(t.Context(), passwordForm("alice", "wonderland"))
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)

	status, _ = f.do("DELETE", "/_admin/users/alice", "")
	assert.Equal(t, http.StatusNoContent, status)
	resp, err = f.tokenRequest(t.Context(), passwordForm("alice", "wonderland"))
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusBadRequest, resp.StatusCode, "RFC 6749 §5.2 invalid_grant")

	status, body = f.do("DELETE", "/_admin/users/alice", "")
	assert.Equal(t, http.StatusNotFound, status)
	assert.Equal(t, "username", jsonMap(t, body)["field"])

	for _, tt := range []struct{ body, field string }{
		{`{"password": "x"}`, "username"},
		{`{"username": "bob", "password": "x", "age": 3}`, "age"},
		{`{"username": "bob"}`, ""}, // the mock requires a password; its message names it
		{`{"username": 7, "password": "x"}`, "username"},
	} {
		status, body := f.do("POST", "/_admin/users", tt.body)
		assert.Equal(t, http.StatusBadRequest, status, tt.body)
		m := jsonMap(t, body)
		if tt.field != "" {
			assert.Equal(t, tt.field, m["field"], tt.body)
		} else {
			assert.Contains(t, m["error"], "password", tt.body)
		}
		assert.NotContains(t, string(body), `"x"`, "no password echoed")
	}
	_, ok := findUser(f.mock, "bob")
	assert.False(t, ok, "nothing half-applied")
}

func findUser(m *mockserver.Server, name string) (mockserver.User, bool) {
	for _, u := range m.Config().Users {
		if u.Username == name {
			return u, true
		}
	}
	return mockserver.User{}, false
}

func TestAdminClientRoutes(t *testing.T) {
	f := newFixture(t, Options{Enabled: true})
	status, body := f.do("POST", "/_admin/clients", `{"client_id": "mobile", "public": true, "scopes": ["read"]}`)
	require.Equal(t, http.StatusCreated, status, "%s", body)
	assert.Equal(t, "mobile", jsonMap(t, body)["client_id"])

	publicGrant := func() int {
		req, err := http.NewRequest("POST", f.url+"/token", strings.NewReader("grant_type=password&username=johndoe&password=A3ddj3w&client_id=mobile"))
		require.NoError(t, err)
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		resp, err := f.client.Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		return resp.StatusCode
	}
	assert.Equal(t, http.StatusOK, publicGrant())
	entries := f.h.Requests()
	assert.Equal(t, "none", entries[len(entries)-1].ClientAuth)
	assert.Equal(t, "mobile", entries[len(entries)-1].ClientID)

	status, _ = f.do("DELETE", "/_admin/clients/mobile", "")
	assert.Equal(t, http.StatusNoContent, status)
	assert.Equal(t, http.StatusUnauthorized, publicGrant(), "RFC 6749 §5.2 invalid_client")
	status, _ = f.do("DELETE", "/_admin/clients/mobile", "")
	assert.Equal(t, http.StatusNotFound, status)

	for _, tt := range []struct{ body, field string }{
		{`{"public": true}`, "client_id"},
		{`{"client_id": "x", "secret": "y"}`, "secret"},
		{`{"client_id": "x", "scopes": "read"}`, "scopes"},
	} {
		status, body := f.do("POST", "/_admin/clients", tt.body)
		assert.Equal(t, http.StatusBadRequest, status, tt.body)
		assert.Equal(t, tt.field, jsonMap(t, body)["field"], tt.body)
	}
}

func TestAdminResetRoute(t *testing.T) {
	f := newFixture(t, Options{Enabled: true})
	f.do("POST", "/_admin/users", `{"username": "alice", "password": "wonderland"}`)
	f.do("POST", "/_admin/faults", `{"status": 500, "match": {"path": "/userinfo"}}`)
	f.do("POST", "/_admin/clock", `{"advance": "24h"}`)
	f.password()

	status, _ := f.do("POST", "/_admin/reset", "")
	assert.Equal(t, http.StatusNoContent, status)
	assert.Empty(t, f.h.Requests())
	assert.Empty(t, f.h.Faults())
	_, ok := findUser(f.mock, "alice")
	assert.False(t, ok, "run-time user gone")
	assert.WithinDuration(t, time.Now(), f.mock.Clock().Now(), time.Minute)
}

// TestAdminRefusalChangesNothing: a body that decodes and passes the first
// checks but fails a later one (the mock's validation of the merged config)
// leaves every piece of state as it was.
func TestAdminRefusalChangesNothing(t *testing.T) {
	f := newFixture(t, Options{Enabled: true})
	cfgBefore := f.mock.Config()
	tests := []struct{ path, body, field string }{
		// Replacing the demo user: the old entry must survive the refusal.
		{"/_admin/users", `{"username": "johndoe", "password_bcrypt": "not-a-bcrypt-hash"}`, "password_bcrypt"},
		{"/_admin/users", `{"username": "johndoe", "password": "x", "password_bcrypt": "$2a$04$abcdefghijklmnopqrstuu"}`, "password_bcrypt"},
		// Replacing the demo client with one whose scopes are invalid.
		{"/_admin/clients", `{"client_id": "client_id", "client_secret": "s", "scopes": ["bad scope"]}`, "scopes[0]"},
		{"/_admin/clients", `{"client_id": "client_id", "public": true, "client_secret": "s"}`, "client_secret"},
		// A valid match and quirk, then a missing location.
		{"/_admin/faults", `{"match": {"path": "/token"}, "times": 1, "quirk": "redirect"}`, "location"},
		// A valid rule but for its last field.
		{"/_admin/faults", `{"match": {"path": "/token"}, "status": 503, "retry_after": -1}`, "retry_after"},
	}
	for _, tt := range tests {
		status, body := f.do("POST", tt.path, tt.body)
		require.Equal(t, http.StatusBadRequest, status, "%s: %s", tt.body, body)
		m := jsonMap(t, body)
		assert.NotEmpty(t, m["error"], tt.body)
		assert.Equal(t, tt.field, m["field"], tt.body)
		assert.NotContains(t, string(body), "not-a-bcrypt-hash", "no secret echoed")
	}
	assert.Equal(t, cfgBefore, f.mock.Config(), "users and clients unchanged")
	assert.Empty(t, f.h.Faults(), "no fault installed")
	tokenStatus, _, _ := f.password()
	assert.Equal(t, http.StatusOK, tokenStatus, "the demo client and user still work")
}
