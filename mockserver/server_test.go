package mockserver

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"log/slog"
	mrand "math/rand/v2"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/bcrypt"
)

func TestAccessTokenExpires(t *testing.T) {
	for _, format := range []string{TokenFormatJWT, TokenFormatOpaque} {
		t.Run(format, func(t *testing.T) {
			cfg := DefaultConfig()
			cfg.TokenFormat = format
			cfg.AccessTokenTTL = Duration(10 * time.Minute)
			ts := newTestServer(t, cfg, Options{})
			m := ts.mustPassword("johndoe", "A3ddj3w")
			assert.Equal(t, float64(600), m["expires_in"])
			at := str(m, "access_token")
			assert.Equal(t, http.StatusOK, ts.userinfo(at).Code)
			ts.Clock().Advance(10*time.Minute - time.Second)
			assert.Equal(t, http.StatusOK, ts.userinfo(at).Code, "still valid one second before exp")
			ts.Clock().Advance(time.Second)
			r := ts.userinfo(at)
			assert.Equal(t, http.StatusUnauthorized, r.Code)
			assert.Contains(t, r.Header.Get("WWW-Authenticate"), `error="invalid_token"`)
			assert.Equal(t, false, ts.introspect(at)["active"])
			// The refresh token outlives the access token.
			assert.Equal(t, http.StatusOK, ts.refresh(str(m, "refresh_token")).Code)
		})
	}
}

func TestRefreshTokenExpires(t *testing.T) {
	cfg := DefaultConfig()
	cfg.RefreshTokenTTL = Duration(time.Hour)
	ts := newTestServer(t, cfg, Options{})
	m := ts.mustPassword("johndoe", "A3ddj3w")
	ts.Clock().Advance(time.Hour)
	r := ts.refresh(str(m, "refresh_token"))
	assert.Equal(t, http.StatusBadRequest, r.Code)
	assert.Equal(t, "invalid_grant", r.json(t)["error"])
	assert.Equal(t, false, ts.introspect(str(m, "refresh_token"))["active"])
}

// wrappedStore hides the memory store's type, so the server treats it as a
// networked store and overlaps the success path's store calls.
type wrappedStore struct{ Store }

func TestLockout(t *testing.T) {
	for name, newStore := range map[string]func() Store{
		"memory store, sequential":          NewMemoryStore,
		"networked-style store, overlapped": func() Store { return wrappedStore{NewMemoryStore()} },
	} {
		t.Run(name, func(t *testing.T) { testLockout(t, newStore) })
	}
}

func testLockout(t *testing.T, newStore func() Store) {
	wrong := func(ts *testServer, user string, n int) {
		t.Helper()
		for i := 0; i < n; i++ {
			r := ts.password(user, "nope")
			require.Equal(t, http.StatusBadRequest, r.Code)
		}
	}
	t.Run("default policy locks after 10 failures for a minute", func(t *testing.T) {
		ts := newTestServer(t, nil, Options{Store: newStore()})
		wrong(ts, "johndoe", 9)
		ts.mustPassword("johndoe", "A3ddj3w") // success clears the count
		wrong(ts, "johndoe", 9)
		assert.Equal(t, http.StatusOK, ts.password("johndoe", "A3ddj3w").Code, "9 failures do not lock")
		wrong(ts, "johndoe", 10)
		r := ts.password("johndoe", "A3ddj3w")
		assert.Equal(t, http.StatusBadRequest, r.Code, "locked: even the right password gets no token")
		assert.Equal(t, "invalid_grant", r.json(t)["error"])
		assert.Equal(t, http.StatusOK, ts.password("janedoe", "S3cr3t-jane").Code, "other users unaffected")
		ts.Clock().Advance(59 * time.Second)
		assert.Equal(t, http.StatusBadRequest, ts.password("johndoe", "A3ddj3w").Code)
		ts.Clock().Advance(time.Second)
		assert.Equal(t, http.StatusOK, ts.password("johndoe", "A3ddj3w").Code, "unlocked after a minute")
	})
	t.Run("failures outside the window do not add up", func(t *testing.T) {
		ts := newTestServer(t, nil, Options{Store: newStore()})
		wrong(ts, "johndoe", 9)
		ts.Clock().Advance(5 * time.Minute)
		wrong(ts, "johndoe", 9)
		assert.Equal(t, http.StatusOK, ts.password("johndoe", "A3ddj3w").Code)
	})
	t.Run("configurable", func(t *testing.T) {
		cfg := DefaultConfig()
		cfg.Lockout = &Lockout{MaxFailures: 3, Window: Duration(time.Minute), Duration: Duration(time.Hour)}
		ts := newTestServer(t, cfg, Options{Store: newStore()})
		wrong(ts, "johndoe", 3)
		ts.Clock().Advance(59 * time.Minute)
		assert.Equal(t, http.StatusBadRequest, ts.password("johndoe", "A3ddj3w").Code)
		ts.Clock().Advance(time.Minute)
		assert.Equal(t, http.StatusOK, ts.password("johndoe", "A3ddj3w").Code)
	})
	t.Run("can be disabled", func(t *testing.T) {
		cfg := DefaultConfig()
		cfg.Lockout = &Lockout{Disabled: true}
		ts := newTestServer(t, cfg, Options{Store: newStore()})
		wrong(ts, "johndoe", 50)
		assert.Equal(t, http.StatusOK, ts.password("johndoe", "A3ddj3w").Code)
	})
	t.Run("unknown usernames lock the same way", func(t *testing.T) {
		ts := newTestServer(t, nil, Options{Store: newStore()})
		wrong(ts, "ghost", 10)
		r := ts.password("ghost", "x")
		assert.Contains(t, r.Body, "too many failed")
		wrong(ts, "johndoe", 1)
		ts.mustPassword("johndoe", "A3ddj3w")
	})
}

