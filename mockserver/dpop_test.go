package mockserver

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/cryptosigner"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// proofSpec builds a DPoP proof for tests; each field bends one part of it.
type proofSpec struct {
	key     crypto.Signer  // the key in the jwk header and the signer (default: a fresh P-256 key)
	signer  crypto.Signer  // signs instead of key (a wrong-key proof)
	alg     string         // default from key
	typ     *string        // default dpop+jwt
	jwk     any            // replaces the public jwk
	noJWK   bool           // leaves jwk out
	claims  map[string]any // merged over the defaults; nil values remove a claim
	rawSig  string         // replaces the signature (for alg none/HS256)
	method  string         // htm; default POST
	target  string         // htu; default http://mock.test/token
	when    time.Time      // iat; default the server's clock
	nonce   string
	tokenAT string // adds ath for this access token
}

func b64url(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

func (ts *testServer) proof(t testing.TB, p proofSpec) string {
	t.Helper()
	if p.key == nil {
		k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		require.NoError(t, err)
		p.key = k
	}
	if p.alg == "" {
		p.alg = "ES256"
		if _, ok := p.key.(ed25519.PrivateKey); ok {
			p.alg = "EdDSA"
		}
	}
	header := map[string]any{"typ": "dpop+jwt", "alg": p.alg}
	if p.typ != nil {
		header["typ"] = *p.typ
	}
	switch {
	case p.noJWK:
	case p.jwk != nil:
		header["jwk"] = p.jwk
	default:
		header["jwk"] = jose.JSONWebKey{Key: p.key.Public()}
	}
	if p.method == "" {
		p.method = http.MethodPost
	}
	if p.target == "" {
		p.target = "http://mock.test/token"
	}
	if p.when.IsZero() {
		p.when = ts.Clock().Now()
	}
	var jti [12]byte
	_, _ = rand.Read(jti[:])
	claims := map[string]any{"jti": b64url(jti[:]), "htm": p.method, "htu": p.target, "iat": p.when.Unix()}
	if p.nonce != "" {
		claims["nonce"] = p.nonce
	}
	if p.tokenAT != "" {
		sum := sha256.Sum256([]byte(p.tokenAT))
		claims["ath"] = b64url(sum[:])
	}
	for k, v := range p.claims {
		if v == nil {
			delete(claims, k)
		} else {
			claims[k] = v
		}
	}
	hj, err := json.Marshal(header)
	require.NoError(t, err)
	cj, err := json.Marshal(claims)
	require.NoError(t, err)
	input := b64url(hj) + "." + b64url(cj)
	if p.rawSig != "" {
		return input + "." + p.rawSig
	}
	signer := p.key
	if p.signer != nil {
		signer = p.signer
	}
	sig, err := cryptosigner.Opaque(signer).SignPayload([]byte(input), jose.SignatureAlgorithm(p.alg))
	require.NoError(t, err)
	return input + "." + b64url(sig)
}

func thumbprint(t *testing.T, k crypto.Signer) string {
	t.Helper()
	sum, err := (&jose.JSONWebKey{Key: k.Public()}).Thumbprint(crypto.SHA256)
	require.NoError(t, err)
	return b64url(sum)
}

func newKey(t testing.TB) *ecdsa.PrivateKey {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	return k
}

func dpopConfig(mutate func(*Config)) *Config {
	cfg := DefaultConfig()
	cfg.Clients = append(cfg.Clients,
		Client{ClientID: "dpop-public", Public: true, Scopes: []string{"read"}, DPoP: DPoPRequired},
		Client{ClientID: "dpop-nonce", Public: true, Scopes: []string{"read"}, DPoP: DPoPRequired, DPoPNonce: true},
	)
	if mutate != nil {
		mutate(cfg)
	}
	return cfg
}

// tokenWith sends a token request with optional DPoP headers (each element
// one header line).
func (ts *testServer) tokenWith(form url.Values, auth map[string]string, proofs ...string) result {
	r := newFormRequest(http.MethodPost, "http://mock.test/token", form.Encode())
	for k, v := range auth {
		r.Header.Set(k, v)
	}
	for _, p := range proofs {
		r.Header.Add("DPoP", p)
	}
	return ts.serve(r)
}

func passwordForm(clientID string) url.Values {
	f := url.Values{"grant_type": {"password"}, "username": {"johndoe"}, "password": {"A3ddj3w"}}
	if clientID != "" {
		f.Set("client_id", clientID)
	}
	return f
}

func strp(s string) *string { return &s }

// TestDPoPProofChecks: every check of RFC 9449 §4.3 refuses a proof that
// breaks it, and only that check (the message names it).
func TestDPoPProofChecks(t *testing.T) {
	ts := newTestServer(t, dpopConfig(nil), Options{})
	_, ed, err := ed25519.GenerateKey(rand.Reader)
	require.NoError(t, err)
	priv := jose.JSONWebKey{Key: newKey(t)}
	other := newKey(t)
	mac := hmac.New(sha256.New, []byte("k"))
	tests := []struct {
		name   string
		proofs func() []string
		want   string // error_description fragment; "" means accepted
	}{
		{"valid ES256", func() []string { return []string{ts.proof(t, proofSpec{})} }, ""},
		{"valid EdDSA", func() []string { return []string{ts.proof(t, proofSpec{key: ed})} }, ""},
		{"htu compared after normalisation, without query", func() []string {
			return []string{ts.proof(t, proofSpec{target: "HTTP://MOCK.test:80/token?x=1#f"})}
		}, ""},
		{"1: two DPoP headers", func() []string { return []string{ts.proof(t, proofSpec{}), ts.proof(t, proofSpec{})} }, "more than one DPoP header"},
		{"2: not a JWT", func() []string { return []string{"not-a-jwt"} }, "not a signed JWT"},
		{"2: header not JSON", func() []string { return []string{"bm90.e30.AAAA"} }, "header is not a JSON object"},
		{"3: no jti", func() []string { return []string{ts.proof(t, proofSpec{claims: map[string]any{"jti": nil}})} }, "no jti claim"},
		{"3: no htm", func() []string { return []string{ts.proof(t, proofSpec{claims: map[string]any{"htm": nil}})} }, "no htm claim"},
		{"3: no htu", func() []string { return []string{ts.proof(t, proofSpec{claims: map[string]any{"htu": nil}})} }, "no htu claim"},
		{"3: no iat", func() []string { return []string{ts.proof(t, proofSpec{claims: map[string]any{"iat": nil}})} }, "no iat claim"},
		{"3: iat not a number", func() []string { return []string{ts.proof(t, proofSpec{claims: map[string]any{"iat": "now"}})} }, "RFC 9449 types"},
		{"4: typ JWT", func() []string { return []string{ts.proof(t, proofSpec{typ: strp("JWT")})} }, "typ must be dpop+jwt"},
		{"4: no typ", func() []string { return []string{ts.proof(t, proofSpec{typ: strp("")})} }, "typ must be dpop+jwt"},
		{"5: alg none", func() []string { return []string{ts.proof(t, proofSpec{alg: "none", rawSig: "AA"})} }, "alg must be one of"},
		{"5: symmetric alg", func() []string {
			mac.Reset()
			return []string{ts.proof(t, proofSpec{alg: "HS256", rawSig: b64url(mac.Sum(nil))})}
		}, "alg must be one of"},
		{"5: alg not advertised (ES384)", func() []string { return []string{ts.proof(t, proofSpec{alg: "ES384", rawSig: "AA"})} }, "alg must be one of"},
		{"6: signed by another key", func() []string { return []string{ts.proof(t, proofSpec{signer: other})} }, "signature does not verify"},
		{"6: signature bytes altered", func() []string {
			p := ts.proof(t, proofSpec{})
			return []string{p[:len(p)-4] + "AAAA"}
		}, "signature does not verify"},
		{"7: no jwk", func() []string { return []string{ts.proof(t, proofSpec{noJWK: true})} }, "has no jwk"},
		{"7: private jwk", func() []string { return []string{ts.proof(t, proofSpec{key: priv.Key.(crypto.Signer), jwk: priv})} }, "holds a private key"},
		{"7: jwk of another type than alg", func() []string {
			return []string{ts.proof(t, proofSpec{alg: "EdDSA", rawSig: "AA", jwk: jose.JSONWebKey{Key: other.Public()}})}
		}, "does not fit alg"},
		{"8: htm GET on a POST", func() []string { return []string{ts.proof(t, proofSpec{method: http.MethodGet})} }, "htm does not match"},
		{"9: htu another path", func() []string { return []string{ts.proof(t, proofSpec{target: "http://mock.test/introspect"})} }, "htu does not match"},
		{"9: htu another host", func() []string { return []string{ts.proof(t, proofSpec{target: "http://evil.test/token"})} }, "htu does not match"},
		{"11: iat too old", func() []string {
			return []string{ts.proof(t, proofSpec{when: ts.Clock().Now().Add(-61 * time.Second)})}
		}, "iat is outside"},
		{"11: iat in the future", func() []string { return []string{ts.proof(t, proofSpec{when: ts.Clock().Now().Add(61 * time.Second)})} }, "iat is outside"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := ts.tokenWith(passwordForm("dpop-public"), nil, tt.proofs()...)
			if tt.want == "" {
				require.Equal(t, http.StatusOK, r.Code, r.Body)
				assert.Equal(t, "DPoP", str(r.json(t), "token_type"))
				return
			}
			require.Equal(t, http.StatusBadRequest, r.Code, r.Body)
			m := r.json(t)
			assert.Equal(t, "invalid_dpop_proof", str(m, "error"))
			assert.Contains(t, str(m, "error_description"), tt.want)
		})
	}
}

