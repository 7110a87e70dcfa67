package sdk

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"errors"
	"maps"
	"net/http"
	"sync"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/cryptosigner"

	"github.com/ropcgo/ropc/sdk/core"
)

// DPoP (RFC 9449) on the Go side: core decides what a proof says, which
// nonce it carries and when to retry; this file signs with the caller's
// crypto.Signer (through go-jose, which turns ECDSA's ASN.1 signature into
// JWS r||s) and keeps the newest nonce per server.

// TokenTypeError reports a token whose token_type does not fit the client: a Bearer token
// for a client with Config.DPoP (RFC 9449 §5; allowed only with Config.DPoPAllowBearer),
// or a DPoP token for a client without a key.
type TokenTypeError = core.TokenTypeError

// dpopState is a client's DPoP key and the nonces servers handed it.
type dpopState struct {
	source crypto.Signer // Config.DPoP, exported to a saved record when it can be (saveddpop.go)
	key    *core.DPoPKey
	signer jose.OpaqueSigner
	nonces sync.Map // origin -> newest DPoP-Nonce (RFC 9449 §8.2)
}

// newDPoP accepts an ECDSA P-256 key (ES256) or an Ed25519 key (EdDSA).
func newDPoP(s crypto.Signer) (*dpopState, error) {
	switch pub := s.Public().(type) {
	case *ecdsa.PublicKey:
		if pub.Curve != elliptic.P256() {
			return nil, errors.New("ropc: Config.DPoP: an ECDSA key must be on P-256 (ES256)")
		}
	case ed25519.PublicKey:
	default:
		return nil, errors.New("ropc: Config.DPoP must be an ECDSA P-256 or Ed25519 key")
	}
	jwk, err := jose.JSONWebKey{Key: s.Public()}.MarshalJSON()
	if err != nil {
		return nil, errors.New("ropc: Config.DPoP: the public key cannot be written as a JWK")
	}
	key, err := core.NewDPoPKey(jwk)
	if err != nil {
		return nil, err
	}
	return &dpopState{source: s, key: key, signer: cryptosigner.Opaque(s)}, nil
}

// proof signs a proof for one request (RFC 9449 §4.2); accessToken is set
// on requests to a protected resource (ath).
func (d *dpopState) proof(c *Client, method, target, accessToken string) (string, error) {
	input, err := d.key.SigningInput(core.DPoPProofParams{
		Method: method, URL: target, AccessToken: accessToken, Nonce: d.nonce(target), Now: c.now(),
	})
	if err != nil {
		return "", err
	}
	sig, err := d.signer.SignPayload([]byte(input), jose.SignatureAlgorithm(d.key.Alg))
	if err != nil {
		return "", errors.New("ropc: signing the DPoP proof failed: " + err.Error())
	}
	return core.DPoPProof(input, sig)
}

func (d *dpopState) nonce(target string) string {
	v, _ := d.nonces.Load(core.DPoPNonceOrigin(target))
	s, _ := v.(string)
	return s
}

// remember keeps the newest nonce a server sent, on any answer (RFC 9449 §8.2).
func (d *dpopState) remember(target string, r core.Response) {
	if n := core.DPoPNonceFrom(r); n != "" {
		d.nonces.Store(core.DPoPNonceOrigin(target), n)
	}
}

// Thumbprint is the RFC 7638 thumbprint of the client's DPoP key (the jkt a server binds its
// tokens to, RFC 9449 §6.1), "" when the client has no key.
func (c *Client) Thumbprint() string {
	if c.dpop == nil {
		return ""
	}
	return c.dpop.key.Thumbprint
}

// DPoPProof returns a proof for a request the caller sends itself (RFC 9449 §4): method and URL
// of that request, and for a protected resource the DPoP-bound access token (its hash goes in
// ath). It carries the newest nonce the server's origin handed this client. Transport does this
// for every request it sends.
func (c *Client) DPoPProof(method, target, accessToken string) (string, error) {
	if c.dpop == nil {
		return "", errors.New("ropc: DPoPProof needs Config.DPoP")
	}
	return c.dpop.proof(c, method, target, accessToken)
}

