package sdk_test

import (
	"context"
	"crypto"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ropcgo/ropc/sdk"
	"github.com/ropcgo/ropc/sdk/tokenfile"
)

// opaqueSigner is a crypto.Signer whose private key cannot be read, as an HSM's or a TPM's: a
// real key behind the interface only.
type opaqueSigner struct{ crypto.Signer }

func edKey(t *testing.T) ed25519.PrivateKey {
	t.Helper()
	_, k, err := ed25519.GenerateKey(rand.Reader)
	require.NoError(t, err)
	return k
}

// privateD is the private member of k's JWK, which no message or output may contain.
func privateD(t *testing.T, k crypto.Signer) string {
	t.Helper()
	b, err := jose.JSONWebKey{Key: k}.MarshalJSON()
	require.NoError(t, err)
	var m map[string]string
	require.NoError(t, json.Unmarshal(b, &m))
	require.NotEmpty(t, m["d"])
	return m["d"]
}

// TestDPoPSessionResumesWithSavedKey: a DPoP-bound session saved to a file store keeps its key;
// a new client built with SavedDPoPKey resumes it, uses the token at the mock's /userinfo and
// refreshes it (the mock refuses a refresh of a bound token with another key); a client with
// another key or none is refused with an error naming the problem.
func TestDPoPSessionResumesWithSavedKey(t *testing.T) {
	for _, tc := range []struct {
		name string
		key  func(*testing.T) crypto.Signer
	}{
		{"ES256", func(t *testing.T) crypto.Signer { return ecKey(t) }},
		{"EdDSA", func(t *testing.T) crypto.Signer { return edKey(t) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			m := dpopMock(t)
			dir := filepath.Join(t.TempDir(), "tokens")
			st, err := tokenfile.Open(dir)
			require.NoError(t, err)
			key := tc.key(t)
			withClock := func(c *sdk.Config) { c.Now = m.Now }
			first := dpopClient(t, m, "dpop", key, withClock)
			tok, err := first.PasswordToken(ctx, m.Username, m.Password)
			require.NoError(t, err)
			require.Equal(t, "DPoP", tok.TokenType)
			require.NoError(t, first.TokenSource(tok, sdk.WithStore(st, "work")).Save(ctx))

			rec, err := st.Load(ctx, "work")
			require.NoError(t, err)
			assert.Equal(t, first.Thumbprint(), rec.DPoPThumbprint)
			require.NotEmpty(t, rec.DPoPKey, "an exportable key is saved with the token")
			files, err := filepath.Glob(filepath.Join(dir, "*"))
			require.NoError(t, err)
			for _, f := range files {
				fi, err := os.Stat(f)
				require.NoError(t, err)
				if !fi.IsDir() {
					assert.Equal(t, os.FileMode(0o600), fi.Mode().Perm(), f)
				}
			}
			d := privateD(t, key)
			assert.NotContains(t, rec.String(), d)

			// A new process: the key comes from the record.
			saved, err := sdk.SavedDPoPKey(rec)
			require.NoError(t, err)
			resumed := dpopClient(t, m, "dpop", saved, withClock)
			assert.Equal(t, first.Thumbprint(), resumed.Thumbprint())
			ts, err := sdk.LoadTokenSource(ctx, resumed, st, "work")
			require.NoError(t, err)
			status, claims := userinfo(t, ts.Client(&http.Client{}), m.URL+"/userinfo")
			require.Equal(t, http.StatusOK, status)
			assert.Equal(t, m.Username, claims["sub"])
			m.Advance(2 * time.Hour)
			fresh, err := ts.Token(ctx)
			require.NoError(t, err, "the saved key proves possession for the refresh")
			require.NotEqual(t, tok.AccessToken, fresh.AccessToken)
			rec, err = st.Load(ctx, "work")
			require.NoError(t, err)
			assert.Equal(t, fresh.AccessToken, rec.Token.AccessToken)
			assert.Equal(t, first.Thumbprint(), rec.DPoPThumbprint, "the key stays with the refreshed token")
			assert.NotEmpty(t, rec.DPoPKey)

			// Another key, or none: refused before any request, naming the problem.
			for _, bad := range []struct {
				name string
				key  crypto.Signer
				want string
			}{
				{"other key", ecKey(t), "bound to DPoP key " + first.Thumbprint() + ", not to this client's key"},
				{"no key", nil, "this client has no DPoP key; the record holds that key"},
			} {
				c := dpopClient(t, m, "dpop", bad.key, withClock)
				_, err := sdk.LoadTokenSource(ctx, c, st, "work")
				var se *sdk.SavedTokenError
				require.ErrorAs(t, err, &se, bad.name)
				var ste *sdk.StoreError
				require.ErrorAs(t, err, &ste, bad.name)
				assert.Contains(t, err.Error(), bad.want, bad.name)
				assert.NotContains(t, err.Error(), d, bad.name)
			}
		})
	}
}

