package admin

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ropcgo/ropc/mockserver"
)

// Demo credentials of mockserver.DefaultConfig.
const (
	demoClient = "client_id"
	demoSecret = "client_secret"
	demoUser   = "johndoe"
	demoPass   = "A3ddj3w"
)

// fixture is the real mock wrapped by the admin layer on a loopback port.
type fixture struct {
	t      *testing.T
	h      *Handler
	mock   *mockserver.Server
	url    string
	client *http.Client
}

func newFixture(t *testing.T, opts Options) *fixture {
	t.Helper()
	return newFixtureConfig(t, mockserver.DefaultConfig(), opts)
}

func newFixtureConfig(t *testing.T, cfg *mockserver.Config, opts Options) *fixture {
	t.Helper()
	mock, err := mockserver.New(cfg, mockserver.Options{})
	require.NoError(t, err)
	h, err := New(mock, opts)
	require.NoError(t, err)
	hs := httptest.NewServer(h)
	t.Cleanup(func() {
		h.Close()
		hs.Close()
	})
	c := hs.Client()
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &fixture{t: t, h: h, mock: mock, url: hs.URL, client: c}
}

// tokenRequest posts a form to the token endpoint with Basic client auth.
func (f *fixture) tokenRequest(ctx context.Context, form url.Values) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, f.url+"/token", strings.NewReader(form.Encode()))
	require.NoError(f.t, err)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(demoClient, demoSecret)
	return f.client.Do(req)
}

func passwordForm(user, pass string) url.Values {
	return url.Values{"grant_type": {"password"}, "username": {user}, "password": {pass}, "scope": {"read"}}
}

// password runs a password grant for the demo user and returns status, headers and body.
func (f *fixture) password() (int, http.Header, []byte) {
	f.t.Helper()
	resp, err := f.tokenRequest(context.Background(), passwordForm(demoUser, demoPass))
	require.NoError(f.t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(f.t, err)
	return resp.StatusCode, resp.Header, body
}

// do sends an admin request and returns status and body.
func (f *fixture) do(method, path, body string, header ...string) (int, []byte) {
	f.t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, f.url+path, rd)
	require.NoError(f.t, err)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := f.client.Do(req)
	require.NoError(f.t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(f.t, err)
	return resp.StatusCode, b
}

// vias are the two ways every fault test installs its rule.
var vias = []string{"http", "in-process"}

// addFault installs r over POST /_admin/faults or with Handler.AddFault.
func (f *fixture) addFault(via string, r Rule) string {
	f.t.Helper()
	if via == "in-process" {
		id, err := f.h.AddFault(r)
		require.NoError(f.t, err)
		return id
	}
	b, err := json.Marshal(r)
	require.NoError(f.t, err)
	status, body := f.do(http.MethodPost, "/_admin/faults", string(b))
	require.Equal(f.t, http.StatusCreated, status, "%s", body)
	return jsonMap(f.t, body)["id"].(string)
}

func jsonMap(t *testing.T, b []byte) map[string]any {
	t.Helper()
	var m map[string]any
	require.NoError(t, json.Unmarshal(b, &m), "body: %s", b)
	return m
}

func TestNewRefusesBadConfigFaults(t *testing.T) {
	mock, err := mockserver.New(nil, mockserver.Options{})
	require.NoError(t, err)
	_, err = New(mock, Options{Faults: []json.RawMessage{json.RawMessage(`{"quirk": "sideways"}`)}})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "faults[0].quirk")
	_, err = New(nil, Options{})
	require.Error(t, err)
}

func TestConfigFaultsApplyWithoutAdminAPI(t *testing.T) {
	f := newFixture(t, Options{Faults: []json.RawMessage{json.RawMessage(`{"match": {"grant_type": "password"}, "times": 1, "status": 503}`)}})
	status, _, _ := f.password()
	assert.Equal(t, http.StatusServiceUnavailable, status)
	status, _, _ = f.password()
	assert.Equal(t, http.StatusOK, status)

	// Disabled admin API: /_admin/ reaches the mock, which does not know it.
	status, _ = f.do(http.MethodGet, "/_admin/requests", "")
	assert.Equal(t, http.StatusNotFound, status)
	assert.Empty(t, f.h.Requests(), "without the admin API nobody can read a journal, so none is kept")
}

