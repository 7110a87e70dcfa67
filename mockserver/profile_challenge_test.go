package mockserver

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseJSONParams(t *testing.T) {
	for _, tc := range []struct {
		name, body string
		want       form
		problem    string
	}{
		{"strings", `{"mfa_token":"t","challenge_type":"otp oob"}`, form{{"challenge_type", "otp oob"}, {"mfa_token", "t"}}, ""},
		{"empty string is absent", `{"mfa_token":"t","client_secret":""}`, form{{"mfa_token", "t"}}, ""},
		{"number refused", `{"mfa_token":1}`, nil, "parameter mfa_token must be a string"},
		{"array refused", `["a"]`, nil, "JSON object"},
		{"null refused", `null`, nil, "JSON object"},
		{"trailing data", `{"a":"b"} {}`, nil, "trailing data"},
		{"not JSON", `mfa_token=t`, nil, "JSON object"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, oerr := parseJSONParams([]byte(tc.body))
			if tc.problem != "" {
				require.NotNil(t, oerr)
				assert.Equal(t, "invalid_request", oerr.code)
				assert.Contains(t, oerr.description, tc.problem)
				return
			}
			require.Nil(t, oerr)
			assert.Equal(t, tc.want, f)
		})
	}
}

// FuzzParseJSONParams: request bodies of the challenge endpoint are
// untrusted; the parser never panics and yields only non-empty values.
func FuzzParseJSONParams(f *testing.F) {
	for _, s := range []string{`{"mfa_token":"t"}`, `{"a":1}`, `{}`, `[`, `{"a":"\u0000"}`, `{"a":"b","a":"c"}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		fm, oerr := parseJSONParams(body)
		if oerr != nil {
			if oerr.code != "invalid_request" {
				t.Fatalf("code %q", oerr.code)
			}
			return
		}
		for _, p := range fm {
			if p.value == "" {
				t.Fatalf("empty value kept for %q", p.key)
			}
		}
	})
}
