package bridge

import (
	"errors"
	"strconv"
	"time"

	"github.com/ropcgo/ropc/sdk/core"
)

// DPoP (RFC 9449) for JavaScript: core builds the bytes to sign and decides
// nonces and token types; js/dpop.js signs with WebCrypto, so a
// non-extractable key never leaves it. Function numbers start at 100, apart
// from the rest, and are shared with js/loader.js.
const (
	FnDPoPKey          = 101 + iota // publicJwk
	FnDPoPSigningInput              // alg, canonicalJwk, method, url, accessToken, nonce, nowMillis
	FnDPoPProof                     // signingInput, signature bytes
	FnDPoPNonce                     // url, status, wwwAuthenticate, body, dpopNonceHeader
	FnCheckTokenType                // tokenType, dpop ("1" or ""), allowBearer ("1" or "")
	_                               // 106, retired: FnRefusesToken answers what JavaScript asked of the DPoP challenge
	FnDPoPNonceOrigin               // url
	FnResourceScheme                // tokenType, dpop ("1" or "")
)

var dpopArgCount = map[int32]int{
	FnDPoPKey: 1, FnDPoPSigningInput: 7, FnDPoPProof: 2, FnDPoPNonce: 5, FnCheckTokenType: 3,
	FnDPoPNonceOrigin: 1, FnResourceScheme: 2,
}

// callDPoP runs a DPoP function (Call has checked its number of arguments).
func callDPoP(fn int32, args [][]byte) string {
	s := func(i int) string { return string(args[i]) }
	switch fn {
	case FnDPoPKey:
		return DPoPKey(s(0))
	case FnDPoPSigningInput:
		return DPoPSigningInput(s(0), s(1), s(2), s(3), s(4), s(5), s(6))
	case FnDPoPProof:
		return DPoPProof(s(0), append([]byte(nil), args[1]...))
	case FnDPoPNonce:
		return DPoPNonce(s(0), s(1), s(2), append([]byte(nil), args[3]...), s(4))
	case FnCheckTokenType:
		return CheckTokenType(s(0), s(1) != "", s(2) != "")
	case FnResourceScheme:
		scheme, err := core.ResourceScheme(s(0), s(1) != "")
		if err != nil {
			return fail(err)
		}
		var w jsonWriter
		w.openOK()
		w.str("scheme", scheme)
		w.closeOK()
		return w.String()
	default: // FnDPoPNonceOrigin
		var w jsonWriter
		w.openOK()
		w.str("origin", core.DPoPNonceOrigin(s(0)))
		w.closeOK()
		return w.String()
	}
}

// DPoPKeyInfo is what JavaScript keeps of its key: the proof alg, the
// canonical public JWK to put in every proof, and the RFC 7638 thumbprint.
type DPoPKeyInfo struct {
	Alg string `json:"alg"`
	JWK string `json:"jwk"`
	JKT string `json:"jkt"`
}

// DPoPKey checks a public JWK exported by WebCrypto.
func DPoPKey(publicJWK string) string {
	k, err := core.NewDPoPKey([]byte(publicJWK))
	if err != nil {
		return fail(err)
	}
	return result(DPoPKeyInfo{Alg: k.Alg, JWK: string(k.JWK), JKT: k.Thumbprint}, nil)
}

// DPoPSigningInput returns the bytes to sign for one proof (RFC 9449 §4.2).
// jwk is the canonical JWK DPoPKey returned, so it is not parsed again.
func DPoPSigningInput(alg, jwk, method, url, accessToken, nonce, nowMillis string) string {
	if alg != core.DPoPES256 && alg != core.DPoPEdDSA {
		return fail(&core.ParamError{Key: "dpop key", Reason: "alg must be ES256 or EdDSA"})
	}
	ms, err := strconv.ParseInt(nowMillis, 10, 64)
	if err != nil {
		return fail(errors.New("ropc: malformed clock value from the JavaScript layer"))
	}
	k := core.DPoPKey{Alg: alg, JWK: []byte(jwk)}
	in, err := k.SigningInput(core.DPoPProofParams{Method: method, URL: url, AccessToken: accessToken, Nonce: nonce, Now: time.UnixMilli(ms)})
	if err != nil {
		return fail(err)
	}
	var w jsonWriter
	w.openOK()
	w.str("input", in)
	w.closeOK()
	return w.String()
}

// DPoPProof joins the signing input and WebCrypto's raw signature.
func DPoPProof(signingInput string, signature []byte) string {
	p, err := core.DPoPProof(signingInput, signature)
	if err != nil {
		return fail(err)
	}
	var w jsonWriter
	w.openOK()
	w.str("proof", p)
	w.closeOK()
	return w.String()
}

// DPoPNonce reads a response for DPoP: the origin its nonce belongs to, the
// nonce to keep ("" for none) and whether to retry once with it (RFC 9449 §8, §9).
func DPoPNonce(url, status, wwwAuthenticate string, body []byte, nonceHeader string) string {
	code, err := strconv.Atoi(status)
	if err != nil {
		return fail(errors.New("ropc: malformed HTTP status from the JavaScript layer"))
	}
	r := core.Response{Status: code, WWWAuthenticate: wwwAuthenticate, DPoPNonce: nonceHeader, Body: body}
	var w jsonWriter
	w.openOK()
	w.str("origin", core.DPoPNonceOrigin(url))
	w.str("nonce", core.DPoPNonceFrom(r))
	w.key("retry")
	if core.NeedsDPoPNonce(r) {
		w.raw([]byte("true"))
	} else {
		w.raw([]byte("false"))
	}
	w.closeOK()
	return w.String()
}

// CheckTokenType applies RFC 9449 §5 and answers the Authorization scheme.
func CheckTokenType(tokenType string, dpop, allowBearer bool) string {
	if err := core.CheckTokenType(tokenType, dpop, allowBearer); err != nil {
		return fail(err)
	}
	var w jsonWriter
	w.openOK()
	w.str("scheme", core.AuthorizationScheme(tokenType))
	w.closeOK()
	return w.String()
}
