package core

import (
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"
)

// OAuthError is an error response from the authorization server
// (RFC 6749 §5.2), whatever HTTP status it came with: RFC 6749 says 400 (or 401
// for invalid_client), but real servers also send error bodies with 200.
// Code lets a program tell a wrong password (invalid_grant) from a
// misconfigured client (invalid_client).
type OAuthError struct {
	Code        string // RFC 6749 §5.2 "error", e.g. invalid_grant
	Description string // "error_description", sanitised to the §5.2 character set
	URI         string // "error_uri"
	Status      int    // HTTP status the error arrived with
	// Kind names the situation (wrong password, code needed, locked, ...),
	// decided once here for every host from the code, the provider's own
	// members and the status; see Kind.
	Kind Kind
	// Extra holds every other member of the error body as parsed (JSON
	// numbers as json.Number): Auth0/Okta mfa_token, Entra error_codes,
	// suberror, claims, trace_id. Never nil. Server text echoing a secret the
	// request carried is replaced by Scrub. mfa_token is a credential that
	// continues the sign-in: GoString and the CLI redact it.
	Extra map[string]any
	// RetryAfter is the server's Retry-After (RFC 9110 §10.2.3) for
	// KindRateLimited and KindAccountLocked; 0 when unknown.
	RetryAfter time.Duration
}

