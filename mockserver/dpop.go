package mockserver

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	jose "github.com/go-jose/go-jose/v4"
)

// DPoP (RFC 9449) in the mock: proofs checked as §4.3 lists them, tokens
// bound to the proof's key (§6), nonces (§8) and the DPoP scheme at the
// protected resource (§7).
//
// State: nonces are stateless (an HMAC of their issue time under a key
// derived from the token-signing key), so every instance that shares the
// signing key accepts every other's nonces, Workers isolates included. The
// jti replay cache is in memory, per Server, and bounded; with a networked
// Store (D1 on Workers) each jti is also recorded in the Store's revocation
// list until its iat leaves the window, so isolates share it. Token bindings need no new storage: the RFC 7638 thumbprint of a
// bound grant rides in its refresh-token family id (and in the jti of an
// opaque access token), which every Store already keeps.

// Values of Client.DPoP.
const (
	DPoPAllowed  = "allowed"
	DPoPRequired = "required"
	// DPoPIgnored plays a server without DPoP support: proofs are not looked
	// at and tokens are Bearer (for testing a client's downgrade handling).
	DPoPIgnored = "ignored"
)

const (
	// DPoPNonceLifetime is how long a nonce is accepted, on the mock's clock.
	DPoPNonceLifetime = 5 * time.Minute
	// DefaultDPoPIatWindow is the accepted distance of a proof's iat from the
	// mock's clock, either way, when the config sets none.
	DefaultDPoPIatWindow = 60 * time.Second
	// maxDPoPReplayCache bounds the jti cache; the oldest entries go first.
	maxDPoPReplayCache = 100_000
	maxDPoPProofBytes  = 8 << 10
)

// DPoPSigningAlgs are the proof algorithms the mock accepts and advertises
// (RFC 9449 §5.1 dpop_signing_alg_values_supported).
var DPoPSigningAlgs = []string{string(jose.ES256), string(jose.EdDSA)}

var dpopJOSEAlgs = []jose.SignatureAlgorithm{jose.ES256, jose.EdDSA}

func validateClientDPoP(cl Client) *ConfigError {
	switch cl.DPoP {
	case "", DPoPAllowed, DPoPRequired, DPoPIgnored:
		return nil
	}
	return &ConfigError{Key: ".dpop", Problem: strconv.Quote(cl.DPoP) + ` must be "required", "allowed" or "ignored"`}
}

// dpopFailure is a refused proof: invalid_dpop_proof, or use_dpop_nonce when
// only the server nonce is missing or stale. reason goes into
// error_description (and so into the journal); it never quotes the proof.
type dpopFailure struct {
	nonce  bool
	reason string
}

func badProof(reason string) *dpopFailure { return &dpopFailure{reason: reason} }

// dpopClaims are the RFC 9449 §4.2 claims of a proof.
type dpopClaims struct {
	JTI   string       `json:"jti"`
	HTM   string       `json:"htm"`
	HTU   string       `json:"htu"`
	IAT   *json.Number `json:"iat"`
	ATH   string       `json:"ath"`
	Nonce string       `json:"nonce"`
}

// privateJWKMembers are members only private keys have (RFC 7518 §6, RFC 8037 §2).
var privateJWKMembers = []string{"d", "p", "q", "dp", "dq", "qi", "oth", "k"}

// dpopRequest says what a proof must match beyond the request itself.
type dpopRequest struct {
	requireNonce bool
	// accessToken is set at a protected resource: ath must be its hash.
	accessToken string
}