func TestDPoPReplayedProofRefused(t *testing.T) { // §4.3 check 12 (jti)
	ts := newTestServer(t, dpopConfig(nil), Options{})
	p := ts.proof(t, proofSpec{})
	require.Equal(t, http.StatusOK, ts.tokenWith(passwordForm("dpop-public"), nil, p).Code)
	r := ts.tokenWith(passwordForm("dpop-public"), nil, p)
	require.Equal(t, http.StatusBadRequest, r.Code)
	assert.Contains(t, str(r.json(t), "error_description"), "replay")
}

func TestDPoPIatWindowConfigurable(t *testing.T) {
	ts := newTestServer(t, dpopConfig(func(c *Config) { c.DPoPIatWindow = Duration(10 * time.Second) }), Options{})
	r := ts.tokenWith(passwordForm("dpop-public"), nil, ts.proof(t, proofSpec{when: ts.Clock().Now().Add(-20 * time.Second)}))
	require.Equal(t, http.StatusBadRequest, r.Code)
	assert.Contains(t, str(r.json(t), "error_description"), "10s")
	r = ts.tokenWith(passwordForm("dpop-public"), nil, ts.proof(t, proofSpec{when: ts.Clock().Now().Add(-5 * time.Second)}))
	require.Equal(t, http.StatusOK, r.Code, r.Body)
}

