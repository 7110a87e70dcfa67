package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"net/http"
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
	"github.com/ropcgo/ropc/sdk/keychain/secretservicetest"
)

// These tests run the built ropc and ropc-mock binaries as separate processes, against a real
// Secret Service (gnome-keyring on a private D-Bus bus): a saved session must survive a new
// process, an expired access token, a restart of the mock, and end with ropc logout.

var (
	binOnce sync.Once
	binDir  string
	binErr  error
	ssOnce  sync.Once
	ss      *secretservicetest.Service
	ssErr   error
)

func TestMain(m *testing.M) {
	code := m.Run()
	if ss != nil {
		ss.Close()
	}
	if binDir != "" {
		os.RemoveAll(binDir)
	}
	os.Exit(code)
}

// binaries builds ropc and ropc-mock once per test run.
func binaries(t *testing.T) (ropcBin, mockBin string) {
	t.Helper()
	binOnce.Do(func() {
		if binDir, binErr = os.MkdirTemp("", "ropc-bin-"); binErr != nil {
			return
		}
		for _, b := range [][2]string{{"ropc", "."}, {"ropc-mock", "../ropc-mock"}} {
			out, err := exec.Command("go", "build", "-o", filepath.Join(binDir, b[0]), b[1]).CombinedOutput()
			if err != nil {
				binErr = &buildError{string(out)}
				return
			}
		}
	})
	require.NoError(t, binErr)
	return filepath.Join(binDir, "ropc"), filepath.Join(binDir, "ropc-mock")
}

type buildError struct{ out string }

func (e *buildError) Error() string { return "go build: " + e.out }

func secretService(t *testing.T) *secretservicetest.Service {
	t.Helper()
	ssOnce.Do(func() { ss, ssErr = secretservicetest.Start() })
	require.NoError(t, ssErr)
	return ss
}

// desktop is one user's environment: a home directory (config, cache and lock files) and a
// session bus, shared by every ropc process the test starts.
type desktop struct {
	t    *testing.T
	ropc string
	env  []string
}

func newDesktop(t *testing.T, busAddress string) *desktop {
	ropcBin, _ := binaries(t)
	home := t.TempDir()
	env := []string{"HOME=" + home, "XDG_CONFIG_HOME=" + filepath.Join(home, ".config"),
		"XDG_CACHE_HOME=" + filepath.Join(home, ".cache"), "PATH=" + os.Getenv("PATH"),
		"DBUS_SESSION_BUS_ADDRESS=" + busAddress, secretEnvVar + "=" + demoSecret}
	return &desktop{t: t, ropc: ropcBin, env: env}
}

// run starts ropc in a new process and waits for it.
func (d *desktop) run(stdin string, args ...string) result {
	d.t.Helper()
	cmd := d.start(stdin, args...)
	return cmd.wait()
}

type running struct {
	t        *testing.T
	cmd      *exec.Cmd
	out, err bytes.Buffer
}

func (d *desktop) start(stdin string, args ...string) *running {
	d.t.Helper()
	r := &running{t: d.t, cmd: exec.Command(d.ropc, args...)}
	r.cmd.Env = d.env
	r.cmd.Stdin = strings.NewReader(stdin)
	r.cmd.Stdout, r.cmd.Stderr = &r.out, &r.err
	require.NoError(d.t, r.cmd.Start())
	return r
}

func (r *running) wait() result {
	r.t.Helper()
	err := r.cmd.Wait()
	code := 0
	if err != nil {
		ee, ok := err.(*exec.ExitError)
		require.True(r.t, ok, "ropc did not run: %v", err)
		code = ee.ExitCode()
	}
	return result{code: code, stdout: r.out.String(), stderr: r.err.String()}
}

// mockProc is ropc-mock as a process, with its state in a file and the admin API on (journal
// and clock).
type mockProc struct {
	t       *testing.T
	bin     string
	args    []string
	URL     string
	cmd     *exec.Cmd
	exited  chan error
	stopped bool
}

