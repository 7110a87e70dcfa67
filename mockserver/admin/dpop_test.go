package admin

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// dpopProof signs an RFC 9449 proof with go-jose (a client no one here wrote).
func dpopProof(t *testing.T, key *ecdsa.PrivateKey, method, htu string, extra map[string]any) string {
	t.Helper()
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.ES256, Key: key},
		(&jose.SignerOptions{EmbedJWK: true}).WithType("dpop+jwt"))
	require.NoError(t, err)
	var jti [12]byte
	_, _ = rand.Read(jti[:])
	claims := map[string]any{"jti": base64.RawURLEncoding.EncodeToString(jti[:]), "htm": method, "htu": htu, "iat": time.Now().Unix()}
	for k, v := range extra {
		claims[k] = v
	}
	payload, err := json.Marshal(claims)
	require.NoError(t, err)
	jws, err := signer.Sign(payload)
	require.NoError(t, err)
	out, err := jws.CompactSerialize()
	require.NoError(t, err)
	return out
}

func (f *fixture) publicToken(t *testing.T, proof string) *http.Response {
	t.Helper()
	r := formRequest(f.url, "grant_type=password&username=johndoe&password=A3ddj3w&client_id=public-client")
	if proof != "" {
		r.Header.Set("DPoP", proof)
	}
	resp, err := f.client.Do(r)
	require.NoError(t, err)
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

func TestJournalRecordsDPoP(t *testing.T) {
	f := newFixture(t, Options{Enabled: true})
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)

	good := dpopProof(t, key, "POST", f.url+"/token", nil)
	require.Equal(t, http.StatusOK, f.publicToken(t, good).StatusCode)
	bad := dpopProof(t, key, "POST", f.url+"/revoke", nil)
	require.Equal(t, http.StatusBadRequest, f.publicToken(t, bad).StatusCode)
	require.Equal(t, http.StatusOK, f.publicToken(t, "").StatusCode)

	entries := f.h.Requests()
	require.Len(t, entries, 3)
	assert.True(t, entries[0].DPoP)
	assert.Empty(t, entries[0].DPoPError)
	assert.True(t, entries[1].DPoP)
	assert.Equal(t, "invalid_dpop_proof", entries[1].Error)
	assert.Equal(t, "invalid_dpop_proof: DPoP proof htu does not match the request URL", entries[1].DPoPError)
	assert.False(t, entries[2].DPoP)

	dump, err := json.Marshal(entries)
	require.NoError(t, err)
	for _, p := range []string{good, bad} {
		for _, part := range strings.Split(p, ".") {
			assert.NotContains(t, string(dump), part, "the journal never holds the proof")
		}
	}
}

func TestFaultForcesDPoPErrors(t *testing.T) {
	f := newFixture(t, Options{Enabled: true})
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)

	_, err = f.h.AddFault(Rule{Match: Match{Path: "/token"}, Error: "use_dpop_nonce", Times: 1})
	require.NoError(t, err)
	resp := f.publicToken(t, dpopProof(t, key, "POST", f.url+"/token", nil))
	require.Equal(t, http.StatusBadRequest, resp.StatusCode)
	nonce := resp.Header.Get("DPoP-Nonce")
	require.NotEmpty(t, nonce, "a forced use_dpop_nonce carries a nonce to retry with")
	resp = f.publicToken(t, dpopProof(t, key, "POST", f.url+"/token", map[string]any{"nonce": nonce}))
	require.Equal(t, http.StatusOK, resp.StatusCode)
	var tok map[string]any
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&tok))
	assert.Equal(t, "DPoP", tok["token_type"])
	at := tok["access_token"].(string)

	for _, code := range []string{"use_dpop_nonce", "invalid_dpop_proof"} {
		_, err = f.h.AddFault(Rule{Match: Match{Path: "/userinfo"}, Error: code, Times: 1})
		require.NoError(t, err)
		req, _ := http.NewRequest("GET", f.url+"/userinfo", nil)
		req.Header.Set("Authorization", "DPoP "+at)
		req.Header.Set("DPoP", dpopProof(t, key, "GET", f.url+"/userinfo", nil))
		resp, err := f.client.Do(req)
		require.NoError(t, err)
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		assert.Equal(t, http.StatusUnauthorized, resp.StatusCode, code)
		assert.True(t, strings.HasPrefix(resp.Header.Get("WWW-Authenticate"), `DPoP realm="ropc-mock", error="`+code+`"`), resp.Header.Get("WWW-Authenticate"))
		assert.Equal(t, code == "use_dpop_nonce", resp.Header.Get("DPoP-Nonce") != "", code)
	}
	entries := f.h.Requests()
	assert.Equal(t, "use_dpop_nonce", entries[len(entries)-2].DPoPError)
}
