package mockserver

import (
	"crypto"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"unsafe"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/cryptosigner"
)

// compactSigner makes the compact JWS of an access token (RFC 7515 §7.1)
// with the pieces go-jose gives: the protected header as go-jose's own
// signer serialises it, taken once, and go-jose's opaque signer for the
// signature over each token's signing input. The header never changes for a
// key, so marshalling and encoding it for every token (as jose.Signer.Sign
// and CompactSerialize do, twice) is work without a result; the output is
// the same bytes jose.Signer would produce.
type compactSigner struct {
	header string // BASE64URL(UTF8(JWS Protected Header)) "."
	alg    jose.SignatureAlgorithm
	opaque jose.OpaqueSigner
	sigLen int // BASE64URL length of a signature
}

// newCompactSigner takes the protected header from a token js signs, and
// checks that a token of its own verifies with pub through go-jose, so a
// signer that does not agree with go-jose never starts.
func newCompactSigner(js jose.Signer, key crypto.Signer, alg jose.SignatureAlgorithm, pub jose.JSONWebKey) (*compactSigner, error) {
	probe := []byte(`{"probe":true}`)
	jws, err := js.Sign(probe)
	if err != nil {
		return nil, err
	}
	compact, err := jws.CompactSerialize()
	if err != nil {
		return nil, err
	}
	dot := strings.IndexByte(compact, '.')
	if dot < 0 {
		return nil, errors.New("go-jose compact serialisation without a dot")
	}
	cs := &compactSigner{header: compact[:dot+1], alg: alg, opaque: cryptosigner.Opaque(key)}
	sig, err := cs.opaque.SignPayload([]byte(cs.header), alg)
	if err != nil {
		return nil, err
	}
	cs.sigLen = base64.RawURLEncoding.EncodedLen(len(sig))
	own, err := cs.sign(probe)
	if err != nil {
		return nil, err
	}
	parsed, err := jose.ParseSignedCompact(own, []jose.SignatureAlgorithm{alg})
	if err != nil {
		return nil, fmt.Errorf("compact signer disagrees with go-jose: %w", err)
	}
	if _, err := parsed.Verify(pub); err != nil {
		return nil, fmt.Errorf("compact signer disagrees with go-jose: %w", err)
	}
	return cs, nil
}

// sign returns the compact JWS of payload: RFC 7515 §5.1 signs
// ASCII(BASE64URL(header) "." BASE64URL(payload)), and §7.1 appends "."
// and the BASE64URL signature.
func (cs *compactSigner) sign(payload []byte) (string, error) {
	enc := base64.RawURLEncoding
	n := len(cs.header) + enc.EncodedLen(len(payload))
	b := make([]byte, n, n+1+cs.sigLen)
	copy(b, cs.header)
	enc.Encode(b[len(cs.header):], payload)
	sig, err := cs.opaque.SignPayload(b, cs.alg)
	if err != nil {
		return "", err
	}
	b = append(b, '.')
	b = enc.AppendEncode(b, sig)
	// b was made for this token and is not written again: the string can
	// share its bytes instead of copying them.
	return unsafe.String(&b[0], len(b)), nil
}
