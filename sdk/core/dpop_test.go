package core_test

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/cryptosigner"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ropcgo/ropc/sdk/core"
)

func publicJWK(t *testing.T, pub crypto.PublicKey) []byte {
	t.Helper()
	b, err := jose.JSONWebKey{Key: pub}.MarshalJSON()
	require.NoError(t, err)
	return b
}

func TestNewDPoPKey(t *testing.T) {
	ec, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	edPub, edPriv, err := ed25519.GenerateKey(rand.Reader)
	require.NoError(t, err)
	p384, err := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	require.NoError(t, err)
	privEC, err := jose.JSONWebKey{Key: ec}.MarshalJSON()
	require.NoError(t, err)
	privED, err := jose.JSONWebKey{Key: edPriv}.MarshalJSON()
	require.NoError(t, err)

	tests := []struct {
		name    string
		jwk     []byte
		wantAlg string
		wantErr string
		pub     crypto.PublicKey
	}{
		{name: "EC P-256 is ES256", jwk: publicJWK(t, &ec.PublicKey), wantAlg: "ES256", pub: &ec.PublicKey},
		{name: "Ed25519 is EdDSA", jwk: publicJWK(t, edPub), wantAlg: "EdDSA", pub: edPub},
		{name: "WebCrypto export with extra members", wantAlg: "ES256", pub: &ec.PublicKey,
			jwk: withMembers(t, publicJWK(t, &ec.PublicKey), map[string]any{"ext": true, "key_ops": []string{"verify"}})},
		{name: "private EC key refused", jwk: privEC, wantErr: `private member "d"`},
		{name: "private Ed25519 key refused", jwk: privED, wantErr: `private member "d"`},
		{name: "P-384 unsupported", jwk: publicJWK(t, &p384.PublicKey), wantErr: `crv "P-384"`},
		{name: "symmetric key refused", jwk: []byte(`{"kty":"oct","k":"c2VjcmV0"}`), wantErr: `private member "k"`},
		{name: "short coordinate", jwk: []byte(`{"kty":"EC","crv":"P-256","x":"AAAA","y":"AAAA"}`), wantErr: `"x" must be 32 bytes`},
		{name: "WebCrypto's Ed25519 alg (RFC 9864)", wantAlg: "EdDSA", pub: edPub,
			jwk: withMembers(t, publicJWK(t, edPub), map[string]any{"alg": "Ed25519"})},
		{name: "alg mismatch", jwk: withMembers(t, publicJWK(t, edPub), map[string]any{"alg": "ES256"}), wantErr: "does not match"},
		{name: "not JSON", jwk: []byte(`nope`), wantErr: "not a JSON Web Key"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			k, err := core.NewDPoPKey(tt.jwk)
			if tt.wantErr != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.wantAlg, k.Alg)
			// RFC 7638: the thumbprint go-jose computes from the key itself.
			want, err := (&jose.JSONWebKey{Key: tt.pub}).Thumbprint(crypto.SHA256)
			require.NoError(t, err)
			assert.Equal(t, base64.RawURLEncoding.EncodeToString(want), k.Thumbprint)
			assert.NotContains(t, string(k.JWK), `"d"`)
		})
	}
}

func withMembers(t *testing.T, jwk []byte, extra map[string]any) []byte {
	var m map[string]any
	require.NoError(t, json.Unmarshal(jwk, &m))
	for k, v := range extra {
		m[k] = v
	}
	b, err := json.Marshal(m)
	require.NoError(t, err)
	return b
}

// TestDPoPProofVerifies signs the core's signing input the way each host
// does and checks the result with go-jose: header, claims and signature.
func TestDPoPProofVerifies(t *testing.T) {
	ec, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	_, ed, err := ed25519.GenerateKey(rand.Reader)
	require.NoError(t, err)
	now := time.Unix(1_700_000_000, 0)
	tests := []struct {
		name   string
		signer crypto.Signer
		params core.DPoPProofParams
		claims map[string]any
	}{
		{"ES256 token request", ec, core.DPoPProofParams{Method: "POST", URL: "https://AS.example/token?x=1#frag", Now: now},
			map[string]any{"htm": "POST", "htu": "https://as.example/token", "iat": float64(now.Unix())}},
		{"EdDSA resource request with nonce", ed, core.DPoPProofParams{Method: "GET", URL: "http://127.0.0.1:8080/userinfo", AccessToken: "tok", Nonce: "n-1", Now: now},
			map[string]any{"htm": "GET", "htu": "http://127.0.0.1:8080/userinfo", "nonce": "n-1", "ath": athOf("tok")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			k, err := core.NewDPoPKey(publicJWK(t, tt.signer.Public()))
			require.NoError(t, err)
			input, err := k.SigningInput(tt.params)
			require.NoError(t, err)
			sig, err := cryptosigner.Opaque(tt.signer).SignPayload([]byte(input), jose.SignatureAlgorithm(k.Alg))
			require.NoError(t, err)
			proof, err := core.DPoPProof(input, sig)
			require.NoError(t, err)

			jws, err := jose.ParseSigned(proof, []jose.SignatureAlgorithm{jose.ES256, jose.EdDSA})
			require.NoError(t, err)
			h := jws.Signatures[0].Protected
			assert.Equal(t, "dpop+jwt", h.ExtraHeaders[jose.HeaderType])
			assert.Equal(t, k.Alg, h.Algorithm)
			require.NotNil(t, h.JSONWebKey)
			assert.True(t, h.JSONWebKey.IsPublic())
			payload, err := jws.Verify(h.JSONWebKey)
			require.NoError(t, err)
			var claims map[string]any
			require.NoError(t, json.Unmarshal(payload, &claims))
			for name, want := range tt.claims {
				assert.Equal(t, want, claims[name], name)
			}
			assert.Len(t, claims["jti"], 22, "16 random bytes, base64url")
			if tt.params.AccessToken == "" {
				assert.NotContains(t, claims, "ath")
			}
			if tt.params.Nonce == "" {
				assert.NotContains(t, claims, "nonce")
			}
			again, err := k.SigningInput(tt.params)
			require.NoError(t, err)
			assert.NotEqual(t, input, again, "every proof has its own jti")
		})
	}
}