func TestDPoPRequiredAndAllowed(t *testing.T) {
	ts := newTestServer(t, dpopConfig(nil), Options{})
	r := ts.tokenWith(passwordForm("dpop-public"), nil)
	require.Equal(t, http.StatusBadRequest, r.Code)
	assert.Equal(t, "invalid_dpop_proof", str(r.json(t), "error"))

	// "allowed" (the default): no proof, a Bearer token.
	r = ts.tokenWith(passwordForm("public-client"), nil)
	require.Equal(t, http.StatusOK, r.Code)
	assert.Equal(t, "Bearer", str(r.json(t), "token_type"))
	// ...and with one, a DPoP token whose JWT carries cnf.jkt (RFC 9449 §6.1).
	k := newKey(t)
	r = ts.tokenWith(passwordForm("public-client"), nil, ts.proof(t, proofSpec{key: k}))
	require.Equal(t, http.StatusOK, r.Code)
	m := r.json(t)
	assert.Equal(t, "DPoP", str(m, "token_type"))
	claims := jwtClaims(t, str(m, "access_token"))
	assert.Equal(t, map[string]any{"jkt": thumbprint(t, k)}, claims["cnf"])
}

func jwtClaims(t *testing.T, tok string) map[string]any {
	t.Helper()
	parts := strings.Split(tok, ".")
	require.Len(t, parts, 3)
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	require.NoError(t, err)
	var m map[string]any
	require.NoError(t, json.Unmarshal(b, &m))
	return m
}

