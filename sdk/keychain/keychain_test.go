package keychain

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/zalando/go-keyring"

	"github.com/ropcgo/ropc/sdk"
	"github.com/ropcgo/ropc/sdk/keychain/secretservicetest"
)

// service is the private Secret Service every test in this package talks to (TestMain).
var service *secretservicetest.Service

func TestMain(m *testing.M) {
	if mode := os.Getenv("ROPC_KEYCHAIN_TEST_OPEN"); mode != "" {
		// Child process of TestOpenWithoutKeychain: report what Open says, then exit.
		_, err := Open(WithLockDir(os.TempDir()))
		fmt.Printf("unavailable=%t\n%v\n", errors.Is(err, ErrUnavailable), err)
		os.Exit(0)
	}
	var err error
	if service, err = secretservicetest.Start(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	// go-keyring reaches the Secret Service on the session bus named here.
	os.Setenv("DBUS_SESSION_BUS_ADDRESS", service.Address)
	code := m.Run()
	service.Close()
	os.Exit(code)
}

// rfc7515KeyA3 is the P-256 private key of RFC 7515 Appendix A.3, a published test key, as a
// DPoP-bound token's record holds it.
const (
	rfc7515KeyA3 = `{"kty":"EC","crv":"P-256","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU",` +
		`"y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0","d":"jpsQnnGQmL-YBIffH1136cLSG7Tnc7h1Fp3WF2HHoqc"}`
	rfc7515KeyA3Thumbprint = "oKIywvGUpTVTyxMQ3bwIIeQUudfr_CkLMjCE19ECD-U" // RFC 7638 SHA-256
)

// bigRecord is a record like a real one with a JWT access token full of claims, a refresh token
// and an ID token, padded to at least size bytes once encoded.
func bigRecord(size int) *sdk.SavedToken {
	exp := int64(3600)
	pad := strings.Repeat("eyJhbGciOiJSUzI1NiJ9", size/20+20)
	return &sdk.SavedToken{
		Token: &sdk.Token{
			AccessToken: "at." + pad[:size/2], TokenType: "Bearer", RefreshToken: "rt-" + pad[:200],
			ExpiresIn: &exp, Expiry: time.Unix(1_900_000_000, 0), Scope: "openid profile offline_access",
			Raw: map[string]any{"id_token": "id." + pad[:size/2]},
		},
		TokenURL: "https://as.example/token", ClientID: "app", AuthMethod: sdk.AuthNone,
		DPoPKey: []byte(rfc7515KeyA3), DPoPThumbprint: rfc7515KeyA3Thumbprint,
	}
}

var serviceSeq atomic.Int32

// openTest opens a store on a service name of its own, so tests do not see each other's items.
func openTest(t *testing.T) *Store {
	t.Helper()
	s, err := Open(WithService(fmt.Sprintf("ropc-test-%d", serviceSeq.Add(1))), WithLockDir(t.TempDir()))
	require.NoError(t, err)
	return s
}

func TestSecretServiceRoundTrip(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name       string
		size       int
		limit      int // 0: the platform's
		wantChunks int
	}{
		{"small record", 100, 0, 0},
		{"record over 6 KB in one item", 6500, 0, 0},
		{"record over 6 KB chunked at the Windows limit", 6500, itemLimit("windows"), 3},
		{"record over 6 KB chunked at the macOS limit", 6500, itemLimit("darwin"), 4},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := openTest(t)
			if tc.limit > 0 {
				s.limit = tc.limit
			}
			rec := bigRecord(tc.size)
			require.NoError(t, s.Save(ctx, "session", rec))
			got, err := s.Load(ctx, "session")
			require.NoError(t, err)
			assert.Equal(t, rec.Token.AccessToken, got.Token.AccessToken)
			assert.Equal(t, rec.Token.RefreshToken, got.Token.RefreshToken)
			assert.Equal(t, rec.Token.Raw["id_token"], got.Token.Raw["id_token"])
			assert.True(t, rec.Token.Expiry.Equal(got.Token.Expiry))
			assert.Equal(t, *rec.Token.ExpiresIn, *got.Token.ExpiresIn)
			assert.Equal(t, rec.Token.Scope, got.Token.Scope)
			assert.Equal(t, rec.ClientID, got.ClientID)
			assert.Equal(t, rec.TokenURL, got.TokenURL)
			assert.Equal(t, sdk.AuthNone, got.AuthMethod)
			assert.JSONEq(t, string(rec.DPoPKey), string(got.DPoPKey))
			assert.Equal(t, rec.DPoPThumbprint, got.DPoPThumbprint)

			// The chunks are real items of the Secret Service, read here without the Store.
			head, err := keyring.Get(s.service, "session")
			require.NoError(t, err)
			if tc.wantChunks == 0 {
				assert.True(t, strings.HasPrefix(head, "{"), "one item holds the whole record")
			} else {
				assert.True(t, strings.HasPrefix(head, headPrefix+fmt.Sprint(tc.wantChunks)+":"), "head %q", head)
				for i := 1; i <= tc.wantChunks; i++ {
					p, err := keyring.Get(s.service, chunkAccount("session", i))
					require.NoError(t, err, "chunk %d", i)
					assert.LessOrEqual(t, len(p), s.limit)
				}
			}

			// A smaller record replaces it and leaves no chunk behind.
			require.NoError(t, s.Save(ctx, "session", bigRecord(100)))
			_, err = keyring.Get(s.service, chunkAccount("session", 1))
			assert.ErrorIs(t, err, keyring.ErrNotFound)

			require.NoError(t, s.Delete(ctx, "session"))
			_, err = s.Load(ctx, "session")
			assert.ErrorIs(t, err, sdk.ErrNotSaved)
			require.NoError(t, s.Delete(ctx, "session"), "deleting a missing record is not an error")
		})
	}
}

