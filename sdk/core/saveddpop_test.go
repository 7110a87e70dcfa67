package core

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"testing"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// testKey is a DPoP key as go-jose writes it: the private JWK and the RFC 7638 thumbprint go-jose
// computes, which core must agree with.
type testKey struct {
	private []byte
	jkt     string
	d       string // the private member, which must never show in a message
}

func newTestKey(signer crypto.Signer) testKey {
	priv, err := jose.JSONWebKey{Key: signer, Algorithm: DPoPES256, Use: "sig"}.MarshalJSON()
	if _, ed := signer.(ed25519.PrivateKey); ed {
		priv, err = jose.JSONWebKey{Key: signer}.MarshalJSON()
	}
	if err != nil {
		panic(err)
	}
	pub := jose.JSONWebKey{Key: signer.Public()}
	tp, err := pub.Thumbprint(crypto.SHA256)
	if err != nil {
		panic(err)
	}
	var m map[string]any
	if err := json.Unmarshal(priv, &m); err != nil {
		panic(err)
	}
	return testKey{private: priv, jkt: base64.RawURLEncoding.EncodeToString(tp), d: m["d"].(string)}
}

var (
	ecKey = func() testKey {
		k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			panic(err)
		}
		return newTestKey(k)
	}()
	edKey = func() testKey {
		_, k, err := ed25519.GenerateKey(rand.Reader)
		if err != nil {
			panic(err)
		}
		return newTestKey(k)
	}()
	otherKey = func() testKey {
		k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			panic(err)
		}
		return newTestKey(k)
	}()
)

func TestSavedDPoPKeyRoundTrip(t *testing.T) {
	for _, tc := range []struct {
		name    string
		key     []byte
		jkt     string
		wantJKT string
	}{
		{"P-256 key, thumbprint derived", ecKey.private, "", ecKey.jkt},
		{"Ed25519 key and its thumbprint", edKey.private, edKey.jkt, edKey.jkt},
		{"thumbprint only (key not exportable)", nil, ecKey.jkt, ecKey.jkt},
		{"bearer", nil, "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := sampleSaved()
			in.DPoPKey, in.DPoPThumbprint = tc.key, tc.jkt
			b, err := MarshalSavedToken(in)
			require.NoError(t, err)
			if tc.wantJKT != "" {
				assert.Contains(t, string(b), `"dpop_jkt":"`+tc.wantJKT+`"`, "the record names the key")
			} else {
				assert.NotContains(t, string(b), "dpop_jkt")
			}
			out, err := UnmarshalSavedToken(b)
			require.NoError(t, err)
			assert.Equal(t, tc.wantJKT, out.DPoPThumbprint)
			assert.Equal(t, string(tc.key), string(out.DPoPKey))
		})
	}
}

func TestSavedDPoPKeyRejects(t *testing.T) {
	pubOnly, err := jose.JSONWebKey{Key: mustParse(t, ecKey.private).Public()}.MarshalJSON()
	require.NoError(t, err)
	rec := func(extra string) string {
		return `{"v":1,"access_token":"a","token_type":"DPoP","client_id":"c","token_url":"https://a/t"` + extra + `}`
	}
	for _, tc := range []struct {
		name, in, want string
	}{
		{"public key only", rec(`,"dpop_jwk":` + string(pubOnly)), `must be a private key`},
		{"short d", rec(`,"dpop_jwk":{"kty":"EC","crv":"P-256","d":"AAAA"}`), `32-byte base64url "d"`},
		{"unsupported curve", rec(`,"dpop_jwk":{"kty":"RSA","d":"` + ecKey.d + `"}`), `unsupported key`},
		{"key and thumbprint disagree", rec(`,"dpop_jwk":` + string(ecKey.private) + `,"dpop_jkt":"` + otherKey.jkt + `"`), "not the key dpop_jkt names"},
		{"thumbprint not SHA-256", rec(`,"dpop_jkt":"abc"`), "not a base64url SHA-256 thumbprint"},
		{"thumbprint not a string", rec(`,"dpop_jkt":5`), "dpop_jkt has the wrong type"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := UnmarshalSavedToken([]byte(tc.in))
			var se *SavedTokenError
			require.ErrorAs(t, err, &se)
			assert.Contains(t, err.Error(), tc.want)
			assert.NotContains(t, err.Error(), ecKey.d, "the private key never shows in a message")
		})
	}
}

func mustParse(t *testing.T, jwk []byte) crypto.Signer {
	t.Helper()
	var k jose.JSONWebKey
	require.NoError(t, k.UnmarshalJSON(jwk))
	return k.Key.(crypto.Signer)
}

