package main

import (
	"bufio"
	"bytes"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRunRefusesBadInput(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.json")
	require.NoError(t, os.WriteFile(bad, []byte(`{"clients":[{"client_id":"c"}]}`), 0o600))
	for _, tc := range []struct {
		name string
		args []string
		code int
		msg  string
	}{
		{"unknown flag", []string{"-nope"}, 2, "flag provided but not defined"},
		{"bad log level", []string{"-log-level", "loud"}, 2, "-log-level"},
		{"bad config names file and key", []string{"-config", bad}, 1, bad + ": clients[0].client_secret: is required"},
		{"missing config", []string{"-config", filepath.Join(dir, "none.json")}, 1, "none.json"},
		{"bad address", []string{"-addr", "256.0.0.1:x", "-key-file", ""}, 1, "ropc-mock:"},
		{"state file in a missing directory", []string{"-addr", "127.0.0.1:0", "-key-file", "", "-state", filepath.Join(dir, "no", "such", "state.db")}, 1, "-state"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(tc.args, &stdout, &stderr)
			assert.Equal(t, tc.code, code)
			assert.Contains(t, stderr.String(), tc.msg)
			assert.Empty(t, stdout.String())
		})
	}
}

// TestFlagDefaults: the documented defaults, so "ropc-mock" alone serves
// the demo config on 127.0.0.1:8080 with the issuer http://127.0.0.1:8080.
func TestFlagDefaults(t *testing.T) {
	var stderr bytes.Buffer
	o, af, err := parseFlags(nil, &stderr)
	require.NoError(t, err)
	assert.Equal(t, "127.0.0.1:8080", o.addr)
	assert.Empty(t, o.config, "built-in demo config")
	assert.Empty(t, o.issuer, "derived from the listen address")
	assert.Empty(t, o.stateFile, "state in memory")
	assert.Equal(t, "info", o.logLevel)
	assert.Equal(t, defaultKeyFile(), o.keyFile, "a stable key across restarts")
	assert.False(t, af.enabled, "admin API off unless asked for")

	o, af, err = parseFlags([]string{"-addr", "127.0.0.1:0", "-config", "c.json", "-issuer", "https://id.example", "-admin", "-admin-token", "t"}, &stderr)
	require.NoError(t, err)
	assert.Equal(t, options{addr: "127.0.0.1:0", config: "c.json", issuer: "https://id.example", keyFile: defaultKeyFile(), logLevel: "info"}, o)
	assert.Equal(t, adminFlags{enabled: true, token: "t"}, *af)
	assert.Empty(t, stderr.String())
}

// TestBinaryIssuerFlag: -issuer replaces the address-derived issuer in the
// metadata and in the tokens (a mock behind a reverse proxy or in Docker).
func TestBinaryIssuerFlag(t *testing.T) {
	dir := t.TempDir()
	bin := buildBinary(t, dir)
	cmd := exec.Command(bin, "-addr", "127.0.0.1:0", "-key-file", "", "-issuer", "https://id.example/tenant")
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	stderr, err := cmd.StderrPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	line, err := bufio.NewReader(stdout).ReadString('\n')
	require.NoError(t, err)
	assert.Equal(t, "ropc-mock: serving https://id.example/tenant\n", line)
	// The listen address is in the "listening" log record.
	logs := bufio.NewReader(stderr)
	var addr string
	for addr == "" {
		rec, err := logs.ReadString('\n')
		require.NoError(t, err)
		if strings.Contains(rec, "msg=listening") {
			addr = between(rec, "addr=", " ")
		}
	}
	go func() { _, _ = io.Copy(io.Discard, logs) }()
	// RFC 8414 §3.1: the issuer's path goes after the well-known suffix.
	resp, err := http.Get("http://" + addr + "/.well-known/oauth-authorization-server/tenant")
	require.NoError(t, err)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode, string(body))
	assert.Contains(t, string(body), `"issuer":"https://id.example/tenant"`)
	assert.Contains(t, string(body), `"token_endpoint":"https://id.example/tenant/token"`)
	require.NoError(t, cmd.Process.Signal(syscall.SIGTERM))
	require.NoError(t, cmd.Wait(), "clean exit")
}

// startBinary runs the built command and returns its issuer (from the first
// stdout line) and the process.
func startBinary(t *testing.T, bin string, args ...string) (string, *exec.Cmd, chan error, *syncBuffer) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	stderr := &syncBuffer{}
	cmd.Stderr = stderr
	require.NoError(t, cmd.Start())
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-exited
	})
	line, err := bufio.NewReader(stdout).ReadString('\n')
	require.NoError(t, err, "stderr: %s", stderr.String())
	issuer := strings.TrimSpace(strings.TrimPrefix(line, "ropc-mock: serving "))
	require.True(t, strings.HasPrefix(issuer, "http://127.0.0.1:"), line)
	go func() { _, _ = io.Copy(io.Discard, stdout) }()
	return issuer, cmd, exited, stderr
}

