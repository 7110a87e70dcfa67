package mockserver

import (
	"net/http"
	"strconv"
)

// oauthError is an RFC 6749 §5.2 error response.
type oauthError struct {
	status      int
	code        string
	description string
	// basicChallenge adds WWW-Authenticate: Basic (RFC 6749 §5.2: required
	// when the client authenticated with the Authorization header).
	basicChallenge bool
}

func errInvalidRequest(desc string) *oauthError {
	return &oauthError{status: http.StatusBadRequest, code: "invalid_request", description: desc}
}

func errInvalidClient(desc string) *oauthError {
	// RFC 7235 §3.1: a 401 must carry a challenge, so every invalid_client
	// answer names the Basic scheme, whichever method the client used.
	return &oauthError{status: http.StatusUnauthorized, code: "invalid_client", description: desc, basicChallenge: true}
}

func errInvalidGrant(desc string) *oauthError {
	return &oauthError{status: http.StatusBadRequest, code: "invalid_grant", description: desc}
}

func errInvalidScope(desc string) *oauthError {
	return &oauthError{status: http.StatusBadRequest, code: "invalid_scope", description: desc}
}

func errUnsupportedGrantType(desc string) *oauthError {
	return &oauthError{status: http.StatusBadRequest, code: "unsupported_grant_type", description: desc}
}

func errUnauthorizedClient(desc string) *oauthError {
	return &oauthError{status: http.StatusBadRequest, code: "unauthorized_client", description: desc}
}

func errServer() *oauthError {
	return &oauthError{status: http.StatusServiceUnavailable, code: "temporarily_unavailable", description: "the server could not complete the request; try again"}
}

// errorBody renders {"error":...,"error_description":...}. Descriptions are
// sanitised to the RFC 6749 §5.2 character set, which contains no quote or
// backslash, so no JSON escaping is needed.
func errorBody(code, desc string) []byte {
	b := make([]byte, 0, 48+len(code)+len(desc))
	b = append(b, `{"error":"`...)
	b = append(b, code...)
	b = append(b, '"')
	if desc != "" {
		b = append(b, `,"error_description":"`...)
		b = append(b, sanitizeDescription(desc)...)
		b = append(b, '"')
	}
	b = append(b, '}')
	return b
}

// sanitizeDescription keeps only the characters RFC 6749 §5.2 allows in
// error_description: %x20-21 / %x23-5B / %x5D-7E. Others become '?'.
func sanitizeDescription(s string) string {
	ok := true
	for i := 0; i < len(s); i++ {
		if !descChar(s[i]) {
			ok = false
			break
		}
	}
	if ok {
		return s
	}
	b := []byte(s)
	for i, c := range b {
		if !descChar(c) {
			b[i] = '?'
		}
	}
	return string(b)
}

func descChar(c byte) bool {
	return c >= 0x20 && c <= 0x7e && c != '"' && c != '\\'
}

// writeOAuthError writes e; token-endpoint-style answers are never cached.
func writeOAuthError(w http.ResponseWriter, e *oauthError) {
	h := w.Header()
	noStore(h)
	if e.basicChallenge {
		h["Www-Authenticate"] = []string{`Basic realm="` + defaultRealm + `", charset="UTF-8"`}
	}
	writeJSON(w, e.status, errorBody(e.code, e.description))
}

// bearerChallenge renders an RFC 6750 §3 WWW-Authenticate value. With an
// empty code (no credentials sent) it carries only the realm (§3.1).
func bearerChallenge(code, desc string) string {
	v := `Bearer realm="` + defaultRealm + `"`
	if code != "" {
		v += `, error="` + code + `"`
		if desc != "" {
			v += `, error_description=` + strconv.Quote(sanitizeDescription(desc))
		}
	}
	return v
}
