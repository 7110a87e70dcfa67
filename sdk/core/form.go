package core

import "encoding/base64"

// formParams is a request body under construction (RFC 6749 Appendix B,
// application/x-www-form-urlencoded). It replaces url.Values on the request
// path: a map of slices costs an allocation per parameter, while this list
// usually lives on the stack and encodes into a single allocation.
type formParams struct {
	params []formParam
}

type formParam struct{ key, value string }

func newFormParams() *formParams {
	return &formParams{params: make([]formParam, 0, 8)}
}

// Set replaces key's value or adds it, like url.Values.Set: RFC 6749 §3.2
// forbids sending a parameter twice.
func (f *formParams) Set(key, value string) {
	for i := range f.params {
		if f.params[i].key == key {
			f.params[i].value = value
			return
		}
	}
	f.params = append(f.params, formParam{key, value})
}

// encode produces what url.Values.Encode would: keys sorted, each part
// escaped as url.QueryEscape does.
func (f *formParams) encode() []byte {
	p := f.params
	for i := 1; i < len(p); i++ { // insertion sort: a handful of keys, no allocation
		for j := i; j > 0 && p[j].key < p[j-1].key; j-- {
			p[j], p[j-1] = p[j-1], p[j]
		}
	}
	n := 0
	for _, kv := range p {
		n += queryEscapedLen(kv.key) + 1 + queryEscapedLen(kv.value) + 1
	}
	out := make([]byte, 0, n)
	for i, kv := range p {
		if i > 0 {
			out = append(out, '&')
		}
		out = appendQueryEscaped(out, kv.key)
		out = append(out, '=')
		out = appendQueryEscaped(out, kv.value)
	}
	return out
}

// queryUnreserved is the set url.QueryEscape leaves alone (RFC 3986 §2.3).
func queryUnreserved(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
		c == '-' || c == '_' || c == '.' || c == '~'
}

func queryEscapedLen(s string) int {
	n := len(s)
	for i := 0; i < len(s); i++ {
		if c := s[i]; c != ' ' && !queryUnreserved(c) {
			n += 2
		}
	}
	return n
}

const upperHex = "0123456789ABCDEF"

func appendQueryEscaped(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case queryUnreserved(c):
			b = append(b, c)
		case c == ' ':
			b = append(b, '+')
		default:
			b = append(b, '%', upperHex[c>>4], upperHex[c&15])
		}
	}
	return b
}

// basicAuthorization is the client_secret_basic Authorization header. RFC 6749
// §2.3.1 form-urlencodes id and secret first, so one containing ":" or
// non-ASCII survives the round trip. It builds "Basic " + base64(escape(id)
// ":" escape(secret)) in one allocation for the usual lengths (stack buffers
// for the rest).
func basicAuthorization(clientID, clientSecret string) string {
	var stack [192]byte
	raw := stack[:0]
	raw = appendQueryEscaped(raw, clientID)
	raw = append(raw, ':')
	raw = appendQueryEscaped(raw, clientSecret)
	const prefix = "Basic "
	var outStack [272]byte
	out := outStack[:0]
	if n := len(prefix) + base64.StdEncoding.EncodedLen(len(raw)); n > len(outStack) {
		out = make([]byte, 0, n)
	}
	out = append(out, prefix...)
	out = base64.StdEncoding.AppendEncode(out, raw)
	return string(out)
}
