package core

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"fmt"
	mrand "math/rand/v2"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// DPoP (RFC 9449): what a proof contains, which nonce it carries and when a
// request is retried are decided here, once, for every host. A host (the Go
// SDK with a crypto.Signer, JavaScript with WebCrypto) only signs the bytes
// SigningInput returns, so a private key never has to leave its key store.

// Algorithms a DPoP key may use: RFC 9449 §4.2 requires an asymmetric JWS
// algorithm; these are the two the ropc hosts can sign with.
const (
	DPoPES256 = "ES256" // ECDSA P-256 with SHA-256 (RFC 7518 §3.4)
	DPoPEdDSA = "EdDSA" // Ed25519 (RFC 8037 §3.1)
)

// DPoPKey is the public half of a client's DPoP key.
type DPoPKey struct {
	// Alg is the JWS "alg" of every proof: ES256 or EdDSA.
	Alg string
	// JWK is the public key as the proof header's "jwk" (RFC 9449 §4.2):
	// only the members RFC 7638 §3.2 requires, in lexicographic order.
	JWK []byte
	// Thumbprint is the RFC 7638 SHA-256 thumbprint, base64url: the "jkt"
	// a server binds tokens to (RFC 9449 §6.1).
	Thumbprint string
}

// privateJWKMembers are the JWK members of private keys (RFC 7518 §6.2.2,
// §6.3.2, §6.4; RFC 8037 §2): RFC 9449 §4.2 forbids them in a proof.
var privateJWKMembers = []string{"d", "p", "q", "dp", "dq", "qi", "oth", "k"}

// NewDPoPKey checks a public JWK (as go-jose or WebCrypto's exportKey write
// it) and returns the key with its algorithm and thumbprint. EC P-256 gives
// ES256, OKP Ed25519 gives EdDSA; anything else, and any private member, is
// refused.
func NewDPoPKey(publicJWK []byte) (*DPoPKey, error) {
	var m map[string]any
	if err := json.Unmarshal(publicJWK, &m); err != nil || m == nil {
		return nil, &ParamError{Key: "dpop key", Reason: "not a JSON Web Key object (RFC 7517)"}
	}
	for _, p := range privateJWKMembers {
		if _, ok := m[p]; ok {
			return nil, &ParamError{Key: "dpop key", Reason: "the JWK for a proof must be the public key; it has the private member " + strconv.Quote(p) + " (RFC 9449 §4.2)"}
		}
	}
	str := func(name string) string { s, _ := m[name].(string); return s }
	coord := func(name string) (string, error) {
		v := str(name)
		b, err := base64.RawURLEncoding.DecodeString(v)
		if err != nil || len(b) != 32 {
			return "", &ParamError{Key: "dpop key", Reason: "JWK member " + strconv.Quote(name) + " must be 32 bytes of base64url"}
		}
		return v, nil
	}
	var k DPoPKey
	switch kty, crv := str("kty"), str("crv"); {
	case kty == "EC" && crv == "P-256":
		x, err := coord("x")
		if err != nil {
			return nil, err
		}
		y, err := coord("y")
		if err != nil {
			return nil, err
		}
		// RFC 7638 §3.2: required members only, lexicographic order, no white space.
		k.Alg, k.JWK = DPoPES256, []byte(`{"crv":"P-256","kty":"EC","x":"`+x+`","y":"`+y+`"}`)
	case kty == "OKP" && crv == "Ed25519":
		x, err := coord("x")
		if err != nil {
			return nil, err
		}
		k.Alg, k.JWK = DPoPEdDSA, []byte(`{"crv":"Ed25519","kty":"OKP","x":"`+x+`"}`)
	default:
		return nil, &ParamError{Key: "dpop key", Reason: "unsupported key: want EC P-256 (ES256) or OKP Ed25519 (EdDSA), got kty " +
			strconv.Quote(sanitizeForMessage(kty, 20)) + " crv " + strconv.Quote(sanitizeForMessage(crv, 20))}
	}
	// RFC 9864 names Ed25519 by the fully-specified "Ed25519" (what WebCrypto
	// exports); proofs still say "EdDSA", which every server knows.
	if a := str("alg"); a != "" && a != k.Alg && (k.Alg != DPoPEdDSA || a != "Ed25519") {
		return nil, &ParamError{Key: "dpop key", Reason: "JWK alg " + strconv.Quote(sanitizeForMessage(a, 20)) + " does not match the key type (want " + k.Alg + ")"}
	}
	sum := sha256.Sum256(k.JWK)
	k.Thumbprint = base64.RawURLEncoding.EncodeToString(sum[:])
	return &k, nil
}

