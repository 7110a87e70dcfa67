package mockserver

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"strings"
	"testing"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// goJoseCompact is the token go-jose's own signer makes of payload with the
// same key and options as the mock's.
func goJoseCompact(t *testing.T, key crypto.Signer, payload []byte) string {
	t.Helper()
	jwk, alg, err := signingJWK(key)
	require.NoError(t, err)
	js, err := jose.NewSigner(jose.SigningKey{Algorithm: alg, Key: jwk}, (&jose.SignerOptions{}).WithType("at+jwt"))
	require.NoError(t, err)
	jws, err := js.Sign(payload)
	require.NoError(t, err)
	out, err := jws.CompactSerialize()
	require.NoError(t, err)
	return out
}

func TestCompactSignerMatchesGoJose(t *testing.T) {
	payload := []byte(`{"iss":"http://127.0.0.1:8080","sub":"johndoe","aud":"http://127.0.0.1:8080","client_id":"client_id",` +
		`"scope":"read write","iat":1795954463,"exp":1795958063,"jti":"q3HzV1o1dF3K8mJb2s9pXw","sid":"b1c2d3e4f5g6h7i8j9k0lm"}`)
	ed, err := GenerateSigningKey(nil)
	require.NoError(t, err)
	p256, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	for _, tc := range []struct {
		name string
		key  crypto.Signer
		// Ed25519 signatures are deterministic, so the whole token must be
		// go-jose's byte for byte; ES256 ones are randomised, so only the
		// header and payload segments can be compared, and the signature
		// must verify.
		deterministic bool
	}{
		{"Ed25519", ed, true},
		{"P-256", p256, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			k, err := newSigningKey(tc.key)
			require.NoError(t, err)
			got, err := k.jws.sign(payload)
			require.NoError(t, err)
			want := goJoseCompact(t, tc.key, payload)
			if tc.deterministic {
				assert.Equal(t, want, got)
			} else {
				assert.Equal(t, want[:strings.LastIndexByte(want, '.')], got[:strings.LastIndexByte(got, '.')])
				assert.Len(t, got, len(want))
			}
			jws, err := jose.ParseSignedCompact(got, []jose.SignatureAlgorithm{k.alg})
			require.NoError(t, err)
			assert.Equal(t, "at+jwt", jws.Signatures[0].Protected.ExtraHeaders[jose.HeaderType])
			assert.Equal(t, k.kid, jws.Signatures[0].Protected.KeyID)
			verified, err := jws.Verify(k.public)
			require.NoError(t, err)
			assert.Equal(t, payload, verified)
		})
	}
}

func BenchmarkCompactSign(b *testing.B) {
	key, err := GenerateSigningKey(nil)
	require.NoError(b, err)
	k, err := newSigningKey(key)
	require.NoError(b, err)
	payload := []byte(`{"iss":"http://127.0.0.1:8080","sub":"johndoe","aud":"http://127.0.0.1:8080","client_id":"client_id",` +
		`"scope":"read write","iat":1795954463,"exp":1795958063,"jti":"q3HzV1o1dF3K8mJb2s9pXw","sid":"b1c2d3e4f5g6h7i8j9k0lm"}`)
	jwk, alg, err := signingJWK(key)
	require.NoError(b, err)
	js, err := jose.NewSigner(jose.SigningKey{Algorithm: alg, Key: jwk}, (&jose.SignerOptions{}).WithType("at+jwt"))
	require.NoError(b, err)
	b.Run("go-jose", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			jws, err := js.Sign(payload)
			if err != nil {
				b.Fatal(err)
			}
			if _, err := jws.CompactSerialize(); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("cached-header", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := k.jws.sign(payload); err != nil {
				b.Fatal(err)
			}
		}
	})
}
