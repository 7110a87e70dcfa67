package core

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// SavedToken is what a token store keeps under one name between runs: the token, and what it
// belongs to (the server and the client), so that a resumed session never sends a token to
// another server or refreshes it as another client. The client secret is never part of it.
// String, GoString and Format redact the tokens and the DPoP key.
type SavedToken struct {
	Token *Token
	// TokenURL and Issuer are the token endpoint and issuer the token came from, as configured;
	// at least one is set. RevocationURL is kept for signing out (RFC 7009).
	TokenURL      string
	Issuer        string
	RevocationURL string
	ClientID      string
	// AuthMethod is how the client authenticated (RFC 6749 §2.3), so a resumed session uses the same.
	AuthMethod AuthMethod
	// DPoPKey is the private JWK (RFC 7517) of the key the token is bound to with DPoP
	// (RFC 9449 §4), or nil when the token is a plain bearer token or the key could not be
	// exported (a hardware-backed signer, a non-extractable WebCrypto key). A bound token is
	// useless without its key, so both are kept in the same record when they can be.
	DPoPKey json.RawMessage
	// DPoPThumbprint is the RFC 7638 thumbprint of that key (the jkt the server bound the token
	// to, RFC 9449 §6.1), "" for a bearer token. It alone names the key when DPoPKey is nil.
	DPoPThumbprint string
}

// savedTokenVersion is the record layout; a reader refuses any other.
const savedTokenVersion = 1

// MaxSavedTokenBytes bounds a saved record. Real records are a few KB (a JWT access token, a
// refresh token, an ID token); anything far larger is not a token record.
const MaxSavedTokenBytes = 256 << 10

// savedTokenWire is the compact record: no whitespace, no raw response, expiry as Unix seconds.
type savedTokenWire struct {
	V             int             `json:"v"`
	AccessToken   string          `json:"access_token"`
	TokenType     string          `json:"token_type,omitempty"`
	RefreshToken  string          `json:"refresh_token,omitempty"`
	IDToken       string          `json:"id_token,omitempty"`
	ExpiresAt     int64           `json:"expires_at,omitempty"`
	ExpiresIn     int64           `json:"expires_in,omitempty"`
	Scope         string          `json:"scope,omitempty"`
	TokenURL      string          `json:"token_url,omitempty"`
	Issuer        string          `json:"issuer,omitempty"`
	RevocationURL string          `json:"revocation_url,omitempty"`
	ClientID      string          `json:"client_id"`
	AuthMethod    string          `json:"auth_method,omitempty"`
	DPoPKey       json.RawMessage `json:"dpop_jwk,omitempty"`
	DPoPJKT       string          `json:"dpop_jkt,omitempty"`
}

// SavedTokenError is a record that cannot be saved or read back. Reason never contains a token.
type SavedTokenError struct{ Reason string }

func (e *SavedTokenError) Error() string { return "ropc: saved token record: " + e.Reason }

