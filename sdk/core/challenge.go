package core

import "strings"

// Challenge is one challenge of a WWW-Authenticate header (RFC 9110 §11.6.1): its scheme as
// sent and its auth-params, names lower-cased (RFC 9110 §11.2: case-insensitive), the first
// value of a repeated name kept. A token68 (Basic's, Negotiate's) is not kept: no scheme this
// package reads uses one.
type Challenge struct {
	Scheme string
	Params map[string]string
}

// ChallengeHeader joins a response's WWW-Authenticate field lines into the one value the
// parsers here read (RFC 9110 §5.3: lines of one field combine, joined by commas). A server may
// send its Bearer or DPoP challenge on a second line; fetch's Headers.get joins them the same way,
// so the Go and JavaScript hosts hand the core the same string.
func ChallengeHeader(fieldLines []string) string {
	switch len(fieldLines) {
	case 0:
		return ""
	case 1:
		return fieldLines[0]
	}
	return strings.Join(fieldLines, ", ")
}

// ParseChallenges parses a WWW-Authenticate value (ChallengeHeader) into its challenges, in
// order (RFC 9110 §11.6.1: "Basic realm=x, Bearer error=..." holds two). Values may be tokens
// or quoted strings (RFC 9110 §5.6.4, quoted-pairs unescaped); junk is skipped rather than
// failing the whole header, and an unterminated quoted string runs to the end.
func ParseChallenges(wwwAuthenticate string) []Challenge {
	var out []Challenge
	s := challengeScanner{s: wwwAuthenticate}
	for {
		s.skip(" \t,")
		if s.eof() {
			return out
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
			if len(out) > 0 {
				params := out[len(out)-1].Params
				key := strings.ToLower(name)
				if _, dup := params[key]; !dup {
					params[key] = value
				}
			}
			continue
		}
		// A token not followed by "=" starts a new challenge.
		out = append(out, Challenge{Scheme: name, Params: map[string]string{}})
	}
}

// ParseBearerChallenge finds the Bearer challenge in a WWW-Authenticate
// header (RFC 6750 §3) and returns its auth-params with lower-cased names,
// e.g. {"realm": "api", "error": "invalid_token"}. Only the first Bearer
// challenge counts. ok is false when there is no Bearer challenge.
func ParseBearerChallenge(wwwAuthenticate string) (map[string]string, bool) {
	return parseChallenge(wwwAuthenticate, "Bearer")
}

// parseChallenge finds the first challenge of scheme (compared without
// regard to case, RFC 9110 §11.1) among ParseChallenges' and returns its auth-params.
func parseChallenge(wwwAuthenticate, scheme string) (map[string]string, bool) {
	for _, c := range ParseChallenges(wwwAuthenticate) {
		if strings.EqualFold(c.Scheme, scheme) {
			return c.Params, true
		}
	}
	return nil, false
}

// RefusesToken reports whether a 401's WWW-Authenticate (ChallengeHeader) says the access token
// itself was refused (revoked, expired early), so that a refreshed one may help.
//
// Shared rule "refused_token": error="invalid_token" in a Bearer challenge (RFC 6750 §3.1) or a
// DPoP one (RFC 9449 §7.1), on any WWW-Authenticate line, whether or not the client has a DPoP
// key (a server may answer a Bearer request with its DPoP challenge); any other 401
// (insufficient_scope, no error, another scheme) is not fixed by refreshing and goes back to the
// caller as it came.
func RefusesToken(wwwAuthenticate string) bool {
	for _, c := range ParseChallenges(wwwAuthenticate) {
		if (strings.EqualFold(c.Scheme, "Bearer") || strings.EqualFold(c.Scheme, "DPoP")) && c.Params["error"] == "invalid_token" {
			return true
		}
	}
	return false
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