func TestErrorFault(t *testing.T) {
	tests := []struct {
		name       string
		rule       Rule
		status     int
		code, desc string
		retryAfter string
	}{
		{"503 with retry", Rule{Status: 503, Error: "temporarily_unavailable", ErrorDescription: "down", RetryAfter: 2},
			503, "temporarily_unavailable", "down", "2"},
		{"status only 503", Rule{Status: 503}, 503, "temporarily_unavailable", "", ""},
		{"status only 500", Rule{Status: 500}, 500, "server_error", "", ""},
		{"status only 401", Rule{Status: 401}, 401, "invalid_client", "", ""},
		{"status only 429", Rule{Status: 429, RetryAfter: 30}, 429, "invalid_request", "", "30"},
		{"error only", Rule{Error: "invalid_grant"}, 400, "invalid_grant", "", ""},
		{"status only description", Rule{Status: 503, ErrorDescription: "maintenance"}, 503, "temporarily_unavailable", "maintenance", ""},
	}
	for _, via := range vias {
		for _, tt := range tests {
			t.Run(via+" "+tt.name, func(t *testing.T) {
				f := newFixture(t, Options{Enabled: true})
				f.addFault(via, tt.rule)
				status, hdr, body := f.password()
				assert.Equal(t, tt.status, status)
				assert.Equal(t, tt.retryAfter, hdr.Get("Retry-After"))
				assert.Equal(t, "no-store", hdr.Get("Cache-Control"))
				assert.Equal(t, "*", hdr.Get("Access-Control-Allow-Origin"), "fault answers carry the mock's CORS headers")
				m := jsonMap(t, body)
				assert.Equal(t, tt.code, m["error"])
				if tt.desc != "" {
					assert.Equal(t, tt.desc, m["error_description"])
				}
				if tt.status == 401 {
					assert.NotEmpty(t, hdr.Get("WWW-Authenticate"), "RFC 6749 §5.2")
				}
				entries := f.h.Requests()
				require.Len(t, entries, 1)
				assert.Equal(t, tt.status, entries[0].Status)
				assert.Equal(t, tt.code, entries[0].Error)
			})
		}
	}
}

func TestFaultMatchSelectsRequests(t *testing.T) {
	tests := []struct {
		name  string
		match Match
		hit   bool // for johndoe's password grant with client_id at /token
	}{
		{"path", Match{Path: "/token"}, true},
		{"other path", Match{Path: "/revoke"}, false},
		{"username", Match{Username: "johndoe"}, true},
		{"other username", Match{Username: "janedoe"}, false},
		{"client_id", Match{ClientID: demoClient}, true},
		{"other client_id", Match{ClientID: "public-client"}, false},
		{"grant_type", Match{GrantType: "password"}, true},
		{"other grant_type", Match{GrantType: "refresh_token"}, false},
		{"all four", Match{Path: "/token", Username: "johndoe", ClientID: demoClient, GrantType: "password"}, true},
		{"all but one", Match{Path: "/token", Username: "janedoe", ClientID: demoClient, GrantType: "password"}, false},
	}
	for _, via := range vias {
		for _, tt := range tests {
			t.Run(via+" "+tt.name, func(t *testing.T) {
				f := newFixture(t, Options{Enabled: true})
				f.addFault(via, Rule{Match: tt.match, Status: 500})
				status, _, _ := f.password()
				if tt.hit {
					assert.Equal(t, http.StatusInternalServerError, status)
				} else {
					assert.Equal(t, http.StatusOK, status)
				}
			})
		}
	}
}

func TestDelayFault(t *testing.T) {
	for _, via := range vias {
		t.Run(via, func(t *testing.T) { testDelayFault(t, via) })
	}
}

func testDelayFault(t *testing.T, via string) {
	f := newFixture(t, Options{Enabled: true})
	f.addFault(via, Rule{Delay: Duration(300 * time.Millisecond), Times: 1})

	start := time.Now()
	status, _, body := f.password()
	assert.GreaterOrEqual(t, time.Since(start), 300*time.Millisecond)
	assert.Equal(t, http.StatusOK, status, "a delay-only rule answers normally")
	assert.Contains(t, jsonMap(t, body), "access_token")

	// The delay honours the client giving up.
	f.addFault(via, Rule{Delay: Duration(time.Minute)})
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start = time.Now()
	_, err := f.tokenRequest(ctx, passwordForm(demoUser, demoPass))
	require.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Less(t, time.Since(start), 30*time.Second)
	assert.Eventually(t, func() bool { return len(f.h.Requests()) == 2 }, 5*time.Second, 10*time.Millisecond)
	assert.Equal(t, 0, f.h.Requests()[1].Status, "no answer was sent")
}

func TestCloseReleasesHangingRequests(t *testing.T) {
	f := newFixture(t, Options{})
	_, err := f.h.AddFault(Rule{Quirk: QuirkHang})
	require.NoError(t, err)
	done := make(chan error, 1)
	go func() {
		resp, err := f.tokenRequest(context.Background(), passwordForm(demoUser, demoPass))
		if err == nil {
			resp.Body.Close()
		}
		done <- err
	}()
	assert.Never(t, func() bool { return len(done) > 0 }, 200*time.Millisecond, 20*time.Millisecond)
	f.h.Close()
	select {
	case err := <-done:
		require.Error(t, err, "the connection is aborted, not answered")
	case <-time.After(10 * time.Second):
		t.Fatal("Close did not release the hanging request")
	}
}

