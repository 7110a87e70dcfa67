//go:build linux

// Command grantcost prints what the parts of a password grant cost in CPU
// time, for scripts/bench-mock.sh:
//
//   - one access-token signature as ropc-mock makes it (Ed25519, typ at+jwt,
//     a claims set of the mock's size: go-jose's protected header taken once,
//     go-jose's opaque signer over each signing input), the same token made
//     by go-jose's jose.Signer with CompactSerialize, and the raw Ed25519
//     signature inside both (with -signature-only, just the first: the
//     benchmark times it in every round, next to the servers, so that a
//     slow spell of a shared machine weighs on both sides of the
//     subtraction);
//   - in process, without the network stack: a bare handler (parse the
//     form, write fixed JSON), the ropc-mock handler with JWT and with opaque
//     access tokens, and from these the bookkeeping, JWT grant minus bare
//     handler minus signature.
//
// Each figure is the median of interleaved rounds of the thread's own CPU
// time (CLOCK_THREAD_CPUTIME_ID), so other processes on a busy machine do
// not lengthen it.
package main

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"flag"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"runtime"
	"slices"
	"strings"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/cryptosigner"
	"golang.org/x/sys/unix"

	"github.com/ropcgo/ropc/mockserver"
)

// claims is the size and shape of a default ropc-mock access token's claims.
const claims = `{"iss":"http://127.0.0.1:8080","sub":"johndoe","aud":"http://127.0.0.1:8080","client_id":"client_id",` +
	`"scope":"read write","iat":1795954463,"exp":1795958063,"jti":"q3HzV1o1dF3K8mJb2s9pXw","sid":"b1c2d3e4f5g6h7i8j9k0lm"}`

func main() {
	rounds := flag.Int("rounds", 15, "interleaved rounds")
	per := flag.Int("n", 400, "operations per round and part")
	sigOnly := flag.Bool("signature-only", false, "time only the signature as ropc-mock makes it (the benchmark's per-round figure)")
	flag.Parse()
	runtime.LockOSThread() // the thread's CPU clock must be this goroutine's

	_, key, err := ed25519.GenerateKey(rand.Reader)
	check(err)
	jwk := jose.JSONWebKey{Key: key, KeyID: "k1", Algorithm: string(jose.EdDSA)}
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.EdDSA, Key: jwk}, (&jose.SignerOptions{}).WithType("at+jwt"))
	check(err)
	payload := []byte(claims)
	// The mock's way (mockserver/jws.go): the header segment go-jose
	// serialises, then per token the payload segment and go-jose's opaque
	// signer over both.
	probe, err := signer.Sign(payload)
	check(err)
	compact, err := probe.CompactSerialize()
	check(err)
	header := compact[:strings.IndexByte(compact, '.')+1]
	opaque := cryptosigner.Opaque(key)
	mockSign := func() string {
		enc := base64.RawURLEncoding
		n := len(header) + enc.EncodedLen(len(payload))
		b := make([]byte, n, n+1+86)
		copy(b, header)
		enc.Encode(b[len(header):], payload)
		sig, err := opaque.SignPayload(b, jose.EdDSA)
		check(err)
		b = append(b, '.')
		return string(enc.AppendEncode(b, sig))
	}
	if mockSign() != compact {
		check(fmt.Errorf("the mock's way of signing differs from go-jose's"))
	}

	if *sigOnly {
		samples := make([]time.Duration, 0, *rounds)
		for range *rounds {
			start := threadCPU()
			for range *per {
				mockSign()
			}
			samples = append(samples, (threadCPU()-start)/time.Duration(*per))
		}
		slices.Sort(samples)
		fmt.Printf("grantcost: signature %.2f us\n", float64(samples[len(samples)/2])/1e3)
		return
	}

	demo := mockserver.DemoCredentials()
	body := url.Values{"grant_type": {"password"}, "username": {demo.Username}, "password": {demo.Password},
		"scope": {"read write"}, "client_id": {demo.ClientID}, "client_secret": {demo.ClientSecret}}.Encode()
	newMock := func(format string) http.Handler {
		cfg := mockserver.DefaultConfig()
		cfg.Issuer = "http://127.0.0.1:8080"
		cfg.TokenFormat = format
		srv, err := mockserver.New(cfg, mockserver.Options{})
		check(err)
		return srv
	}
	bare := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := r.ParseForm(); err != nil {
			http.Error(w, "bad form", http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"access_token":"x","token_type":"Bearer","expires_in":3600}`))
	})
	serve := func(h http.Handler) func() {
		return func() {
			r := httptest.NewRequest(http.MethodPost, "http://127.0.0.1:8080/token", strings.NewReader(body))
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			if w.Code != http.StatusOK {
				check(fmt.Errorf("status %d: %s", w.Code, w.Body.String()))
			}
		}
	}
	parts := []struct {
		name string
		f    func()
	}{
		{"signature", func() { mockSign() }},
		{"gojose", func() {
			jws, err := signer.Sign(payload)
			check(err)
			_, err = jws.CompactSerialize()
			check(err)
		}},
		{"raw", func() { ed25519.Sign(key, payload) }},
		{"bare", serve(bare)},
		{"jwt", serve(newMock(mockserver.TokenFormatJWT))},
		{"opaque", serve(newMock(mockserver.TokenFormatOpaque))},
	}
	samples := make([][]time.Duration, len(parts))
	for range *rounds {
		for i, p := range parts {
			start := threadCPU()
			for range *per {
				p.f()
			}
			samples[i] = append(samples[i], (threadCPU()-start)/time.Duration(*per))
		}
	}
	med := map[string]float64{}
	for i, p := range parts {
		slices.Sort(samples[i])
		med[p.name] = float64(samples[i][len(samples[i])/2]) / 1e3
	}
	fmt.Printf("grantcost: signature %.2f us (as ropc-mock signs; go-jose Sign+CompactSerialize %.2f us; raw Ed25519 %.2f us), CPU time\n",
		med["signature"], med["gojose"], med["raw"])
	fmt.Printf("grantcost: in process, handler only: bare %.2f us, ropc-mock JWT %.2f us, opaque %.2f us;"+
		" bookkeeping JWT - bare - signature = %.2f us (- raw Ed25519 instead: %.2f us)\n",
		med["bare"], med["jwt"], med["opaque"], med["jwt"]-med["bare"]-med["signature"], med["jwt"]-med["bare"]-med["raw"])
}

func threadCPU() time.Duration {
	var ts unix.Timespec
	check(unix.ClockGettime(unix.CLOCK_THREAD_CPUTIME_ID, &ts))
	return time.Duration(ts.Nano())
}

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "grantcost:", err)
		os.Exit(1)
	}
}
