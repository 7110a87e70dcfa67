package mockserver

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// tokenCall is a token request that has passed tokenPrologue.
type tokenCall struct {
	r         *http.Request // with the DPoP key in its context when bound
	f         form
	grantType string
	client    authenticatedClient
}

// tokenPrologue is what every token endpoint, RFC or provider profile, does
// before the grant: answer a CORS preflight (answered reports it), mark
// the answer uncacheable (RFC 6749 §5.1), accept only POST (§3.2), read
// the form (§3.1), require grant_type (§4.3.2), authenticate the client
// (§2.3) and, when dpop, check a DPoP proof (RFC 9449 §5: before the grant,
// so a nonce retry never counts a failed password twice). A refusal comes
// back for the caller to answer in its dialect, with the grant type when
// it was read.
func (s *Server) tokenPrologue(w http.ResponseWriter, r *http.Request, st *state, dpop bool) (c tokenCall, answered bool, oerr *oauthError) {
	c.r = r
	if preflight(w, r, "POST, OPTIONS") {
		return c, true, nil
	}
	noStore(w.Header())
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", "POST, OPTIONS")
		return c, false, &oauthError{status: http.StatusMethodNotAllowed, code: "invalid_request", description: "the token endpoint accepts only POST"}
	}
	if c.f, oerr = readForm(w, r); oerr != nil {
		return c, false, oerr
	}
	if c.grantType = c.f.get("grant_type"); c.grantType == "" {
		return c, false, errInvalidRequest("missing grant_type")
	}
	if c.client, oerr = authenticateClient(r, c.f, st); oerr != nil {
		return c, false, oerr
	}
	if dpop {
		c.r, oerr = s.tokenEndpointDPoP(w, r, st, c.client.clientEntry)
	}
	return c, false, oerr
}

// serveToken is the RFC 6749 §3.2 token endpoint.
func (s *Server) serveToken(w http.ResponseWriter, r *http.Request, st *state) {
	c, answered, oerr := s.tokenPrologue(w, r, st, true)
	switch {
	case answered:
		return
	case oerr != nil:
		s.tokenError(w, r, oerr, c.grantType)
		return
	}
	r = c.r
	var resp *tokenResponse
	switch c.grantType {
	case "password":
		resp, oerr = s.passwordGrant(r.Context(), r, st, c.client.clientEntry, c.f)
	case "refresh_token":
		resp, oerr = s.refreshGrant(r.Context(), r, st, c.client.clientEntry, c.f)
	default:
		oerr = errUnsupportedGrantType("grant_type must be password or refresh_token")
	}
	if oerr != nil {
		s.tokenError(w, r, oerr, c.grantType)
		return
	}
	writeJSON(w, http.StatusOK, resp.marshal())
	s.log.LogAttrs(r.Context(), debugLevel, "token issued",
		slogStr("grant_type", c.grantType), slogStr("client_id", c.client.ClientID), slogStr("scope", resp.Scope))
}

func (s *Server) tokenError(w http.ResponseWriter, r *http.Request, e *oauthError, grantType string) {
	writeOAuthError(w, e)
	s.log.LogAttrs(r.Context(), infoLevel, "token request refused",
		append(grantTypeAttrs(grantType), slogStr("error", e.code), slogStr("description", e.description))...)
}

// tokenResponse is RFC 6749 §5.1.
type tokenResponse struct {
	AccessToken  string
	TokenType    string // "Bearer" (the default when empty) or "DPoP" (RFC 9449 §5)
	ExpiresIn    int64
	RefreshToken string
	Scope        string
}

// marshal writes the response by hand: every value is base64url, a JWT, a
// number or a scope (RFC 6749 §3.3 scope-tokens exclude '"' and '\'), so no
// escaping is needed, and it keeps the hot path free of reflection.
func (t *tokenResponse) marshal() []byte {
	b := make([]byte, 0, 96+len(t.AccessToken)+len(t.RefreshToken)+len(t.Scope))
	b = append(b, `{"access_token":"`...)
	b = append(b, t.AccessToken...)
	b = append(b, `","token_type":"`...)
	if t.TokenType == "" {
		b = append(b, "Bearer"...)
	} else {
		b = append(b, t.TokenType...)
	}
	b = append(b, `","expires_in":`...)
	b = strconv.AppendInt(b, t.ExpiresIn, 10)
	if t.RefreshToken != "" {
		b = append(b, `,"refresh_token":"`...)
		b = append(b, t.RefreshToken...)
		b = append(b, '"')
	}
	if t.Scope != "" {
		b = append(b, `,"scope":`...)
		b = appendJSONString(b, t.Scope)
	}
	return append(b, '}')
}