func TestDPoPNonce(t *testing.T) { // §4.3 check 10, §8
	ts := newTestServer(t, dpopConfig(nil), Options{})
	k := newKey(t)
	form := passwordForm("dpop-nonce")

	r := ts.tokenWith(form, nil, ts.proof(t, proofSpec{key: k}))
	require.Equal(t, http.StatusBadRequest, r.Code)
	assert.Equal(t, "use_dpop_nonce", str(r.json(t), "error"))
	assert.Contains(t, str(r.json(t), "error_description"), "nonce is required")
	nonce := r.Header.Get("DPoP-Nonce")
	require.NotEmpty(t, nonce)

	r = ts.tokenWith(form, nil, ts.proof(t, proofSpec{key: k, nonce: "made-up"}))
	require.Equal(t, http.StatusBadRequest, r.Code)
	assert.Equal(t, "use_dpop_nonce", str(r.json(t), "error"))
	assert.NotEmpty(t, r.Header.Get("DPoP-Nonce"))

	// A nonce of another server (another signing key) is unknown here.
	foreign := newTestServer(t, dpopConfig(nil), Options{}).DPoPNonce()
	r = ts.tokenWith(form, nil, ts.proof(t, proofSpec{key: k, nonce: foreign}))
	assert.Equal(t, "use_dpop_nonce", str(r.json(t), "error"))

	r = ts.tokenWith(form, nil, ts.proof(t, proofSpec{key: k, nonce: nonce}))
	require.Equal(t, http.StatusOK, r.Code, r.Body)
	assert.NotEmpty(t, r.Header.Get("DPoP-Nonce"), "§8.2: a fresh nonce on success too")

	// Nonces live five minutes on the mock's clock.
	ts.Clock().Advance(DPoPNonceLifetime)
	r = ts.tokenWith(form, nil, ts.proof(t, proofSpec{key: k, nonce: nonce}))
	require.Equal(t, http.StatusBadRequest, r.Code)
	m := r.json(t)
	assert.Equal(t, "use_dpop_nonce", str(m, "error"))
	assert.Contains(t, str(m, "error_description"), "expired")
}

func TestDPoPRefreshBinding(t *testing.T) {
	ts := newTestServer(t, dpopConfig(nil), Options{})
	k := newKey(t)
	r := ts.tokenWith(passwordForm("dpop-public"), nil, ts.proof(t, proofSpec{key: k}))
	require.Equal(t, http.StatusOK, r.Code)
	rt := str(r.json(t), "refresh_token")
	form := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt}, "client_id": {"dpop-public"}}

	// "allowed" public client, so that a missing proof reaches the binding check.
	ts2 := newTestServer(t, nil, Options{})
	r2 := ts2.tokenWith(passwordForm("public-client"), nil, ts2.proof(t, proofSpec{key: k}))
	require.Equal(t, http.StatusOK, r2.Code)
	rt2 := str(r2.json(t), "refresh_token")
	res := ts2.tokenWith(url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt2}, "client_id": {"public-client"}}, nil)
	require.Equal(t, http.StatusBadRequest, res.Code)
	assert.Equal(t, "invalid_grant", str(res.json(t), "error"), "no proof for a bound refresh token")
	assert.Equal(t, true, ts2.introspectAs("public-client", rt2)["active"], "a refused refresh does not consume the token")
	assert.Equal(t, map[string]any{"jkt": thumbprint(t, k)}, ts2.introspectAs("public-client", rt2)["cnf"])

	res = ts.tokenWith(form, nil, ts.proof(t, proofSpec{key: newKey(t)}))
	require.Equal(t, http.StatusBadRequest, res.Code)
	assert.Contains(t, str(res.json(t), "error_description"), "another DPoP key")

	res = ts.tokenWith(form, nil, ts.proof(t, proofSpec{key: k}))
	require.Equal(t, http.StatusOK, res.Code, res.Body)
	assert.Equal(t, "DPoP", str(res.json(t), "token_type"))

	// Confidential clients' refresh tokens stay bound to the client only (§5).
	rc := ts.tokenWith(passwordForm(""), basicHeader("client_id", "client_secret"), ts.proof(t, proofSpec{key: k}))
	require.Equal(t, http.StatusOK, rc.Code)
	res = ts.tokenWith(url.Values{"grant_type": {"refresh_token"}, "refresh_token": {str(rc.json(t), "refresh_token")}}, basicHeader("client_id", "client_secret"))
	require.Equal(t, http.StatusOK, res.Code, res.Body)
	assert.Equal(t, "Bearer", str(res.json(t), "token_type"))
}

