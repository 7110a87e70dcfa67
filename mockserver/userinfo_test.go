package mockserver

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestUserinfoMethodsAndErrors(t *testing.T) {
	ts := newTestServer(t, nil, Options{})
	at := str(ts.mustPassword("johndoe", "A3ddj3w"), "access_token")
	for _, tc := range []struct {
		name   string
		method string
		header map[string]string
		code   int
		chal   string
	}{
		{"basic scheme is not a bearer token", http.MethodGet, map[string]string{"Authorization": "Basic abc"}, 401, `Bearer realm="ropc-mock"`},
		{"empty bearer", http.MethodGet, map[string]string{"Authorization": "Bearer "}, 400, `error="invalid_request"`},
		{"DELETE not allowed", http.MethodDelete, map[string]string{"Authorization": "Bearer " + at}, 405, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := ts.do(tc.method, "/userinfo", "", tc.header)
			assert.Equal(t, tc.code, r.Code, r.Body)
			if tc.chal != "" {
				assert.Contains(t, r.Header.Get("WWW-Authenticate"), tc.chal)
			}
		})
	}
}
