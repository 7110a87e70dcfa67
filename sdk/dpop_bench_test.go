package sdk_test

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/ropcgo/ropc/mockserver"
	"github.com/ropcgo/ropc/sdk"
)

// BenchmarkDPoPGrant prints what a DPoP proof adds to a password grant against the real mock
// over loopback: the client signing the proof and the mock checking it, interleaved with plain
// Bearer grants of the same client in the same run. Figures, not a pass/fail:
//
//	go test -run '^$' -bench DPoPGrant ./sdk/
//
// overhead-% is (DPoP grant time / Bearer grant time - 1) * 100; the target is under 15.
func BenchmarkDPoPGrant(b *testing.B) {
	_, ed, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		b.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		key  crypto.Signer
	}{{"ES256", benchEC(b)}, {"EdDSA", ed}} {
		b.Run(tc.name, func(b *testing.B) {
			m, err := mockserver.New(mockserver.DefaultConfig(), mockserver.Options{})
			if err != nil {
				b.Fatal(err)
			}
			srv := httptest.NewServer(m)
			defer srv.Close()
			mk := func(key crypto.Signer) *sdk.Client {
				c, err := sdk.NewClient(sdk.Config{TokenURL: srv.URL + "/token", ClientID: "public-client", DPoP: key})
				if err != nil {
					b.Fatal(err)
				}
				return c
			}
			bearer, dpop := mk(nil), mk(tc.key)
			ctx := context.Background()
			grant := func(c *sdk.Client, want string) time.Duration {
				t := time.Now()
				tok, err := c.PasswordToken(ctx, "johndoe", "A3ddj3w")
				d := time.Since(t)
				if err != nil || tok.TokenType != want {
					b.Fatalf("grant: %v (token type %q)", err, tok.TokenType)
				}
				return d
			}
			for range 50 { // warm up connections and caches
				grant(bearer, "Bearer")
				grant(dpop, "DPoP")
			}
			var tBearer, tDPoP time.Duration
			b.ResetTimer()
			for range b.N {
				tBearer += grant(bearer, "Bearer")
				tDPoP += grant(dpop, "DPoP")
			}
			n := float64(b.N)
			b.ReportMetric(float64(tBearer.Microseconds())/n, "bearer-µs/grant")
			b.ReportMetric(float64(tDPoP.Microseconds())/n, "dpop-µs/grant")
			b.ReportMetric((float64(tDPoP)/float64(tBearer)-1)*100, "overhead-%")
		})
	}
}

func benchEC(b *testing.B) crypto.Signer {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		b.Fatal(err)
	}
	return k
}

// BenchmarkDPoPProof is the client's share alone: building and signing one proof (what
// Config.DPoP adds to each request before it is sent).
func BenchmarkDPoPProof(b *testing.B) {
	_, ed, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		b.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		key  crypto.Signer
	}{{"ES256", benchEC(b)}, {"EdDSA", ed}} {
		b.Run(tc.name, func(b *testing.B) {
			c, err := sdk.NewClient(sdk.Config{TokenURL: "https://as.example/token", ClientID: "c", DPoP: tc.key})
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for range b.N {
				if _, err := c.DPoPProof("POST", "https://as.example/token", ""); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