// DPoPProofParams are the request a proof is for.
type DPoPProofParams struct {
	Method string // RFC 9449 §4.2 htm
	URL    string // htu is this URL without query and fragment
	// AccessToken is set on requests to a protected resource: the proof then
	// carries ath, its base64url SHA-256 (RFC 9449 §4.2).
	AccessToken string
	// Nonce is the server's latest DPoP-Nonce, "" if none (RFC 9449 §8).
	Nonce string
	Now   time.Time
}

// DPoPTargetURI is the htu of a request: RFC 9449 §4.2 "the HTTP target URI
// ... without query and fragment parts"; user info is dropped too.
func DPoPTargetURI(rawURL string) (string, error) {
	u, err := url.Parse(rawURL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return "", &ParamError{Key: "htu", Reason: "the DPoP target must be an absolute http(s) URL"}
	}
	path := u.EscapedPath()
	if path == "" {
		path = "/"
	}
	return strings.ToLower(u.Scheme) + "://" + strings.ToLower(u.Host) + path, nil
}

// SigningInput returns what the host signs for one proof: the base64url
// header, ".", the base64url claims (RFC 7515 §5.1). Header: typ dpop+jwt,
// alg, jwk (RFC 9449 §4.2). Claims: a fresh random jti, htm, htu, iat, and
// ath and nonce when they apply.
func (k *DPoPKey) SigningInput(p DPoPProofParams) (string, error) {
	if p.Method == "" || strings.ContainsAny(p.Method, " \t\r\n\"") {
		return "", &ParamError{Key: "htm", Reason: "the DPoP proof needs the request's HTTP method"}
	}
	htu, err := DPoPTargetURI(p.URL)
	if err != nil {
		return "", err
	}
	if p.Nonce != "" && !validNonce(p.Nonce) {
		return "", &ParamError{Key: "nonce", Reason: "a DPoP nonce is 1*NQCHAR (RFC 9449 §8.1)"}
	}
	id := newJTI()
	header := make([]byte, 0, 64+len(k.JWK))
	header = append(header, `{"typ":"dpop+jwt","alg":"`...)
	header = append(header, k.Alg...)
	header = append(header, `","jwk":`...)
	header = append(header, k.JWK...)
	header = append(header, '}')

	claims := make([]byte, 0, 160+len(htu)+len(p.Nonce))
	claims = append(claims, `{"jti":"`...)
	claims = base64.RawURLEncoding.AppendEncode(claims, id[:])
	claims = append(claims, `","htm":`...)
	claims = appendJSONText(claims, p.Method)
	claims = append(claims, `,"htu":`...)
	claims = appendJSONText(claims, htu)
	claims = append(claims, `,"iat":`...)
	claims = strconv.AppendInt(claims, p.Now.Unix(), 10)
	if p.AccessToken != "" {
		claims = append(claims, `,"ath":"`...)
		claims = append(claims, AccessTokenHash(p.AccessToken)...)
		claims = append(claims, '"')
	}
	if p.Nonce != "" {
		// NQCHAR has no '"' or '\': no escaping needed.
		claims = append(claims, `,"nonce":"`...)
		claims = append(claims, p.Nonce...)
		claims = append(claims, '"')
	}
	claims = append(claims, '}')

	enc := base64.RawURLEncoding
	out := make([]byte, 0, enc.EncodedLen(len(header))+1+enc.EncodedLen(len(claims)))
	out = enc.AppendEncode(out, header)
	out = append(out, '.')
	out = enc.AppendEncode(out, claims)
	return string(out), nil
}

