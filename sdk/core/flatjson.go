package core

import "encoding/json"

// Token responses are flat JSON objects of a handful of strings and numbers.
// decodeFlatJSON parses exactly that shape without reflection, into the same
// map encoding/json (with UseNumber) would produce, in a fraction of the
// allocations: one string backs every key and value, known keys are
// constants, and "Bearer" is boxed once. It declines (ok false) anything
// unusual — escapes, non-ASCII, nested values, any syntax doubt — and the
// caller then uses encoding/json, so behaviour, including every error, is
// encoding/json's. FuzzDecodeFlatJSON checks the two agree.

// Boxed once: token_type is nearly always one of these.
var (
	boxedBearer      any = "Bearer"
	boxedBearerLower any = "bearer"
)

// flatJSONMaxShare bounds the bodies whose values may share one backing
// string: a short token taken from a large body would otherwise pin it all.
const flatJSONMaxShare = 8 << 10

func decodeFlatJSON(b []byte) (map[string]any, bool) {
	if len(b) > flatJSONMaxShare {
		return nil, false
	}
	i := skipJSONSpace(b, 0)
	if i >= len(b) || b[i] != '{' {
		return nil, false
	}
	all := string(b) // the one allocation behind every key and value below
	m := make(map[string]any, 8)
	i = skipJSONSpace(b, i+1)
	if i < len(b) && b[i] == '}' {
		return m, skipJSONSpace(b, i+1) == len(b)
	}
	for {
		if i >= len(b) || b[i] != '"' {
			return nil, false
		}
		end, ok := scanPlainJSONString(b, i)
		if !ok {
			return nil, false
		}
		key := knownKey(b[i+1:end-1], all[i+1:end-1])
		i = skipJSONSpace(b, end)
		if i >= len(b) || b[i] != ':' {
			return nil, false
		}
		i = skipJSONSpace(b, i+1)
		if i >= len(b) {
			return nil, false
		}
		var v any
		switch c := b[i]; {
		case c == '"':
			end, ok := scanPlainJSONString(b, i)
			if !ok {
				return nil, false
			}
			switch s := b[i+1 : end-1]; string(s) {
			case "Bearer":
				v = boxedBearer
			case "bearer":
				v = boxedBearerLower
			default:
				v = all[i+1 : end-1]
			}
			i = end
		case c == '-' || (c >= '0' && c <= '9'):
			end, ok := scanJSONNumber(b, i)
			if !ok {
				return nil, false
			}
			v = json.Number(all[i:end])
			i = end
		case hasLiteral(b, i, "true"):
			v, i = true, i+4
		case hasLiteral(b, i, "false"):
			v, i = false, i+5
		case hasLiteral(b, i, "null"):
			v, i = nil, i+4
		default:
			return nil, false // nested object or array, or a syntax error
		}
		m[key] = v // a repeated key keeps the last value, as encoding/json does
		i = skipJSONSpace(b, i)
		if i >= len(b) {
			return nil, false
		}
		switch b[i] {
		case '}':
			return m, skipJSONSpace(b, i+1) == len(b)
		case ',':
			i = skipJSONSpace(b, i+1)
		default:
			return nil, false
		}
	}
}

// knownKey returns a constant for the field names token, error,
// introspection and metadata responses use, so they cost no memory of their
// own; other keys are substrings of the shared body string.
func knownKey(b []byte, sub string) string {
	switch string(b) {
	case "access_token":
		return "access_token"
	case "token_type":
		return "token_type"
	case "expires_in":
		return "expires_in"
	case "refresh_token":
		return "refresh_token"
	case "scope":
		return "scope"
	case "id_token":
		return "id_token"
	case "error":
		return "error"
	case "error_description":
		return "error_description"
	case "error_uri":
		return "error_uri"
	case "active":
		return "active"
	}
	return sub
}

func skipJSONSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// scanPlainJSONString returns the index after the closing quote of the string
// opening at b[i]. Escapes, control characters and non-ASCII bytes decline:
// encoding/json decodes escapes and replaces invalid UTF-8, which a byte copy
// would not reproduce.
func scanPlainJSONString(b []byte, i int) (int, bool) {
	for j := i + 1; j < len(b); j++ {
		switch c := b[j]; {
		case c == '"':
			return j + 1, true
		case c == '\\' || c < 0x20 || c >= 0x80:
			return 0, false
		}
	}
	return 0, false
}

// scanJSONNumber returns the end of the RFC 8259 §6 number starting at b[i].
func scanJSONNumber(b []byte, i int) (int, bool) {
	j := i
	if b[j] == '-' {
		j++
	}
	switch {
	case j < len(b) && b[j] == '0':
		j++
	case j < len(b) && b[j] >= '1' && b[j] <= '9':
		for j < len(b) && b[j] >= '0' && b[j] <= '9' {
			j++
		}
	default:
		return 0, false
	}
	if j < len(b) && b[j] == '.' {
		j++
		k := j
		for j < len(b) && b[j] >= '0' && b[j] <= '9' {
			j++
		}
		if j == k {
			return 0, false
		}
	}
	if j < len(b) && (b[j] == 'e' || b[j] == 'E') {
		j++
		if j < len(b) && (b[j] == '+' || b[j] == '-') {
			j++
		}
		k := j
		for j < len(b) && b[j] >= '0' && b[j] <= '9' {
			j++
		}
		if j == k {
			return 0, false
		}
	}
	return j, true
}

func hasLiteral(b []byte, i int, lit string) bool {
	return len(b)-i >= len(lit) && string(b[i:i+len(lit)]) == lit
}
