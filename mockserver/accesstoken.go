package mockserver

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	jose "github.com/go-jose/go-jose/v4"
)

// accessClaims are the RFC 9068 §2.2 claims of an access token (JWT mode),
// also the shape of a stored opaque token's facts.
type accessClaims struct {
	Iss      string `json:"iss"`
	Sub      string `json:"sub"`
	Aud      string `json:"aud"`
	ClientID string `json:"client_id"`
	Scope    string `json:"scope,omitempty"`
	Iat      int64  `json:"iat"`
	Exp      int64  `json:"exp"`
	Jti      string `json:"jti"`
	// Sid names the refresh-token family (the grant) the token came from, so
	// that revoking the refresh token (RFC 7009 §2.1) or detecting its reuse
	// (RFC 9700 §4.14.2) also invalidates the access tokens issued from it.
	Sid string `json:"sid,omitempty"`
	// Cnf binds a DPoP token to its key (RFC 9449 §6.1: cnf.jkt).
	Cnf *confirmation `json:"cnf,omitempty"`
}

// confirmation is the RFC 7800 cnf claim with RFC 9449's jkt member.
type confirmation struct {
	JKT string `json:"jkt"`
}

// grant is what a successful grant authorises.
type grant struct {
	client  *clientEntry
	subject string
	scope   string
	family  string
}

// issueAccessToken mints an access token for g at now. ids holds random
// base64url strings: ids[0] is the jti, ids[1] the opaque token (opaque mode).
func (s *Server) issueAccessToken(ctx context.Context, r *http.Request, st *state, g grant, now time.Time, ids []string) (string, error) {
	jti := ids[0]
	exp := now.Add(st.accessTTL)
	jkt := dpopKeyOf(ctx)
	if st.opaque {
		tok := ids[1]
		err := s.store.PutAccessToken(ctx, AccessToken{
			Hash: TokenHash(tok), JTI: bindID(jti, jkt), Family: g.family, ClientID: g.client.ClientID,
			Subject: g.subject, Scope: g.scope, IssuedAt: now, ExpiresAt: exp,
		})
		if err != nil {
			return "", err
		}
		return tok, nil
	}
	// The audience defaults to the issuer: one derivation serves both.
	iss, aud := s.issuer(r, st), st.cfg.Audience
	if aud == "" {
		aud = iss
	}
	c := accessClaims{
		Iss: iss, Sub: g.subject, Aud: aud, ClientID: g.client.ClientID,
		Scope: g.scope, Iat: now.Unix(), Exp: exp.Unix(), Jti: jti, Sid: g.family,
	}
	if jkt != "" {
		c.Cnf = &confirmation{JKT: jkt}
	}
	return st.key.jws.sign(c.appendJSON(make([]byte, 0, 320)))
}

// appendJSON renders the claims without reflection (the password grant's
// hot path); the output equals json.Marshal(c).
func (c *accessClaims) appendJSON(b []byte) []byte {
	b = append(b, `{"iss":`...)
	b = appendJSONString(b, c.Iss)
	b = append(b, `,"sub":`...)
	b = appendJSONString(b, c.Sub)
	b = append(b, `,"aud":`...)
	b = appendJSONString(b, c.Aud)
	b = append(b, `,"client_id":`...)
	b = appendJSONString(b, c.ClientID)
	if c.Scope != "" {
		b = append(b, `,"scope":`...)
		b = appendJSONString(b, c.Scope)
	}
	b = append(b, `,"iat":`...)
	b = strconv.AppendInt(b, c.Iat, 10)
	b = append(b, `,"exp":`...)
	b = strconv.AppendInt(b, c.Exp, 10)
	b = append(b, `,"jti":`...)
	b = appendJSONString(b, c.Jti)
	if c.Sid != "" {
		b = append(b, `,"sid":`...)
		b = appendJSONString(b, c.Sid)
	}
	if c.Cnf != nil {
		b = append(b, `,"cnf":{"jkt":`...)
		b = appendJSONString(b, c.Cnf.JKT)
		b = append(b, '}')
	}
	return append(b, '}')
}

// appendJSONString appends s as a JSON string; the common case (no
// character that needs escaping) copies it as is.
func appendJSONString(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' || c >= 0x80 {
			q, _ := json.Marshal(s)
			return append(b, q...)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}

// errInactive means the token is not (or no longer) valid; callers do not
// need to know why.
var errInactive = errors.New("token inactive")

// looksLikeJWT: a compact JWS has exactly two dots; opaque tokens are
// base64url and have none.
func looksLikeJWT(tok string) bool { return strings.Count(tok, ".") == 2 }

// verifyAccessToken returns the claims of an active access token, or
// errInactive. Other errors are store failures.
func (s *Server) verifyAccessToken(ctx context.Context, r *http.Request, st *state, tok string, now time.Time) (accessClaims, error) {
	var c accessClaims
	if looksLikeJWT(tok) {
		jws, err := jose.ParseSignedCompact(tok, []jose.SignatureAlgorithm{st.key.alg})
		if err != nil || len(jws.Signatures) != 1 {
			return c, errInactive
		}
		if typ, _ := jws.Signatures[0].Protected.ExtraHeaders[jose.HeaderType].(string); !strings.EqualFold(typ, "at+jwt") {
			return c, errInactive
		}
		payload, err := jws.Verify(st.key.public)
		if err != nil {
			return c, errInactive
		}
		if err := json.Unmarshal(payload, &c); err != nil {
			return c, errInactive
		}
		if c.Iss != s.issuer(r, st) {
			return c, errInactive
		}
	} else {
		if len(tok) > 512 {
			return c, errInactive
		}
		at, err := s.store.GetAccessToken(ctx, TokenHash(tok))
		if errors.Is(err, ErrNotFound) {
			return c, errInactive
		}
		if err != nil {
			return c, err
		}
		c = accessClaims{
			Iss: s.issuer(r, st), Sub: at.Subject, Aud: s.audience(r, st), ClientID: at.ClientID,
			Scope: at.Scope, Iat: at.IssuedAt.Unix(), Exp: at.ExpiresAt.Unix(), Jti: at.JTI, Sid: at.Family,
		}
		if jkt := boundKey(at.JTI); jkt != "" {
			c.Cnf = &confirmation{JKT: jkt}
		}
	}
	if now.Unix() >= c.Exp {
		return c, errInactive
	}
	revoked, err := s.store.IsRevoked(ctx, c.Jti, c.Sid)
	if err != nil {
		return c, err
	}
	if revoked {
		return c, errInactive
	}
	return c, nil
}
