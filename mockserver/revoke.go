package mockserver

import (
	"errors"
	"net/http"
	"time"
)

// serveRevoke is RFC 7009 token revocation.
func (s *Server) serveRevoke(w http.ResponseWriter, r *http.Request, st *state) {
	client, tok, _, ok := tokenRequest(w, r, st)
	if !ok {
		return
	}
	ctx := r.Context()
	now := s.clock.Now()
	// RFC 7009 §2.1: the hint is only an optimisation; an unknown hint value
	// is ignored and both kinds are searched.
	rt, err := s.lookupRefreshToken(ctx, st, tok, false)
	switch {
	case err == nil:
		if rt.ClientID != client.ClientID {
			// RFC 7009 §2.1: the token must have been issued to the
			// requesting client; otherwise the request is refused.
			writeOAuthError(w, errUnauthorizedClient("the token was not issued to this client"))
			return
		}
		// RFC 7009 §2.1: revoking a refresh token also invalidates the
		// access tokens of the same grant — revoke the family.
		until := now.Add(max(st.refreshTTL, st.accessTTL))
		if err := s.store.Revoke(ctx, rt.Family, until); err != nil {
			writeOAuthError(w, s.internal(ctx, "revoke family", err))
			return
		}
		s.log.LogAttrs(ctx, infoLevel, "refresh token revoked", slogStr("client_id", client.ClientID))
		revoked(w)
		return
	case !errors.Is(err, ErrNotFound):
		writeOAuthError(w, s.internal(ctx, "get refresh token", err))
		return
	}
	c, err := s.verifyAccessToken(ctx, r, st, tok, now)
	switch {
	case err == nil:
		if c.ClientID != client.ClientID {
			writeOAuthError(w, errUnauthorizedClient("the token was not issued to this client"))
			return
		}
		if err := s.store.Revoke(ctx, c.Jti, time.Unix(c.Exp, 0)); err != nil {
			writeOAuthError(w, s.internal(ctx, "revoke access token", err))
			return
		}
		s.log.LogAttrs(ctx, infoLevel, "access token revoked", slogStr("client_id", client.ClientID))
	case !errors.Is(err, errInactive):
		writeOAuthError(w, s.internal(ctx, "verify access token", err))
		return
	}
	// RFC 7009 §2.2: 200 also for invalid or unknown tokens.
	revoked(w)
}

// revoked answers a revocation. RFC 7009 §2.2 says clients ignore the body;
// an empty JSON object rather than no body at all keeps clients that insist
// on a JSON content type (simple-oauth2's HTTP layer does) working.
func revoked(w http.ResponseWriter) {
	writeJSON(w, http.StatusOK, []byte("{}"))
}
