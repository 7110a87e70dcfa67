package mockserver

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"net/http"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestKeyFileCreatedOnceAndReused(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sub", "key.jwk")
	k1, err := LoadOrCreateKeyFile(path, nil)
	require.NoError(t, err)
	st, err := os.Stat(path)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), st.Mode().Perm())
	k2, err := LoadOrCreateKeyFile(path, nil)
	require.NoError(t, err)
	assert.True(t, k1.(ed25519.PrivateKey).Equal(k2))
}

func TestTokensSurviveRestartWithKeyFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "key.jwk")
	cfg := DefaultConfig()
	cfg.Issuer = "http://127.0.0.1:8080"
	a := newTestServer(t, cfg, Options{KeyFile: path})
	at := str(a.mustPassword("johndoe", "A3ddj3w"), "access_token")
	// A "restarted" mock: new Server, empty store, same key file. JWT access
	// tokens need no store entry, so only the key decides.
	b := newTestServer(t, cfg, Options{KeyFile: path, Store: NewMemoryStore()})
	assert.Equal(t, http.StatusOK, b.userinfo(at).Code)
	c := newTestServer(t, cfg, Options{})
	assert.Equal(t, http.StatusUnauthorized, c.userinfo(at).Code, "another key rejects it")
}

func TestSigningKeyInConfig(t *testing.T) {
	for name, gen := range map[string]func() ([]byte, error){
		"Ed25519": func() ([]byte, error) {
			k, err := GenerateSigningKey(nil)
			if err != nil {
				return nil, err
			}
			return MarshalSigningKey(k)
		},
		"P-256": func() ([]byte, error) {
			k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
			if err != nil {
				return nil, err
			}
			return MarshalSigningKey(k)
		},
	} {
		t.Run(name, func(t *testing.T) {
			jwk, err := gen()
			require.NoError(t, err)
			cfg := DefaultConfig()
			cfg.Issuer = "http://127.0.0.1:8080"
			cfg.SigningKey = jwk
			a := newTestServer(t, cfg, Options{})
			at := str(a.mustPassword("johndoe", "A3ddj3w"), "access_token")
			b := newTestServer(t, cfg, Options{})
			assert.Equal(t, http.StatusOK, b.userinfo(at).Code)
			jwks := b.do(http.MethodGet, "/jwks", "", nil)
			assert.NotContains(t, jwks.Body, `"d"`)
		})
	}
}

func TestBadKeys(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.jwk")
	require.NoError(t, os.WriteFile(bad, []byte("not json"), 0o600))
	_, err := LoadOrCreateKeyFile(bad, nil)
	require.Error(t, err)
	assert.Contains(t, err.Error(), bad)

	p384, err := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	require.NoError(t, err)
	_, err = New(DefaultConfig(), Options{Key: p384})
	assert.Error(t, err)
	_, err = MarshalSigningKey(p384)
	assert.Error(t, err)
}
