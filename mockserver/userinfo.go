package mockserver

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"
)

// serveUserinfo is a protected resource (RFC 6750) that returns the claims
// of the token's user, shaped like OpenID Connect UserInfo.
func (s *Server) serveUserinfo(w http.ResponseWriter, r *http.Request, st *state) {
	if !allowMethods(w, r, http.MethodGet, http.MethodPost) {
		return
	}
	noStore(w.Header())
	tok, scheme, problem := resourceToken(r)
	if problem != "" {
		// RFC 6750 §3.1: a malformed request is 400 invalid_request.
		w.Header().Set("WWW-Authenticate", resourceChallenge(scheme, "invalid_request", problem))
		writeJSON(w, http.StatusBadRequest, errorBody("invalid_request", problem))
		return
	}
	if tok == "" {
		// RFC 6750 §3.1: no credentials at all: a challenge without an error code.
		w.Header().Set("WWW-Authenticate", bearerChallenge("", ""))
		writeJSON(w, http.StatusUnauthorized, errorBody("invalid_token", "an access token is required"))
		return
	}
	ctx := r.Context()
	c, err := s.verifyAccessToken(ctx, r, st, tok, s.clock.Now())
	if err != nil && !errors.Is(err, errInactive) {
		writeOAuthError(w, s.internal(ctx, "verify access token", err))
		return
	}
	var user *userEntry
	if err == nil {
		user = st.users[c.Sub]
	}
	if user == nil {
		const desc = "the access token is invalid, expired or revoked"
		w.Header().Set("WWW-Authenticate", resourceChallenge(scheme, "invalid_token", desc))
		writeJSON(w, http.StatusUnauthorized, errorBody("invalid_token", desc))
		return
	}
	boundTo := ""
	if c.Cnf != nil {
		boundTo = c.Cnf.JKT
	}
	if !s.checkResourceDPoP(w, r, st, tok, scheme, boundTo) {
		return
	}
	claims := make(map[string]any, len(user.Claims)+1)
	for k, v := range user.Claims {
		claims[k] = v
	}
	claims["sub"] = user.Username
	if _, ok := claims["preferred_username"]; !ok {
		claims["preferred_username"] = user.Username
	}
	body, err := json.Marshal(claims)
	if err != nil {
		writeOAuthError(w, s.internal(ctx, "marshal claims", err))
		return
	}
	writeJSON(w, http.StatusOK, body)
}

// bearerToken extracts the token from the Authorization header (RFC 6750
// §2.1) or a form body (§2.2). The URI query method (§2.3) is not supported:
// tokens in URLs leak into logs. Using more than one method is invalid
// (§2: "MUST NOT use more than one method").
func bearerToken(r *http.Request) (tok, problem string) {
	if r.URL.Query().Has("access_token") {
		return "", "access tokens in the URL query are not accepted; use the Authorization header"
	}
	if h := r.Header.Get("Authorization"); h != "" {
		scheme, cred, _ := strings.Cut(h, " ")
		if !strings.EqualFold(scheme, "Bearer") {
			return "", ""
		}
		cred = strings.TrimSpace(cred)
		if cred == "" {
			return "", "empty Bearer credentials"
		}
		if r.Method == http.MethodPost && isForm(r) {
			if f, oerr := parseBodyForm(r); oerr == nil && f.get("access_token") != "" {
				return "", "access token sent both in the header and in the body"
			}
		}
		return cred, ""
	}
	if r.Method == http.MethodPost && isForm(r) {
		f, oerr := parseBodyForm(r)
		if oerr != nil {
			return "", oerr.description
		}
		return f.get("access_token"), ""
	}
	return "", ""
}

func isForm(r *http.Request) bool {
	ct, _, _ := strings.Cut(r.Header.Get("Content-Type"), ";")
	return strings.EqualFold(strings.TrimSpace(ct), "application/x-www-form-urlencoded")
}

func parseBodyForm(r *http.Request) (form, *oauthError) {
	if r.Body == nil {
		return form{}, nil
	}
	b, oerr := readBody(r)
	if oerr != nil {
		return nil, oerr
	}
	return parseForm(string(b))
}
