package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ropcgo/ropc/mockserver"
	"github.com/ropcgo/ropc/mockserver/admin"
)

const baseConfig = `{
  "clients": [{"client_id": "app", "client_secret": "app-secret", "scopes": ["read"]}],
  "users": [{"username": "bob", "password": "bob-pass"}]
}`

const reloadedConfig = `{
  "clients": [{"client_id": "app", "client_secret": "app-secret", "scopes": ["read"]}],
  "users": [{"username": "bob", "password": "bob-pass"}, {"username": "alice", "password": "alice-pass"}],
  "faults": [{"match": {"username": "bob"}, "times": 1, "status": 503}]
}`

func writeFile(t *testing.T, path, data string) {
	t.Helper()
	require.NoError(t, os.WriteFile(path, []byte(data), 0o600))
}

func TestReloadConfig(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "config.json")
	writeFile(t, path, baseConfig)
	cfg, err := mockserver.LoadConfig(path)
	require.NoError(t, err)
	cfg.Issuer = "http://127.0.0.1:9"
	srv, err := mockserver.New(cfg, mockserver.Options{})
	require.NoError(t, err)
	h, err := admin.New(srv, admin.Options{Faults: cfg.Faults})
	require.NoError(t, err)
	var logs bytes.Buffer
	log := slog.New(slog.NewTextHandler(&logs, nil))

	require.ErrorIs(t, reloadConfig(h, "", "", cfg.Issuer, log), errNoConfigFile)

	tests := []struct {
		name, file string
		wantErr    string
	}{
		{"unknown key", `{"clients": [], "users": [], "colour": 1}`, "colour"},
		{"bad fault", `{"clients": [{"client_id": "app", "client_secret": "s"}], "users": [], "faults": [{"quirk": "wobbly"}]}`, "faults[0].quirk"},
		{"not JSON", `{`, "config.json"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			writeFile(t, path, tt.file)
			err := reloadConfig(h, path, "", cfg.Issuer, log)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.wantErr)
			assert.Equal(t, []string{"bob"}, usernames(srv), "old config kept")
			assert.Empty(t, h.Faults())
			assert.Contains(t, logs.String(), "new config refused")
		})
	}

	writeFile(t, path, reloadedConfig)
	require.NoError(t, reloadConfig(h, path, "", cfg.Issuer, log))
	assert.Equal(t, []string{"bob", "alice"}, usernames(srv))
	assert.Len(t, h.Faults(), 1)
	assert.Equal(t, cfg.Issuer, srv.Config().Issuer, "an issuer missing from the file is kept")

	require.NoError(t, reloadConfig(h, path, "https://flag.example", cfg.Issuer, log))
	assert.Equal(t, "https://flag.example", srv.Config().Issuer, "-issuer wins, as at start-up")
	assert.NotContains(t, logs.String(), "alice-pass")
}

func usernames(srv *mockserver.Server) []string {
	var out []string
	for _, u := range srv.Config().Users {
		out = append(out, u.Username)
	}
	return out
}

