package mockserver_test

import (
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ropcgo/ropc/mockserver/mocktest"
)

// answer is one HTTP answer of a profile, read in full.
type answer struct {
	Status int
	Header http.Header
	Body   map[string]any
	Raw    string
}

func (a answer) str(k string) string {
	s, _ := a.Body[k].(string)
	return s
}

func send(t *testing.T, s *mocktest.Server, req *http.Request) answer {
	t.Helper()
	resp, err := s.Client().Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	a := answer{Status: resp.StatusCode, Header: resp.Header, Raw: string(raw)}
	_ = json.Unmarshal(raw, &a.Body)
	return a
}

// postForm posts a form to u with the server's confidential client by Basic.
func postForm(t *testing.T, s *mocktest.Server, u string, kv ...string) answer {
	t.Helper()
	v := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Add(kv[i], kv[i+1])
	}
	req, err := http.NewRequest(http.MethodPost, u, strings.NewReader(v.Encode()))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(s.ClientID, s.ClientSecret)
	return send(t, s, req)
}

// postJSON posts a JSON object to u with no Authorization header (the
// client's credentials, if any, are in obj).
func postJSON(t *testing.T, s *mocktest.Server, u string, obj map[string]string) answer {
	t.Helper()
	b, err := json.Marshal(obj)
	require.NoError(t, err)
	req, err := http.NewRequest(http.MethodPost, u, strings.NewReader(string(b)))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	return send(t, s, req)
}

func get(t *testing.T, s *mocktest.Server, u string, header ...string) answer {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, u, nil)
	require.NoError(t, err)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	return send(t, s, req)
}

// signIn is the password grant at the profile's token endpoint.
func signIn(t *testing.T, s *mocktest.Server, user, pass string, kv ...string) answer {
	t.Helper()
	return postForm(t, s, s.TokenURL, append([]string{"grant_type", "password", "username", user, "password", pass}, kv...)...)
}

// adminMFA drives /_admin/mfa/{approve,deny} over HTTP and returns the status.
func adminMFA(t *testing.T, s *mocktest.Server, verb, user string) int {
	t.Helper()
	resp, err := s.Client().Post(s.AdminURL+"/mfa/"+verb, "application/json", strings.NewReader(`{"username":"`+user+`"}`))
	require.NoError(t, err)
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

// jwtClaims decodes the claims of a compact JWS without verifying it.
func jwtClaims(t *testing.T, tok string) map[string]any {
	t.Helper()
	parts := strings.Split(tok, ".")
	require.Len(t, parts, 3)
	raw, err := base64.RawURLEncoding.DecodeString(parts[1])
	require.NoError(t, err)
	var m map[string]any
	require.NoError(t, json.Unmarshal(raw, &m))
	return m
}

// wantTokens asserts a token answer and returns it.
func wantTokens(t *testing.T, a answer) answer {
	t.Helper()
	require.Equal(t, http.StatusOK, a.Status, a.Raw)
	require.NotEmpty(t, a.str("access_token"), a.Raw)
	assert.Equal(t, "no-store", a.Header.Get("Cache-Control"))
	return a
}

// wantError asserts a provider error answer: status, code and description
// ("" = not checked).
func wantError(t *testing.T, a answer, status int, code, desc string) {
	t.Helper()
	assert.Equal(t, status, a.Status, a.Raw)
	assert.Equal(t, code, a.str("error"), a.Raw)
	if desc != "" {
		assert.Equal(t, desc, a.str("error_description"), a.Raw)
	}
	assert.Equal(t, "no-store", a.Header.Get("Cache-Control"))
	assert.Equal(t, "application/json", a.Header.Get("Content-Type"))
}

// discovery fetches the profile's OpenID configuration and checks that it
// names the profile's issuer and token endpoint.
func discovery(t *testing.T, s *mocktest.Server) answer {
	t.Helper()
	a := get(t, s, s.DiscoveryURL)
	require.Equal(t, http.StatusOK, a.Status, a.Raw)
	assert.Equal(t, s.Issuer, a.str("issuer"))
	assert.Equal(t, s.TokenURL, a.str("token_endpoint"))
	keys := get(t, s, a.str("jwks_uri"))
	assert.Equal(t, http.StatusOK, keys.Status, "jwks_uri %s: %s", a.str("jwks_uri"), keys.Raw)
	assert.NotEmpty(t, keys.Body["keys"])
	return a
}

// wantIssuer asserts that the access token of a token answer was issued by
// the profile's issuer.
func wantIssuer(t *testing.T, s *mocktest.Server, a answer) {
	t.Helper()
	assert.Equal(t, s.Issuer, jwtClaims(t, a.str("access_token"))["iss"])
}
