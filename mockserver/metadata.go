package mockserver

import (
	"encoding/json"
	"net/http"
)

// serveMetadata is RFC 8414 authorization server metadata; oidc adds the
// members OpenID Connect Discovery 1.0 §3 requires so OIDC libraries that
// only know openid-configuration can discover the endpoints.
func (s *Server) serveMetadata(w http.ResponseWriter, r *http.Request, st *state, oidc bool) {
	if !allowMethods(w, r, http.MethodGet, http.MethodHead) {
		return
	}
	iss := s.issuer(r, st)
	authMethods := []string{"client_secret_basic", "client_secret_post", "none"}
	m := map[string]any{
		"issuer":                                iss,
		"token_endpoint":                        iss + PathToken,
		"jwks_uri":                              iss + PathJWKS,
		"introspection_endpoint":                iss + PathIntrospect,
		"revocation_endpoint":                   iss + PathRevoke,
		"userinfo_endpoint":                     iss + PathUserinfo,
		"grant_types_supported":                 []string{"password", "refresh_token"},
		"response_types_supported":              []string{},
		"scopes_supported":                      st.scopes,
		"token_endpoint_auth_methods_supported": authMethods,
		"introspection_endpoint_auth_methods_supported": authMethods,
		"revocation_endpoint_auth_methods_supported":    authMethods,
		"access_token_signing_alg_values_supported":     []string{string(st.key.alg)},
		"dpop_signing_alg_values_supported":             DPoPSigningAlgs, // RFC 9449 §5.1
	}
	if oidc {
		m["subject_types_supported"] = []string{"public"}
		m["id_token_signing_alg_values_supported"] = []string{string(st.key.alg)}
		m["claims_supported"] = []string{"sub", "preferred_username", "name", "email", "email_verified"}
	}
	body, _ := json.Marshal(m)
	w.Header().Set("Cache-Control", "no-cache")
	writeJSON(w, http.StatusOK, body)
}

// serveJWKS publishes the public signing key (RFC 7517) so resource servers
// can verify JWT access tokens.
func (s *Server) serveJWKS(w http.ResponseWriter, r *http.Request, st *state) {
	if !allowMethods(w, r, http.MethodGet, http.MethodHead) {
		return
	}
	w.Header().Set("Cache-Control", "no-cache")
	w.Header()["Content-Type"] = []string{"application/jwk-set+json"}
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(st.key.jwks)
}