// TestSIGHUPReloadsRunningBinary builds ropc-mock, starts it with -admin and a
// config file, and checks SIGHUP applies a good config without dropping
// issued tokens or the open connection, and refuses a bad one.
func TestSIGHUPReloadsRunningBinary(t *testing.T) {
	dir := t.TempDir()
	bin := filepath.Join(dir, "ropc-mock")
	build := exec.Command("go", "build", "-o", bin, ".")
	build.Stderr = os.Stderr
	require.NoError(t, build.Run(), "go build ropc-mock")

	cfgPath := filepath.Join(dir, "config.json")

	// A bad fault in the config file stops start-up with a message naming it.
	writeFile(t, cfgPath, `{"clients": [{"client_id": "app", "client_secret": "s"}], "users": [], "faults": [{"quirk": "wobbly"}]}`)
	out, err := exec.Command(bin, "-addr", "127.0.0.1:0", "-config", cfgPath, "-key-file", "").CombinedOutput()
	var exitErr *exec.ExitError
	require.ErrorAs(t, err, &exitErr, "output: %s", out)
	assert.Equal(t, 1, exitErr.ExitCode())
	assert.Contains(t, string(out), "faults[0].quirk")

	writeFile(t, cfgPath, baseConfig)
	issuer, cmd, exited, stderr := startBinary(t, bin, "-addr", "127.0.0.1:0", "-config", cfgPath, "-key-file", "", "-admin", "-admin-token", "t0k")

	client := &http.Client{Timeout: 10 * time.Second}
	var reused []bool
	grant := func(form url.Values) (int, map[string]any) {
		t.Helper()
		trace := &httptrace.ClientTrace{GotConn: func(i httptrace.GotConnInfo) { reused = append(reused, i.Reused) }}
		req, err := http.NewRequestWithContext(httptrace.WithClientTrace(context.Background(), trace),
			http.MethodPost, issuer+"/token", strings.NewReader(form.Encode()))
		require.NoError(t, err)
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.SetBasicAuth("app", "app-secret")
		resp, err := client.Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		var m map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&m)
		return resp.StatusCode, m
	}
	pw := func(u, p string) url.Values {
		return url.Values{"grant_type": {"password"}, "username": {u}, "password": {p}}
	}

	status, tok := grant(pw("bob", "bob-pass"))
	require.Equal(t, 200, status)
	rt, _ := tok["refresh_token"].(string)
	require.NotEmpty(t, rt)
	status, _ = grant(pw("alice", "alice-pass"))
	require.Equal(t, 400, status, "alice is not in the first config")

	// Good config: alice appears, bob's refresh token survives, and the
	// config's fault fires once.
	writeFile(t, cfgPath, reloadedConfig)
	require.NoError(t, cmd.Process.Signal(syscall.SIGHUP))
	// The reload swaps the users, then the config's fault rules: once the rule is listed, both
	// are in place (polling with a grant could race the second swap).
	require.Eventually(t, func() bool {
		req, _ := http.NewRequest(http.MethodGet, issuer+"/_admin/faults", nil)
		req.Header.Set("Authorization", "Bearer t0k")
		resp, err := client.Do(req)
		if err != nil {
			return false
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp.StatusCode == 200 && strings.Contains(string(body), `"bob"`)
	}, 10*time.Second, 50*time.Millisecond, "stderr: %s", stderr.String())
	status, _ = grant(pw("alice", "alice-pass"))
	require.Equal(t, 200, status, "alice is in the reloaded config")
	status, _ = grant(pw("bob", "bob-pass"))
	assert.Equal(t, 503, status, "config fault from the reloaded file")
	status, _ = grant(url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt}})
	assert.Equal(t, 200, status, "a refresh token issued before SIGHUP still works")
	assert.True(t, reused[len(reused)-1], "the keep-alive connection survived the reload")

	// Bad config: refused, logged, old one kept.
	writeFile(t, cfgPath, `{"clients": [], "users": [], "faults": [{"delay": "often"}]}`)
	require.NoError(t, cmd.Process.Signal(syscall.SIGHUP))
	require.Eventually(t, func() bool { return strings.Contains(stderr.String(), "new config refused") }, 10*time.Second, 50*time.Millisecond)
	status, _ = grant(pw("alice", "alice-pass"))
	assert.Equal(t, 200, status, "the running config is kept")

	// The admin API is on, loopback-only, behind the token.
	adminGet := func(token string) int {
		req, _ := http.NewRequest(http.MethodGet, issuer+"/_admin/requests", nil)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := client.Do(req)
		require.NoError(t, err)
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp.StatusCode
	}
	assert.Equal(t, http.StatusUnauthorized, adminGet(""))
	assert.Equal(t, http.StatusOK, adminGet("t0k"))
	assert.NotContains(t, stderr.String(), "bob-pass")
	assert.NotContains(t, stderr.String(), "app-secret")

	// SIGTERM: graceful exit even with a request parked by the hang quirk.
	req, _ := http.NewRequest(http.MethodPost, issuer+"/_admin/faults", strings.NewReader(`{"quirk": "hang"}`))
	req.Header.Set("Authorization", "Bearer t0k")
	resp, err := client.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusCreated, resp.StatusCode)
	parked := make(chan struct{})
	go func() {
		defer close(parked)
		r, err := http.Post(issuer+"/token", "application/x-www-form-urlencoded", strings.NewReader("grant_type=password"))
		if err == nil {
			r.Body.Close()
		}
	}()
	// Signal only once the journal shows the request parked (unanswered), so
	// the shutdown really has a hanging request to deal with.
	require.Eventually(t, func() bool {
		req, _ := http.NewRequest(http.MethodGet, issuer+"/_admin/requests", nil)
		req.Header.Set("Authorization", "Bearer t0k")
		resp, err := client.Do(req)
		if err != nil {
			return false
		}
		defer resp.Body.Close()
		var entries []admin.Entry
		if json.NewDecoder(resp.Body).Decode(&entries) != nil {
			return false
		}
		for _, e := range entries {
			if e.Path == "/token" && e.GrantType == "password" && e.Status == 0 {
				return true
			}
		}
		return false
	}, 10*time.Second, 10*time.Millisecond, "the hanging request never reached the mock")
	require.NoError(t, cmd.Process.Signal(syscall.SIGTERM))
	select {
	case err := <-exited:
		exited <- err // for the cleanup
		assert.NoError(t, err, "stderr: %s", stderr.String())
	case <-time.After(15 * time.Second):
		// Not a speed check: unreleased, the hang would hold Serve's graceful
		// shutdown to its 5 s limit and the exit status would be 1.
		t.Fatal("ropc-mock did not exit on SIGTERM with a hanging request")
	}
	select {
	case <-parked:
	case <-time.After(10 * time.Second):
		t.Fatal("the parked request was not released by the shutdown")
	}
}

// syncBuffer is a bytes.Buffer safe for the child's stderr copier and the test.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
