package main

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ropcgo/ropc/mockserver"
	"github.com/ropcgo/ropc/mockserver/mocktest"
	"github.com/ropcgo/ropc/sdk/tokenfile"
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

// TestDPoPSavedSession: 'ropc token --dpop-key FILE --save NAME' keeps the key with the token
// (in the real Secret Service, or the 0600 file), so get, refresh and logout --from NAME work
// without --dpop-key, even once the key file is gone; a --dpop-key that is not the saved key is
// refused with exit 2. The private key never reaches standard output or error.
func TestDPoPSavedSession(t *testing.T) {
	for _, store := range []string{"keychain", "file"} {
		t.Run(store, func(t *testing.T) {
			mock := startMockProc(t)
			d := newDesktop(t, secretService(t).Address)
			dir := t.TempDir()
			key, other := filepath.Join(dir, "dpop.jwk"), filepath.Join(dir, "other.jwk")
			var outputs strings.Builder
			run := func(stdin string, args ...string) result {
				r := d.run(stdin, append(args, "--store", store)...)
				outputs.WriteString(r.stdout + r.stderr)
				return r
			}

			r := run(demoPassword, "token", "--token-url", mock.URL+"/token", "--client-id", "public-client", "--auth", "none",
				"--username", "johndoe", "--password-stdin", "--dpop-key", key, "--save", "work", "--revocation-url", mock.URL+"/revoke")
			require.Equal(t, exitOK, r.code, r.stderr)
			privateD := jwkMember(t, key, "d")
			if store == "file" {
				rec := savedFile(t, d, "work")
				assert.Contains(t, rec, `"dpop_jwk"`, "the key is kept with the token")
				assert.Contains(t, rec, privateD)
			} else {
				rec := savedRecord(t, d, "work")
				assert.Contains(t, rec, `"dpop_jkt"`)
				assert.Contains(t, rec, privateD, "the key is kept with the token in the keychain")
			}
			require.NoError(t, os.Remove(key), "from now on only the saved key can sign")

			r = run("", "get", mock.URL+"/userinfo", "--from", "work")
			require.Equal(t, exitOK, r.code, r.stderr)
			assert.Contains(t, r.stdout, `"sub":"johndoe"`)

			// The mock's clock stays: a proof's iat is checked against it (RFC 9449 §11.1).
			r = run("", "refresh", "--from", "work", "--force")
			require.Equal(t, exitOK, r.code, r.stderr)
			assert.Equal(t, true, decodeJSON(t, r.stdout)["refreshed"], "the saved key proves possession for the refresh")
			r = run("", "get", mock.URL+"/userinfo", "--from", "work")
			require.Equal(t, exitOK, r.code, r.stderr)

			// Another key: refused before any request, naming the problem.
			r = run("", "get", mock.URL+"/userinfo", "--from", "work", "--dpop-key", other)
			assert.Equal(t, exitUsage, r.code)
			assert.Contains(t, r.stderr, `saved token "work": its token is bound to DPoP key `)
			assert.Contains(t, r.stderr, "not to this client's key")
			assert.Contains(t, r.stderr, "run without --dpop-key to use it")
			r = run("", "logout", "--from", "work", "--dpop-key", other)
			assert.Equal(t, exitUsage, r.code)

			r = run("", "logout", "--from", "work")
			require.Equal(t, exitOK, r.code, r.stderr)
			assert.Equal(t, true, decodeJSON(t, r.stdout)["revoked"])
			r = run("", "get", mock.URL+"/userinfo", "--from", "work")
			assert.Equal(t, exitUsage, r.code, "the entry, key included, is gone")
			assert.NotContains(t, outputs.String(), privateD, "the private key is never printed")
		})
	}
}

// TestDPoPSavedThumbprintOnly: a session saved by a Go app whose key could not be exported names
// the key by its thumbprint only; ropc asks for --dpop-key and accepts only that key.
func TestDPoPSavedThumbprintOnly(t *testing.T) {
	mock := startMockProc(t)
	d := newDesktop(t, secretService(t).Address)
	dir := t.TempDir()
	key, other := filepath.Join(dir, "dpop.jwk"), filepath.Join(dir, "other.jwk")
	r := d.run(demoPassword, "token", "--token-url", mock.URL+"/token", "--client-id", "public-client", "--auth", "none",
		"--username", "johndoe", "--password-stdin", "--dpop-key", key, "--save", "hsm", "--store", "file")
	require.Equal(t, exitOK, r.code, r.stderr)
	// Drop the key from the record, as a save with a signer that cannot be exported writes it.
	st := fileStore(t, d)
	rec, err := st.Load(context.Background(), "hsm")
	require.NoError(t, err)
	require.NotEmpty(t, rec.DPoPThumbprint)
	rec.DPoPKey = nil
	require.NoError(t, st.Save(context.Background(), "hsm", rec))

	r = d.run("", "get", mock.URL+"/userinfo", "--from", "hsm", "--store", "file")
	assert.Equal(t, exitUsage, r.code)
	assert.Contains(t, r.stderr, `saved token "hsm" is bound to a DPoP key that was not saved with it: pass --dpop-key FILE with that key`)
	r = d.run("", "get", mock.URL+"/userinfo", "--from", "hsm", "--store", "file", "--dpop-key", other)
	assert.Equal(t, exitUsage, r.code)
	assert.Contains(t, r.stderr, "only its thumbprint was saved: resume with the same key")
	r = d.run("", "get", mock.URL+"/userinfo", "--from", "hsm", "--store", "file", "--dpop-key", key)
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Contains(t, r.stdout, `"sub":"johndoe"`)
}

// jwkMember is one member of the JWK in file.
func jwkMember(t *testing.T, file, name string) string {
	t.Helper()
	b, err := os.ReadFile(file)
	require.NoError(t, err)
	var m map[string]any
	require.NoError(t, json.Unmarshal(b, &m))
	v, _ := m[name].(string)
	require.NotEmpty(t, v)
	return v
}

// fileStore opens the desktop's --store file directory.
func fileStore(t *testing.T, d *desktop) *tokenfile.Store {
	t.Helper()
	for _, e := range d.env {
		if v, ok := strings.CutPrefix(e, "XDG_CONFIG_HOME="); ok {
			st, err := tokenfile.Open(filepath.Join(v, "ropc", "tokens"))
			require.NoError(t, err)
			return st
		}
	}
	t.Fatal("no XDG_CONFIG_HOME")
	return nil
}

// savedFile is the --store file record under name, checked to be mode 0600.
func savedFile(t *testing.T, d *desktop, name string) string {
	t.Helper()
	st := fileStore(t, d)
	fi, err := os.Stat(st.Path(name))
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), fi.Mode().Perm())
	b, err := os.ReadFile(st.Path(name))
	require.NoError(t, err)
	return string(b)
}

// savedRecord reads the keychain record with secret-tool (libsecret), outside ropc.
func savedRecord(t *testing.T, d *desktop, name string) string {
	t.Helper()
	tool, err := exec.LookPath("secret-tool")
	require.NoError(t, err, "secret-tool not found: apt-get install -y libsecret-tools")
	cmd := exec.Command(tool, "lookup", "service", "ropc", "username", name)
	cmd.Env = d.env
	out, err := cmd.Output()
	require.NoError(t, err)
	return string(out)
}
