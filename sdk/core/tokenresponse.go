package core

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// Token is a successful access token response (RFC 6749 §5.1).
// String, GoString and Format redact the access and refresh tokens.
type Token struct {
	AccessToken string `json:"access_token"`
	// TokenType is case-insensitive on the wire (RFC 6749 §5.1); "bearer" in
	// any case is normalised to "Bearer" (RFC 6750 §4). "" if the server
	// omitted it, which some do (LinkedIn).
	TokenType    string `json:"token_type"`
	RefreshToken string `json:"refresh_token,omitempty"`
	// ExpiresIn is the lifetime in seconds as sent. nil means unknown: the
	// field was missing, null, empty or 0 (0 is how several servers say
	// "does not expire"). Unknown never means "expires now".
	ExpiresIn *int64 `json:"expires_in,omitempty"`
	// Expiry is the receive time plus ExpiresIn; zero means unknown.
	Expiry time.Time `json:"expiry,omitzero"`
	// Scope is the granted scope (RFC 6749 §5.1); when the server omits it
	// the granted scope equals the requested one (RFC 6749 §3.3).
	Scope string `json:"scope,omitempty"`
	// Raw holds every field of the response as parsed once: JSON numbers
	// as json.Number, form fields as strings. Use it for extension fields
	// such as id_token.
	Raw map[string]any `json:"-"`
}

// maxExpiresIn bounds expires_in to ten years: a larger value is a unit
// mistake (milliseconds) or an attack on the expiry arithmetic.
const maxExpiresIn = 10 * 365 * 24 * 60 * 60

// ParseTokenResponse parses a token endpoint response (RFC 6749 §5.1 and
// §5.2) received at now.
//
// Errors are *OAuthError for an error body (with the HTTP status, whether it
// came with 200, 400 or 401), *HTTPError for a non-2xx response that is not an
// OAuth error (an HTML 502 page), and *ProtocolError for a 2xx body that is
// malformed or lacks access_token.
func ParseTokenResponse(r Response, now time.Time) (*Token, error) {
	fields, _, err := decodeObject(r)
	if err != nil {
		return nil, err
	}
	return tokenFromFields(fields, now)
}

func tokenFromFields(fields map[string]any, now time.Time) (*Token, error) {
	// Token and its ExpiresIn value share one allocation.
	held := &struct {
		t    Token
		secs int64
	}{t: Token{Raw: fields}}
	t := &held.t
	var err error
	if t.AccessToken, err = stringField(fields, "access_token"); err != nil {
		return nil, err
	}
	if t.AccessToken == "" {
		// RFC 6749 §5.1: access_token is REQUIRED.
		return nil, &ProtocolError{Field: "access_token", Reason: "response has no access_token"}
	}
	if t.TokenType, err = stringField(fields, "token_type"); err != nil {
		return nil, err
	}
	t.TokenType = NormalizeTokenType(t.TokenType)
	if t.RefreshToken, err = stringField(fields, "refresh_token"); err != nil {
		return nil, err
	}
	if t.Scope, err = scopeField(fields, "scope"); err != nil {
		return nil, err
	}
	secs, known, err := secondsValue(fields, "expires_in")
	if err != nil {
		return nil, err
	}
	if known {
		held.secs = secs
		t.ExpiresIn = &held.secs
		t.Expiry = ExpiresAt(now, t.ExpiresIn)
	}
	return t, nil
}

// NormalizeTokenType maps "bearer" in any case to "Bearer" (RFC 6750 §4 and
// RFC 6749 §7.1: the type is case-insensitive), "dpop" in any case to "DPoP"
// (RFC 9449 §5), and leaves others unchanged.
func NormalizeTokenType(tt string) string {
	tt = strings.TrimSpace(tt)
	if strings.EqualFold(tt, "bearer") {
		return "Bearer"
	}
	if strings.EqualFold(tt, "dpop") {
		return "DPoP"
	}
	return tt
}

// ExpiryKnown reports whether the server told us when the token expires.
func (t *Token) ExpiryKnown() bool { return t != nil && !t.Expiry.IsZero() }

// String never shows the access or refresh token.
func (t Token) String() string {
	exp := "unknown"
	if !t.Expiry.IsZero() {
		exp = t.Expiry.UTC().Format(time.RFC3339)
	}
	return fmt.Sprintf("Token{AccessToken:%s TokenType:%q RefreshToken:%s Expiry:%s Scope:%q}",
		redacted(t.AccessToken), t.TokenType, redacted(t.RefreshToken), exp, t.Scope)
}

