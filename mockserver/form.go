package mockserver

import (
	"mime"
	"net/http"
	"net/url"
	"strings"
	"unicode/utf8"
	"unsafe"
)

// form is a parsed application/x-www-form-urlencoded body: the parameters
// this server knows, in the order sent. Empty values are dropped (RFC 6749
// §3.1: "Parameters sent without a value MUST be treated as if they were
// omitted"). A token request has a handful of parameters, so a slice
// searched in order beats a map, which would cost an allocation per group
// and a hash per parameter on every request.
type form []formParam

type formParam struct{ key, value string }

// get returns the value of key, or "" when it was not sent.
func (f form) get(key string) string {
	for i := range f {
		if f[i].key == key {
			return f[i].value
		}
	}
	return ""
}

// isKnownParam: the parameters this server defines (RFC 6749 §3.1 forbids
// repeating them), those of the providers' grants and MFA APIs included
// (the rfc profile ignores those). Unknown parameters are ignored, repeats
// included.
func isKnownParam(key string) bool {
	switch key {
	case "grant_type", "username", "password", "scope", "refresh_token", "client_id", "client_secret",
		"token", "token_type_hint", "access_token",
		// Provider profiles: Auth0's otp, realm, audience, MFA grants and
		// challenge; Okta's MFA; Keycloak's totp.
		"otp", "totp", "mfa_token", "oob_code", "binding_code", "recovery_code", "realm", "audience",
		"challenge_type", "authenticator_id", "oob_channel", "challenge_types_supported", "channel_hint":
		return true
	}
	return false
}

const formType = "application/x-www-form-urlencoded"

// readForm enforces the transport rules shared by /token, /introspect and
// /revoke: POST (checked by the caller), no query parameters, a form body of
// at most 64 KiB with valid percent-encoding and UTF-8.
func readForm(w http.ResponseWriter, r *http.Request) (form, *oauthError) {
	// RFC 6749 §3.2 and §2.3.1: credentials and parameters go in the body;
	// a query string could end up in logs and caches.
	if r.URL.RawQuery != "" || r.URL.ForceQuery {
		return nil, errInvalidRequest("parameters must be sent in the request body, not in the URL query")
	}
	// The exact type, as nearly every client sends it, needs no parsing.
	if ct := r.Header.Get("Content-Type"); ct != formType {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || mt != formType {
			return nil, errInvalidRequest("the body must be application/x-www-form-urlencoded")
		}
	}
	body, oerr := readBody(r)
	if oerr != nil {
		return nil, oerr
	}
	return parseForm(bodyString(body))
}

// bodyString views a body that ReadBody just allocated as a string, without
// a copy: nothing writes to it afterwards. (Stored values are copied by the
// stores, so the body, password included, is not kept alive by them.)
func bodyString(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(&b[0], len(b))
}

// parseForm decodes a urlencoded body strictly: '&' separates pairs (';'
// does not), '+' is a space, malformed percent-encoding or invalid UTF-8 is
// invalid_request, and a known parameter given twice is invalid_request.
func parseForm(body string) (form, *oauthError) {
	f := make(form, 0, 8) // a token request has up to 7 parameters: no growth

	for body != "" {
		var pair string
		pair, body, _ = strings.Cut(body, "&")
		if pair == "" {
			continue
		}
		k, v, _ := strings.Cut(pair, "=")
		key, err := url.QueryUnescape(k)
		if err != nil {
			return nil, errInvalidRequest("malformed percent-encoding in a parameter name")
		}
		if !isKnownParam(key) {
			continue
		}
		val, err := url.QueryUnescape(v)
		if err != nil {
			return nil, errInvalidRequest("malformed percent-encoding in parameter " + key)
		}
		if !utf8.ValidString(val) {
			return nil, errInvalidRequest("parameter " + key + " is not valid UTF-8")
		}
		if val == "" {
			continue
		}
		if f.get(key) != "" {
			return nil, errInvalidRequest("parameter " + key + " is repeated")
		}
		f = append(f, formParam{key, val})
	}
	return f, nil
}

// tokenRequest is the prologue RFC 7662 §2.1 (introspection) and RFC 7009
// §2.1 (revocation) share: a POST form, client authentication as at the
// token endpoint, and a required "token" parameter. On failure it has
// answered and ok is false.
func tokenRequest(w http.ResponseWriter, r *http.Request, st *state) (client authenticatedClient, tok string, f form, ok bool) {
	// Answers about tokens are never cached (as RFC 6749 §5.1 asks of the
	// token endpoint), refusals included.
	noStore(w.Header())
	if !allowMethods(w, r, http.MethodPost) {
		return client, "", nil, false
	}
	f, oerr := readForm(w, r)
	if oerr == nil {
		client, oerr = authenticateClient(r, f, st)
	}
	if oerr == nil && f.get("token") == "" {
		oerr = errInvalidRequest("missing token")
	}
	if oerr != nil {
		writeOAuthError(w, oerr)
		return client, "", nil, false
	}
	return client, f.get("token"), f, true
}