func TestSecretServiceDamagedRecord(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name   string
		damage func(s *Store)
		reason string
	}{
		{"missing chunk", func(s *Store) { require.NoError(t, keyring.Delete(s.service, chunkAccount("session", 2))) }, "chunk 2 of 3 is missing"},
		{"altered chunk", func(s *Store) {
			p, err := keyring.Get(s.service, chunkAccount("session", 1))
			require.NoError(t, err)
			require.NoError(t, keyring.Set(s.service, chunkAccount("session", 1), "X"+p[1:]))
		}, "do not match the head's SHA-256"},
		{"truncated chunk", func(s *Store) {
			p, err := keyring.Get(s.service, chunkAccount("session", 3))
			require.NoError(t, err)
			require.NoError(t, keyring.Set(s.service, chunkAccount("session", 3), p[:len(p)-1]))
		}, "the head says"},
		{"mangled head", func(s *Store) { require.NoError(t, keyring.Set(s.service, "session", headPrefix+"3:x")) }, "head item is malformed"},
		{"not a record", func(s *Store) { require.NoError(t, keyring.Set(s.service, "session", "hunter2")) }, "not a ropc token record"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := openTest(t)
			s.limit = itemLimit("windows")
			require.NoError(t, s.Save(ctx, "session", bigRecord(6500)))
			tc.damage(s)
			_, err := s.Load(ctx, "session")
			var ce *CorruptError
			require.ErrorAs(t, err, &ce)
			assert.Contains(t, err.Error(), tc.reason)
			assert.NotContains(t, err.Error(), "eyJhbGci", "no token text in the error")
			require.NoError(t, s.Delete(ctx, "session"))
		})
	}
}

func TestOpenWithoutKeychain(t *testing.T) {
	bare, err := secretservicetest.StartBus()
	require.NoError(t, err)
	defer bare.Close()
	for _, tc := range []struct {
		name string
		addr string
	}{
		{"session bus without a Secret Service", bare.Address},
		{"no session bus", "unix:path=" + t.TempDir() + "/no-bus"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cmd := exec.Command(os.Args[0], "-test.run=^$")
			cmd.Env = append(bare.Env(os.Environ()), "ROPC_KEYCHAIN_TEST_OPEN=1", "DBUS_SESSION_BUS_ADDRESS="+tc.addr)
			out, err := cmd.CombinedOutput()
			require.NoError(t, err, "%s", out)
			assert.Contains(t, string(out), "unavailable=true")
			assert.Contains(t, string(out), "no OS keychain available: the Secret Service")
		})
	}
}

func TestLockTokenExcludesOtherHolders(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	unlock, err := s.LockToken(ctx, "session")
	require.NoError(t, err)

	short, cancel := context.WithTimeout(ctx, 150*time.Millisecond)
	defer cancel()
	_, err = s.LockToken(short, "session")
	require.ErrorIs(t, err, context.DeadlineExceeded, "a second holder waits while the first holds the lock")

	var wg sync.WaitGroup
	got := make(chan error, 1)
	wg.Add(1)
	go func() {
		defer wg.Done()
		u, err := s.LockToken(ctx, "session")
		if err == nil {
			u()
		}
		got <- err
	}()
	unlock()
	wg.Wait()
	require.NoError(t, <-got, "released, the lock is taken by the waiter")
}

func TestNamesAreChecked(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	for _, name := range []string{"", "../x", "a/b", "a#1", ".hidden", strings.Repeat("a", 65)} {
		_, err := s.Load(ctx, name)
		var pe *sdk.ParamError
		assert.ErrorAs(t, err, &pe, "name %q", name)
		assert.Error(t, s.Save(ctx, name, bigRecord(10)), "name %q", name)
	}
}
