package mockserver

import (
	"bytes"
	"log/slog"
	"net/http"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestLogsHoldNoSecrets(t *testing.T) {
	var buf bytes.Buffer
	var mu sync.Mutex
	log := slog.New(slog.NewJSONHandler(lockedWriter{&buf, &mu}, &slog.HandlerOptions{Level: slog.LevelDebug}))
	ts := newTestServer(t, nil, Options{Logger: log})
	m := ts.mustPassword("johndoe", "A3ddj3w")
	ts.password("johndoe", "wrong-pass-xyz")
	ts.mustPassword("johndoe", "A3ddj3w")
	ts.refresh(str(m, "refresh_token"))
	ts.refresh(str(m, "refresh_token")) // reuse
	ts.do(http.MethodPost, "/revoke", "token="+str(m, "access_token"), basicHeader("client_id", "client_secret"))
	ts.do(http.MethodPost, "/token", "grant_type=password&username=johndoe&password=A3ddj3w", basicHeader("client_id", "bad-secret-xyz"))
	for i := 0; i < 10; i++ {
		ts.password("janedoe", "wrong-pass-xyz")
	}
	mu.Lock()
	out := buf.String()
	mu.Unlock()
	require.NotEmpty(t, out)
	for _, secret := range []string{"A3ddj3w", "wrong-pass-xyz", "client_secret", "bad-secret-xyz", str(m, "access_token"), str(m, "refresh_token")} {
		assert.NotContains(t, out, secret)
	}
	assert.Contains(t, out, `"level":"WARN"`, "reuse and lockout are logged")
}

type lockedWriter struct {
	b  *bytes.Buffer
	mu *sync.Mutex
}

func (w lockedWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.Write(p)
}

// TestUnknownGrantTypeNotLogged: a password typed into the grant_type field
// must not reach the log, at any level, under the RFC behaviour or a
// provider profile.
func TestUnknownGrantTypeNotLogged(t *testing.T) {
	for _, tc := range []struct{ profile, path string }{
		{"", "/token"},
		{ProfileAuth0, "/oauth/token"},
	} {
		t.Run("profile "+tc.profile, func(t *testing.T) {
			var buf bytes.Buffer
			var mu sync.Mutex
			log := slog.New(slog.NewJSONHandler(lockedWriter{&buf, &mu}, &slog.HandlerOptions{Level: slog.LevelDebug}))
			cfg := DefaultConfig()
			cfg.Profile = tc.profile
			ts := newTestServer(t, cfg, Options{Logger: log})
			for _, gt := range []string{"hunter2-typed-here", "password", "refresh_token"} {
				ts.do(http.MethodPost, tc.path, "grant_type="+gt+"&username=johndoe&password=wrong&client_id=client_id&client_secret=client_secret", nil)
			}
			mu.Lock()
			out := buf.String()
			mu.Unlock()
			assert.NotContains(t, out, "hunter2")
			assert.Contains(t, out, `"grant_type":"unsupported","grant_type_len":18`)
			assert.Contains(t, out, `"grant_type":"password"`, "supported grant types are named")
			assert.Contains(t, out, `"grant_type":"refresh_token"`)
		})
	}
}
