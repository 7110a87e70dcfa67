package mockserver

import (
	"net/http"
	"net/url"
	"strings"
)

// Endpoint paths, relative to the issuer.
const (
	PathToken         = "/token"
	PathIntrospect    = "/introspect"
	PathRevoke        = "/revoke"
	PathUserinfo      = "/userinfo"
	PathJWKS          = "/jwks"
	PathHealthz       = "/healthz"
	PathOAuthMetadata = "/.well-known/oauth-authorization-server"
	PathOIDCMetadata  = "/.well-known/openid-configuration"
)

// ServeHTTP routes a request to its endpoint.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	st := s.state.Load()
	if st.prov != nil {
		s.serveProfile(w, r, st)
		return
	}
	path := r.URL.Path
	// An issuer with a path component (https://host/tenant) serves its
	// endpoints under that path.
	if prefix := st.issuerPath; prefix != "" {
		switch {
		case strings.HasPrefix(path, prefix+"/"):
			path = path[len(prefix):]
		case strings.HasPrefix(path, "/.well-known/") && strings.HasSuffix(path, prefix):
			// RFC 8414 §3.1: well-known suffix goes between host and path.
			path = strings.TrimSuffix(path, prefix)
		}
	}
	SetCORS(w.Header())
	switch path {
	case PathToken:
		s.serveToken(w, r, st)
	case PathIntrospect:
		s.serveIntrospect(w, r, st)
	case PathRevoke:
		s.serveRevoke(w, r, st)
	case PathUserinfo:
		s.serveUserinfo(w, r, st)
	case PathJWKS:
		s.serveJWKS(w, r, st)
	case PathOAuthMetadata, PathOIDCMetadata:
		s.serveMetadata(w, r, st, path == PathOIDCMetadata)
	case PathHealthz:
		serveHealthz(w, r)
	default:
		s.notFound(w)
	}
}

func issuerPath(issuer string) string {
	if issuer == "" {
		return ""
	}
	u, err := url.Parse(issuer)
	if err != nil {
		return ""
	}
	return strings.TrimSuffix(u.Path, "/")
}

// issuer returns the configured issuer, or one derived from the request
// when none is configured (tests on random ports, Workers previews).
func (s *Server) issuer(r *http.Request, st *state) string {
	if st.prov != nil {
		return s.baseURL(r, st) + st.prov.issuerSuffix(st.cfg)
	}
	if st.cfg.Issuer != "" {
		return strings.TrimSuffix(st.cfg.Issuer, "/")
	}
	return RequestOrigin(r)
}

// RequestOrigin is scheme://host of the request as the client addressed it.
func RequestOrigin(r *http.Request) string {
	if r.URL.IsAbs() && r.URL.Host != "" {
		return r.URL.Scheme + "://" + r.URL.Host
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

func (s *Server) audience(r *http.Request, st *state) string {
	if st.cfg.Audience != "" {
		return st.cfg.Audience
	}
	return s.issuer(r, st)
}

// SetCORS lets browser pages and Electron renderers on other origins call
// the mock. No cookies are involved, so "*" is safe; WWW-Authenticate is
// exposed so a script can read RFC 6750 challenges, Retry-After so it can
// honour RFC 9110 §10.2.3 on a 429 or 503, DPoP-Nonce for RFC 9449 §8 nonces.
func SetCORS(h http.Header) {
	h["Access-Control-Allow-Origin"] = hdrAnyOrigin
	h["Access-Control-Expose-Headers"] = hdrExposed
}

// Header values the hot path sets on every answer, made once: net/http only
// reads them (and copies them when the answer starts). Each has len == cap,
// so an Add by a later handler appends to a fresh copy, never to these.
var (
	hdrAnyOrigin = []string{"*"}
	hdrExposed   = []string{"WWW-Authenticate, Retry-After, DPoP-Nonce"}
	hdrJSON      = []string{"application/json"}
	hdrNoStore   = []string{"no-store"}
	hdrNoCache   = []string{"no-cache"}
)

// preflight answers a CORS preflight request; it reports whether it did.
func preflight(w http.ResponseWriter, r *http.Request, methods string) bool {
	if r.Method != http.MethodOptions {
		return false
	}
	h := w.Header()
	h.Set("Access-Control-Allow-Methods", methods)
	h.Set("Access-Control-Allow-Headers", "Authorization, Content-Type, Accept, DPoP") // RFC 9449 §4.1
	h.Set("Access-Control-Max-Age", "600")
	h.Set("Allow", methods)
	w.WriteHeader(http.StatusNoContent)
	return true
}

// allowMethods answers 405 unless r.Method is one of methods (OPTIONS is
// answered as a preflight).
func allowMethods(w http.ResponseWriter, r *http.Request, methods ...string) bool {
	list := strings.Join(append(methods, http.MethodOptions), ", ")
	if preflight(w, r, list) {
		return false
	}
	for _, m := range methods {
		if r.Method == m {
			return true
		}
	}
	w.Header().Set("Allow", list)
	writeJSON(w, http.StatusMethodNotAllowed, errorBody("invalid_request", "method "+sanitizeDescription(r.Method)+" not allowed; use "+strings.Join(methods, " or ")))
	return false
}

func writeJSON(w http.ResponseWriter, status int, body []byte) {
	h := w.Header()
	h["Content-Type"] = hdrJSON
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// noStore marks a response as not cacheable. RFC 6749 §5.1 requires it on
// every token response; the mock sends it on errors too (§5.2 responses
// carry credentials' outcomes just the same).
func noStore(h http.Header) {
	h["Cache-Control"] = hdrNoStore
	h["Pragma"] = hdrNoCache
}