func (ts *testServer) introspectAs(clientID, tok string) map[string]any {
	ts.t.Helper()
	r := ts.do(http.MethodPost, "/introspect", url.Values{"token": {tok}, "client_id": {clientID}}.Encode(), nil)
	require.Equal(ts.t, http.StatusOK, r.Code, r.Body)
	return r.json(ts.t)
}

// TestDPoPUserinfo: the protected resource side (RFC 9449 §7), JWT and
// opaque tokens alike.
func TestDPoPUserinfo(t *testing.T) {
	for _, format := range []string{TokenFormatJWT, TokenFormatOpaque} {
		t.Run(format, func(t *testing.T) {
			ts := newTestServer(t, dpopConfig(func(c *Config) { c.TokenFormat = format }), Options{})
			k := newKey(t)
			r := ts.tokenWith(passwordForm("dpop-public"), nil, ts.proof(t, proofSpec{key: k}))
			require.Equal(t, http.StatusOK, r.Code)
			at := str(r.json(t), "access_token")
			bearer := str(ts.mustPassword("johndoe", "A3ddj3w"), "access_token")
			get := func(auth string, proofs ...string) result {
				req := newFormRequest(http.MethodGet, "http://mock.test/userinfo", "")
				req.Header.Set("Authorization", auth)
				for _, p := range proofs {
					req.Header.Add("DPoP", p)
				}
				return ts.serve(req)
			}
			ui := func(p proofSpec) proofSpec {
				p.method, p.target = http.MethodGet, "http://mock.test/userinfo"
				if p.key == nil {
					p.key = k
				}
				return p
			}
			ok := get("DPoP "+at, ts.proof(t, ui(proofSpec{tokenAT: at})))
			require.Equal(t, http.StatusOK, ok.Code, ok.Body)
			assert.Equal(t, "johndoe", str(ok.json(t), "sub"))

			intro := ts.introspectAs("dpop-public", at)
			assert.Equal(t, "DPoP", intro["token_type"])
			assert.Equal(t, map[string]any{"jkt": thumbprint(t, k)}, intro["cnf"])

			for _, tc := range []struct {
				name, auth string
				proofs     []string
				code, want string
			}{
				{"bound token as Bearer", "Bearer " + at, nil, "invalid_token", "DPoP-bound"},
				{"unbound token with the DPoP scheme", "DPoP " + bearer, []string{ts.proof(t, ui(proofSpec{tokenAT: bearer}))}, "invalid_token", "not DPoP-bound"},
				{"no proof", "DPoP " + at, nil, "invalid_dpop_proof", "proof is required"},
				{"12: no ath", "DPoP " + at, []string{ts.proof(t, ui(proofSpec{}))}, "invalid_dpop_proof", "no ath"},
				{"12: ath of another token", "DPoP " + at, []string{ts.proof(t, ui(proofSpec{tokenAT: bearer}))}, "invalid_dpop_proof", "ath does not match"},
				{"12: proof by another key", "DPoP " + at, []string{ts.proof(t, ui(proofSpec{key: newKey(t), tokenAT: at}))}, "invalid_dpop_proof", "not the key"},
				{"8: htm of the token endpoint", "DPoP " + at, []string{ts.proof(t, proofSpec{key: k, tokenAT: at, target: "http://mock.test/userinfo"})}, "invalid_dpop_proof", "htm"},
			} {
				t.Run(tc.name, func(t *testing.T) {
					r := get(tc.auth, tc.proofs...)
					require.Equal(t, http.StatusUnauthorized, r.Code, r.Body)
					chal := r.Header.Get("WWW-Authenticate")
					assert.True(t, strings.HasPrefix(chal, "DPoP "), chal)
					assert.Contains(t, chal, `error="`+tc.code+`"`)
					assert.Contains(t, chal, `algs="ES256 EdDSA"`)
					assert.Contains(t, str(r.json(t), "error_description"), tc.want)
				})
			}
		})
	}
}

