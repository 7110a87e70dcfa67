package mockserver

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
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
		if fail := s.sharedReplayCheck(r.Context(), replayKey, issued.Add(window)); fail != nil {
			return "", fail
		}
	}
	return thumb, nil
}

// sharedReplayCheck records a jti in the Store's revocation list (the
// store's "spent until" set, swept after until). Check and record are two
// statements, so two instances racing with the same proof within a few
// milliseconds could both pass; a replay any later is caught.
func (s *Server) sharedReplayCheck(ctx context.Context, key string, until time.Time) *dpopFailure {
	sum := sha256.Sum256([]byte(key))
	id := "dpop-jti:" + base64.RawURLEncoding.EncodeToString(sum[:])
	seen, err := s.store.IsRevoked(ctx, id)
	if err == nil && !seen {
		err = s.store.Revoke(ctx, id, until)
	}
	if err != nil {
		s.log.LogAttrs(ctx, errorLevel, "internal error", slogStr("step", "dpop replay cache"), slogStr("error", err.Error()))
		return badProof("the DPoP replay cache is unavailable; try again")
	}
	if seen {
		return badProof("DPoP proof jti has been used before (replay)")
	}
	return nil
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

// Nonces (RFC 9449 §8): base64url of the 8-byte issue time (Unix seconds,
// mock clock) and 16 bytes of HMAC-SHA256 over it.

func (s *Server) newDPoPNonce(st *state) string {
	var b [24]byte
	binary.BigEndian.PutUint64(b[:8], uint64(s.clock.Now().Unix()))
	mac := hmac.New(sha256.New, dpopNonceKey(st.key))
	mac.Write(b[:8])
	copy(b[8:], mac.Sum(nil))
	return base64.RawURLEncoding.EncodeToString(b[:])
}

func (s *Server) validDPoPNonce(st *state, nonce string, now time.Time) bool {
	b, err := base64.RawURLEncoding.DecodeString(nonce)
	if err != nil || len(b) != 24 {
		return false
	}
	mac := hmac.New(sha256.New, dpopNonceKey(st.key))
	mac.Write(b[:8])
	if !hmac.Equal(b[8:], mac.Sum(nil)[:16]) {
		return false
	}
	issued := time.Unix(int64(binary.BigEndian.Uint64(b[:8])), 0)
	age := now.Sub(issued)
	return age >= -time.Second && age < DPoPNonceLifetime
}

// DPoPNonce returns a fresh nonce, for fault rules that demand one.
func (s *Server) DPoPNonce() string { return s.newDPoPNonce(s.state.Load()) }

var (
	processNonceSecretOnce sync.Once
	processNonceSecret     [32]byte
)

// dpopNonceKey derives the nonce MAC key from the private signing key, so
// instances sharing the key share nonces. A signer whose private bytes are
// out of reach (an HSM, say) gets a per-process key.
func dpopNonceKey(k *signingKey) []byte {
	h := sha256.New()
	h.Write([]byte("ropc-mock DPoP nonce key\x00"))
	var secret []byte
	switch p := k.signer.(type) {
	case ed25519.PrivateKey:
		secret = p.Seed()
	case *ecdsa.PrivateKey:
		secret, _ = p.Bytes()
	}
	if len(secret) == 0 {
		processNonceSecretOnce.Do(func() { _, _ = rand.Read(processNonceSecret[:]) })
		secret = processNonceSecret[:]
	}
	h.Write(secret)
	return h.Sum(nil)
}

// jtiCache remembers the jti of every accepted proof until its iat leaves
// the window (RFC 9449 §11.1), up to maxDPoPReplayCache entries.
type jtiCache struct {
	mu    sync.Mutex
	seen  map[string]time.Time
	order []jtiEntry // insertion order, for expiry and the bound
}

type jtiEntry struct {
	key    string
	forget time.Time
}

// firstUse records key and reports whether it was new (or forgotten).
func (c *jtiCache) firstUse(key string, now, forget time.Time) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.seen == nil {
		c.seen = map[string]time.Time{}
	}
	for len(c.order) > 0 && (!now.Before(c.order[0].forget) || len(c.order) >= maxDPoPReplayCache) {
		old := c.order[0]
		if t, ok := c.seen[old.key]; ok && t.Equal(old.forget) {
			delete(c.seen, old.key)
		}
		c.order = c.order[1:]
	}
	if t, ok := c.seen[key]; ok && now.Before(t) {
		return false
	}
	c.seen[key] = forget
	c.order = append(c.order, jtiEntry{key, forget})
	return true
}

