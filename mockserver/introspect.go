package mockserver

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"time"
)

// serveIntrospect is RFC 7662 token introspection. The caller must
// authenticate as a client (§2.1); a public client may only introspect
// tokens issued to itself.
func (s *Server) serveIntrospect(w http.ResponseWriter, r *http.Request, st *state) {
	client, tok, f, ok := tokenRequest(w, r, st)
	if !ok {
		return
	}
	ctx := r.Context()
	now := s.clock.Now()
	resp, err := s.introspect(ctx, r, st, tok, f.get("token_type_hint"), now)
	if err != nil {
		writeOAuthError(w, s.internal(ctx, "introspect", err))
		return
	}
	if resp == nil || (client.Public && resp["client_id"] != client.ClientID) {
		// RFC 7662 §2.2: inactive, unknown and not-yours look the same.
		writeJSON(w, http.StatusOK, []byte(`{"active":false}`))
		return
	}
	body, _ := json.Marshal(resp)
	writeJSON(w, http.StatusOK, body)
}

// introspect returns the RFC 7662 §2.2 members of an active token, nil if
// inactive. The hint only decides which kind is tried first (§2.1).
func (s *Server) introspect(ctx context.Context, r *http.Request, st *state, tok, hint string, now time.Time) (map[string]any, error) {
	tryAccess := func() (map[string]any, error) {
		c, err := s.verifyAccessToken(ctx, r, st, tok, now)
		if errors.Is(err, errInactive) {
			return nil, nil
		}
		if err != nil {
			return nil, err
		}
		if !grantStillValid(st, c.Sub, c.ClientID) {
			return nil, nil
		}
		m := map[string]any{
			"active": true, "token_type": "Bearer", "client_id": c.ClientID, "username": c.Sub,
			"sub": c.Sub, "aud": c.Aud, "iss": c.Iss, "iat": c.Iat, "exp": c.Exp, "jti": c.Jti,
		}
		if c.Scope != "" {
			m["scope"] = c.Scope
		}
		if c.Cnf != nil {
			dpopConfirmation(m, c.Cnf.JKT, true)
		}
		return m, nil
	}
	tryRefresh := func() (map[string]any, error) {
		rt, err := s.lookupRefreshToken(ctx, st, tok, true)
		if errors.Is(err, ErrNotFound) {
			return nil, nil
		}
		if err != nil {
			return nil, err
		}
		if rt.FamilyRevoked || !rt.UsedAt.IsZero() || !now.Before(rt.ExpiresAt) || !grantStillValid(st, rt.Subject, rt.ClientID) {
			return nil, nil
		}
		m := map[string]any{
			"active": true, "token_type": "refresh_token", "client_id": rt.ClientID, "username": rt.Subject,
			"sub": rt.Subject, "iss": s.issuer(r, st), "iat": rt.IssuedAt.Unix(), "exp": rt.ExpiresAt.Unix(),
		}
		if rt.Scope != "" {
			m["scope"] = rt.Scope
		}
		dpopConfirmation(m, boundKey(rt.Family), false)
		return m, nil
	}
	first, second := tryAccess, tryRefresh
	if hint == "refresh_token" {
		first, second = tryRefresh, tryAccess
	}
	m, err := first()
	if m != nil || err != nil {
		return m, err
	}
	return second()
}

// grantStillValid: tokens of a user or client removed since issuance (admin
// API, reload) are no longer active.
func grantStillValid(st *state, username, clientID string) bool {
	return st.users[username] != nil && st.clients[clientID] != nil
}
