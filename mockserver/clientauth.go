package mockserver

import (
	"net/http"
	"net/url"
	"strings"
)

// authenticatedClient is the result of client authentication.
type authenticatedClient struct {
	*clientEntry
	viaBasic bool
}

// authenticateClient implements RFC 6749 §2.3: HTTP Basic with
// form-urlencoded id and secret (§2.3.1), or client_id/client_secret in the
// body, never both (§2.3: "MUST NOT use more than one authentication
// method"); a public client sends only client_id (§2.1, §3.2.1).
func authenticateClient(r *http.Request, f form, st *state) (authenticatedClient, *oauthError) {
	auth := r.Header.Get("Authorization")
	bodyID, bodySecret := f.get("client_id"), f.get("client_secret")
	if auth != "" {
		scheme, cred, _ := strings.Cut(auth, " ")
		if !strings.EqualFold(scheme, "Basic") {
			return authenticatedClient{}, errInvalidClient("unsupported client authentication scheme; use Basic or the request body")
		}
		if bodySecret != "" {
			return authenticatedClient{}, errInvalidRequest("client authenticated both with the Authorization header and client_secret in the body; use one method")
		}
		id, secret, ok := decodeBasic(strings.TrimSpace(cred))
		if !ok {
			return authenticatedClient{}, errInvalidClient("malformed Basic credentials")
		}
		if bodyID != "" && bodyID != id {
			return authenticatedClient{}, errInvalidRequest("client_id in the body does not match the Authorization header")
		}
		c := st.clients[id]
		if c == nil || c.Public || !secretMatches(c, secret) {
			return authenticatedClient{}, errInvalidClient("client authentication failed")
		}
		return authenticatedClient{clientEntry: c, viaBasic: true}, nil
	}
	if bodyID == "" {
		return authenticatedClient{}, errInvalidClient("client authentication required")
	}
	c := st.clients[bodyID]
	if c == nil {
		return authenticatedClient{}, errInvalidClient("client authentication failed")
	}
	if c.Public {
		if bodySecret != "" {
			return authenticatedClient{}, errInvalidClient("client authentication failed")
		}
		return authenticatedClient{clientEntry: c}, nil
	}
	if bodySecret == "" || !secretMatches(c, bodySecret) {
		return authenticatedClient{}, errInvalidClient("client authentication failed")
	}
	return authenticatedClient{clientEntry: c}, nil
}

// decodeBasic decodes "base64(urlencode(id):urlencode(secret))".
func decodeBasic(cred string) (id, secret string, ok bool) {
	raw, err := decodeStdBase64(cred)
	if err != nil {
		return "", "", false
	}
	i, s, found := strings.Cut(string(raw), ":")
	if !found {
		return "", "", false
	}
	if id, err = url.QueryUnescape(i); err != nil || id == "" {
		return "", "", false
	}
	if secret, err = url.QueryUnescape(s); err != nil {
		return "", "", false
	}
	return id, secret, true
}