func athOf(tok string) string {
	sum := sha256.Sum256([]byte(tok))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

func TestDPoPSigningInputRefuses(t *testing.T) {
	_, ed, err := ed25519.GenerateKey(rand.Reader)
	require.NoError(t, err)
	k, err := core.NewDPoPKey(publicJWK(t, ed.Public()))
	require.NoError(t, err)
	for name, p := range map[string]core.DPoPProofParams{
		"no method":        {URL: "https://as/token"},
		"relative URL":     {Method: "POST", URL: "/token"},
		"nonce with quote": {Method: "POST", URL: "https://as/token", Nonce: `a"b`},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := k.SigningInput(p)
			var pe *core.ParamError
			require.ErrorAs(t, err, &pe)
		})
	}
	_, err = core.DPoPProof("a.b", make([]byte, 71))
	require.ErrorContains(t, err, "64 bytes", "a DER ECDSA signature is refused")
}

func TestNeedsDPoPNonce(t *testing.T) {
	tests := []struct {
		name string
		r    core.Response
		want bool
	}{
		{"token endpoint 400 use_dpop_nonce", core.Response{Status: 400, DPoPNonce: "n1", Body: []byte(`{"error":"use_dpop_nonce"}`)}, true},
		{"form-encoded error", core.Response{Status: 400, DPoPNonce: "n1", Body: []byte(`error=use_dpop_nonce`)}, true},
		{"no nonce header: nothing to retry with", core.Response{Status: 400, Body: []byte(`{"error":"use_dpop_nonce"}`)}, false},
		{"malformed nonce header", core.Response{Status: 400, DPoPNonce: "a b", Body: []byte(`{"error":"use_dpop_nonce"}`)}, false},
		{"other 400 error", core.Response{Status: 400, DPoPNonce: "n1", Body: []byte(`{"error":"invalid_dpop_proof","error_description":"use_dpop_nonce?"}`)}, false},
		{"resource 401 DPoP challenge", core.Response{Status: 401, DPoPNonce: "n1", WWWAuthenticate: `DPoP error="use_dpop_nonce", algs="ES256"`}, true},
		{"resource 401 Bearer challenge only", core.Response{Status: 401, DPoPNonce: "n1", WWWAuthenticate: `Bearer error="use_dpop_nonce"`}, false},
		{"resource 401 invalid_token", core.Response{Status: 401, DPoPNonce: "n1", WWWAuthenticate: `DPoP error="invalid_token"`}, false},
		{"200 with nonce", core.Response{Status: 200, DPoPNonce: "n1", Body: []byte(`{"error":"use_dpop_nonce"}`)}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, core.NeedsDPoPNonce(tt.r))
		})
	}
}

func TestCheckTokenType(t *testing.T) {
	tests := []struct {
		tokenType          string
		dpop, allowBearer  bool
		wantErr, wantWants string
	}{
		{"DPoP", true, false, "", ""},
		{"dpop", true, false, "", ""},
		{"Bearer", true, false, "not bound", "DPoP"},
		{"", true, false, "(none)", "DPoP"},
		{"Bearer", true, true, "", ""},
		{"Bearer", false, false, "", ""},
		{"DPoP", false, false, "needs a DPoP key", "Bearer"},
	}
	for _, tt := range tests {
		err := core.CheckTokenType(tt.tokenType, tt.dpop, tt.allowBearer)
		if tt.wantErr == "" {
			assert.NoError(t, err, "%+v", tt)
			continue
		}
		var te *core.TokenTypeError
		require.ErrorAs(t, err, &te, "%+v", tt)
		assert.Equal(t, tt.wantWants, te.Want)
		assert.Contains(t, err.Error(), tt.wantErr)
	}
	assert.Equal(t, "DPoP", core.AuthorizationScheme("dPoP"))
	assert.Equal(t, "Bearer", core.AuthorizationScheme("bearer"))
	assert.Equal(t, "DPoP", core.NormalizeTokenType("dpop"))
}

func TestDPoPNonceOrigin(t *testing.T) {
	assert.Equal(t, "https://as.example", core.DPoPNonceOrigin("https://AS.example/token?x"))
	assert.Equal(t, "http://127.0.0.1:80", core.DPoPNonceOrigin("http://127.0.0.1:80/userinfo"))
	assert.NotEqual(t, core.DPoPNonceOrigin("https://a.example/x"), core.DPoPNonceOrigin("https://b.example/x"))
	assert.True(t, strings.HasPrefix(core.DPoPNonceOrigin("https://a.example"), "https://"))
}

func FuzzNeedsDPoPNonce(f *testing.F) {
	f.Add(400, `{"error":"use_dpop_nonce"}`, "", "n")
	f.Add(401, "", `DPoP error="use_dpop_nonce"`, "n")
	f.Fuzz(func(t *testing.T, status int, body, www, nonce string) {
		r := core.Response{Status: status, Body: []byte(body), WWWAuthenticate: www, DPoPNonce: nonce}
		if core.NeedsDPoPNonce(r) && core.DPoPNonceFrom(r) == "" {
			t.Fatal("retry without a nonce")
		}
	})
}