// GoString never shows the access or refresh token.
func (t Token) GoString() string { return "core." + t.String() }

// Format routes every verb through String/GoString.
func (t Token) Format(f fmt.State, verb rune) { formatRedacted(f, verb, t.String(), t.GoString()) }

// stringField reads an optional string field; null counts as absent. Any
// other type is a protocol error naming the field, never its value.
func stringField(fields map[string]any, name string) (string, error) {
	switch v := fields[name].(type) {
	case nil:
		return "", nil
	case string:
		return v, nil
	default:
		return "", &ProtocolError{Field: name, Reason: name + " is not a string"}
	}
}

// stringArray converts a JSON array that must hold only strings.
func stringArray(name string, v []any) ([]string, error) {
	out := make([]string, 0, len(v))
	for _, e := range v {
		s, ok := e.(string)
		if !ok {
			return nil, &ProtocolError{Field: name, Reason: name + " array holds a non-string"}
		}
		out = append(out, s)
	}
	return out, nil
}

// scopeField accepts the RFC 6749 §3.3 space-delimited string and, from
// sloppy servers, a JSON array of strings.
func scopeField(fields map[string]any, name string) (string, error) {
	switch v := fields[name].(type) {
	case nil:
		return "", nil
	case string:
		if isNormalScope(v) {
			return v, nil
		}
		return strings.Join(strings.Fields(v), " "), nil
	case []any:
		parts, err := stringArray(name, v)
		return strings.Join(parts, " "), err
	default:
		return "", &ProtocolError{Field: name, Reason: name + " is not a string"}
	}
}

// secondsValue reads a lifetime in seconds: a JSON number, a numeric string
// (PayPal, Azure AD) or a decimal (truncated, so the token is refreshed a
// little early rather than late). Missing, null, "" and 0 are unknown (known
// false). Negative, non-finite, or over ten years is a protocol error.
func secondsValue(fields map[string]any, name string) (secs int64, known bool, err error) {
	var text string
	switch v := fields[name].(type) {
	case nil:
		return 0, false, nil
	case json.Number:
		text = v.String()
	case string:
		text = strings.TrimSpace(v)
		if text == "" {
			return 0, false, nil
		}
	case float64:
		text = strconv.FormatFloat(v, 'f', -1, 64)
	default:
		return 0, false, &ProtocolError{Field: name, Reason: name + " is not a number"}
	}
	if !isDecimalNumber(text) {
		return 0, false, &ProtocolError{Field: name, Reason: name + " is not a number"}
	}
	f, err := strconv.ParseFloat(text, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, false, &ProtocolError{Field: name, Reason: name + " is not a finite number"}
	}
	if f < 0 {
		return 0, false, &ProtocolError{Field: name, Reason: name + " is negative"}
	}
	if f > maxExpiresIn {
		return 0, false, &ProtocolError{Field: name, Reason: name + " is more than ten years"}
	}
	if f == 0 {
		return 0, false, nil
	}
	return int64(f), true, nil // a fraction below one second gives 0: already expired, which is true
}

// isNormalScope reports a scope already in the form strings.Fields + Join
// would give: single spaces between non-empty tokens, no other white space.
func isNormalScope(s string) bool {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == ' ':
			if i == 0 || i == len(s)-1 || s[i-1] == ' ' {
				return false
			}
		case c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r' || c >= 0x80:
			return false // strings.Fields also splits on Unicode spaces
		}
	}
	return true
}

// isDecimalNumber accepts JSON-style decimals with an optional exponent and
// rejects what strconv.ParseFloat would also take: hex floats, "Inf", "NaN",
// underscores.
func isDecimalNumber(s string) bool {
	i := 0
	if i < len(s) && (s[i] == '-' || s[i] == '+') {
		i++
	}
	digits := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
		digits++
	}
	if i < len(s) && s[i] == '.' {
		i++
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
			digits++
		}
	}
	if digits == 0 {
		return false
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '-' || s[i] == '+') {
			i++
		}
		exp := 0
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
			exp++
		}
		if exp == 0 {
			return false
		}
	}
	return i == len(s)
}

// withContentType adds the declared content type to a body-level protocol
// error, which is what a person debugging a misbehaving server needs first.
func withContentType(err error, ct string) error {
	pe, ok := err.(*ProtocolError)
	if !ok || ct == "" {
		return err
	}
	return &ProtocolError{Field: pe.Field, Reason: pe.Reason + " (Content-Type " + sanitizeForMessage(mediaType(ct), 80) + ")"}
}
