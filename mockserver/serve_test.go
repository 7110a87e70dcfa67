package mockserver

import (
	"context"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestServeGracefulShutdown(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	srv, err := New(nil, Options{})
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- Serve(ctx, ln, srv, nil) }()

	resp, err := http.Get("http://" + ln.Addr().String() + "/healthz")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)

	cancel()
	select {
	case err := <-done:
		assert.NoError(t, err)
	case <-time.After(5 * time.Second):
		t.Fatal("Serve did not return after cancel")
	}
	_, err = http.Get("http://" + ln.Addr().String() + "/healthz")
	assert.Error(t, err, "listener closed")
}

func TestReloadFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "mock.json")
	cfg := DefaultConfig()
	cfg.Issuer = "http://127.0.0.1:1234"
	ts := newTestServer(t, cfg, Options{})
	require.NoError(t, os.WriteFile(path, []byte(`{"clients":[{"client_id":"client_id","client_secret":"client_secret","scopes":["read"]}],
		"users":[{"username":"neo","password":"red-pill"}]}`), 0o600))
	require.NoError(t, ts.ReloadFile(path))
	m := ts.mustPassword("neo", "red-pill")
	assert.Equal(t, "read", m["scope"])
	assert.Equal(t, "http://127.0.0.1:1234", ts.Config().Issuer, "issuer kept when the file has none")

	require.NoError(t, os.WriteFile(path, []byte(`{"clients":[]}`), 0o600))
	err := ts.ReloadFile(path)
	require.Error(t, err)
	assert.True(t, strings.HasPrefix(err.Error(), path+": clients"), err.Error())
	ts.mustPassword("neo", "red-pill")
}

func TestServerTimeouts(t *testing.T) {
	hs := NewHTTPServer(http.NotFoundHandler(), nil)
	assert.Equal(t, ReadHeaderTimeout, hs.ReadHeaderTimeout)
	assert.Equal(t, ReadTimeout, hs.ReadTimeout, "a stalled body is cut off")
	assert.Equal(t, IdleTimeout, hs.IdleTimeout)
	assert.Positive(t, ReadTimeout)
	assert.Positive(t, IdleTimeout)
}
