package core

import (
	"fmt"
	"net/url"
	"sort"
	"strings"
)

// Request is a ready-to-send HTTP request as a plain value, so any transport
// (net/http, fetch, a Workers subrequest) can send it. Body is an
// application/x-www-form-urlencoded form (RFC 6749 §4.3.2, Appendix B).
// String and GoString redact the body and the Authorization header.
type Request struct {
	Method string
	URL    string
	Header map[string]string
	Body   []byte
}

var (
	formContentType = "application/x-www-form-urlencoded"
	acceptJSON      = "application/json"
)

func newTokenOnlyRequest(kind, endpoint string, auth ClientAuth, token, hint string) (*Request, error) {
	if token == "" {
		return nil, &ParamError{Key: "token", Reason: "required for " + kind}
	}
	if err := checkHintSyntax(hint); err != nil {
		return nil, err
	}
	form := newFormParams()
	form.Set("token", token)
	if hint != "" {
		form.Set("token_type_hint", hint)
	}
	return newFormRequest(kind, endpoint, auth, form)
}

func newTokenEndpointRequest(tokenURL string, auth ClientAuth, form *formParams, scopes []string, extra url.Values, reserved []string) (*Request, error) {
	scope, err := joinScopes(scopes)
	if err != nil {
		return nil, err
	}
	if scope != "" {
		form.Set("scope", scope)
	}
	// Deterministic order keeps error messages and bodies reproducible.
	keys := make([]string, 0, len(extra))
	for k := range extra {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if k == "" {
			return nil, &ParamError{Key: k, Reason: "empty parameter name"}
		}
		for _, r := range reserved {
			if k == r {
				return nil, &ParamError{Key: k, Reason: "set by the grant itself; it cannot be passed as an extra parameter"}
			}
		}
		// RFC 6749 §3.2: parameters MUST NOT be included more than once.
		if len(extra[k]) > 1 {
			return nil, &ParamError{Key: k, Reason: "given more than once (RFC 6749 §3.2)"}
		}
		if len(extra[k]) == 1 {
			form.Set(k, extra[k][0])
		}
	}
	return newFormRequest("token", tokenURL, auth, form)
}

func newFormRequest(kind, endpoint string, auth ClientAuth, form *formParams) (*Request, error) {
	if err := CheckEndpointURL(endpointName(kind), endpoint); err != nil {
		return nil, err
	}
	if err := auth.Validate(); err != nil {
		return nil, err
	}
	header := map[string]string{
		"Content-Type": formContentType,
		"Accept":       acceptJSON,
	}
	auth.apply(header, form)
	return &Request{Method: "POST", URL: endpoint, Header: header, Body: form.encode()}, nil
}

// endpointName is kind + " endpoint" without building the string per request.
func endpointName(kind string) string {
	switch kind {
	case "token":
		return "token endpoint"
	case "revocation":
		return "revocation endpoint"
	case "introspection":
		return "introspection endpoint"
	}
	return kind + " endpoint"
}

// CheckEndpointURL checks that an endpoint is an absolute http(s) URL without
// a fragment (RFC 6749 §3.2: "The endpoint URI MUST NOT include a fragment
// component"). Whether plain http is acceptable is the transport's decision.
func CheckEndpointURL(name, endpoint string) error {
	if endpoint == "" {
		return &ParamError{Key: name, Reason: "URL is empty"}
	}
	u, err := url.Parse(endpoint)
	if err != nil {
		return &ParamError{Key: name, Reason: "not a valid URL"}
	}
	if u.Scheme != "https" && u.Scheme != "http" {
		return &ParamError{Key: name, Reason: "URL must be absolute with scheme https (or http for loopback)"}
	}
	if u.Host == "" {
		return &ParamError{Key: name, Reason: "URL has no host"}
	}
	if u.Fragment != "" || strings.Contains(endpoint, "#") {
		return &ParamError{Key: name, Reason: "URL must not contain a fragment (RFC 6749 §3.2)"}
	}
	if u.User != nil {
		// Credentials in the URL would bypass the chosen auth method and leak into logs.
		return &ParamError{Key: name, Reason: "URL must not contain user info; use ClientAuth"}
	}
	return nil
}

// joinScopes space-joins scope tokens (RFC 6749 §3.3). Elements that
// themselves contain spaces are split, duplicates dropped, order kept;
// characters outside scope-token (%x21 / %x23-5B / %x5D-7E) are refused.
func joinScopes(scopes []string) (string, error) {
	var out []string
	seen := map[string]bool{}
	for _, s := range scopes {
		for _, tok := range strings.Fields(s) {
			for i := 0; i < len(tok); i++ {
				c := tok[i]
				if c < 0x21 || c > 0x7e || c == '"' || c == '\\' {
					return "", &ParamError{Key: "scope", Reason: "contains a character RFC 6749 §3.3 does not allow"}
				}
			}
			if !seen[tok] {
				seen[tok] = true
				out = append(out, tok)
			}
		}
	}
	return strings.Join(out, " "), nil
}

func checkHintSyntax(hint string) error {
	for i := 0; i < len(hint); i++ {
		c := hint[i]
		if c <= 0x20 || c > 0x7e {
			return &ParamError{Key: "token_type_hint", Reason: "must be a single token such as access_token or refresh_token"}
		}
	}
	return nil
}

// String shows the method, endpoint and parameter names; values, the query
// and the Authorization header are redacted.
func (r Request) String() string {
	var b strings.Builder
	b.WriteString("Request{")
	b.WriteString(r.Method)
	b.WriteByte(' ')
	b.WriteString(redactURL(r.URL))
	names := make([]string, 0, len(r.Header))
	for k := range r.Header {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		v := r.Header[k]
		if !strings.EqualFold(k, "Content-Type") && !strings.EqualFold(k, "Accept") {
			v = redacted(v)
		}
		fmt.Fprintf(&b, " %s: %s;", k, v)
	}
	b.WriteString(" body: ")
	b.WriteString(redactForm(r.Body))
	b.WriteString("}")
	return b.String()
}

// GoString is String: a Go-syntax dump would contain the secrets.
func (r Request) GoString() string { return "core." + r.String() }

// Format routes every verb through String/GoString.
func (r Request) Format(f fmt.State, verb rune) { formatRedacted(f, verb, r.String(), r.GoString()) }

// redactForm lists parameter names with grant_type and token_type_hint shown
// (they are never secret) and every other value redacted.
func redactForm(body []byte) string {
	vals, err := url.ParseQuery(string(body))
	if err != nil {
		return redacted(string(body))
	}
	keys := make([]string, 0, len(vals))
	for k := range vals {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		v := "<redacted>"
		switch k {
		case "grant_type", "token_type_hint", "scope", "client_id", "realm", "challenge_type", "challenge_types_supported":
			v = vals.Get(k)
		}
		parts = append(parts, url.QueryEscape(k)+"="+v)
	}
	return strings.Join(parts, "&")
}

func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "<unparseable URL>"
	}
	u.User = nil
	if u.RawQuery != "" {
		u.RawQuery = "<redacted>"
	}
	u.Fragment = ""
	return u.String()
}