// verifyDPoPProof checks the request's DPoP header as RFC 9449 §4.3 lists:
// one header; a JWT with typ dpop+jwt, an advertised asymmetric alg and a
// public jwk; a valid signature; htm and htu matching the request; iat within
// the window; a nonce when demanded; ath at the resource; a jti not seen
// before. It returns the key's RFC 7638 thumbprint, "" when no proof came.
func (s *Server) verifyDPoPProof(r *http.Request, st *state, want dpopRequest) (string, *dpopFailure) {
	values := r.Header.Values("DPoP")
	if len(values) == 0 {
		return "", nil
	}
	// §4.3 check 1: not more than one DPoP HTTP request header field.
	if len(values) > 1 {
		return "", badProof("more than one DPoP header")
	}
	proof := values[0]
	if len(proof) > maxDPoPProofBytes {
		return "", badProof("DPoP proof too large")
	}
	// §4.3 check 2: a single well-formed JWT.
	parts := strings.Split(proof, ".")
	if len(parts) != 3 || parts[2] == "" {
		return "", badProof("DPoP proof is not a signed JWT (compact JWS)")
	}
	headerJSON, err := base64.RawURLEncoding.DecodeString(parts[0])
	if err != nil {
		return "", badProof("DPoP proof header is not base64url")
	}
	var header struct {
		Typ string          `json:"typ"`
		Alg string          `json:"alg"`
		JWK json.RawMessage `json:"jwk"`
	}
	if json.Unmarshal(headerJSON, &header) != nil {
		return "", badProof("DPoP proof header is not a JSON object")
	}
	// §4.3 check 4: typ is dpop+jwt (media types compare without case).
	if !strings.EqualFold(header.Typ, "dpop+jwt") {
		return "", badProof("DPoP proof typ must be dpop+jwt")
	}
	// §4.3 check 5: an asymmetric algorithm the server supports (no none, no MAC).
	if !contains(DPoPSigningAlgs, header.Alg) {
		return "", badProof("DPoP proof alg must be one of " + strings.Join(DPoPSigningAlgs, ", "))
	}
	// §4.3 check 7: jwk is a public key.
	key, reason := publicProofKey(header.JWK, header.Alg)
	if reason != "" {
		return "", badProof(reason)
	}
	// §4.3 check 6: the signature verifies with that key.
	jws, err := jose.ParseSignedCompact(proof, dpopJOSEAlgs)
	if err != nil || len(jws.Signatures) != 1 {
		return "", badProof("DPoP proof is not a valid JWS")
	}
	payload, err := jws.Verify(key)
	if err != nil {
		return "", badProof("DPoP proof signature does not verify with its jwk")
	}
	// §4.3 check 3: the required claims are there.
	var c dpopClaims
	dec := json.NewDecoder(bytes.NewReader(payload))
	dec.UseNumber()
	if dec.Decode(&c) != nil {
		return "", badProof("DPoP proof claims are not a JSON object with the RFC 9449 types")
	}
	for _, req := range []struct{ name, v string }{{"jti", c.JTI}, {"htm", c.HTM}, {"htu", c.HTU}} {
		if req.v == "" {
			return "", badProof("DPoP proof has no " + req.name + " claim")
		}
	}
	if c.IAT == nil {
		return "", badProof("DPoP proof has no iat claim")
	}
	if len(c.JTI) > 256 {
		return "", badProof("DPoP proof jti is longer than 256 characters")
	}
	// §4.3 check 8: htm matches the method.
	if c.HTM != r.Method {
		return "", badProof("DPoP proof htm does not match the request method")
	}
	// §4.3 check 9: htu matches the target URI, without query and fragment.
	if !sameTargetURI(c.HTU, s.requestTargetURI(r, st)) {
		return "", badProof("DPoP proof htu does not match the request URL")
	}
	// §4.3 check 11: iat is recent (±window on the mock's clock; §11.1).
	now := s.clock.Now()
	window := time.Duration(st.cfg.DPoPIatWindow)
	if window == 0 {
		window = DefaultDPoPIatWindow
	}
	iat, err := c.IAT.Float64()
	if err != nil {
		return "", badProof("DPoP proof iat is not a number")
	}
	issued := time.Unix(int64(iat), 0)
	if issued.Before(now.Add(-window)) || issued.After(now.Add(window)) {
		return "", badProof("DPoP proof iat is outside the accepted window of " + window.String())
	}
	// §4.3 check 12: ath is the hash of the access token presented with it.
	if want.accessToken != "" {
		if c.ATH == "" {
			return "", badProof("DPoP proof has no ath claim")
		}
		sum := sha256.Sum256([]byte(want.accessToken))
		if !hmac.Equal([]byte(c.ATH), []byte(base64.RawURLEncoding.EncodeToString(sum[:]))) {
			return "", badProof("DPoP proof ath does not match the access token")
		}
	}
	// §4.3 check 10: the nonce the server handed out (§8).
	if want.requireNonce {
		if c.Nonce == "" {
			return "", &dpopFailure{nonce: true, reason: "a DPoP nonce is required"}
		}
		if !s.validDPoPNonce(st, c.Nonce, now) {
			return "", &dpopFailure{nonce: true, reason: "the DPoP nonce is unknown or expired"}
		}
	}
	jkt, err := key.Thumbprint(crypto.SHA256)
	if err != nil {
		return "", badProof("DPoP proof jwk has no thumbprint")
	}
	thumb := base64.RawURLEncoding.EncodeToString(jkt)
	// §11.1: a jti is accepted once while its iat is in the window.
	replayKey := thumb + " " + c.JTI
	if !s.dpopReplay.firstUse(replayKey, now, issued.Add(window)) {
		return "", badProof("DPoP proof jti has been used before (replay)")
	}
	if s.overlapIO {
		// A networked store (D1 on Workers) is shared by every instance, whose
		// memory caches are not: the jti is recorded there too.
		if fail := s.sharedReplayCheck(r.Context(), replayKey, now, issued.Add(window)); fail != nil {
			return "", fail
		}
	}
	return thumb, nil
}

