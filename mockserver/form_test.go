package mockserver

import (
	"encoding/base64"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestParseForm(t *testing.T) {
	for _, tc := range []struct {
		name string
		body string
		want form
		bad  bool
	}{
		{"simple", "grant_type=password&username=a", form{"grant_type": "password", "username": "a"}, false},
		{"plus is space, percent decoded", "scope=read+write&username=j%C3%B6rg", form{"scope": "read write", "username": "jörg"}, false},
		{"empty value is omitted", "scope=&username=a", form{"username": "a"}, false},
		{"empty then set is not a repeat", "scope=&scope=read", form{"scope": "read"}, false},
		{"name without =", "scope&username=a", form{"username": "a"}, false},
		{"unknown ignored, even repeated", "foo=1&foo=2&username=a", form{"username": "a"}, false},
		{"stray separators", "&&username=a&", form{"username": "a"}, false},
		{"semicolon is not a separator", "username=a;b", form{"username": "a;b"}, false},
		{"repeat is refused", "username=a&username=b", nil, true},
		{"repeat with same value is refused", "username=a&username=a", nil, true},
		{"bad escape in value", "username=%zz", nil, true},
		{"truncated escape", "username=a%4", nil, true},
		{"bad escape in unknown name", "%zz=1", nil, true},
		{"invalid UTF-8", "username=%ff%fe", nil, true},
		{"empty body", "", form{}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parseForm(tc.body)
			if tc.bad {
				if assert.NotNil(t, err) {
					assert.Equal(t, "invalid_request", err.code)
				}
				return
			}
			assert.Nil(t, err)
			assert.Equal(t, tc.want, got)
		})
	}
}

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