func TestBcryptPassword(t *testing.T) {
	hash, err := bcrypt.GenerateFromPassword([]byte("hunter2-secret"), bcrypt.MinCost)
	require.NoError(t, err)
	cfg := DefaultConfig()
	cfg.Users = append(cfg.Users, User{Username: "bob", PasswordBcrypt: string(hash)})
	ts := newTestServer(t, cfg, Options{})
	ts.mustPassword("bob", "hunter2-secret")
	wrongPw := ts.password("bob", "hunter2")
	unknown := ts.password("nobody", "hunter2")
	assert.Equal(t, http.StatusBadRequest, wrongPw.Code)
	assert.Equal(t, unknown.Body, wrongPw.Body)
}

// seeded returns a deterministic random stream (deterministic mode).
func seeded() *mrand.ChaCha8 {
	var seed [32]byte
	copy(seed[:], "ropc-mock deterministic test run")
	return mrand.NewChaCha8(seed)
}

func TestDeterministicMode(t *testing.T) {
	at := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	issue := func() (string, map[string]any) {
		key, err := GenerateSigningKey(seeded())
		require.NoError(t, err)
		clock := NewClock()
		clock.Set(at)
		cfg := DefaultConfig()
		cfg.Issuer = "http://127.0.0.1:8080"
		ts := newTestServer(t, cfg, Options{Key: key, Rand: seeded(), Clock: clock})
		r := ts.password("johndoe", "A3ddj3w")
		require.Equal(t, http.StatusOK, r.Code, r.Body)
		return r.Body, r.json(t)
	}
	body1, m := issue()
	body2, _ := issue()
	assert.Equal(t, body1, body2, "seeded Rand + fixed key + pinned clock give byte-identical responses")

	parts := strings.Split(str(m, "access_token"), ".")
	require.Len(t, parts, 3)
	header, err := base64.RawURLEncoding.DecodeString(parts[0])
	require.NoError(t, err)
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	require.NoError(t, err)
	var h, c map[string]any
	require.NoError(t, json.Unmarshal(header, &h))
	require.NoError(t, json.Unmarshal(payload, &c))
	assert.Equal(t, "EdDSA", h["alg"])
	assert.Equal(t, "at+jwt", h["typ"])
	assert.NotEmpty(t, h["kid"])
	assert.Equal(t, map[string]any{
		"iss": "http://127.0.0.1:8080", "sub": "johndoe", "aud": "http://127.0.0.1:8080", "client_id": "client_id",
		"scope": "read write", "iat": float64(at.Unix()), "exp": float64(at.Add(time.Hour).Unix()),
		"jti": c["jti"], "sid": c["sid"],
	}, c)
	assert.Len(t, c["jti"], 22)
	assert.Len(t, c["sid"], 22)
}

func TestECDSAKey(t *testing.T) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	ts := newTestServer(t, nil, Options{Key: key})
	m := ts.mustPassword("johndoe", "A3ddj3w")
	assert.Equal(t, true, ts.introspect(str(m, "access_token"))["active"])
	hdr, _ := base64.RawURLEncoding.DecodeString(strings.Split(str(m, "access_token"), ".")[0])
	assert.Contains(t, string(hdr), `"alg":"ES256"`)
	meta := ts.do(http.MethodGet, "/.well-known/oauth-authorization-server", "", nil)
	assert.Contains(t, meta.Body, `"ES256"`)
}