// publicProofKey parses the proof's jwk header: present, without private
// members, and of the type alg needs.
func publicProofKey(raw json.RawMessage, alg string) (*jose.JSONWebKey, string) {
	if len(raw) == 0 || string(raw) == "null" {
		return nil, "DPoP proof header has no jwk"
	}
	var members map[string]json.RawMessage
	if json.Unmarshal(raw, &members) != nil {
		return nil, "DPoP proof jwk is not a JSON object"
	}
	for _, m := range privateJWKMembers {
		if _, ok := members[m]; ok {
			return nil, "DPoP proof jwk holds a private key"
		}
	}
	var key jose.JSONWebKey
	if key.UnmarshalJSON(raw) != nil || !key.Valid() || !key.IsPublic() {
		return nil, "DPoP proof jwk is not a valid public key"
	}
	switch k := key.Key.(type) {
	case *ecdsa.PublicKey:
		if alg == string(jose.ES256) && k.Curve == elliptic.P256() {
			return &key, ""
		}
	case ed25519.PublicKey:
		if alg == string(jose.EdDSA) {
			return &key, ""
		}
	}
	return nil, "DPoP proof jwk does not fit alg " + alg
}

// requestTargetURI is the URL the client addressed, without query: the
// issuer's origin when one is configured (the mock may sit behind a proxy),
// else the request's own.
func (s *Server) requestTargetURI(r *http.Request, st *state) string {
	origin := RequestOrigin(r)
	if st.cfg.Issuer != "" {
		if u, err := url.Parse(st.cfg.Issuer); err == nil {
			origin = u.Scheme + "://" + u.Host
		}
	}
	return origin + r.URL.EscapedPath()
}

// sameTargetURI compares two URIs after RFC 3986 §6.2.2 and §6.2.3
// normalisation (case of scheme and host, default port, empty path), with
// query and fragment ignored (RFC 9449 §4.3 check 9).
func sameTargetURI(a, b string) bool {
	na, ok1 := normalTargetURI(a)
	nb, ok2 := normalTargetURI(b)
	return ok1 && ok2 && na == nb
}

func normalTargetURI(raw string) (string, bool) {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return "", false
	}
	scheme := strings.ToLower(u.Scheme)
	host := strings.ToLower(u.Hostname())
	port := u.Port()
	if (scheme == "https" && port == "443") || (scheme == "http" && port == "80") {
		port = ""
	}
	if port != "" {
		host += ":" + port
	} else if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	path := u.EscapedPath()
	if path == "" {
		path = "/"
	}
	return scheme + "://" + host + path, true
}