// MarshalSavedToken encodes s as the compact record a store keeps.
func MarshalSavedToken(s *SavedToken) ([]byte, error) {
	if err := s.check(); err != nil {
		return nil, err
	}
	jkt, err := s.dpopThumbprint()
	if err != nil {
		return nil, err
	}
	w := savedTokenWire{
		V:             savedTokenVersion,
		AccessToken:   s.Token.AccessToken,
		TokenType:     s.Token.TokenType,
		RefreshToken:  s.Token.RefreshToken,
		Scope:         s.Token.Scope,
		TokenURL:      s.TokenURL,
		Issuer:        s.Issuer,
		RevocationURL: s.RevocationURL,
		ClientID:      s.ClientID,
		AuthMethod:    string(s.AuthMethod),
		DPoPKey:       s.DPoPKey,
		DPoPJKT:       jkt,
	}
	if id, ok := s.Token.Raw["id_token"].(string); ok {
		w.IDToken = id // OpenID Connect Core §3.1.3.3: kept for RP-initiated logout and claims
	}
	if !s.Token.Expiry.IsZero() {
		w.ExpiresAt = s.Token.Expiry.Unix()
		if w.ExpiresAt == 0 {
			w.ExpiresAt = -1 // 0 would read back as "unknown"
		}
	}
	if s.Token.ExpiresIn != nil {
		w.ExpiresIn = *s.Token.ExpiresIn
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(&w); err != nil {
		return nil, &SavedTokenError{Reason: "cannot encode: " + err.Error()}
	}
	out := bytes.TrimSuffix(b.Bytes(), []byte("\n"))
	if len(out) > MaxSavedTokenBytes {
		return nil, &SavedTokenError{Reason: fmt.Sprintf("record is %d bytes, over the %d-byte limit", len(out), MaxSavedTokenBytes)}
	}
	return out, nil
}

// UnmarshalSavedToken decodes a record written by MarshalSavedToken. Store contents are treated
// as untrusted: any other layout, type or version is an error naming the problem.
func UnmarshalSavedToken(b []byte) (*SavedToken, error) {
	if len(b) > MaxSavedTokenBytes {
		return nil, &SavedTokenError{Reason: fmt.Sprintf("record is %d bytes, over the %d-byte limit", len(b), MaxSavedTokenBytes)}
	}
	if !utf8.Valid(b) {
		return nil, &SavedTokenError{Reason: "record is not UTF-8 text"}
	}
	var w savedTokenWire
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&w); err != nil {
		return nil, &SavedTokenError{Reason: "record is not a ropc token record: " + jsonProblem(err)}
	}
	if dec.More() {
		return nil, &SavedTokenError{Reason: "record has data after its end"}
	}
	if w.V != savedTokenVersion {
		return nil, &SavedTokenError{Reason: fmt.Sprintf("record version %d is not supported (want %d)", w.V, savedTokenVersion)}
	}
	if w.ExpiresIn < 0 || w.ExpiresIn > maxExpiresIn {
		return nil, &SavedTokenError{Reason: "expires_in out of range"}
	}
	if len(w.DPoPKey) > 0 && (w.DPoPKey[0] != '{') {
		return nil, &SavedTokenError{Reason: "dpop_jwk is not a JSON object"}
	}
	t := &Token{
		AccessToken:  w.AccessToken,
		TokenType:    w.TokenType,
		RefreshToken: w.RefreshToken,
		Scope:        w.Scope,
		Raw:          map[string]any{},
	}
	if w.ExpiresAt != 0 {
		t.Expiry = time.Unix(w.ExpiresAt, 0)
	}
	if w.ExpiresIn > 0 {
		secs := w.ExpiresIn
		t.ExpiresIn = &secs
	}
	if w.IDToken != "" {
		t.Raw["id_token"] = w.IDToken
	}
	s := &SavedToken{
		Token: t, TokenURL: w.TokenURL, Issuer: w.Issuer, RevocationURL: w.RevocationURL,
		ClientID: w.ClientID, AuthMethod: AuthMethod(w.AuthMethod), DPoPKey: w.DPoPKey, DPoPThumbprint: w.DPoPJKT,
	}
	if err := s.check(); err != nil {
		return nil, err
	}
	jkt, err := s.dpopThumbprint()
	if err != nil {
		return nil, err
	}
	s.DPoPThumbprint = jkt
	return s, nil
}

// jsonProblem describes a decoding error without quoting the input (which holds tokens).
func jsonProblem(err error) string {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		return fmt.Sprintf("invalid JSON at byte %d", se.Offset)
	case errors.As(err, &te):
		return fmt.Sprintf("field %s has the wrong type", te.Field)
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		return "unknown field " + strings.TrimPrefix(err.Error(), "json: unknown field ")
	}
	return "invalid JSON"
}