func startMockProc(t *testing.T) *mockProc {
	t.Helper()
	_, mockBin := binaries(t)
	dir := t.TempDir()
	b, err := json.Marshal(mockserver.DefaultConfig())
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "config.json"), b, 0o600))
	m := &mockProc{t: t, bin: mockBin, args: []string{"-admin", "-log-level", "warn", "-config", filepath.Join(dir, "config.json"),
		"-key-file", filepath.Join(dir, "key.jwk"), "-state", filepath.Join(dir, "state.db")}}
	m.start("127.0.0.1:0")
	t.Cleanup(m.stop)
	return m
}

func (m *mockProc) start(addr string) {
	m.t.Helper()
	m.cmd = exec.Command(m.bin, append([]string{"-addr", addr}, m.args...)...)
	stdout, err := m.cmd.StdoutPipe()
	require.NoError(m.t, err)
	require.NoError(m.t, m.cmd.Start())
	m.exited = make(chan error, 1)
	go func() { m.exited <- m.cmd.Wait() }()
	m.stopped = false
	line, err := bufio.NewReader(stdout).ReadString('\n')
	require.NoError(m.t, err)
	m.URL = strings.TrimSpace(strings.TrimPrefix(line, "ropc-mock: serving "))
	go func() { _, _ = io.Copy(io.Discard, stdout) }()
}

func (m *mockProc) stop() {
	if m.stopped {
		return
	}
	m.stopped = true
	_ = m.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-m.exited:
	case <-time.After(10 * time.Second):
		_ = m.cmd.Process.Kill()
		<-m.exited
	}
}

// restart stops the mock and starts it again on the same address with the same state file.
func (m *mockProc) restart() {
	m.t.Helper()
	m.stop()
	m.start(strings.TrimPrefix(m.URL, "http://"))
}

// advance moves the mock's clock: the tokens it issued before are expired on its side, and
// the resource server answers them 401 invalid_token.
func (m *mockProc) advance(d time.Duration) {
	m.t.Helper()
	resp, err := http.Post(m.URL+"/_admin/clock", "application/json", strings.NewReader(`{"advance":"`+d.String()+`"}`))
	require.NoError(m.t, err)
	resp.Body.Close()
	require.Equal(m.t, http.StatusOK, resp.StatusCode)
}

// refreshes counts the refresh_token grants the mock has answered since it started.
func (m *mockProc) refreshes() int {
	m.t.Helper()
	resp, err := http.Get(m.URL + "/_admin/requests")
	require.NoError(m.t, err)
	defer resp.Body.Close()
	var entries []struct {
		Path      string `json:"path"`
		GrantType string `json:"grant_type"`
		Status    int    `json:"status"`
	}
	require.NoError(m.t, json.NewDecoder(resp.Body).Decode(&entries))
	n := 0
	for _, e := range entries {
		if e.Path == "/token" && e.GrantType == "refresh_token" {
			require.Equal(m.t, http.StatusOK, e.Status, "every refresh succeeds")
			n++
		}
	}
	return n
}

func decodeJSON(t *testing.T, s string) map[string]any {
	t.Helper()
	var m map[string]any
	require.NoError(t, json.Unmarshal([]byte(s), &m), "stdout: %q", s)
	return m
}

func signInArgs(m *mockProc, extra ...string) []string {
	return append([]string{"token", "--token-url", m.URL + "/token", "--client-id", "client_id",
		"--username", "johndoe", "--password-stdin", "--revocation-url", m.URL + "/revoke"}, extra...)
}