func TestConcurrentRefreshOnlyOneWins(t *testing.T) {
	ts := newTestServer(t, nil, Options{})
	rt := str(ts.mustPassword("johndoe", "A3ddj3w"), "refresh_token")
	var wg sync.WaitGroup
	codes := make(chan int, 8)
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			codes <- ts.refresh(rt).Code
		}()
	}
	wg.Wait()
	close(codes)
	ok := 0
	for c := range codes {
		if c == http.StatusOK {
			ok++
		}
	}
	assert.Equal(t, 1, ok, "a refresh token is consumed exactly once")
}

func TestRuntimeUsersAndClients(t *testing.T) {
	ts := newTestServer(t, nil, Options{})
	require.NoError(t, ts.AddUser(User{Username: "alice", Password: "wonderland", Claims: map[string]any{"email": "a@example.com"}}))
	m := ts.mustPassword("alice", "wonderland")
	r := ts.userinfo(str(m, "access_token"))
	require.Equal(t, http.StatusOK, r.Code)
	assert.Equal(t, "a@example.com", r.json(t)["email"])

	require.NoError(t, ts.AddUser(User{Username: "alice", Password: "changed"}), "Add replaces")
	assert.Equal(t, http.StatusBadRequest, ts.password("alice", "wonderland").Code)
	ts.mustPassword("alice", "changed")

	require.NoError(t, ts.RemoveUser("alice"))
	assert.Equal(t, http.StatusUnauthorized, ts.userinfo(str(m, "access_token")).Code, "tokens of a removed user stop working")
	assert.Equal(t, false, ts.introspect(str(m, "access_token"))["active"])
	assert.Equal(t, false, ts.introspect(str(m, "refresh_token"))["active"])
	assert.Equal(t, http.StatusBadRequest, ts.refresh(str(m, "refresh_token")).Code)
	assert.ErrorIs(t, ts.RemoveUser("alice"), ErrNotFound)

	err := ts.AddUser(User{Username: "nopass"})
	var ce *ConfigError
	require.ErrorAs(t, err, &ce)
	assert.Contains(t, ce.Key, "password")

	require.NoError(t, ts.AddClient(Client{ClientID: "svc", ClientSecret: "svc-secret", Scopes: []string{"read"}}))
	r = ts.do(http.MethodPost, "/token", "grant_type=password&username=johndoe&password=A3ddj3w", basicHeader("svc", "svc-secret"))
	require.Equal(t, http.StatusOK, r.Code, r.Body)
	assert.Equal(t, "read", r.json(t)["scope"])
	require.NoError(t, ts.RemoveClient("svc"))
	r = ts.do(http.MethodPost, "/token", "grant_type=password&username=johndoe&password=A3ddj3w", basicHeader("svc", "svc-secret"))
	assert.Equal(t, http.StatusUnauthorized, r.Code)
	assert.ErrorIs(t, ts.RemoveClient("svc"), ErrNotFound)
	assert.Len(t, ts.Config().Clients, 2)
}

func TestReloadKeepsTokensResetClears(t *testing.T) {
	ts := newTestServer(t, nil, Options{})
	m := ts.mustPassword("johndoe", "A3ddj3w")
	cfg := DefaultConfig()
	cfg.AccessTokenTTL = Duration(5 * time.Minute)
	require.NoError(t, ts.Reload(cfg))
	assert.Equal(t, http.StatusOK, ts.userinfo(str(m, "access_token")).Code, "issued tokens survive a reload")
	n := ts.mustPassword("johndoe", "A3ddj3w")
	assert.Equal(t, float64(300), n["expires_in"])

	bad := DefaultConfig()
	bad.Clients = nil
	require.Error(t, ts.Reload(bad))
	assert.Equal(t, float64(300), ts.mustPassword("johndoe", "A3ddj3w")["expires_in"], "a bad reload changes nothing")

	ts.Clock().Advance(time.Hour)
	require.NoError(t, ts.AddUser(User{Username: "tmp", Password: "tmp-pass"}))
	require.NoError(t, ts.Reset())
	assert.WithinDuration(t, time.Now(), ts.Clock().Now(), time.Minute, "clock back to real time")
	assert.Equal(t, http.StatusBadRequest, ts.refresh(str(n, "refresh_token")).Code, "store cleared")
	assert.Equal(t, http.StatusBadRequest, ts.password("tmp", "tmp-pass").Code, "runtime users gone")
}