func TestBinaryDefaultsKeyFileAndShutdown(t *testing.T) {
	dir := t.TempDir()
	bin := buildBinary(t, dir)
	keyFile := filepath.Join(dir, "key.jwk")

	issuer, cmd, exited, stderr := startBinary(t, bin, "-addr", "127.0.0.1:0", "-key-file", keyFile)
	// The request from the issue, unchanged except for the port.
	resp, err := http.Post(issuer+"/token", "application/x-www-form-urlencoded",
		strings.NewReader("grant_type=password&username=johndoe&password=A3ddj3w&scope=read write&client_id=client_id&client_secret=client_secret"))
	require.NoError(t, err)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode, string(body))
	at := between(string(body), `"access_token":"`, `"`)
	require.NotEmpty(t, at)

	meta, err := http.Get(issuer + "/.well-known/oauth-authorization-server")
	require.NoError(t, err)
	mb, _ := io.ReadAll(meta.Body)
	meta.Body.Close()
	assert.Contains(t, string(mb), `"jwks_uri":"`+issuer+`/jwks"`, "issuer resolves the :0 port")

	st, err := os.Stat(keyFile)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), st.Mode().Perm())

	require.NoError(t, cmd.Process.Signal(syscall.SIGTERM))
	select {
	case err := <-exited:
		assert.NoError(t, err, "clean exit on SIGTERM; stderr: %s", stderr.String())
	case <-time.After(10 * time.Second):
		t.Fatal("no exit after SIGTERM")
	}
	exited <- nil // for the cleanup
	assert.NotContains(t, stderr.String(), "A3ddj3w")
	assert.NotContains(t, stderr.String(), at)

	// Restart on the same address with the same key file: the token held by
	// a client (a desktop app, say) stays valid.
	issuer2, cmd2, exited2, _ := startBinary(t, bin, "-addr", strings.TrimPrefix(issuer, "http://"), "-key-file", keyFile)
	require.Equal(t, issuer, issuer2)
	req, _ := http.NewRequest(http.MethodGet, issuer2+"/userinfo", nil)
	req.Header.Set("Authorization", "Bearer "+at)
	ui, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	ui.Body.Close()
	assert.Equal(t, http.StatusOK, ui.StatusCode, "token survives a restart")
	require.NoError(t, cmd2.Process.Signal(syscall.SIGINT))
	select {
	case err := <-exited2:
		assert.NoError(t, err)
	case <-time.After(10 * time.Second):
		t.Fatal("no exit after SIGINT")
	}
	exited2 <- nil
}

func buildBinary(t *testing.T, dir string) string {
	t.Helper()
	bin := filepath.Join(dir, "ropc-mock")
	build := exec.Command("go", "build", "-o", bin, ".")
	build.Stderr = os.Stderr
	require.NoError(t, build.Run())
	return bin
}

func TestBinaryStateFileKeepsRefreshTokens(t *testing.T) {
	dir := t.TempDir()
	bin := buildBinary(t, dir)
	args := []string{"-key-file", filepath.Join(dir, "key.jwk"), "-state", filepath.Join(dir, "state.db")}
	grant := func(issuer, body string) (int, string) {
		resp, err := http.Post(issuer+"/token", "application/x-www-form-urlencoded", strings.NewReader(body+"&client_id=client_id&client_secret=client_secret"))
		require.NoError(t, err)
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		return resp.StatusCode, string(b)
	}
	stop := func(cmd *exec.Cmd, exited chan error) {
		require.NoError(t, cmd.Process.Signal(syscall.SIGTERM))
		select {
		case err := <-exited:
			assert.NoError(t, err)
		case <-time.After(10 * time.Second):
			t.Fatal("no exit after SIGTERM")
		}
		exited <- nil
	}

	issuer, cmd, exited, stderr := startBinary(t, bin, append([]string{"-addr", "127.0.0.1:0"}, args...)...)
	code, body := grant(issuer, "grant_type=password&username=johndoe&password=A3ddj3w")
	require.Equal(t, http.StatusOK, code, body)
	rt := between(body, `"refresh_token":"`, `"`)
	code, body = grant(issuer, "grant_type=refresh_token&refresh_token="+rt)
	require.Equal(t, http.StatusOK, code, body)
	rt2 := between(body, `"refresh_token":"`, `"`)
	stop(cmd, exited)
	assert.NotContains(t, stderr.String(), rt)

	issuer2, cmd2, exited2, _ := startBinary(t, bin, append([]string{"-addr", strings.TrimPrefix(issuer, "http://")}, args...)...)
	code, body = grant(issuer2, "grant_type=refresh_token&refresh_token="+rt2)
	assert.Equal(t, http.StatusOK, code, "a refresh token survives a restart with -state: %s", body)
	code, _ = grant(issuer2, "grant_type=refresh_token&refresh_token="+rt)
	assert.Equal(t, http.StatusBadRequest, code, "and a rotated one is still dead")
	stop(cmd2, exited2)
}

func between(s, start, end string) string {
	_, rest, ok := strings.Cut(s, start)
	if !ok {
		return ""
	}
	v, _, _ := strings.Cut(rest, end)
	return v
}