// sendProof sends a token, revocation or introspection request (RFC 9449 §5 and, for the
// last two, the same proof a server may ignore), with a fresh proof when the client has a key,
// and once more when the server demands a nonce (§8). The body is in memory, so the retry
// sends it again unchanged; the first answer was a refusal before the grant was looked at.
func (c *Client) sendProof(ctx context.Context, r *core.Request) (core.Response, error) {
	if c.dpop == nil {
		return c.send(ctx, r)
	}
	for attempt := 0; ; attempt++ {
		proof, err := c.dpop.proof(c, r.Method, r.URL, "")
		if err != nil {
			return core.Response{}, err
		}
		signed := *r
		signed.Header = maps.Clone(r.Header)
		signed.Header["DPoP"] = proof
		resp, err := c.send(ctx, &signed)
		if err != nil {
			return resp, err
		}
		c.dpop.remember(r.URL, resp)
		if attempt == 0 && core.NeedsDPoPNonce(resp) {
			continue
		}
		return resp, nil
	}
}

// checkTokenType applies RFC 9449 §5 to a token response of a DPoP client.
func (c *Client) checkTokenType(tok *Token) error {
	if c.dpop == nil {
		return nil
	}
	return core.CheckTokenType(tok.TokenType, true, c.cfg.DPoPAllowBearer)
}

// authorize clones req with the token in the Authorization header: the DPoP scheme and a proof
// bound to the token (RFC 9449 §7.1) for a DPoP token, else Bearer (RFC 6750 §2.1).
func (t *Transport) authorize(req *http.Request, tok *Token) (*http.Request, error) {
	d := t.Source.c.dpop
	scheme, err := core.ResourceScheme(tok.TokenType, d != nil)
	if err != nil {
		return nil, err
	}
	if scheme != "DPoP" {
		return authorize(req, tok)
	}
	proof, err := d.proof(t.Source.c, req.Method, req.URL.String(), tok.AccessToken)
	if err != nil {
		return nil, err
	}
	r := req.Clone(req.Context())
	r.Header.Set("Authorization", "DPoP "+tok.AccessToken)
	r.Header.Set("DPoP", proof)
	return r, nil
}

// resourceAnswer records a resource server's nonce and reports whether its answer demands one
// (RFC 9449 §9: 401 with a DPoP challenge, error use_dpop_nonce).
func (t *Transport) resourceAnswer(req *http.Request, tok *Token, resp *http.Response) bool {
	d := t.Source.c.dpop
	if d == nil || core.AuthorizationScheme(tok.TokenType) != "DPoP" {
		return false
	}
	r := core.Response{
		Status:          resp.StatusCode,
		WWWAuthenticate: wwwAuthenticate(resp.Header),
		DPoPNonce:       resp.Header.Get("Dpop-Nonce"),
	}
	d.remember(req.URL.String(), r)
	return core.NeedsDPoPNonce(r)
}

// sendAuthorized sends req authorized with tok, and once more with the server's nonce when it demands one.
func (t *Transport) sendAuthorized(req *http.Request, tok *Token) (*http.Response, error) {
	req2, err := t.authorize(req, tok)
	if err != nil {
		return nil, err
	}
	resp, err := t.base().RoundTrip(req2)
	if err != nil || !t.resourceAnswer(req, tok, resp) {
		return resp, err
	}
	retry, ok := replay(req)
	if !ok {
		return resp, nil // RFC 9449 §9 retry needs the body again; the caller gets the 401
	}
	req3, err := t.authorize(retry, tok)
	if err != nil {
		if retry.Body != nil {
			retry.Body.Close()
		}
		return resp, nil
	}
	drain(resp)
	return t.base().RoundTrip(req3)
}
