package core

import (
	"bytes"
	"encoding/json"
	"net/url"
	"strings"
	"time"
)

// Response is what a transport hands back: the HTTP status, the
// Content-Type, WWW-Authenticate and DPoP-Nonce headers, and the body bytes (already
// size-limited by the transport).
type Response struct {
	Status int
	// DPoPNonce is the DPoP-Nonce header (RFC 9449 §8), "" if absent.
	DPoPNonce       string
	ContentType     string
	WWWAuthenticate string
	// RetryAfter is the Retry-After header (RFC 9110 §10.2.3), if any.
	RetryAfter string
	Body       []byte
}

// bodyFormat is what a response body turned out to be, whatever its
// Content-Type claimed.
type bodyFormat int

const (
	formatUnknown bodyFormat = iota
	formatJSON
	formatForm
)

// decodeFields parses a body into its fields exactly once. JSON is recognised
// by its first byte rather than by Content-Type, because servers send JSON
// as text/plain or text/html, and form bodies as application/json
// (GitHub's legacy default is form-encoded). Numbers stay json.Number so
// that expires_in and exp keep their precision.
func decodeFields(body []byte) (map[string]any, bodyFormat, error) {
	b := bytes.TrimSpace(bytes.TrimPrefix(body, []byte("\xef\xbb\xbf")))
	if len(b) == 0 {
		return nil, formatUnknown, &ProtocolError{Reason: "empty body"}
	}
	switch b[0] {
	case '{':
		if m, ok := decodeFlatJSON(b); ok {
			return m, formatJSON, nil
		}
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.UseNumber()
		var m map[string]any
		if err := dec.Decode(&m); err != nil {
			return nil, formatJSON, &ProtocolError{Reason: "body is malformed JSON"}
		}
		if dec.More() {
			return nil, formatJSON, &ProtocolError{Reason: "body has data after the JSON object"}
		}
		return m, formatJSON, nil
	case '[', '"':
		return nil, formatJSON, &ProtocolError{Reason: "body is JSON but not an object"}
	case '<':
		return nil, formatUnknown, &ProtocolError{Reason: "body is HTML or XML, not an OAuth response"}
	}
	if looksLikeForm(b) {
		vals, err := url.ParseQuery(string(b))
		if err == nil && len(vals) > 0 {
			m := make(map[string]any, len(vals))
			for k, v := range vals {
				// A repeated field keeps its first value, as url.Values.Get does.
				m[k] = v[0]
			}
			return m, formatForm, nil
		}
	}
	return nil, formatUnknown, &ProtocolError{Reason: "body is neither JSON nor form-encoded"}
}

// looksLikeForm accepts bodies made only of form-urlencoded characters with
// at least one key=value pair, so prose such as "Bad Gateway" is not
// mistaken for a form with one empty-valued key.
func looksLikeForm(b []byte) bool {
	if bytes.IndexByte(b, '=') <= 0 {
		return false
	}
	for _, c := range b {
		if c <= 0x20 || c >= 0x7f {
			return false
		}
	}
	return true
}

// mediaType lowercases a Content-Type and drops its parameters; it replaces
// mime.ParseMediaType, which would pull the MIME type tables into wasm.
func mediaType(ct string) string {
	if i := strings.IndexByte(ct, ';'); i >= 0 {
		ct = ct[:i]
	}
	return strings.ToLower(strings.TrimSpace(ct))
}

// oauthErrorFrom returns the RFC 6749 §5.2 error in fields, if any. Only a
// string "error" counts: {"error": {...}} is some other API's error shape.
// Every other member is kept in Extra, and the Kind decided.
func oauthErrorFrom(fields map[string]any, r Response) *OAuthError {
	code, ok := fields["error"].(string)
	if !ok || strings.TrimSpace(code) == "" {
		return nil
	}
	e := &OAuthError{Code: sanitizeDescription(code, 100), Status: r.Status, Extra: make(map[string]any, len(fields))}
	if d, ok := fields["error_description"].(string); ok {
		e.Description = sanitizeDescription(d, 500)
	}
	if u, ok := fields["error_uri"].(string); ok {
		e.URI = sanitizeDescription(u, 500)
	}
	for k, v := range fields {
		switch k {
		case "error", "error_description", "error_uri":
		default:
			e.Extra[k] = v
		}
	}
	e.Kind = Classify(e.Code, e.Description, e.Extra, r.Status)
	if e.Kind == KindRateLimited || e.Kind == KindAccountLocked {
		e.RetryAfter = parseRetryAfter(r.RetryAfter, timeNow())
	}
	return e
}

// timeNow is the clock for an HTTP-date Retry-After; tests fix it.
var timeNow = time.Now

// classifyFailure decides what a response that did not parse as a success
// is: an OAuth error if the body says so (any status: RFC 6749 §5.2 names
// 400 and 401, servers also use 200 and 5xx), otherwise an HTTPError for a
// non-2xx status, otherwise the parse error itself.
func classifyFailure(r Response, fields map[string]any, parseErr error) error {
	if fields != nil {
		if oe := oauthErrorFrom(fields, r); oe != nil {
			return oe
		}
	}
	if r.Status < 200 || r.Status > 299 {
		return &HTTPError{Status: r.Status, ContentType: r.ContentType}
	}
	return parseErr
}

// decodeObject decodes the body of a response that should carry fields: an
// error body is an *OAuthError whatever the status (RFC 6749 §5.2; servers
// also send errors with 200), another non-2xx status an *HTTPError, an
// undecodable body a *ProtocolError naming the declared content type.
func decodeObject(r Response) (map[string]any, bodyFormat, error) {
	fields, format, err := decodeFields(r.Body)
	if err != nil {
		return nil, format, classifyFailure(r, nil, withContentType(err, r.ContentType))
	}
	if oe := oauthErrorFrom(fields, r); oe != nil {
		return nil, format, oe
	}
	if !isSuccess(r.Status) {
		return nil, format, &HTTPError{Status: r.Status, ContentType: r.ContentType}
	}
	return fields, format, nil
}

func isSuccess(status int) bool { return status >= 200 && status <= 299 }
