package core

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
)

// A saved DPoP-bound token (RFC 9449) is useless without its key, and dangerous with the wrong
// one: the server refuses every proof, and a refresh of a public client's bound refresh token
// fails (§5). So the record names the key by its RFC 7638 thumbprint (dpop_jkt, the jkt the
// server bound the token to, §6.1) and, when the host could export the key, holds the private
// JWK (dpop_jwk) too. Which client may resume such a record is decided here, for every host.

// dpopThumbprint is the key a record is bound to: dpop_jkt, else the thumbprint of dpop_jwk's
// public half; "" for a record without either. It checks both and that they agree.
func (s *SavedToken) dpopThumbprint() (string, error) {
	jkt := s.DPoPThumbprint
	if jkt != "" {
		if b, err := base64.RawURLEncoding.DecodeString(jkt); err != nil || len(b) != 32 {
			return "", &SavedTokenError{Reason: "dpop_jkt is not a base64url SHA-256 thumbprint (RFC 7638)"}
		}
	}
	if len(s.DPoPKey) == 0 {
		return jkt, nil
	}
	fromKey, err := privateJWKThumbprint(s.DPoPKey)
	if err != nil {
		return "", err
	}
	if jkt != "" && jkt != fromKey {
		return "", &SavedTokenError{Reason: "dpop_jwk is not the key dpop_jkt names"}
	}
	return fromKey, nil
}

// privateJWKThumbprint checks that jwk is the private half of a DPoP key (EC P-256 or Ed25519,
// RFC 7518 §6.2.2, RFC 8037 §2) and returns its thumbprint. Messages never quote the key.
func privateJWKThumbprint(jwk []byte) (string, error) {
	var m map[string]any
	if err := json.Unmarshal(jwk, &m); err != nil || m == nil {
		return "", &SavedTokenError{Reason: "dpop_jwk is not a JSON Web Key object (RFC 7517)"}
	}
	d, _ := m["d"].(string)
	if b, err := base64.RawURLEncoding.DecodeString(d); d == "" || err != nil || len(b) != 32 {
		return "", &SavedTokenError{Reason: `dpop_jwk must be a private key with a 32-byte base64url "d"`}
	}
	for _, p := range privateJWKMembers {
		delete(m, p)
	}
	pub, err := json.Marshal(m)
	if err != nil {
		return "", &SavedTokenError{Reason: "dpop_jwk cannot be read"}
	}
	k, err := NewDPoPKey(pub)
	if err != nil {
		reason := "dpop_jwk is not a DPoP key"
		if pe, ok := err.(*ParamError); ok {
			reason = "dpop_jwk: " + pe.Reason
		}
		return "", &SavedTokenError{Reason: reason}
	}
	return k.Thumbprint, nil
}

// DPoPBound reports whether the saved token is bound to a DPoP key: the record names one, or
// (a record written before keys were saved) its token_type is DPoP (RFC 9449 §5).
func (s *SavedToken) DPoPBound() bool {
	jkt, _ := s.dpopThumbprint()
	return jkt != "" || len(s.DPoPKey) > 0 || (s.Token != nil && AuthorizationScheme(s.Token.TokenType) == "DPoP")
}

// CheckDPoPKey reports why a client whose DPoP key has this thumbprint ("" for a client without
// one) may not resume the saved token, or nil when it may: a bound token needs the key it is
// bound to (RFC 9449 §6.1, §7.1). A Bearer token may be resumed by any client.
func (s *SavedToken) CheckDPoPKey(clientThumbprint string) error {
	jkt, err := s.dpopThumbprint()
	if err != nil {
		return err
	}
	switch {
	case jkt != "" && clientThumbprint != "" && jkt != clientThumbprint:
		return &SavedTokenError{Reason: fmt.Sprintf("its token is bound to DPoP key %s, not to this client's key %s (RFC 9449 §6.1)%s",
			jkt, clientThumbprint, s.dpopResumeHint())}
	case clientThumbprint == "" && s.DPoPBound():
		name := ""
		if jkt != "" {
			name = " " + jkt
		}
		return &SavedTokenError{Reason: "its token is bound to DPoP key" + name + " (RFC 9449 §6.1) and this client has no DPoP key" + s.dpopResumeHint()}
	}
	return nil
}

// dpopResumeHint says how to resume a bound record: with the key it holds, or with the same key
// when only the thumbprint could be saved.
func (s *SavedToken) dpopResumeHint() string {
	switch {
	case len(s.DPoPKey) > 0:
		return "; the record holds that key: resume with it"
	case s.DPoPThumbprint != "":
		return "; the key could not be exported, so only its thumbprint was saved: resume with the same key"
	}
	return "; resume with the key the token was issued for"
}