// newJTI returns 128 random bits from math/rand/v2's global source: the
// runtime's ChaCha8, seeded from the operating system (getRandomValues under
// js/wasm) and safe for concurrent use. RFC 9449 §4.2 asks only that jti be
// unique; crypto/rand would add its DRBG (~70 KB gzipped) to the .wasm and a
// call out to JavaScript per proof.
func newJTI() [16]byte {
	var id [16]byte
	binary.LittleEndian.PutUint64(id[:8], mrand.Uint64())
	binary.LittleEndian.PutUint64(id[8:], mrand.Uint64())
	return id
}

// DPoPProof completes a proof: the signing input, ".", the base64url
// signature (RFC 7515 §7.1). Both ES256 (r||s, RFC 7518 §3.4) and EdDSA
// signatures are 64 bytes; another length means the host signed wrongly.
func DPoPProof(signingInput string, signature []byte) (string, error) {
	if len(signature) != 64 {
		return "", &ParamError{Key: "dpop signature", Reason: "must be 64 bytes (ES256 r||s or Ed25519), got " + strconv.Itoa(len(signature))}
	}
	if strings.Count(signingInput, ".") != 1 {
		return "", &ParamError{Key: "dpop signature", Reason: "the signing input is not header.claims"}
	}
	return signingInput + "." + base64.RawURLEncoding.EncodeToString(signature), nil
}

