package main

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ropcgo/ropc/mockserver"
	"github.com/ropcgo/ropc/mockserver/mocktest"
	"github.com/ropcgo/ropc/sdk/keychain/secretservicetest"
)

func dpopCLIMock(t *testing.T) *mocktest.Server {
	t.Helper()
	cfg := mockserver.DefaultConfig()
	cfg.Clients = append(cfg.Clients,
		mockserver.Client{ClientID: "dpop-nonce", Public: true, Scopes: []string{"read"}, DPoP: mockserver.DPoPRequired, DPoPNonce: true},
		mockserver.Client{ClientID: "no-dpop", Public: true, Scopes: []string{"read"}, DPoP: mockserver.DPoPIgnored},
	)
	return mocktest.New(t, mocktest.WithConfig(cfg))
}

// TestDPoPCommands: token, refresh, get and revoke with one --dpop-key file
// against a client that requires DPoP with server nonces.
func TestDPoPCommands(t *testing.T) {
	m := dpopCLIMock(t)
	keyFile := filepath.Join(t.TempDir(), "dpop.jwk")
	common := []string{"--token-url", m.TokenURL, "--client-id", "dpop-nonce", "--auth", "none", "--dpop-key", keyFile}

	r := ropc(t, demoPassword, nil, append([]string{"token", "--username", "johndoe", "--password-stdin"}, common...)...)
	require.Equal(t, exitOK, r.code, r.stderr)
	tok := decodeToken(t, r.stdout)
	assert.Equal(t, "DPoP", tok["token_type"])

	// The key file was created private, and is never rewritten.
	st, err := os.Stat(keyFile)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), st.Mode().Perm())
	keyBytes, err := os.ReadFile(keyFile)
	require.NoError(t, err)
	var jwk jose.JSONWebKey
	require.NoError(t, jwk.UnmarshalJSON(keyBytes))
	assert.False(t, jwk.IsPublic())

	r = ropc(t, r.stdout, nil, append([]string{"refresh", "--refresh-token-stdin"}, common...)...)
	require.Equal(t, exitOK, r.code, r.stderr)
	fresh := r.stdout
	assert.Equal(t, "DPoP", decodeToken(t, fresh)["token_type"])

	r = ropc(t, fresh, nil, append([]string{"get", m.URL + "/userinfo", "--token-stdin"}, common...)...)
	require.Equal(t, exitOK, r.code, r.stderr)
	var claims map[string]any
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &claims))
	assert.Equal(t, "johndoe", claims["sub"])

	// Another key cannot use the bound refresh token.
	other := append(append([]string{}, common[:len(common)-1]...), filepath.Join(t.TempDir(), "other.jwk"))
	r = ropc(t, fresh, nil, append([]string{"refresh", "--refresh-token-stdin"}, other...)...)
	assert.Equal(t, exitOAuth, r.code)
	assert.Equal(t, "invalid_grant", decodeOAuthError(t, r.stderr)["error"])

	r = ropc(t, fresh, nil, append([]string{"revoke", "--token-stdin", "--revocation-url", m.URL + "/revoke"}, common...)...)
	require.Equal(t, exitOK, r.code, r.stderr)

	again, err := os.ReadFile(keyFile)
	require.NoError(t, err)
	assert.Equal(t, keyBytes, again, "an existing key file is used as it is")
	for _, e := range m.Requests() {
		if e.ClientID == "dpop-nonce" || e.Path == "/userinfo" {
			assert.True(t, e.DPoP, "%s %s", e.Method, e.Path)
		}
	}
	assertNoSecretsIn(t, r.stderr+r.stdout, str(tok, "access_token"), str(tok, "refresh_token"))
}

func str(m map[string]any, k string) string { s, _ := m[k].(string); return s }

func TestDPoPBearerDowngradeExits3(t *testing.T) {
	m := dpopCLIMock(t)
	keyFile := filepath.Join(t.TempDir(), "dpop.jwk")
	args := []string{"token", "--token-url", m.TokenURL, "--client-id", "no-dpop", "--auth", "none", "--dpop-key", keyFile, "--username", "johndoe", "--password-stdin"}
	r := ropc(t, demoPassword, nil, args...)
	assert.Equal(t, exitFailure, r.code)
	assert.Contains(t, r.stderr, "not bound to the key")
	assert.Empty(t, r.stdout)

	r = ropc(t, demoPassword, nil, append(args, "--dpop-allow-bearer")...)
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Equal(t, "Bearer", decodeToken(t, r.stdout)["token_type"])
}

func TestDPoPKeyFileErrors(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(p, []byte(content), 0o600))
		return p
	}
	pub := write("pub.jwk", `{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}`)
	tests := []struct{ name, file, want string }{
		{"not JSON", write("bad.jwk", "nope"), "not a JSON Web Key"},
		{"public key", pub, "public key"},
		{"missing directory", filepath.Join(dir, "no", "such", "key.jwk"), "cannot create"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := ropc(t, demoPassword, nil, "token", "--token-url", "http://127.0.0.1:1/token", "--client-id", "c", "--auth", "none",
				"--dpop-key", tt.file, "--username", "johndoe", "--password-stdin")
			assert.Equal(t, exitUsage, r.code)
			assert.Contains(t, r.stderr, tt.want)
		})
	}
	r := ropc(t, "", nil, "token", "--token-url", "http://127.0.0.1:1/token", "--client-id", "c", "--auth", "none", "--dpop-allow-bearer", "--username", "u", "--password-stdin")
	assert.Equal(t, exitUsage, r.code)
	assert.True(t, strings.Contains(r.stderr, "--dpop-key"), r.stderr)
}

func TestDPoPEd25519KeyFile(t *testing.T) {
	m := dpopCLIMock(t)
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	require.NoError(t, err)
	b, err := jose.JSONWebKey{Key: priv}.MarshalJSON()
	require.NoError(t, err)
	keyFile := filepath.Join(t.TempDir(), "ed.jwk")
	require.NoError(t, os.WriteFile(keyFile, b, 0o600))
	r := ropc(t, demoPassword, nil, "token", "--token-url", m.TokenURL, "--client-id", "dpop-nonce", "--auth", "none",
		"--dpop-key", keyFile, "--username", "johndoe", "--password-stdin")
	require.Equal(t, exitOK, r.code, r.stderr)
	claims := decodeToken(t, r.stdout)
	assert.Equal(t, "DPoP", claims["token_type"])
}

// TestDPoPSavedSession: a DPoP-bound session saved with --save is used with --from and the same
// --dpop-key; the key is not part of the saved record, so without it the token is refused (exit 3).
func TestDPoPSavedSession(t *testing.T) {
	mock := startMockProc(t)
	bus, err := secretservicetest.StartBus()
	require.NoError(t, err)
	t.Cleanup(bus.Close)
	d := newDesktop(t, bus.Address)
	key := filepath.Join(t.TempDir(), "dpop.jwk")

	r := d.run(demoPassword, "token", "--token-url", mock.URL+"/token", "--client-id", "public-client", "--auth", "none",
		"--username", "johndoe", "--password-stdin", "--dpop-key", key, "--save", "work", "--store", "file")
	require.Equal(t, exitOK, r.code, r.stderr)
	r = d.run("", "get", mock.URL+"/userinfo", "--from", "work", "--store", "file", "--dpop-key", key)
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Contains(t, r.stdout, `"sub":"johndoe"`)
	r = d.run("", "get", mock.URL+"/userinfo", "--from", "work", "--store", "file")
	assert.Equal(t, exitFailure, r.code)
	assert.Contains(t, r.stderr, "DPoP")
}
