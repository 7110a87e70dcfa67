package bridge

import (
	"encoding/json"
	"time"

	"github.com/ropcgo/ropc/sdk/core"
)

// Saved-token functions, numbered from 201 (js/loader.js keeps the same numbers).
const (
	FnMarshalSavedToken   = 201 + iota // savedToken (JSON)
	FnUnmarshalSavedToken              // record, tokenUrl, issuer, clientId, dpopJkt
	FnCheckStoreName                   // name
)

var savedTokenArgCount = map[int32]int{FnMarshalSavedToken: 1, FnUnmarshalSavedToken: 5, FnCheckStoreName: 1}

// callSavedToken runs a saved-token function (Call has checked its number of arguments).
func callSavedToken(fn int32, args [][]byte) string {
	s := func(i int) string { return string(args[i]) }
	switch fn {
	case FnMarshalSavedToken:
		return MarshalSavedToken(s(0))
	case FnUnmarshalSavedToken:
		return UnmarshalSavedToken(s(0), s(1), s(2), s(3), s(4))
	default: // FnCheckStoreName
		return CheckStoreName(s(0))
	}
}

// SavedToken is the JavaScript shape of a saved token record (core.SavedToken): what
// client.session({ store, name }) saves and client.resume(store, name) reads back. The record's
// layout, its checks and which client may use it are decided in core, once for Go and JS.
//
// A DPoP-bound token is saved with its key's thumbprint only (dpopJkt): the JavaScript host never
// writes a private key, extractable or not, and a record's private key (saved by a Go host) is
// never handed to JavaScript. The app keeps its CryptoKeyPair itself (IndexedDB, or a
// non-extractable key the platform holds) and passes the same pair to resume.
type SavedToken struct {
	Token         SavedTokenToken `json:"token"`
	TokenURL      string          `json:"tokenUrl"`
	Issuer        string          `json:"issuer"`
	RevocationURL string          `json:"revocationUrl"`
	ClientID      string          `json:"clientId"`
	AuthMethod    string          `json:"authMethod"`
	DPoPJKT       string          `json:"dpopJkt,omitempty"`
}

// SavedTokenToken is the token part, in the shape parseTokenResponse answers (expiresAt in
// Unix milliseconds, null when unknown).
type SavedTokenToken struct {
	AccessToken  string         `json:"accessToken"`
	TokenType    string         `json:"tokenType"`
	RefreshToken *string        `json:"refreshToken"`
	ExpiresIn    *int64         `json:"expiresIn"`
	ExpiresAt    *int64         `json:"expiresAt"`
	Scope        string         `json:"scope"`
	Raw          map[string]any `json:"raw,omitempty"` // only id_token is kept
}

// MarshalSavedToken encodes a SavedToken (as JSON) to the compact record a store keeps; ok is
// the record text.
func MarshalSavedToken(in string) string {
	var js SavedToken
	if err := json.Unmarshal([]byte(in), &js); err != nil {
		return fail(&core.SavedTokenError{Reason: "the saved token from the JavaScript layer is malformed"})
	}
	t := &core.Token{AccessToken: js.Token.AccessToken, TokenType: js.Token.TokenType, Scope: js.Token.Scope,
		ExpiresIn: js.Token.ExpiresIn}
	if js.Token.RefreshToken != nil {
		t.RefreshToken = *js.Token.RefreshToken
	}
	if js.Token.ExpiresAt != nil {
		t.Expiry = time.UnixMilli(*js.Token.ExpiresAt)
	}
	if id, ok := js.Token.Raw["id_token"].(string); ok {
		t.Raw = map[string]any{"id_token": id}
	}
	b, err := core.MarshalSavedToken(&core.SavedToken{Token: t, TokenURL: js.TokenURL, Issuer: js.Issuer,
		RevocationURL: js.RevocationURL, ClientID: js.ClientID, AuthMethod: core.AuthMethod(js.AuthMethod), DPoPThumbprint: js.DPoPJKT})
	if err != nil {
		return fail(err)
	}
	return result(string(b), nil)
}

// UnmarshalSavedToken decodes a record and checks that the client with this token endpoint,
// issuer, client id and DPoP key thumbprint ("" without a key) may use it
// (core.SavedToken.UsableBy, as package sdk's LoadTokenSource).
func UnmarshalSavedToken(record, tokenURL, issuer, clientID, dpopJKT string) string {
	s, err := core.UnmarshalSavedToken([]byte(record))
	if err != nil {
		return fail(err)
	}
	if err := s.UsableBy(core.SavedTokenOwner{TokenURL: tokenURL, Issuer: issuer, ClientID: clientID, DPoPThumbprint: dpopJKT}); err != nil {
		return fail(err)
	}
	js := SavedToken{TokenURL: s.TokenURL, Issuer: s.Issuer, RevocationURL: s.RevocationURL, ClientID: s.ClientID,
		AuthMethod: string(s.AuthMethod), DPoPJKT: s.DPoPThumbprint}
	t := s.Token
	js.Token = SavedTokenToken{AccessToken: t.AccessToken, TokenType: t.TokenType, ExpiresIn: t.ExpiresIn, Scope: t.Scope}
	if t.RefreshToken != "" {
		js.Token.RefreshToken = &t.RefreshToken
	}
	if t.ExpiryKnown() {
		ms := t.Expiry.UnixMilli()
		js.Token.ExpiresAt = &ms
	}
	js.Token.Raw = map[string]any{}
	if id, ok := t.Raw["id_token"]; ok {
		js.Token.Raw["id_token"] = id
	}
	return result(js, nil)
}

// CheckStoreName validates a saved token's name before a store turns it into a file name;
// ok is true.
func CheckStoreName(name string) string {
	return result(true, core.CheckStoreName(name))
}
