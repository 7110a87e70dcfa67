// Command signcost prints the CPU time of one access-token signature as
// ropc-mock makes it (Ed25519 via go-jose, typ at+jwt, a claims set of the
// mock's size), so scripts/bench-mock.sh can subtract it from the CPU per
// JWT grant and state the rest — the bookkeeping — on its own.
package main

import (
	"crypto/ed25519"
	"crypto/rand"
	"flag"
	"fmt"
	"os"
	"syscall"
	"time"

	jose "github.com/go-jose/go-jose/v4"
)

// claims is the size and shape of a default ropc-mock access token's claims.
const claims = `{"iss":"http://127.0.0.1:8080","sub":"johndoe","aud":"http://127.0.0.1:8080","client_id":"client_id",` +
	`"scope":"read write","iat":1795954463,"exp":1795958063,"jti":"q3HzV1o1dF3K8mJb2s9pXw","sid":"b1c2d3e4f5g6h7i8j9k0lm"}`

func main() {
	n := flag.Int("n", 20000, "signatures to time")
	flag.Parse()
	_, key, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		fail(err)
	}
	jwk := jose.JSONWebKey{Key: key, KeyID: "k1", Algorithm: string(jose.EdDSA)}
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.EdDSA, Key: jwk}, (&jose.SignerOptions{}).WithType("at+jwt"))
	if err != nil {
		fail(err)
	}
	payload := []byte(claims)
	before := cpu()
	for range *n {
		jws, err := signer.Sign(payload)
		if err != nil {
			fail(err)
		}
		if _, err := jws.CompactSerialize(); err != nil {
			fail(err)
		}
	}
	per := (cpu() - before) / time.Duration(*n)
	fmt.Printf("signcost: %.2f us per signature (%d signatures, CPU time)\n", float64(per)/1e3, *n)
}

// cpu is the process's user+system CPU time.
func cpu() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		fail(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "signcost:", err)
	os.Exit(1)
}
