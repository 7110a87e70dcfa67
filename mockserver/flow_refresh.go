package mockserver

import (
	"context"
	"errors"
	"net/http"
	"strings"
)

// refreshGrant is RFC 6749 §6 with rotation and reuse detection
// (RFC 9700 §4.14.2).
func (s *Server) refreshGrant(ctx context.Context, r *http.Request, st *state, client *clientEntry, f form) (*tokenResponse, *oauthError) {
	tok := f.get("refresh_token")
	if tok == "" {
		return nil, errInvalidRequest("missing refresh_token")
	}
	now := s.clock.Now()
	rt, err := s.lookupRefreshToken(ctx, st, tok, false)
	if errors.Is(err, ErrNotFound) {
		return nil, errInvalidGrant("refresh token is invalid")
	}
	if err != nil {
		return nil, s.internal(ctx, "get refresh token", err)
	}
	// RFC 6749 §6: the token is bound to the client it was issued to. A
	// wrong client does not consume it.
	if rt.ClientID != client.ClientID {
		return nil, errInvalidGrant("refresh token was issued to another client")
	}
	// RFC 9449 §5: a public client's bound refresh token needs its key.
	if oerr := checkRefreshBinding(ctx, rt.Family); oerr != nil {
		return nil, oerr
	}
	if rt.FamilyRevoked {
		return nil, errInvalidGrant("refresh token has been revoked")
	}
	if !rt.UsedAt.IsZero() {
		return nil, s.reuseDetected(ctx, st, rt)
	}
	if !now.Before(rt.ExpiresAt) {
		return nil, errInvalidGrant("refresh token has expired")
	}
	user := st.users[rt.Subject]
	if user == nil {
		return nil, errInvalidGrant("the resource owner no longer exists")
	}
	// RFC 6749 §6: the new scope may narrow but never widen the original.
	granted := strings.Fields(rt.Scope)
	scope, oerr := resolveScope(f.get("scope"), granted, rt.Scope)
	if oerr != nil {
		return nil, oerr
	}
	ok, err := s.consumeRefreshToken(ctx, rt, tok, now)
	if err != nil {
		return nil, s.internal(ctx, "consume refresh token", err)
	}
	if !ok {
		// Lost a race with a concurrent use of the same token: that is reuse.
		return nil, s.reuseDetected(ctx, st, rt)
	}
	g := grant{client: client, subject: rt.Subject, scope: scope, family: rt.Family}
	// RFC 6749 §6: a new refresh token keeps the scope of the old one.
	return s.issueTokens(ctx, r, st, g, rt.Scope, now)
}

// reuseDetected revokes the whole family: RFC 9700 §4.14.2 — a rotated
// refresh token presented again means it leaked, so neither the attacker's
// nor the legitimate client's tokens of this grant may stay valid.
func (s *Server) reuseDetected(ctx context.Context, st *state, rt RefreshToken) *oauthError {
	until := s.clock.Now().Add(max(st.refreshTTL, st.accessTTL))
	if err := s.store.Revoke(ctx, rt.Family, until); err != nil {
		return s.internal(ctx, "revoke family", err)
	}
	s.log.LogAttrs(ctx, warnLevel, "refresh token reuse detected; grant revoked", slogStr("client_id", rt.ClientID))
	return errInvalidGrant("refresh token was already used; the grant has been revoked")
}
