package mockserver

import (
	"encoding/base64"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestDecodeBasic(t *testing.T) {
	enc := func(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
	for _, tc := range []struct {
		name, cred, id, secret string
		ok                     bool
	}{
		{"plain", enc("client_id:client_secret"), "client_id", "client_secret", true},
		{"RFC 6749 §2.3.1 form-urlencoded", enc("my%20app:p%3Ass%2Bw+rd"), "my app", "p:ss+w rd", true},
		{"colon in secret after encoding", enc("a:b:c"), "a", "b:c", true},
		{"unpadded base64", base64.RawStdEncoding.EncodeToString([]byte("ab:c")), "ab", "c", true},
		{"empty secret", enc("a:"), "a", "", true},
		{"no colon", enc("abc"), "", "", false},
		{"empty id", enc(":x"), "", "", false},
		{"not base64", "!!!", "", "", false},
		{"bad escape", enc("a%zz:b"), "", "", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			id, secret, ok := decodeBasic(tc.cred)
			assert.Equal(t, tc.ok, ok)
			assert.Equal(t, tc.id, id)
			assert.Equal(t, tc.secret, secret)
		})
	}
}

// TestTokenRequestPrologue: /introspect and /revoke refuse the same bad
// requests the same way (RFC 7662 §2.1, RFC 7009 §2.1), before looking at the
// token.