func (s *SavedToken) check() error {
	switch {
	case s == nil || s.Token == nil:
		return &SavedTokenError{Reason: "no token"}
	case s.Token.AccessToken == "":
		// RFC 6749 §5.1: access_token is REQUIRED.
		return &SavedTokenError{Reason: "no access_token"}
	case s.ClientID == "":
		return &SavedTokenError{Reason: "no client_id"}
	case s.TokenURL == "" && s.Issuer == "":
		return &SavedTokenError{Reason: "neither token_url nor issuer: the record must say which server the token belongs to"}
	}
	switch s.AuthMethod {
	case "", AuthClientSecretBasic, AuthClientSecretPost, AuthNone:
	default:
		return &SavedTokenError{Reason: fmt.Sprintf("unknown auth_method %q", string(s.AuthMethod))}
	}
	for _, u := range []struct{ field, url string }{{"token_url", s.TokenURL}, {"issuer", s.Issuer}, {"revocation_url", s.RevocationURL}} {
		if u.url == "" {
			continue
		}
		if err := CheckEndpointURL(u.field, u.url); err != nil {
			return &SavedTokenError{Reason: err.Error()}
		}
	}
	return nil
}

// BelongsTo reports why a saved token may not be used by the client with this token endpoint,
// issuer and client id, or nil when it may: a token goes only to the server that issued it and is
// refreshed only by the client it was issued to (RFC 6749 §6: the refresh token is bound to the
// client). Empty tokenURL or issuer are not compared.
func (s *SavedToken) BelongsTo(tokenURL, issuer, clientID string) error {
	if clientID != s.ClientID {
		return &SavedTokenError{Reason: fmt.Sprintf("it belongs to client %q, not %q", s.ClientID, clientID)}
	}
	compared := false
	if tokenURL != "" && s.TokenURL != "" {
		if tokenURL != s.TokenURL {
			return &SavedTokenError{Reason: fmt.Sprintf("it came from token endpoint %s, not %s", s.TokenURL, tokenURL)}
		}
		compared = true
	}
	if issuer != "" && s.Issuer != "" {
		if issuer != s.Issuer {
			return &SavedTokenError{Reason: fmt.Sprintf("it came from issuer %s, not %s", s.Issuer, issuer)}
		}
		compared = true
	}
	if !compared {
		return &SavedTokenError{Reason: fmt.Sprintf("cannot tell it came from this server: it names token endpoint %q and issuer %q", s.TokenURL, s.Issuer)}
	}
	return nil
}

// SavedTokenOwner is the client asking to resume a saved record, as configured (before
// discovery): its token endpoint, issuer, client id and DPoP key thumbprint ("" without a key).
type SavedTokenOwner struct {
	TokenURL, Issuer, ClientID, DPoPThumbprint string
}

// UsableBy reports why the client o may not resume the saved token, or nil when it may: the
// record belongs to it (BelongsTo: its client id, its token endpoint or issuer; RFC 6749 §6 binds
// the refresh token to its client) and, for a DPoP-bound token, the client holds the key it is
// bound to (CheckDPoPKey, RFC 9449 §6.1). The one check package sdk (LoadTokenSource, and each
// reload under a store's lock) and the JavaScript client.resume (through the wasm bridge) make.
func (s *SavedToken) UsableBy(o SavedTokenOwner) error {
	if err := s.BelongsTo(o.TokenURL, o.Issuer, o.ClientID); err != nil {
		return err
	}
	return s.CheckDPoPKey(o.DPoPThumbprint)
}

// String never shows the tokens or the DPoP key.
func (s SavedToken) String() string {
	tok := "no token"
	if s.Token != nil {
		tok = s.Token.String()
	}
	key := ""
	if len(s.DPoPKey) > 0 {
		key = " DPoPKey:[redacted]"
	}
	return fmt.Sprintf("SavedToken{%s TokenURL:%q Issuer:%q ClientID:%q%s}", tok, s.TokenURL, s.Issuer, s.ClientID, key)
}

// GoString never shows the tokens or the DPoP key.
func (s SavedToken) GoString() string { return "core." + s.String() }

// Format routes every verb through String/GoString.
func (s SavedToken) Format(f fmt.State, verb rune) { formatRedacted(f, verb, s.String(), s.GoString()) }
