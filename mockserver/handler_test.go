package mockserver

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRouting(t *testing.T) {
	ts := newTestServer(t, nil, Options{})
	for _, tc := range []struct {
		method, path string
		code         int
	}{
		{http.MethodGet, "/healthz", 200},
		{http.MethodHead, "/healthz", 200},
		{http.MethodPost, "/healthz", 405},
		{http.MethodGet, "/jwks", 200},
		{http.MethodPost, "/jwks", 405},
		{http.MethodGet, "/.well-known/oauth-authorization-server", 200},
		{http.MethodGet, "/.well-known/openid-configuration", 200},
		{http.MethodGet, "/token/", 404},
		{http.MethodGet, "/", 404},
		{http.MethodOptions, "/token", 204},
		{http.MethodOptions, "/jwks", 204},
	} {
		r := ts.do(tc.method, tc.path, "", nil)
		assert.Equal(t, tc.code, r.Code, "%s %s", tc.method, tc.path)
		assert.Equal(t, "*", r.Header.Get("Access-Control-Allow-Origin"), "%s %s", tc.method, tc.path)
	}
}

func TestIssuerDerivedFromRequest(t *testing.T) {
	ts := newTestServer(t, nil, Options{})
	r := ts.do(http.MethodGet, "/.well-known/oauth-authorization-server", "", nil)
	assert.Equal(t, "http://mock.test", r.json(t)["issuer"])

	req := httptest.NewRequest(http.MethodGet, "https://secure.test/.well-known/openid-configuration", nil)
	w := httptest.NewRecorder()
	ts.ServeHTTP(w, req)
	assert.Contains(t, w.Body.String(), `"issuer":"https://secure.test"`)
}

// FuzzHandler: no input makes the server panic or answer 5xx.
func FuzzHandler(f *testing.F) {
	for _, seed := range []struct{ method, path, ctype, auth, body string }{
		{"POST", "/token", "application/x-www-form-urlencoded", "", "grant_type=password&username=johndoe&password=A3ddj3w&client_id=client_id&client_secret=client_secret"},
		{"POST", "/token", "application/x-www-form-urlencoded", "Basic Y2xpZW50X2lkOmNsaWVudF9zZWNyZXQ=", "grant_type=refresh_token&refresh_token=abc"},
		{"POST", "/token", "application/json", "", `{"grant_type":"password"}`},
		{"POST", "/token?x=%zz", "application/x-www-form-urlencoded; charset=utf-8", "Basic %%%", "a=%zz&&=&scope=%ff"},
		{"POST", "/introspect", "application/x-www-form-urlencoded", "Basic Y2xpZW50X2lkOmNsaWVudF9zZWNyZXQ=", "token=a.b.c"},
		{"POST", "/revoke", "application/x-www-form-urlencoded", "Basic Y2xpZW50X2lkOmNsaWVudF9zZWNyZXQ=", "token=eyJhbGciOiJFZERTQSJ9.e30.AAAA"},
		{"GET", "/userinfo", "", "Bearer a.b.c", ""},
		{"POST", "/userinfo", "application/x-www-form-urlencoded", "", "access_token=x&access_token=y"},
		{"OPTIONS", "/token", "", "", ""},
		{"GET", "/.well-known/openid-configuration", "", "", ""},
	} {
		f.Add(seed.method, seed.path, seed.ctype, seed.auth, seed.body)
	}
	srv, err := New(DefaultConfig(), Options{})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, method, path, ctype, auth, body string) {
		serveNo5xx(t, srv, method, path, ctype, auth, body)
	})
}

// serveNo5xx sends one fuzzed request (skipping those net/http could not
// send) to h and fails the test on a 5xx answer.
func serveNo5xx(t *testing.T, h http.Handler, method, path, ctype, auth, body string) {
	t.Helper()
	if !validMethod(method) || !strings.HasPrefix(path, "/") || strings.ContainsAny(path, " \r\n\x00#") {
		return
	}
	r, err := http.NewRequest(method, "http://mock.test"+path, strings.NewReader(body))
	if err != nil {
		return
	}
	r.Header.Set("Content-Type", ctype)
	r.Header.Set("Authorization", auth)
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	if w.Code >= 500 {
		t.Fatalf("%s %s: status %d: %s", method, path, w.Code, w.Body)
	}
}

func validMethod(m string) bool {
	if m == "" {
		return false
	}
	for i := 0; i < len(m); i++ {
		c := m[i]
		if c <= ' ' || c >= 0x7f || strings.IndexByte("()<>@,;:\\\"/[]?={}", c) >= 0 {
			return false
		}
	}
	return true
}

func TestIssuerWithPath(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Issuer = "https://auth.example/tenant1"
	ts := newTestServer(t, cfg, Options{})
	r := ts.do(http.MethodGet, "/.well-known/oauth-authorization-server/tenant1", "", nil)
	require.Equal(t, http.StatusOK, r.Code)
	m := r.json(t)
	assert.Equal(t, "https://auth.example/tenant1", m["issuer"])
	assert.Equal(t, "https://auth.example/tenant1/token", m["token_endpoint"])
	r = ts.do(http.MethodPost, "/tenant1/token", "grant_type=password&username=johndoe&password=A3ddj3w", basicHeader("client_id", "client_secret"))
	assert.Equal(t, http.StatusOK, r.Code, r.Body)
}