func TestResetRestoresConfigFaultsAndClearsJournal(t *testing.T) {
	f := newFixture(t, Options{Enabled: true, Faults: []json.RawMessage{json.RawMessage(`{"match": {"grant_type": "password"}, "times": 1, "status": 503}`)}})
	status, _, _ := f.password()
	require.Equal(t, 503, status)
	_, err := f.h.AddFault(Rule{Status: 500, Match: Match{Path: "/introspect"}})
	require.NoError(t, err)
	f.mock.Clock().Advance(time.Hour)

	require.NoError(t, f.h.Reset())
	assert.Empty(t, f.h.Requests())
	faults := f.h.Faults()
	require.Len(t, faults, 1, "the run-time fault is gone, the config one is back")
	assert.Equal(t, 503, faults[0].Status)
	assert.Equal(t, 1, faults[0].Times)
	assert.WithinDuration(t, time.Now(), f.mock.Clock().Now(), time.Minute)
	status, _, _ = f.password()
	assert.Equal(t, 503, status, "the config fault counts again from the start")
}

func TestReload(t *testing.T) {
	f := newFixture(t, Options{Enabled: true})
	status, _, body := f.password()
	require.Equal(t, 200, status)
	rt, _ := jsonMap(t, body)["refresh_token"].(string)
	require.NotEmpty(t, rt)
	runtimeID, err := f.h.AddFault(Rule{Match: Match{Path: "/userinfo"}, Status: 500})
	require.NoError(t, err)

	t.Run("bad faults refused, nothing changed", func(t *testing.T) {
		cfg := mockserver.DefaultConfig()
		cfg.Users = cfg.Users[1:] // would remove johndoe
		cfg.Faults = []json.RawMessage{json.RawMessage(`{"delay": "forever"}`)}
		err := f.h.Reload(cfg)
		require.Error(t, err)
		assert.Contains(t, err.Error(), "faults[0].delay")
		status, _, _ := f.password()
		assert.Equal(t, 200, status, "johndoe still exists")
	})
	t.Run("bad config refused by the mock", func(t *testing.T) {
		cfg := mockserver.DefaultConfig()
		cfg.Users = append(cfg.Users, mockserver.User{Username: "x"}) // no password
		cfg.Faults = []json.RawMessage{json.RawMessage(`{"status": 502}`)}
		require.Error(t, f.h.Reload(cfg))
		assert.Len(t, f.h.Faults(), 1, "config faults not swapped when the mock refused")
	})
	t.Run("good config: faults swapped, tokens kept", func(t *testing.T) {
		cfg := mockserver.DefaultConfig()
		cfg.Faults = []json.RawMessage{json.RawMessage(`{"match": {"path": "/introspect"}, "status": 502}`)}
		require.NoError(t, f.h.Reload(cfg))
		faults := f.h.Faults()
		require.Len(t, faults, 2)
		assert.Equal(t, 502, faults[0].Status)
		assert.Equal(t, runtimeID, faults[1].ID)

		resp, err := f.tokenRequest(context.Background(), url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt}})
		require.NoError(t, err)
		resp.Body.Close()
		assert.Equal(t, 200, resp.StatusCode, "a refresh token issued before the reload still works")
	})
	require.Error(t, f.h.Reload(nil))
}

func TestIsLoopback(t *testing.T) {
	tests := []struct {
		addr string
		want bool
	}{
		{"127.0.0.1:1234", true},
		{"127.9.9.9:1", true},
		{"[::1]:80", true},
		{"192.0.2.1:1234", false},
		{"[2001:db8::1]:80", false},
		{"localhost:80", false}, // RemoteAddr is always an IP; a name is not trusted
		{"", false},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, isLoopback(tt.addr), tt.addr)
	}
}

func TestAllowRemote(t *testing.T) {
	mock, err := mockserver.New(mockserver.DefaultConfig(), mockserver.Options{})
	require.NoError(t, err)
	_, err = New(mock, Options{Enabled: true, AllowRemote: true})
	require.ErrorContains(t, err, "AllowRemote needs a Token")

	remote := func(h *Handler, token string) int {
		req := httptest.NewRequest(http.MethodGet, "/_admin/requests", nil)
		req.RemoteAddr = "203.0.113.7:4711"
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec.Code
	}
	local, err := New(mock, Options{Enabled: true, Token: "adm"})
	require.NoError(t, err)
	assert.Equal(t, http.StatusForbidden, remote(local, "adm"), "loopback only without AllowRemote")

	h, err := New(mock, Options{Enabled: true, Token: "adm", AllowRemote: true})
	require.NoError(t, err)
	assert.Equal(t, http.StatusOK, remote(h, "adm"))
	assert.Equal(t, http.StatusUnauthorized, remote(h, "wrong"))
	assert.Equal(t, http.StatusUnauthorized, remote(h, ""))
}

func TestPreflightDoesNotUseUpFaults(t *testing.T) {
	f := newFixture(t, Options{Enabled: true})
	f.addFault("in-process", Rule{Times: 1, Status: 503})
	req, err := http.NewRequest(http.MethodOptions, f.url+"/token", nil)
	require.NoError(t, err)
	req.Header.Set("Origin", "http://127.0.0.1:9999")
	req.Header.Set("Access-Control-Request-Method", "POST")
	resp, err := f.client.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusNoContent, resp.StatusCode)
	status, _, _ := f.password()
	assert.Equal(t, http.StatusServiceUnavailable, status, "the rule still applies to the real request")
}
