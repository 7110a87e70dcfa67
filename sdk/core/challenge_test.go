package core_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/ropcgo/ropc/sdk/core"
)

func TestParseBearerChallenge(t *testing.T) {
	tests := []struct {
		name   string
		header string
		want   map[string]string
		ok     bool
	}{
		{"RFC 6750 §3 example", `Bearer realm="example", error="invalid_token", error_description="The access token expired"`,
			map[string]string{"realm": "example", "error": "invalid_token", "error_description": "The access token expired"}, true},
		{"bare scheme", `Bearer`, map[string]string{}, true},
		{"case-insensitive scheme and names", `bearer Realm="x", ERROR=invalid_token`, map[string]string{"realm": "x", "error": "invalid_token"}, true},
		{"after Basic", `Basic realm="a", Bearer error="insufficient_scope", scope="read write"`,
			map[string]string{"error": "insufficient_scope", "scope": "read write"}, true},
		{"before Basic", `Bearer realm="api", Basic realm="b"`, map[string]string{"realm": "api"}, true},
		{"escaped quotes and commas", `Bearer error_description="a \"quoted\", value"`, map[string]string{"error_description": `a "quoted", value`}, true},
		{"spaces around =", `Bearer error = "invalid_token"`, map[string]string{"error": "invalid_token"}, true},
		{"unterminated quote", `Bearer error="invalid_tok`, map[string]string{"error": "invalid_tok"}, true},
		{"first value wins", `Bearer error="a", error="b"`, map[string]string{"error": "a"}, true},
		{"only Basic", `Basic realm="x"`, nil, false},
		{"empty", ``, nil, false},
		{"Bearerish scheme", `BearerX realm="x"`, nil, false},
		{"token68 then bearer", `Negotiate abc==, Bearer realm="r"`, map[string]string{"realm": "r"}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := core.ParseBearerChallenge(tt.header)
			assert.Equal(t, tt.ok, ok)
			assert.Equal(t, tt.want, got)
		})
	}
}

func FuzzParseBearerChallenge(f *testing.F) {
	f.Add(`Bearer realm="example", error="invalid_token"`)
	f.Add(`Basic realm="a", Bearer error="x\"`)
	f.Add(`Bearer ===,,,""\`)
	f.Fuzz(func(t *testing.T, h string) {
		params, ok := core.ParseBearerChallenge(h)
		if !ok && params != nil {
			t.Fatalf("params without a Bearer challenge")
		}
	})
}

func TestParseChallenges(t *testing.T) {
	tests := []struct {
		name   string
		header string
		want   []core.Challenge
	}{
		{"RFC 9110 §11.6.1: several challenges, token68 dropped", `Newauth realm="apps", type=1, title="Login to \"apps\"", Basic realm="simple", Negotiate abc==`,
			[]core.Challenge{
				{Scheme: "Newauth", Params: map[string]string{"realm": "apps", "type": "1", "title": `Login to "apps"`}},
				{Scheme: "Basic", Params: map[string]string{"realm": "simple"}},
				{Scheme: "Negotiate", Params: map[string]string{}},
			}},
		{"RFC 9449 §7.1 DPoP challenge", `DPoP error="invalid_token", error_description="Invalid DPoP key binding", algs="ES256"`,
			[]core.Challenge{{Scheme: "DPoP", Params: map[string]string{"error": "invalid_token", "error_description": "Invalid DPoP key binding", "algs": "ES256"}}}},
		{"params before any scheme are dropped", `realm="x", Bearer`, []core.Challenge{{Scheme: "Bearer", Params: map[string]string{}}}},
		{"empty", ``, nil},
		{"only junk", `"", ==, ;`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, core.ParseChallenges(tt.header))
		})
	}
}

func TestChallengeHeader(t *testing.T) {
	assert.Equal(t, "", core.ChallengeHeader(nil))
	assert.Equal(t, `Basic realm="x"`, core.ChallengeHeader([]string{`Basic realm="x"`}))
	// RFC 9110 §5.3: lines joined by commas, as fetch's Headers.get joins them.
	joined := core.ChallengeHeader([]string{`Basic realm="x"`, `DPoP error="invalid_token"`})
	assert.Equal(t, `Basic realm="x", DPoP error="invalid_token"`, joined)
	params, ok := core.ParseDPoPChallenge(joined)
	assert.True(t, ok)
	assert.Equal(t, "invalid_token", params["error"])
}

// FuzzParseChallenges: a WWW-Authenticate value comes from any server. The parser never panics,
// every scheme is a token, every param name is lower case, and the Bearer and DPoP lookups and
// RefusesToken agree with the challenge list.
func FuzzParseChallenges(f *testing.F) {
	f.Add(`Bearer realm="example", error="invalid_token"`)
	f.Add(`Basic realm="a", DPoP error="use_dpop_nonce", algs="ES256"`)
	f.Add(`Negotiate abc==, Bearer ===,,,""\`)
	f.Add(`bearer ERROR=invalid_token, dpop error="x\"`)
	f.Fuzz(func(t *testing.T, h string) {
		cs := core.ParseChallenges(h)
		refused := false
		var bearer, dpop map[string]string
		for _, c := range cs {
			if c.Scheme == "" || strings.ContainsAny(c.Scheme, " \t,=\"") {
				t.Fatalf("scheme %q is not a token", c.Scheme)
			}
			for k := range c.Params {
				if k != strings.ToLower(k) {
					t.Fatalf("param name %q is not lower case", k)
				}
			}
			if bearer == nil && strings.EqualFold(c.Scheme, "Bearer") {
				bearer = c.Params
			}
			if dpop == nil && strings.EqualFold(c.Scheme, "DPoP") {
				dpop = c.Params
			}
			if (strings.EqualFold(c.Scheme, "Bearer") || strings.EqualFold(c.Scheme, "DPoP")) && c.Params["error"] == "invalid_token" {
				refused = true
			}
		}
		b, ok := core.ParseBearerChallenge(h)
		if ok != (bearer != nil) || (ok && !assert.ObjectsAreEqual(bearer, b)) {
			t.Fatalf("ParseBearerChallenge = %v, %v; the list has %v", b, ok, bearer)
		}
		d, ok := core.ParseDPoPChallenge(h)
		if ok != (dpop != nil) || (ok && !assert.ObjectsAreEqual(dpop, d)) {
			t.Fatalf("ParseDPoPChallenge = %v, %v; the list has %v", d, ok, dpop)
		}
		if core.RefusesToken(h) != refused {
			t.Fatalf("RefusesToken = %v, want %v", !refused, refused)
		}
	})
}
