package mockserver

import (
	"net/http"
	"strings"
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
		{"simple", "grant_type=password&username=a", form{{"grant_type", "password"}, {"username", "a"}}, false},
		{"plus is space, percent decoded", "scope=read+write&username=j%C3%B6rg", form{{"scope", "read write"}, {"username", "jörg"}}, false},
		{"empty value is omitted", "scope=&username=a", form{{"username", "a"}}, false},
		{"empty then set is not a repeat", "scope=&scope=read", form{{"scope", "read"}}, false},
		{"name without =", "scope&username=a", form{{"username", "a"}}, false},
		{"unknown ignored, even repeated", "foo=1&foo=2&username=a", form{{"username", "a"}}, false},
		{"stray separators", "&&username=a&", form{{"username", "a"}}, false},
		{"semicolon is not a separator", "username=a;b", form{{"username", "a;b"}}, false},
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

func TestTokenRequestPrologue(t *testing.T) {
	ts := newTestServer(t, nil, Options{})
	good := basicHeader("client_id", "client_secret")
	tests := []struct {
		name   string
		method string
		target string
		body   string
		header map[string]string
		status int
		code   string
	}{
		{"GET", http.MethodGet, "", "", good, http.StatusMethodNotAllowed, "invalid_request"},
		{"query parameters", http.MethodPost, "?token=x", "token=x", good, http.StatusBadRequest, "invalid_request"},
		{"no client", http.MethodPost, "", "token=x", nil, http.StatusUnauthorized, "invalid_client"},
		{"wrong secret", http.MethodPost, "", "token=x", basicHeader("client_id", "nope"), http.StatusUnauthorized, "invalid_client"},
		{"missing token", http.MethodPost, "", "token_type_hint=access_token", good, http.StatusBadRequest, "invalid_request"},
		{"empty token", http.MethodPost, "", "token=", good, http.StatusBadRequest, "invalid_request"},
		{"repeated token", http.MethodPost, "", "token=a&token=b", good, http.StatusBadRequest, "invalid_request"},
	}
	for _, path := range []string{PathIntrospect, PathRevoke} {
		for _, tt := range tests {
			t.Run(path+" "+tt.name, func(t *testing.T) {
				r := ts.do(tt.method, path+tt.target, tt.body, tt.header)
				assert.Equal(t, tt.status, r.Code, r.Body)
				assert.Equal(t, tt.code, str(r.json(t), "error"))
				assert.Equal(t, "no-store", r.Header.Get("Cache-Control"))
				if tt.status == http.StatusUnauthorized {
					assert.True(t, strings.HasPrefix(r.Header.Get("WWW-Authenticate"), "Basic"), "RFC 6749 §5.2")
				}
			})
		}
	}
	t.Run("preflight", func(t *testing.T) {
		for _, path := range []string{PathIntrospect, PathRevoke} {
			r := ts.do(http.MethodOptions, path, "", nil)
			assert.Equal(t, http.StatusNoContent, r.Code)
			assert.Contains(t, r.Header.Get("Access-Control-Allow-Methods"), "POST")
		}
	})
}

// BenchmarkParseForm: a password grant's body as scripts/bench-mock.sh sends
// it (allocations: the form and the one percent-decoded value).
func BenchmarkParseForm(b *testing.B) {
	body := "grant_type=password&username=johndoe&password=A3ddj3w&scope=read%20write&client_id=client_id&client_secret=client_secret"
	b.ReportAllocs()
	for b.Loop() {
		if _, oerr := parseForm(body); oerr != nil {
			b.Fatal(oerr.description)
		}
	}
}
