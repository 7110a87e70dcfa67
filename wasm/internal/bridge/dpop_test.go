package bridge

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/json"
	"strconv"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/cryptosigner"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func okOf[T any](t *testing.T, out string) T {
	t.Helper()
	var env struct {
		OK    *T     `json:"ok"`
		Error *Error `json:"error"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &env), out)
	require.Nil(t, env.Error, out)
	require.NotNil(t, env.OK, out)
	return *env.OK
}

// TestDPoPThroughCall drives a proof the way js/dpop.js does: key info, the
// signing input, a raw r||s signature (WebCrypto's format), the proof.
func TestDPoPThroughCall(t *testing.T) {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	pub, err := jose.JSONWebKey{Key: k.Public()}.MarshalJSON()
	require.NoError(t, err)
	info := okOf[DPoPKeyInfo](t, Call(FnDPoPKey, pack(string(pub))))
	assert.Equal(t, "ES256", info.Alg)

	now := time.Now()
	in := okOf[struct{ Input string }](t, Call(FnDPoPSigningInput, pack(info.Alg, info.JWK, "GET", "https://rs.example/me?q=1", "at", "n1", strconv.FormatInt(now.UnixMilli(), 10))))
	sig, err := cryptosigner.Opaque(k).SignPayload([]byte(in.Input), jose.ES256)
	require.NoError(t, err)
	proof := okOf[struct{ Proof string }](t, Call(FnDPoPProof, pack(in.Input, string(sig))))

	jws, err := jose.ParseSigned(proof.Proof, []jose.SignatureAlgorithm{jose.ES256})
	require.NoError(t, err)
	payload, err := jws.Verify(k.Public())
	require.NoError(t, err)
	var claims map[string]any
	require.NoError(t, json.Unmarshal(payload, &claims))
	assert.Equal(t, "https://rs.example/me", claims["htu"])
	assert.Equal(t, "n1", claims["nonce"])
	assert.EqualValues(t, now.Unix(), claims["iat"])

	tests := []struct {
		name     string
		fn       int32
		in       []byte
		wantOK   string
		wantKind string
	}{
		{"private key refused", FnDPoPKey, pack(`{"kty":"EC","crv":"P-256","x":"a","y":"b","d":"c"}`), "", "invalid"},
		{"unknown alg", FnDPoPSigningInput, pack("HS256", info.JWK, "GET", "https://x/", "", "", "0"), "", "invalid"},
		{"DER signature refused", FnDPoPProof, pack(in.Input, string(make([]byte, 70))), "", "invalid"},
		{"nonce demanded at the token endpoint", FnDPoPNonce, pack("https://as.example/token", "400", "", `{"error":"use_dpop_nonce"}`, "n2"), `"origin":"https://as.example","nonce":"n2","retry":true`, ""},
		{"nonce offered on success", FnDPoPNonce, pack("https://as.example/token", "200", "", `{}`, "n3"), `"nonce":"n3","retry":false`, ""},
		{"resource nonce challenge", FnDPoPNonce, pack("https://rs.example/x", "401", `DPoP error="use_dpop_nonce"`, "", "n4"), `"retry":true`, ""},
		{"DPoP token for a DPoP client", FnCheckTokenType, pack("dpop", "1", ""), `"scheme":"DPoP"`, ""},
		{"Bearer for a DPoP client", FnCheckTokenType, pack("Bearer", "1", ""), "", "token_type"},
		{"Bearer accepted on request", FnCheckTokenType, pack("Bearer", "1", "1"), `"scheme":"Bearer"`, ""},
		{"DPoP token without a key", FnCheckTokenType, pack("DPoP", "", ""), "", "token_type"},
		{"wrong argument count", FnDPoPProof, pack("a"), "", "invalid"},
		{"nonce origin", FnDPoPNonceOrigin, pack("HTTPS://AS.example/token?x"), `"origin":"https://as.example"`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Call(tt.fn, tt.in)
			o := decodeOut(t, got)
			if tt.wantKind != "" {
				require.NotNil(t, o.Error, got)
				assert.Equal(t, tt.wantKind, o.Error.Kind)
				return
			}
			require.Nil(t, o.Error, got)
			assert.Contains(t, got, tt.wantOK)
		})
	}
}