func TestSavedSessionLifecycle(t *testing.T) {
	mock := startMockProc(t)
	d := newDesktop(t, secretService(t).Address)

	r := d.run(demoPassword, signInArgs(mock, "--save", "work", "--scope", "read")...)
	require.Equal(t, exitOK, r.code, r.stderr)
	out := decodeJSON(t, r.stdout)
	assert.Equal(t, "work", out["saved"])
	assert.Equal(t, "keychain", out["store"])
	assert.Equal(t, "read", out["scope"])
	assert.Equal(t, true, out["refresh_token"])
	assert.NotNil(t, out["expires_at"])
	assert.NotContains(t, r.stdout, "access_token", "the summary holds no token values")
	assertNoSecretsIn(t, r.stdout+r.stderr)

	// A new process uses the saved token as it is.
	r = d.run("", "get", mock.URL+"/userinfo", "--from", "work")
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Contains(t, r.stdout, "johndoe")

	require.Equal(t, 0, mock.refreshes())

	// The access token expires (the mock's clock jumps 2h; its resource server answers 401
	// invalid_token); the next process refreshes it and saves the rotated one back.
	mock.advance(2 * time.Hour)
	r = d.run("", "get", mock.URL+"/userinfo", "--from", "work")
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Contains(t, r.stdout, "johndoe")
	require.Equal(t, 1, mock.refreshes())

	// The mock restarts with its state file; the saved refresh token still works.
	mock.restart()
	r = d.run("", "refresh", "--from", "work", "--force")
	require.Equal(t, exitOK, r.code, r.stderr)
	out = decodeJSON(t, r.stdout)
	assert.Equal(t, true, out["refreshed"])
	assert.Equal(t, "read", out["scope"])
	r = d.run("", "refresh", "--from", "work")
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Equal(t, false, decodeJSON(t, r.stdout)["refreshed"], "a fresh token is not refreshed")
	r = d.run("", "get", mock.URL+"/userinfo", "--from", "work")
	require.Equal(t, exitOK, r.code, r.stderr)

	// Logout revokes the refresh token (RFC 7009) and deletes the entry.
	r = d.run("", "logout", "--from", "work")
	require.Equal(t, exitOK, r.code, r.stderr)
	out = decodeJSON(t, r.stdout)
	assert.Equal(t, "work", out["logged_out"])
	assert.Equal(t, true, out["revoked"])
	assert.Equal(t, "refresh_token", out["token_type_hint"])
	r = d.run("", "get", mock.URL+"/userinfo", "--from", "work")
	assert.Equal(t, exitUsage, r.code)
	assert.Contains(t, r.stderr, `no saved token "work"`)
}

func TestTwoProcessesRefreshOneEntry(t *testing.T) {
	// Two processes find the saved token expired at the same moment (the resource server
	// answers 401 invalid_token to both). The mock rotates refresh
	// tokens and revokes the whole family when one is reused (RFC 9700 §4.14.2), so if both
	// refreshed, one would fail, or both would end signed out. With the lock, one refresh
	// reaches the mock and both use its result.
	mock := startMockProc(t)
	d := newDesktop(t, secretService(t).Address)
	require.Equal(t, exitOK, d.run(demoPassword, signInArgs(mock, "--save", "shared")...).code)
	mock.advance(2 * time.Hour)

	a := d.start("", "get", mock.URL+"/userinfo", "--from", "shared")
	b := d.start("", "get", mock.URL+"/userinfo", "--from", "shared")
	ra, rb := a.wait(), b.wait()
	require.Equal(t, exitOK, ra.code, ra.stderr)
	require.Equal(t, exitOK, rb.code, rb.stderr)
	assert.Contains(t, ra.stdout, "johndoe")
	assert.Contains(t, rb.stdout, "johndoe")
	assert.Equal(t, 1, mock.refreshes(), "one refresh reached the mock")

	// Both resource requests were accepted after expiry, so both processes used the one token
	// that refresh issued; it is the one saved, and it is still valid.
	r := d.run("", "refresh", "--from", "shared", "--force")
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Equal(t, 2, mock.refreshes())
}