func TestDPoPMetadataAndCORS(t *testing.T) {
	ts := newTestServer(t, nil, Options{})
	m := ts.do(http.MethodGet, PathOAuthMetadata, "", nil).json(t)
	assert.Equal(t, []any{"ES256", "EdDSA"}, m["dpop_signing_alg_values_supported"])
	pre := ts.do(http.MethodOptions, "/token", "", nil)
	assert.Contains(t, pre.Header.Get("Access-Control-Allow-Headers"), "DPoP")
	r := ts.password("johndoe", "wrong")
	assert.Contains(t, r.Header.Get("Access-Control-Expose-Headers"), "DPoP-Nonce")
}

func TestDPoPConfigValidation(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Clients[0].DPoP = "sometimes"
	err := cfg.Validate()
	require.Error(t, err)
	assert.Contains(t, err.Error(), "clients[0].dpop")
	cfg = DefaultConfig()
	cfg.DPoPIatWindow = Duration(-time.Second)
	require.ErrorContains(t, cfg.Validate(), "dpop_iat_window")
	_, err = ParseConfig("x.json", []byte(`{"clients":[{"client_id":"a","public":true,"dpop":"required","dpop_nonce":true}],"dpop_iat_window":"30s"}`))
	require.NoError(t, err)
}

func TestJTICacheBounded(t *testing.T) {
	var c jtiCache
	now := time.Unix(1000, 0)
	later := now.Add(time.Minute)
	require.True(t, c.firstUse("a", now, later))
	require.False(t, c.firstUse("a", now, later), "a replay within the window")
	require.True(t, c.firstUse("a", later, later.Add(time.Minute)), "forgotten once its iat left the window")
	for i := range maxDPoPReplayCache + 10 {
		c.firstUse(string(rune(i))+"k", later, later.Add(time.Hour))
	}
	assert.LessOrEqual(t, len(c.seen), maxDPoPReplayCache)
	assert.LessOrEqual(t, len(c.order), maxDPoPReplayCache)
}

