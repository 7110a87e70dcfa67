package core_test

import (
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