// GoString keeps %#v from dumping Extra, whose mfa_token continues a
// sign-in; the other fields are shown.
func (e *OAuthError) GoString() string {
	keys := make([]string, 0, len(e.Extra))
	for k := range e.Extra {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return fmt.Sprintf("&core.OAuthError{Code:%q, Description:%q, URI:%q, Status:%d, Kind:%q, Extra:<keys %q>, RetryAfter:%s}",
		e.Code, e.Description, e.URI, e.Status, string(e.Kind), keys, e.RetryAfter)
}

func (e *OAuthError) Error() string {
	var b strings.Builder
	b.WriteString("ropc: server returned OAuth error ")
	b.WriteString(strconv.Quote(e.Code))
	if e.Status != 0 {
		b.WriteString(" (HTTP ")
		b.WriteString(strconv.Itoa(e.Status))
		b.WriteString(")")
	}
	if e.Description != "" {
		b.WriteString(": ")
		b.WriteString(e.Description)
	}
	if e.URI != "" {
		b.WriteString(" [")
		b.WriteString(e.URI)
		b.WriteString("]")
	}
	return b.String()
}

// HTTPError is an HTTP failure that is not an OAuth error response, such as an
// HTML 502 page from a proxy. The body is not kept: it may echo the request.
type HTTPError struct {
	Status      int
	ContentType string
}

func (e *HTTPError) Error() string {
	msg := "ropc: server returned HTTP " + strconv.Itoa(e.Status)
	if text := statusText[e.Status]; text != "" {
		msg += " " + text
	}
	if e.ContentType != "" {
		msg += " (" + sanitizeForMessage(e.ContentType, 80) + ")"
	}
	return msg + ", not an OAuth response"
}

// ProtocolError reports a response that violates the protocol badly enough
// that guessing would be unsafe: a missing access_token, a negative
// expires_in, a body that is neither JSON nor form-encoded. Reason names the
// field and the problem but never a value, which could be a token.
type ProtocolError struct {
	Reason string
	Field  string // the offending response field, "" when the body as a whole is at fault
}

func (e *ProtocolError) Error() string { return "ropc: invalid server response: " + e.Reason }

// ParamError reports a request parameter the caller may not set or must set,
// such as an Extra parameter that would override grant_type or the password.
// It names the key, never the value.
type ParamError struct {
	Key    string
	Reason string
}

func (e *ParamError) Error() string {
	return "ropc: parameter " + strconv.Quote(e.Key) + ": " + e.Reason
}

// statusText covers the statuses token endpoints and their proxies actually
// send; net/http.StatusText is not available here.
var statusText = map[int]string{
	300: "Multiple Choices", 301: "Moved Permanently", 302: "Found", 303: "See Other",
	304: "Not Modified", 307: "Temporary Redirect", 308: "Permanent Redirect",
	400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found",
	405: "Method Not Allowed", 406: "Not Acceptable", 408: "Request Timeout",
	413: "Content Too Large", 415: "Unsupported Media Type", 429: "Too Many Requests",
	500: "Internal Server Error", 501: "Not Implemented", 502: "Bad Gateway",
	503: "Service Unavailable", 504: "Gateway Timeout",
}

// sanitizeForMessage keeps server-supplied text printable and short so that
// an error message stays one line.
func sanitizeForMessage(s string, max int) string {
	var b strings.Builder
	for _, r := range s {
		if b.Len() >= max {
			b.WriteString("...")
			break
		}
		if r < 0x20 || r == 0x7f {
			b.WriteByte(' ')
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// sanitizeDescription applies RFC 6749 §5.2: error_description and error_uri
// use only %x20-21 / %x23-5B / %x5D-7E. Anything else is replaced, which also
// keeps hostile control characters out of terminals and logs.
func sanitizeDescription(s string, max int) string {
	var b strings.Builder
	n := 0
	for i := 0; i < len(s); i++ {
		if n >= max {
			b.WriteString("...")
			break
		}
		c := s[i]
		if c >= 0x20 && c <= 0x7e && c != '"' && c != '\\' {
			b.WriteByte(c)
		} else {
			b.WriteByte('?')
		}
		n++
	}
	return b.String()
}

// Scrub removes the secrets a request carried (password, client secret, a
// token) from an error built from the server's answer, and returns err. A
// hostile or careless server can echo them into error_description,
// error_uri, the error code or the Content-Type, and error messages get
// logged. Fields are changed in place; a registered error code is kept so
// programs can still branch on it.
func Scrub(err error, secrets ...string) error {
	var oe *OAuthError
	if errors.As(err, &oe) {
		if !registeredCodes[oe.Code] && ContainsSecret(oe.Code, secrets...) {
			oe.Code = "[redacted]"
		}
		if ContainsSecret(oe.Description, secrets...) {
			oe.Description = "[redacted: the server's description contained a credential]"
		}
		if ContainsSecret(oe.URI, secrets...) {
			oe.URI = ""
		}
		for k, v := range oe.Extra {
			oe.Extra[k] = scrubValue(v, secrets)
		}
	}
	var he *HTTPError
	if errors.As(err, &he) && ContainsSecret(he.ContentType, secrets...) {
		he.ContentType = ""
	}
	var pe *ProtocolError
	if errors.As(err, &pe) && ContainsSecret(pe.Reason, secrets...) {
		pe.Reason = "response rejected; its details contained a credential and are withheld"
	}
	return err
}

// ContainsSecret reports whether text contains one of the non-empty secrets,
// as sent or in the form sanitizeDescription gives server text, ignoring
// case (media types in messages are lower-cased).
func ContainsSecret(text string, secrets ...string) bool {
	if text == "" {
		return false
	}
	lower := strings.ToLower(text)
	for _, s := range secrets {
		if s == "" {
			continue
		}
		if strings.Contains(lower, strings.ToLower(s)) ||
			strings.Contains(lower, strings.ToLower(sanitizeDescription(s, len(s)))) {
			return true
		}
	}
	return false
}

// registeredCodes are the error codes of RFC 6749 §5.2 (and the §4.1.2.1
// server_error and temporarily_unavailable that token endpoints use too),
// RFC 6750 §3.1 and RFC 7009 §2.2.1: fixed words, not server-chosen text.
var registeredCodes = map[string]bool{
	"invalid_request": true, "invalid_client": true, "invalid_grant": true, "unauthorized_client": true,
	"unsupported_grant_type": true, "invalid_scope": true, "invalid_token": true, "insufficient_scope": true,
	"unsupported_token_type": true, "server_error": true, "temporarily_unavailable": true,
}

// scrubValue replaces every string inside v that contains a secret.
func scrubValue(v any, secrets []string) any {
	switch t := v.(type) {
	case string:
		if ContainsSecret(t, secrets...) {
			return "[redacted]"
		}
	case []any:
		for i := range t {
			t[i] = scrubValue(t[i], secrets)
		}
	case map[string]any:
		for k := range t {
			t[k] = scrubValue(t[k], secrets)
		}
	}
	return v
}