func newFormRequest(method, target, body string) *http.Request {
	r := httptest.NewRequest(method, target, strings.NewReader(body))
	if body != "" {
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	return r
}

func (ts *testServer) serve(r *http.Request) result {
	w := httptest.NewRecorder()
	ts.ServeHTTP(w, r)
	return result{Code: w.Code, Header: w.Result().Header, Body: w.Body.String()}
}

func TestDPoPIgnoredClientGetsBearer(t *testing.T) {
	ts := newTestServer(t, dpopConfig(func(c *Config) { c.Clients[1].DPoP = DPoPIgnored }), Options{})
	r := ts.tokenWith(passwordForm("public-client"), nil, ts.proof(t, proofSpec{}))
	require.Equal(t, http.StatusOK, r.Code)
	assert.Equal(t, "Bearer", str(r.json(t), "token_type"))
	assert.NotContains(t, jwtClaims(t, str(r.json(t), "access_token")), "cnf")
}

// TestDPoPReplayAcrossInstances: two instances on one networked store (two
// Workers isolates on one D1) share the replay cache; their memory does not.
func TestDPoPReplayAcrossInstances(t *testing.T) {
	shared := wrappedStore{NewMemoryStore()}
	key := sharedTestKey(t)
	a := newTestServer(t, dpopConfig(nil), Options{Store: shared, Key: key})
	b := newTestServer(t, dpopConfig(nil), Options{Store: shared, Key: key})
	p := a.proof(t, proofSpec{})
	require.Equal(t, http.StatusOK, a.tokenWith(passwordForm("dpop-public"), nil, p).Code)
	r := b.tokenWith(passwordForm("dpop-public"), nil, p)
	require.Equal(t, http.StatusBadRequest, r.Code)
	assert.Contains(t, str(r.json(t), "error_description"), "replay")

	// Nonces are stateless: one instance's nonce is good at the other.
	nonce := a.DPoPNonce()
	r = b.tokenWith(passwordForm("dpop-nonce"), nil, b.proof(t, proofSpec{nonce: nonce}))
	require.Equal(t, http.StatusOK, r.Code, r.Body)
}

func sharedTestKey(t *testing.T) crypto.Signer {
	_, k, err := ed25519.GenerateKey(rand.Reader)
	require.NoError(t, err)
	return k
}

// FuzzDPoPProof feeds untrusted DPoP headers to the token endpoint: no
// panic, and any refusal is invalid_dpop_proof.
func FuzzDPoPProof(f *testing.F) {
	f.Add("not-a-jwt")
	f.Add("eyJ0eXAiOiJkcG9wK2p3dCIsImFsZyI6IkVTMjU2IiwiandrIjp7fX0.e30.AAAA")
	f.Add("e30.e30.e30")
	f.Fuzz(func(t *testing.T, proof string) {
		ts := fuzzDPoPServer(t)
		r := newFormRequest(http.MethodPost, "http://mock.test/token", passwordForm("dpop-public").Encode())
		r.Header["Dpop"] = []string{proof}
		res := ts.serve(r)
		if res.Code == http.StatusOK {
			return
		}
		if res.Code != http.StatusBadRequest || !strings.Contains(res.Body, `"invalid_dpop_proof"`) {
			t.Fatalf("answer %d %s", res.Code, res.Body)
		}
	})
}

var fuzzServer struct {
	once sync.Once
	ts   *testServer
}

func fuzzDPoPServer(t *testing.T) *testServer {
	fuzzServer.once.Do(func() {
		s, err := New(dpopConfig(nil), Options{})
		if err != nil {
			t.Fatal(err)
		}
		fuzzServer.ts = &testServer{Server: s}
	})
	return fuzzServer.ts
}

// BenchmarkDPoPVerify is the mock's share of a DPoP request: checking one
// proof (RFC 9449 §4.3), signature included. Proofs are made beforehand.
func BenchmarkDPoPVerify(b *testing.B) {
	_, ed, _ := ed25519.GenerateKey(rand.Reader)
	for _, tc := range []struct {
		name string
		key  crypto.Signer
	}{{"ES256", newKey(b)}, {"EdDSA", ed}} {
		b.Run(tc.name, func(b *testing.B) {
			s, err := New(dpopConfig(nil), Options{})
			if err != nil {
				b.Fatal(err)
			}
			ts := &testServer{Server: s}
			reqs := make([]*http.Request, b.N)
			for i := range reqs {
				reqs[i] = newFormRequest(http.MethodPost, "http://mock.test/token", "")
				reqs[i].Header.Set("DPoP", ts.proof(b, proofSpec{key: tc.key}))
			}
			st := s.state.Load()
			b.ReportAllocs()
			b.ResetTimer()
			for i := range b.N {
				if _, fail := s.verifyDPoPProof(reqs[i], st, dpopRequest{}); fail != nil {
					b.Fatal(fail.reason)
				}
			}
		})
	}
}
