package mockserver

import "strings"

// IsTokenEndpoint reports whether path is where the server answers token
// requests (RFC 6749 §3.2) under its current config: PathToken below the
// issuer's path under the rfc profile, the provider's token path under a
// profile (/oauth/token, /realms/{realm}/protocol/openid-connect/token,
// /oauth2/default/v1/token, /{tenant}/oauth2/v2.0/token). Fault rules use it
// so that a rule for "/token" follows the config to its token endpoint.
// It routes as ServeHTTP does: under the rfc profile the endpoints also
// answer at the root, without the issuer's path.
func (s *Server) IsTokenEndpoint(path string) bool {
	st := s.state.Load()
	if prefix := st.issuerPath; prefix != "" {
		switch {
		case strings.HasPrefix(path, prefix+"/"):
			path = path[len(prefix):]
		case st.prov != nil:
			return false
		}
	}
	if st.prov == nil {
		return path == PathToken
	}
	return st.routes[path] == epToken
}