// Token binding: the thumbprint travels with the token.

type dpopKeyCtx struct{}

// withDPoPKey records the thumbprint of the request's valid proof.
func withDPoPKey(ctx context.Context, jkt string) context.Context {
	return context.WithValue(ctx, dpopKeyCtx{}, jkt)
}

// dpopKeyOf is the thumbprint of the token request's proof, "" if none.
func dpopKeyOf(ctx context.Context) string {
	jkt, _ := ctx.Value(dpopKeyCtx{}).(string)
	return jkt
}

// bindID appends a thumbprint to a random id (base64url, no '.') so that
// stores keep the binding without a column of their own.
func bindID(id, jkt string) string {
	if jkt == "" {
		return id
	}
	return id + "." + jkt
}

// boundKey is the thumbprint bindID added, "" for an unbound id.
func boundKey(id string) string {
	_, jkt, _ := strings.Cut(id, ".")
	return jkt
}

// grantFamily is the family id of a new grant: RFC 9449 §5 binds the
// refresh tokens of public clients to the proof's key; a confidential
// client's stay bound to its credentials only.
func grantFamily(ctx context.Context, client *clientEntry, id string) string {
	if client.Public {
		return bindID(id, dpopKeyOf(ctx))
	}
	return id
}

// checkRefreshBinding applies RFC 9449 §5 to a refresh: a bound refresh
// token needs a proof with the same key.
func checkRefreshBinding(ctx context.Context, family string) *oauthError {
	bound := boundKey(family)
	if bound == "" {
		return nil
	}
	switch jkt := dpopKeyOf(ctx); {
	case jkt == "":
		return errInvalidGrant("the refresh token is bound to a DPoP key; send a DPoP proof made with it")
	case jkt != bound:
		return errInvalidGrant("the refresh token is bound to another DPoP key")
	}
	return nil
}

// tokenTypeFor is the token_type of a token response: DPoP for a bound
// token (RFC 9449 §5), else Bearer.
func tokenTypeFor(ctx context.Context) string {
	if dpopKeyOf(ctx) != "" {
		return "DPoP"
	}
	return "Bearer"
}

// tokenEndpointDPoP runs before the grant: it checks the proof against the
// client's DPoP settings and returns the request with the proof's key in its
// context. A nonce client gets a fresh DPoP-Nonce on every answer (§8.2).
func (s *Server) tokenEndpointDPoP(w http.ResponseWriter, r *http.Request, st *state, client *clientEntry) (*http.Request, *oauthError) {
	if client.DPoP == DPoPIgnored {
		return r, nil
	}
	if client.DPoPNonce {
		w.Header().Set("DPoP-Nonce", s.newDPoPNonce(st))
	}
	jkt, fail := s.verifyDPoPProof(r, st, dpopRequest{requireNonce: client.DPoPNonce})
	switch {
	case fail != nil && fail.nonce:
		// RFC 9449 §8: 400 use_dpop_nonce with a nonce to use.
		if !client.DPoPNonce {
			w.Header().Set("DPoP-Nonce", s.newDPoPNonce(st))
		}
		return r, &oauthError{status: http.StatusBadRequest, code: "use_dpop_nonce", description: fail.reason}
	case fail != nil:
		return r, errInvalidDPoPProof(fail.reason)
	case jkt == "" && client.DPoP == DPoPRequired:
		return r, errInvalidDPoPProof("this client must send a DPoP proof")
	case jkt == "":
		return r, nil
	}
	return r.WithContext(withDPoPKey(r.Context(), jkt)), nil
}