// resolveScope applies RFC 6749 §3.3: no scope means the client's default;
// every requested scope-token must be allowed (here: within allowed).
// Repeated tokens and spaces are dropped; a request that has none is
// answered with its own string, without building a new one.
func resolveScope(requested string, allowed []string, def string) (string, *oauthError) {
	if requested == "" {
		return def, nil
	}
	var buf [8]string
	out := buf[:0]
	canonical := true // requested == strings.Join(out, " ")
	for rest := requested; rest != ""; {
		sc, tail, found := strings.Cut(rest, " ")
		rest = tail
		if found && rest == "" {
			canonical = false // a trailing space
		}
		if sc == "" {
			canonical = false // tolerate repeated spaces
			continue
		}
		if !isScopeToken(sc) {
			return "", errInvalidScope("scope contains characters not allowed by RFC 6749 section 3.3")
		}
		if !contains(allowed, sc) {
			return "", errInvalidScope("scope " + sc + " is not allowed for this client")
		}
		if contains(out, sc) {
			canonical = false
		} else {
			out = append(out, sc)
		}
	}
	switch {
	case len(out) == 0:
		return def, nil
	case canonical:
		return requested, nil
	}
	return strings.Join(out, " "), nil
}

// issueTokens mints an access token and a refresh token of g's family. A
// new grant (no family yet) on the in-memory store gets its self-contained
// first token, which the store never sees (refreshtoken.go); any other
// refresh token is random and stored by hash.
func (s *Server) issueTokens(ctx context.Context, r *http.Request, st *state, g grant, refreshScope string, now time.Time) (*tokenResponse, *oauthError) {
	// One read of the random source for every id of the response.
	// ids: jti, [opaque access token], [family of a new grant],
	// [stored refresh token].
	sizes := append(make([]int, 0, 4), 16)
	if st.opaque {
		sizes = append(sizes, 32)
	}
	newGrant := g.family == ""
	if newGrant {
		sizes = append(sizes, 16)
	}
	selfContained := newGrant && s.selfContainedRefresh
	if !selfContained {
		sizes = append(sizes, refreshTokenRandomBytes)
	}
	ids, err := s.randomIDs(sizes...)
	if err != nil {
		return nil, s.internal(ctx, "random", err)
	}
	next := 1 // after the jti
	if st.opaque {
		next++
	}
	if newGrant {
		g.family = grantFamily(ctx, g.client, ids[next])
		next++
	}
	rt := RefreshToken{Family: g.family, ClientID: g.client.ClientID, Subject: g.subject,
		Scope: refreshScope, IssuedAt: now, ExpiresAt: now.Add(st.refreshTTL)}
	var refresh string
	if selfContained {
		refresh = st.mintRefreshToken(s.refreshEpoch.Load(), rt)
	} else {
		refresh = ids[next]
		rt.Hash = TokenHash(refresh)
		if err := s.store.PutRefreshToken(ctx, rt); err != nil {
			return nil, s.internal(ctx, "store refresh token", err)
		}
	}
	at, err := s.issueAccessToken(ctx, r, st, g, now, ids)
	if err != nil {
		return nil, s.internal(ctx, "issue access token", err)
	}
	return &tokenResponse{AccessToken: at, TokenType: tokenTypeFor(ctx), ExpiresIn: int64(st.accessTTL / time.Second), RefreshToken: refresh, Scope: g.scope}, nil
}

// internal logs a server-side failure (never a secret) and returns the
// error answered to the client.
func (s *Server) internal(ctx context.Context, what string, err error) *oauthError {
	s.log.LogAttrs(ctx, errorLevel, "internal error", slogStr("step", what), slogStr("error", err.Error()))
	return errServer()
}