func TestCheckDPoPKey(t *testing.T) {
	bound := func(key []byte, jkt string) *SavedToken {
		s := sampleSaved()
		s.Token.TokenType, s.DPoPKey, s.DPoPThumbprint = "DPoP", key, jkt
		return s
	}
	bearer := sampleSaved()
	bearer.DPoPKey = nil
	legacy := bound(nil, "") // a DPoP token saved before records named the key
	for _, tc := range []struct {
		name   string
		saved  *SavedToken
		client string
		want   string // "" for allowed
	}{
		{"same key", bound(ecKey.private, ""), ecKey.jkt, ""},
		{"same key, thumbprint only", bound(nil, ecKey.jkt), ecKey.jkt, ""},
		{"other key", bound(ecKey.private, ""), otherKey.jkt, "bound to DPoP key " + ecKey.jkt + ", not to this client's key " + otherKey.jkt + " (RFC 9449 §6.1); the record holds that key"},
		{"other key, thumbprint only", bound(nil, ecKey.jkt), otherKey.jkt, "only its thumbprint was saved: resume with the same key"},
		{"no key for a bound token", bound(ecKey.private, ""), "", "bound to DPoP key " + ecKey.jkt + " (RFC 9449 §6.1) and this client has no DPoP key; the record holds that key"},
		{"no key, thumbprint only", bound(nil, ecKey.jkt), "", "this client has no DPoP key; the key could not be exported"},
		{"no key, DPoP token of an older record", legacy, "", "this client has no DPoP key"},
		{"key, DPoP token of an older record", legacy, ecKey.jkt, ""},
		{"bearer, no key", bearer, "", ""},
		{"bearer, with a key", bearer, ecKey.jkt, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.saved.CheckDPoPKey(tc.client)
			assertSavedTokenError(t, err, tc.want)
		})
	}
}

// UsableBy is BelongsTo then CheckDPoPKey: the one check both hosts make before resuming.
func TestUsableBy(t *testing.T) {
	bound := sampleSaved()
	bound.Token.TokenType, bound.DPoPKey = "DPoP", ecKey.private
	bearer := sampleSaved()
	bearer.DPoPKey = nil
	owner := func(clientID, jkt string) SavedTokenOwner {
		return SavedTokenOwner{TokenURL: "https://as.example/token", ClientID: clientID, DPoPThumbprint: jkt}
	}
	for _, tc := range []struct {
		name  string
		saved *SavedToken
		owner SavedTokenOwner
		want  string // "" for allowed
	}{
		{"bearer, same client", bearer, owner("app", ""), ""},
		{"bearer, same client by issuer", bearer, SavedTokenOwner{Issuer: "https://as.example", ClientID: "app"}, ""},
		{"bearer, same client with a key", bearer, owner("app", ecKey.jkt), ""},
		{"bound, same client and key", bound, owner("app", ecKey.jkt), ""},
		{"bearer, other client", bearer, owner("other", ""), `client "app", not "other"`},
		{"bearer, other server", bearer, SavedTokenOwner{TokenURL: "https://evil.example/token", ClientID: "app"}, "not https://evil.example/token"},
		{"bound, no key", bound, owner("app", ""), "this client has no DPoP key"},
		{"bound, other key", bound, owner("app", otherKey.jkt), "not to this client's key " + otherKey.jkt},
		{"bound, other client and other key: the client is named first", bound, owner("other", otherKey.jkt), `client "app", not "other"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.saved.UsableBy(tc.owner)
			assertSavedTokenError(t, err, tc.want)
		})
	}
}

func TestSavedTokenFormatHidesDPoPKey(t *testing.T) {
	s := sampleSaved()
	s.DPoPKey = ecKey.private
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q"} {
		out := fmt.Sprintf(verb, s)
		assert.NotContains(t, out, ecKey.d, verb)
		out = fmt.Sprintf(verb, *s)
		assert.NotContains(t, out, ecKey.d, verb)
	}
}

// assertSavedTokenError: want "" means allowed; otherwise a *SavedTokenError
// naming want, without the private key.
func assertSavedTokenError(t *testing.T, err error, want string) {
	t.Helper()
	if want == "" {
		require.NoError(t, err)
		return
	}
	var se *SavedTokenError
	require.ErrorAs(t, err, &se)
	assert.Contains(t, err.Error(), want)
	assert.NotContains(t, err.Error(), ecKey.d)
}
