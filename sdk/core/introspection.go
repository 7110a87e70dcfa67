package core

import (
	"encoding/json"
	"strconv"
	"strings"
)

// NewIntrospectionRequest builds an RFC 7662 §2.1 introspection request; the
// endpoint requires client authentication, applied exactly as for /token.
func NewIntrospectionRequest(endpoint string, auth ClientAuth, token, hint string) (*Request, error) {
	return newTokenOnlyRequest("introspection", endpoint, auth, token, hint)
}

// Introspection is an RFC 7662 §2.2 introspection response. Only Active is
// required; the other members are zero when the server omits them, and an
// inactive token carries nothing else (RFC 7662 §2.2 says the server SHOULD
// NOT include more).
type Introspection struct {
	Active    bool
	Scope     string
	ClientID  string
	Username  string
	TokenType string
	Subject   string
	Issuer    string
	JTI       string
	Audience  []string // "aud" may be a string or an array (RFC 7519 §4.1.3)
	ExpiresAt int64    // "exp", seconds since the epoch, 0 if absent
	IssuedAt  int64
	NotBefore int64
	Raw       map[string]any
}

// ParseIntrospectionResponse parses an RFC 7662 §2.2 response. A missing or
// non-boolean "active" is a *ProtocolError: guessing would turn a broken
// server into "token valid".
func ParseIntrospectionResponse(r Response) (*Introspection, error) {
	fields, _, err := decodeObject(r)
	if err != nil {
		return nil, err
	}
	in := &Introspection{Raw: fields}
	switch v := fields["active"].(type) {
	case bool:
		in.Active = v
	case string:
		// Form-encoded or stringly-typed servers send "true"/"false".
		b, perr := strconv.ParseBool(strings.TrimSpace(v))
		if perr != nil {
			return nil, &ProtocolError{Field: "active", Reason: "active is not a boolean"}
		}
		in.Active = b
	case nil:
		return nil, &ProtocolError{Field: "active", Reason: "response has no active member (RFC 7662 §2.2)"}
	default:
		return nil, &ProtocolError{Field: "active", Reason: "active is not a boolean"}
	}
	for _, f := range []struct {
		name string
		dst  *string
	}{{"client_id", &in.ClientID}, {"username", &in.Username}, {"sub", &in.Subject}, {"iss", &in.Issuer}, {"jti", &in.JTI}} {
		if *f.dst, err = stringField(fields, f.name); err != nil {
			return nil, err
		}
	}
	if in.TokenType, err = stringField(fields, "token_type"); err != nil {
		return nil, err
	}
	in.TokenType = NormalizeTokenType(in.TokenType)
	if in.Scope, err = scopeField(fields, "scope"); err != nil {
		return nil, err
	}
	if in.Audience, err = audienceField(fields, "aud"); err != nil {
		return nil, err
	}
	for _, f := range []struct {
		name string
		dst  *int64
	}{{"exp", &in.ExpiresAt}, {"iat", &in.IssuedAt}, {"nbf", &in.NotBefore}} {
		if *f.dst, err = epochField(fields, f.name); err != nil {
			return nil, err
		}
	}
	return in, nil
}

func audienceField(fields map[string]any, name string) ([]string, error) {
	switch v := fields[name].(type) {
	case nil:
		return nil, nil
	case string:
		if v == "" {
			return nil, nil
		}
		return []string{v}, nil
	case []any:
		return stringArray(name, v)
	default:
		return nil, &ProtocolError{Field: name, Reason: name + " is neither a string nor an array"}
	}
}

// epochField reads an RFC 7519 NumericDate: seconds since the epoch, possibly
// fractional (truncated).
func epochField(fields map[string]any, name string) (int64, error) {
	var text string
	switch v := fields[name].(type) {
	case nil:
		return 0, nil
	case json.Number:
		text = v.String()
	case string:
		text = strings.TrimSpace(v)
		if text == "" {
			return 0, nil
		}
	default:
		return 0, &ProtocolError{Field: name, Reason: name + " is not a number"}
	}
	if !isDecimalNumber(text) {
		return 0, &ProtocolError{Field: name, Reason: name + " is not a number"}
	}
	if n, err := strconv.ParseInt(text, 10, 64); err == nil {
		if n < 0 {
			return 0, &ProtocolError{Field: name, Reason: name + " is negative"}
		}
		return n, nil
	}
	f, err := strconv.ParseFloat(text, 64)
	// 1<<53 keeps the value exactly representable and far past any real date.
	if err != nil || f < 0 || f > 1<<53 {
		return 0, &ProtocolError{Field: name, Reason: name + " is out of range"}
	}
	return int64(f), nil
}