// errInvalidDPoPProof is RFC 9449 §5's token endpoint error.
func errInvalidDPoPProof(reason string) *oauthError {
	return &oauthError{status: http.StatusBadRequest, code: "invalid_dpop_proof", description: reason}
}

// Protected resource (RFC 9449 §7).

// resourceToken reads the access token and its scheme: DPoP (§7.1) or the
// RFC 6750 Bearer methods.
func resourceToken(r *http.Request) (tok, scheme, problem string) {
	if h := r.Header.Get("Authorization"); h != "" {
		name, cred, _ := strings.Cut(h, " ")
		if strings.EqualFold(name, "DPoP") {
			cred = strings.TrimSpace(cred)
			if cred == "" {
				return "", "DPoP", "empty DPoP credentials"
			}
			return cred, "DPoP", ""
		}
	}
	tok, problem = bearerToken(r)
	return tok, "Bearer", problem
}

// resourceChallenge is the WWW-Authenticate of a refusal: a DPoP challenge
// (RFC 9449 §7.1, with the accepted algs) for DPoP, else RFC 6750's.
func resourceChallenge(scheme, code, desc string) string {
	if scheme != "DPoP" {
		return bearerChallenge(code, desc)
	}
	return dpopChallenge(code, desc)
}

func dpopChallenge(code, desc string) string {
	v := `DPoP realm="` + defaultRealm + `"`
	if code != "" {
		v += `, error="` + code + `"`
		if desc != "" {
			v += `, error_description=` + strconv.Quote(sanitizeDescription(desc))
		}
	}
	return v + `, algs="` + strings.Join(DPoPSigningAlgs, " ") + `"`
}

// checkResourceDPoP enforces the binding at a protected resource: a bound
// token only with the DPoP scheme and a valid proof by its key (§7.1), an
// unbound token never with the DPoP scheme. It answers the refusal itself
// and reports whether the request may go on.
func (s *Server) checkResourceDPoP(w http.ResponseWriter, r *http.Request, st *state, tok, scheme, boundTo string) bool {
	refuse := func(code, desc string) bool {
		w.Header().Set("WWW-Authenticate", dpopChallenge(code, desc))
		writeJSON(w, http.StatusUnauthorized, errorBody(code, desc))
		return false
	}
	switch {
	case scheme != "DPoP" && boundTo != "":
		return refuse("invalid_token", "the access token is DPoP-bound; send it with the DPoP scheme and a proof")
	case scheme != "DPoP":
		return true
	case boundTo == "":
		return refuse("invalid_token", "the access token is not DPoP-bound; send it with the Bearer scheme")
	case len(r.Header.Values("DPoP")) == 0:
		return refuse("invalid_dpop_proof", "a DPoP proof is required with a DPoP-bound token")
	}
	jkt, fail := s.verifyDPoPProof(r, st, dpopRequest{accessToken: tok})
	if fail != nil {
		return refuse("invalid_dpop_proof", fail.reason)
	}
	// §4.3 check 12 (second half): the proof's key is the token's key.
	if jkt != boundTo {
		return refuse("invalid_dpop_proof", "the DPoP proof key is not the key the access token is bound to")
	}
	return true
}

// dpopConfirmation adds RFC 9449 §6 / RFC 7800 cnf to an introspection
// answer (§6.2) and marks the token type.
func dpopConfirmation(m map[string]any, jkt string, access bool) {
	if jkt == "" {
		return
	}
	m["cnf"] = map[string]string{"jkt": jkt}
	if access {
		m["token_type"] = "DPoP"
	}
}
