package mockserver

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// testServer is a Server with an in-process HTTP front (no network needed:
// ServeHTTP is called directly) and helpers for the token endpoint.
type testServer struct {
	*Server
	t *testing.T
}

func newTestServer(t *testing.T, cfg *Config, opts Options) *testServer {
	t.Helper()
	if cfg == nil {
		cfg = DefaultConfig()
	}
	s, err := New(cfg, opts)
	require.NoError(t, err)
	return &testServer{Server: s, t: t}
}

type result struct {
	Code   int
	Header http.Header
	Body   string
}

func (r result) json(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	require.NoError(t, json.Unmarshal([]byte(r.Body), &m), "body %q", r.Body)
	return m
}

func (ts *testServer) do(method, target, body string, header map[string]string) result {
	r := httptest.NewRequest(method, "http://mock.test"+target, strings.NewReader(body))
	if body != "" {
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for k, v := range header {
		r.Header.Set(k, v)
	}
	w := httptest.NewRecorder()
	ts.ServeHTTP(w, r)
	return result{Code: w.Code, Header: w.Result().Header, Body: w.Body.String()}
}

func basicHeader(id, secret string) map[string]string {
	return map[string]string{"Authorization": "Basic " + base64.StdEncoding.EncodeToString([]byte(url.QueryEscape(id)+":"+url.QueryEscape(secret)))}
}

func (ts *testServer) token(values url.Values) result {
	return ts.do(http.MethodPost, "/token", values.Encode(), basicHeader("client_id", "client_secret"))
}

func (ts *testServer) password(user, pass string) result {
	return ts.token(url.Values{"grant_type": {"password"}, "username": {user}, "password": {pass}})
}

func (ts *testServer) mustPassword(user, pass string) map[string]any {
	ts.t.Helper()
	r := ts.password(user, pass)
	require.Equal(ts.t, http.StatusOK, r.Code, r.Body)
	return r.json(ts.t)
}

func (ts *testServer) refresh(rt string) result {
	return ts.token(url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt}})
}

func (ts *testServer) userinfo(at string) result {
	return ts.do(http.MethodGet, "/userinfo", "", map[string]string{"Authorization": "Bearer " + at})
}

func (ts *testServer) introspect(tok string) map[string]any {
	ts.t.Helper()
	r := ts.do(http.MethodPost, "/introspect", url.Values{"token": {tok}}.Encode(), basicHeader("client_id", "client_secret"))
	require.Equal(ts.t, http.StatusOK, r.Code, r.Body)
	return r.json(ts.t)
}

func str(m map[string]any, k string) string {
	s, _ := m[k].(string)
	return s
}
