package sdk

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"encoding/json"

	jose "github.com/go-jose/go-jose/v4"
)

// A DPoP-bound token (RFC 9449) is saved with its key: the record names the key by its RFC 7638
// thumbprint and, when the key is an *ecdsa.PrivateKey or an ed25519.PrivateKey, holds it as a
// private JWK (RFC 7517), so the session can be resumed in a new process. Any other
// crypto.Signer (an HSM, a TPM, a platform keystore) cannot be exported: only the thumbprint is
// saved and the same signer must be configured to resume. core decides which client may resume
// a record (core.SavedToken.CheckDPoPKey); this file writes and reads the key with go-jose.

// exportJWK is the private JWK of the client's DPoP key, nil when the key cannot be exported.
func (d *dpopState) exportJWK() json.RawMessage {
	switch d.source.(type) {
	case *ecdsa.PrivateKey, ed25519.PrivateKey:
	default:
		return nil
	}
	b, err := jose.JSONWebKey{Key: d.source, Algorithm: d.key.Alg, Use: "sig"}.MarshalJSON()
	if err != nil {
		return nil // save the thumbprint only, as for a key that cannot be exported
	}
	return b
}

// SavedDPoPKey returns the DPoP key saved with s, to set as Config.DPoP before resuming the
// session with LoadTokenSource:
//
//	rec, err := store.Load(ctx, name)
//	key, err := sdk.SavedDPoPKey(rec) // nil for a bearer token
//	cfg.DPoP = key
//	c, err := sdk.NewClient(cfg)
//	ts, err := sdk.LoadTokenSource(ctx, c, store, name)
//
// It returns nil, nil for a record whose token is not bound to a key, and a *SavedTokenError
// when the token is bound but the key was not saved (it could not be exported: configure the
// same crypto.Signer) or the saved key is damaged. The error never contains the key.
func SavedDPoPKey(s *SavedToken) (crypto.Signer, error) {
	if s == nil {
		return nil, &SavedTokenError{Reason: "no record"}
	}
	if len(s.DPoPKey) == 0 {
		if s.DPoPBound() {
			return nil, &SavedTokenError{Reason: "its token is bound to a DPoP key that was not saved (it could not be exported): configure the same key as Config.DPoP"}
		}
		return nil, nil
	}
	var jwk jose.JSONWebKey
	if err := jwk.UnmarshalJSON(s.DPoPKey); err != nil || jwk.IsPublic() {
		return nil, &SavedTokenError{Reason: "the saved DPoP key is not a private JSON Web Key"}
	}
	var signer crypto.Signer
	switch k := jwk.Key.(type) {
	case *ecdsa.PrivateKey:
		// The public half must be the private key's: a record edited to pair one key's d
		// with another's x and y would sign proofs no server accepts.
		if k.Curve == elliptic.P256() && matchesECDSA(k) {
			signer = k
		}
	case ed25519.PrivateKey:
		if len(k) == ed25519.PrivateKeySize && ed25519.NewKeyFromSeed(k.Seed()).Public().(ed25519.PublicKey).Equal(k.Public()) {
			signer = k
		}
	}
	if signer == nil {
		return nil, &SavedTokenError{Reason: "the saved DPoP key is not a consistent EC P-256 or Ed25519 private key"}
	}
	d, err := newDPoP(signer)
	if err != nil {
		return nil, &SavedTokenError{Reason: "the saved DPoP key cannot sign proofs"}
	}
	if s.DPoPThumbprint != "" && d.key.Thumbprint != s.DPoPThumbprint {
		return nil, &SavedTokenError{Reason: "the saved DPoP key is not the one dpop_jkt names"}
	}
	return signer, nil
}

// matchesECDSA reports whether k's public point is d·G.
func matchesECDSA(k *ecdsa.PrivateKey) bool {
	e, err := k.ECDH()
	if err != nil {
		return false
	}
	pub, err := k.PublicKey.ECDH()
	if err != nil {
		return false
	}
	return e.PublicKey().Equal(pub)
}