// AccessTokenHash is the ath claim: base64url SHA-256 of the ASCII access
// token (RFC 9449 §4.2).
func AccessTokenHash(accessToken string) string {
	sum := sha256.Sum256([]byte(accessToken))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// DPoPNonceOrigin is the key under which a client keeps a server's newest
// nonce: the origin of the URL it came from. RFC 9449 §8 and §9 let the
// authorization server and each resource server hand out their own nonces.
func DPoPNonceOrigin(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil {
		return ""
	}
	return strings.ToLower(u.Scheme) + "://" + strings.ToLower(u.Host)
}

// DPoPNonceFrom returns the nonce a response offers in its DPoP-Nonce
// header, "" when there is none or it is not 1*NQCHAR (RFC 9449 §8.1).
// A client keeps the newest one per server (§8.2: it may change any time).
func DPoPNonceFrom(r Response) string {
	n := strings.TrimSpace(r.DPoPNonce)
	if !validNonce(n) {
		return ""
	}
	return n
}

// NeedsDPoPNonce reports whether r asks for the request to be sent again
// with the nonce it carries: RFC 9449 §8 (authorization server: 400 with
// error use_dpop_nonce) or §9 (resource server: 401 with a DPoP challenge
// whose error is use_dpop_nonce), and a usable DPoP-Nonce header. The client
// retries once; a second demand is the caller's answer.
func NeedsDPoPNonce(r Response) bool {
	if DPoPNonceFrom(r) == "" {
		return false
	}
	switch r.Status {
	case 400:
		if !bytes.Contains(r.Body, []byte("use_dpop_nonce")) {
			return false // cheap test first: most 400s are something else
		}
		fields, _, err := decodeFields(r.Body)
		if err != nil {
			return false
		}
		code, _ := fields["error"].(string)
		return code == "use_dpop_nonce"
	case 401:
		params, ok := ParseDPoPChallenge(r.WWWAuthenticate)
		return ok && params["error"] == "use_dpop_nonce"
	}
	return false
}

// ParseDPoPChallenge finds the DPoP challenge (RFC 9449 §7.1) in a
// WWW-Authenticate header, parsed like ParseBearerChallenge.
func ParseDPoPChallenge(wwwAuthenticate string) (map[string]string, bool) {
	return parseChallenge(wwwAuthenticate, "DPoP")
}

// validNonce: RFC 9449 §8.1 nonce = 1*NQCHAR, NQCHAR = %x21 / %x23-5B / %x5D-7E.
func validNonce(n string) bool {
	if n == "" || len(n) > 1024 {
		return false
	}
	for i := 0; i < len(n); i++ {
		c := n[i]
		if c < 0x21 || c > 0x7e || c == '"' || c == '\\' {
			return false
		}
	}
	return true
}

// TokenTypeError reports a token response whose token_type the client must
// not use as asked: a DPoP client that got a Bearer token (RFC 9449 §5: the
// server did not bind it, and using it silently would give up the protection
// the key was meant to add), or a Bearer client that got a DPoP token.
type TokenTypeError struct {
	Got  string // token_type as received ("" when missing)
	Want string // "DPoP" or "Bearer"
}

func (e *TokenTypeError) Error() string {
	got := e.Got
	if got == "" {
		got = "(none)"
	}
	if e.Want == "DPoP" {
		return "ropc: the server answered token_type " + strconv.Quote(sanitizeForMessage(got, 40)) +
			" to a DPoP request: the token is not bound to the key (RFC 9449 §5); accept it only by opting in to Bearer downgrade"
	}
	return "ropc: the server answered token_type " + strconv.Quote(sanitizeForMessage(got, 40)) +
		", which needs a DPoP key (RFC 9449 §7.1); configure one"
}

// CheckTokenType applies RFC 9449 §5 to a token response: with a DPoP key
// the token_type must be DPoP (compared without case, RFC 6749 §5.1) unless
// allowBearer accepts a Bearer (or missing) token_type; without a key a DPoP
// token cannot be used.
func CheckTokenType(tokenType string, dpop, allowBearer bool) error {
	isDPoP := strings.EqualFold(strings.TrimSpace(tokenType), "DPoP")
	switch {
	case dpop && !isDPoP && !allowBearer:
		return &TokenTypeError{Got: tokenType, Want: "DPoP"}
	case !dpop && isDPoP:
		return &TokenTypeError{Got: tokenType, Want: "Bearer"}
	}
	return nil
}

// AuthorizationScheme is the Authorization scheme for a token of tokenType:
// "DPoP" for DPoP tokens (RFC 9449 §7.1), "Bearer" otherwise (RFC 6750 §2.1).
func AuthorizationScheme(tokenType string) string {
	if strings.EqualFold(strings.TrimSpace(tokenType), "DPoP") {
		return "DPoP"
	}
	return "Bearer"
}

// Shared rule "resource_scheme": the Authorization scheme a resource request
// uses for a token of tokenType. Bearer (any case) or no type is "Bearer"
// (RFC 6750 §2.1); DPoP is "DPoP" with a proof (RFC 9449 §7.1) for a client
// that holds a key, and an error without one; any other type is an error,
// because RFC 6749 §7.1 says a client MUST NOT use a token whose type it does
// not understand.
func ResourceScheme(tokenType string, dpop bool) (string, error) {
	t := strings.TrimSpace(tokenType)
	switch {
	case t == "" || strings.EqualFold(t, "Bearer"):
		return "Bearer", nil
	case strings.EqualFold(t, "DPoP") && dpop:
		return "DPoP", nil
	case strings.EqualFold(t, "DPoP"):
		return "", &TokenTypeError{Got: tokenType, Want: "Bearer"}
	}
	return "", fmt.Errorf("ropc: unsupported token type %q (RFC 6749 §7.1: only Bearer, and DPoP with a key, are understood)", tokenType)
}

// appendJSONText appends s as a JSON string.
func appendJSONText(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == '"' || c == '\\' || c >= 0x80 {
			q, _ := json.Marshal(s)
			return append(b, q...)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}