func TestIssuerWithPath(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Issuer = "https://auth.example/tenant1"
	ts := newTestServer(t, cfg, Options{})
	r := ts.do(http.MethodGet, "/.well-known/oauth-authorization-server/tenant1", "", nil)
	require.Equal(t, http.StatusOK, r.Code)
	m := r.json(t)
	assert.Equal(t, "https://auth.example/tenant1", m["issuer"])
	assert.Equal(t, "https://auth.example/tenant1/token", m["token_endpoint"])
	r = ts.do(http.MethodPost, "/tenant1/token", "grant_type=password&username=johndoe&password=A3ddj3w", basicHeader("client_id", "client_secret"))
	assert.Equal(t, http.StatusOK, r.Code, r.Body)
}

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

func TestUserinfoMethodsAndErrors(t *testing.T) {
	ts := newTestServer(t, nil, Options{})
	at := str(ts.mustPassword("johndoe", "A3ddj3w"), "access_token")
	for _, tc := range []struct {
		name   string
		method string
		header map[string]string
		code   int
		chal   string
	}{
		{"basic scheme is not a bearer token", http.MethodGet, map[string]string{"Authorization": "Basic abc"}, 401, `Bearer realm="ropc-mock"`},
		{"empty bearer", http.MethodGet, map[string]string{"Authorization": "Bearer "}, 400, `error="invalid_request"`},
		{"DELETE not allowed", http.MethodDelete, map[string]string{"Authorization": "Bearer " + at}, 405, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := ts.do(tc.method, "/userinfo", "", tc.header)
			assert.Equal(t, tc.code, r.Code, r.Body)
			if tc.chal != "" {
				assert.Contains(t, r.Header.Get("WWW-Authenticate"), tc.chal)
			}
		})
	}
}

func TestStoreFailureIsNot500(t *testing.T) {
	ts := newTestServer(t, nil, Options{Store: failingStore{NewMemoryStore()}})
	r := ts.password("johndoe", "A3ddj3w")
	assert.Equal(t, http.StatusServiceUnavailable, r.Code)
	assert.Equal(t, "temporarily_unavailable", r.json(t)["error"])
	assert.Equal(t, "no-store", r.Header.Get("Cache-Control"))
}

// failingStore fails every write (a D1 outage, say).
type failingStore struct{ Store }

func (failingStore) PutRefreshToken(context.Context, RefreshToken) error {
	return fmt.Errorf("database unavailable")
}

func TestDescriptionsAreRFCCharset(t *testing.T) {
	ts := newTestServer(t, nil, Options{})
	bodies := []string{
		"grant_type=%E2%9C%93", "grant_type=password&username=%22q%5C&password=x", "grant_type=password&scope=%C3%A9",
		"grant_type=password&username=a&password=b&scope=r%22ead", "grant_type=pass%22word",
	}
	for _, b := range bodies {
		r := ts.do(http.MethodPost, "/token", b, basicHeader("client_id", "client_secret"))
		var m map[string]string
		require.NoError(t, json.Unmarshal([]byte(r.Body), &m), r.Body)
		for _, c := range []byte(m["error_description"]) {
			assert.True(t, c >= 0x20 && c <= 0x7e && c != '"' && c != '\\', "body %q: description %q", b, m["error_description"])
		}
	}
}

func TestUnknownUserCostsABcryptCompare(t *testing.T) {
	hash, err := bcrypt.GenerateFromPassword([]byte("pw-of-bob"), 8)
	require.NoError(t, err)
	cfg := DefaultConfig()
	cfg.Users = append(cfg.Users, User{Username: "bob", PasswordBcrypt: string(hash)})
	ts := newTestServer(t, cfg, Options{})
	cost, err := bcrypt.Cost(ts.state.Load().dummyBcrypt)
	require.NoError(t, err)
	assert.Equal(t, 8, cost, "unknown users pay the same bcrypt cost as bob")
	assert.Equal(t, ts.password("nobody", "x").Body, ts.password("bob", "x").Body)

	plain := newTestServer(t, nil, Options{})
	assert.Nil(t, plain.state.Load().dummyBcrypt, "no bcrypt users: the cheap digest compare")
}

func TestOverlapIOOnlyForNetworkedStores(t *testing.T) {
	assert.False(t, newTestServer(t, nil, Options{}).overlapIO)
	assert.True(t, newTestServer(t, nil, Options{Store: wrappedStore{NewMemoryStore()}}).overlapIO)
}