// TestDPoPSessionWithOpaqueSigner: a key that cannot be exported is saved as its thumbprint only;
// the session resumes with the same signer and is refused, with a clear error, without it.
func TestDPoPSessionWithOpaqueSigner(t *testing.T) {
	ctx := context.Background()
	m := dpopMock(t)
	st, err := tokenfile.Open(filepath.Join(t.TempDir(), "tokens"))
	require.NoError(t, err)
	withClock := func(c *sdk.Config) { c.Now = m.Now }
	hsm := opaqueSigner{ecKey(t)}
	c := dpopClient(t, m, "dpop", hsm, withClock)
	tok, err := c.PasswordToken(ctx, m.Username, m.Password)
	require.NoError(t, err)
	require.NoError(t, c.TokenSource(tok, sdk.WithStore(st, "hsm")).Save(ctx))

	rec, err := st.Load(ctx, "hsm")
	require.NoError(t, err)
	assert.Empty(t, rec.DPoPKey, "nothing to export")
	assert.Equal(t, c.Thumbprint(), rec.DPoPThumbprint)
	_, err = sdk.SavedDPoPKey(rec)
	assert.ErrorContains(t, err, "bound to a DPoP key that was not saved (it could not be exported): configure the same key as Config.DPoP")

	same := dpopClient(t, m, "dpop", hsm, withClock)
	ts, err := sdk.LoadTokenSource(ctx, same, st, "hsm")
	require.NoError(t, err)
	m.Advance(2 * time.Hour)
	_, err = ts.Token(ctx)
	require.NoError(t, err)
	rec, err = st.Load(ctx, "hsm")
	require.NoError(t, err)
	assert.Empty(t, rec.DPoPKey)
	assert.Equal(t, c.Thumbprint(), rec.DPoPThumbprint)

	for _, key := range []crypto.Signer{nil, ecKey(t)} {
		_, err = sdk.LoadTokenSource(ctx, dpopClient(t, m, "dpop", key, withClock), st, "hsm")
		assert.ErrorContains(t, err, "the key could not be exported, so only its thumbprint was saved: resume with the same key")
	}
}

// TestDPoPSessionBearerDowngrade: a Bearer token a DPoP client accepted (DPoPAllowBearer) is not
// bound, so its record names no key and any client may resume it.
func TestDPoPSessionBearerDowngrade(t *testing.T) {
	ctx := context.Background()
	m := dpopMock(t)
	st, err := tokenfile.Open(filepath.Join(t.TempDir(), "tokens"))
	require.NoError(t, err)
	c := dpopClient(t, m, "no-dpop", ecKey(t), func(c *sdk.Config) { c.DPoPAllowBearer = true })
	tok, err := c.PasswordToken(ctx, m.Username, m.Password)
	require.NoError(t, err)
	require.Equal(t, "Bearer", tok.TokenType)
	require.NoError(t, c.TokenSource(tok, sdk.WithStore(st, "b")).Save(ctx))
	rec, err := st.Load(ctx, "b")
	require.NoError(t, err)
	assert.Empty(t, rec.DPoPKey)
	assert.Empty(t, rec.DPoPThumbprint)
	_, err = sdk.LoadTokenSource(ctx, dpopClient(t, m, "no-dpop", nil), st, "b")
	require.NoError(t, err)
}

// TestSavedDPoPKeyRefusesDamagedKey: a record whose private key does not match its public half
// (edited, or damaged) is refused, without quoting the key.
func TestSavedDPoPKeyRefusesDamagedKey(t *testing.T) {
	a, b := ecKey(t), ecKey(t)
	jwk, err := jose.JSONWebKey{Key: a}.MarshalJSON()
	require.NoError(t, err)
	var mm map[string]string
	require.NoError(t, json.Unmarshal(jwk, &mm))
	mm["d"] = privateD(t, b)
	mixed, err := json.Marshal(mm)
	require.NoError(t, err)
	rec := &sdk.SavedToken{Token: &sdk.Token{AccessToken: "at", TokenType: "DPoP"}, ClientID: "c",
		TokenURL: "https://as.example/token", DPoPKey: mixed}
	_, err = sdk.SavedDPoPKey(rec)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "saved DPoP key")
	assert.NotContains(t, err.Error(), mm["d"])

	// A bearer record has no key and needs none.
	key, err := sdk.SavedDPoPKey(&sdk.SavedToken{Token: &sdk.Token{AccessToken: "at", TokenType: "Bearer"}})
	require.NoError(t, err)
	assert.Nil(t, key)
}