func TestNoKeychain(t *testing.T) {
	mock := startMockProc(t)
	bare, err := secretservicetest.StartBus()
	require.NoError(t, err)
	t.Cleanup(bare.Close)
	d := newDesktop(t, bare.Address)

	r := d.run(demoPassword, signInArgs(mock, "--save", "work")...)
	assert.Equal(t, exitFailure, r.code)
	assert.Contains(t, r.stderr, "no OS keychain available")
	assert.Contains(t, r.stderr, "--store file")
	assert.Equal(t, 1, strings.Count(strings.TrimSpace(r.stderr), "\n")+1, "one line: %q", r.stderr)
	entries := journal(t, mock)
	assert.Zero(t, entries, "the password is not spent on a sign-in that could not be saved")
	_, err = os.Stat(filepath.Join(envValue(d.env, "XDG_CONFIG_HOME"), "ropc"))
	assert.ErrorIs(t, err, os.ErrNotExist, "no file written as a fallback")

	// Asked for by name, the file store works.
	r = d.run(demoPassword, signInArgs(mock, "--save", "work", "--store", "file")...)
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Equal(t, "file", decodeJSON(t, r.stdout)["store"])
	fi, err := os.Stat(filepath.Join(envValue(d.env, "XDG_CONFIG_HOME"), "ropc", "tokens", "work.json"))
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), fi.Mode().Perm())
	r = d.run("", "get", mock.URL+"/userinfo", "--from", "work", "--store", "file")
	require.Equal(t, exitOK, r.code, r.stderr)
	r = d.run("", "logout", "--from", "work", "--store", "file")
	require.Equal(t, exitOK, r.code, r.stderr)
	_, err = os.Stat(filepath.Join(envValue(d.env, "XDG_CONFIG_HOME"), "ropc", "tokens", "work.json"))
	assert.ErrorIs(t, err, os.ErrNotExist)
}

func journal(t *testing.T, m *mockProc) int {
	t.Helper()
	resp, err := http.Get(m.URL + "/_admin/requests")
	require.NoError(t, err)
	defer resp.Body.Close()
	var entries []json.RawMessage
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&entries))
	return len(entries)
}

func envValue(env []string, key string) string {
	for _, kv := range env {
		if v, ok := strings.CutPrefix(kv, key+"="); ok {
			return v
		}
	}
	return ""
}

func TestStoreFlagsRefused(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"bad store", []string{"get", "https://api.example/", "--from", "work", "--store", "cloud"}, "--store must be keychain or file"},
		{"bad name", []string{"refresh", "--from", "../etc"}, "may hold only letters"},
		{"from with stdin token", []string{"get", "https://api.example/", "--from", "work", "--token-stdin"}, "--from takes the token from the store"},
		{"from with refresh token", []string{"refresh", "--from", "work", "--refresh-token-stdin"}, "--from takes the token from the store"},
		{"force without from", []string{"refresh", "--force", "--refresh-token-stdin"}, "--force goes with --from"},
		{"logout without from", []string{"logout"}, "--from NAME is required"},
		{"token with bad save name", []string{"token", "--token-url", "https://as.example/token", "--client-id", "c", "--username", "u", "--save", "a b"}, "may hold only letters"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := ropc(t, "", secretEnv, tc.args...)
			assert.Equal(t, exitUsage, r.code, r.stderr)
			assert.Contains(t, r.stderr, tc.want)
		})
	}
}

func TestSavedTokenForAnotherClientIsRefused(t *testing.T) {
	mock := startMockProc(t)
	d := newDesktop(t, secretService(t).Address)
	require.Equal(t, exitOK, d.run(demoPassword, signInArgs(mock, "--save", "mine")...).code)
	r := d.run("", "get", mock.URL+"/userinfo", "--from", "mine", "--client-id", "public-client", "--auth", "none")
	assert.Equal(t, exitUsage, r.code)
	assert.Contains(t, r.stderr, `saved token "mine": cannot load: saved token record: it belongs to client "client_id", not "public-client"`)
	r = d.run("", "get", "http://127.0.0.1:1/userinfo", "--from", "mine", "--token-url", "http://127.0.0.1:1/token")
	assert.Equal(t, exitUsage, r.code)
	assert.Contains(t, r.stderr, "it came from token endpoint")
	assert.Equal(t, 0, mock.refreshes())
}
