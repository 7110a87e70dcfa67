package core

import "strings"

// ParseBearerChallenge finds the Bearer challenge in a WWW-Authenticate
// header (RFC 6750 §3) and returns its auth-params with lower-cased names,
// e.g. {"realm": "api", "error": "invalid_token"}. The header may hold
// several challenges (RFC 9110 §11.6.1: "Basic realm=x, Bearer error=..."),
// values may be tokens or quoted strings, and only the first Bearer challenge
// counts. ok is false when there is no Bearer challenge.
func ParseBearerChallenge(wwwAuthenticate string) (map[string]string, bool) {
	return parseChallenge(wwwAuthenticate, "Bearer")
}

// parseChallenge finds the first challenge of scheme (compared without
// regard to case, RFC 9110 §11.1) and returns its auth-params.
func parseChallenge(wwwAuthenticate, scheme string) (map[string]string, bool) {
	s := challengeScanner{s: wwwAuthenticate}
	var params map[string]string
	found, inBearer := false, false
	for {
		s.skip(" \t,")
		if s.eof() {
			break
		}
		name := s.token()
		if name == "" {
			s.i++ // not a tchar: skip it rather than fail on junk
			continue
		}
		s.skip(" \t")
		if s.peek() == '=' {
			s.i++
			if s.peek() == '=' || s.peek() == ',' || s.eof() {
				// token68 padding ("abc=="), not an auth-param.
				for s.peek() == '=' {
					s.i++
				}
				continue
			}
			s.skip(" \t")
			var value string
			if s.peek() == '"' {
				value = s.quoted()
			} else {
				value = s.token()
			}
			if inBearer {
				key := strings.ToLower(name)
				if _, dup := params[key]; !dup {
					params[key] = value
				}
			}
			continue
		}
		// A token not followed by "=" starts a new challenge.
		inBearer = false
		if !found && strings.EqualFold(name, scheme) {
			found, inBearer = true, true
			params = map[string]string{}
		}
	}
	return params, found
}

type challengeScanner struct {
	s string
	i int
}

func (c *challengeScanner) eof() bool { return c.i >= len(c.s) }

func (c *challengeScanner) peek() byte {
	if c.eof() {
		return 0
	}
	return c.s[c.i]
}

func (c *challengeScanner) skip(set string) {
	for !c.eof() && strings.IndexByte(set, c.s[c.i]) >= 0 {
		c.i++
	}
}

// token reads RFC 9110 §5.6.2 tchars (plus "/" so token68 values stay whole).
func (c *challengeScanner) token() string {
	start := c.i
	for !c.eof() && isTchar(c.s[c.i]) {
		c.i++
	}
	return c.s[start:c.i]
}

// quoted reads an RFC 9110 §5.6.4 quoted-string, unescaping quoted-pairs; an
// unterminated string runs to the end of the header.
func (c *challengeScanner) quoted() string {
	c.i++ // opening quote
	var b strings.Builder
	for !c.eof() {
		ch := c.s[c.i]
		c.i++
		switch ch {
		case '"':
			return b.String()
		case '\\':
			if !c.eof() {
				b.WriteByte(c.s[c.i])
				c.i++
			}
		default:
			b.WriteByte(ch)
		}
	}
	return b.String()
}

func isTchar(ch byte) bool {
	switch {
	case ch >= 'a' && ch <= 'z', ch >= 'A' && ch <= 'Z', ch >= '0' && ch <= '9':
		return true
	}
	return strings.IndexByte("!#$%&'*+-.^_`|~/", ch) >= 0
}
