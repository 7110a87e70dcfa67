package core_test

import (
	"encoding/base64"
	"errors"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ropcgo/ropc/sdk/core"
)

func parseBody(t *testing.T, req *core.Request) url.Values {
	t.Helper()
	v, err := url.ParseQuery(string(req.Body))
	require.NoError(t, err)
	return v
}

func TestNewRevocationAndIntrospectionRequests(t *testing.T) {
	auth := core.ClientAuth{ClientID: "c", ClientSecret: "s"}
	for name, build := range map[string]func(string, core.ClientAuth, string, string) (*core.Request, error){
		"revocation": core.NewRevocationRequest, "introspection": core.NewIntrospectionRequest,
	} {
		t.Run(name, func(t *testing.T) {
			req, err := build("https://as.example/x", auth, "tok", "refresh_token")
			require.NoError(t, err)
			assert.Equal(t, url.Values{"token": {"tok"}, "token_type_hint": {"refresh_token"}}, parseBody(t, req))
			assert.True(t, strings.HasPrefix(req.Header["Authorization"], "Basic "))

			req, err = build("https://as.example/x", auth, "tok", "")
			require.NoError(t, err)
			assert.Equal(t, url.Values{"token": {"tok"}}, parseBody(t, req))

			_, err = build("https://as.example/x", auth, "", "")
			assert.Error(t, err)
			_, err = build("https://as.example/x", auth, "tok", "bad hint")
			assert.Error(t, err)
		})
	}
}

func TestEndpointURLValidation(t *testing.T) {
	p := core.PasswordParams{Username: "u", Password: "p"}
	auth := core.ClientAuth{ClientID: "spa", Method: core.AuthNone}
	for _, u := range []string{"", "/token", "ftp://as.example/token", "https://as.example/token#frag", "https://user:pw@as.example/token", "https://", "http://[::1"} {
		_, err := core.NewPasswordRequest(u, auth, p)
		var pe *core.ParamError
		assert.True(t, errors.As(err, &pe), "%q: %v", u, err)
	}
	for _, u := range []string{"https://as.example/token", "http://127.0.0.1:8080/token", "https://as.example/token?tenant=a"} {
		req, err := core.NewPasswordRequest(u, auth, p)
		require.NoError(t, err, u)
		assert.Equal(t, u, req.URL, "RFC 6749 §3.2: the query component is retained")
	}
}

func TestJoinScopes(t *testing.T) {
	tests := []struct {
		in      []string
		want    string
		wantErr bool
	}{
		{nil, "", false},
		{[]string{"read"}, "read", false},
		{[]string{"read", "write"}, "read write", false},
		{[]string{"read\twrite", "read"}, "read write", false},
		{[]string{"https://api.example/x.read"}, "https://api.example/x.read", false},
		{[]string{`back\slash`}, "", true},
		{[]string{"ünïcode"}, "", true},
	}
	for _, tt := range tests {
		got, err := core.JoinScopes(tt.in)
		if tt.wantErr {
			assert.Error(t, err, "%q", tt.in)
			continue
		}
		require.NoError(t, err)
		assert.Equal(t, tt.want, got)
	}
}

func FuzzNewPasswordRequest(f *testing.F) {
	f.Add("client_id", "client_secret", "johndoe", "A3ddj3w", "read write", "basic")
	f.Add("a:b", "p&w=d+%", "u ser", "pä55", "", "post")
	f.Add("spa", "", "x", "y", "s", "none")
	f.Add("", "", "x", "y", "s", "none")
	f.Fuzz(func(t *testing.T, id, secret, user, pass, scope, method string) {
		m := map[string]core.AuthMethod{"basic": core.AuthClientSecretBasic, "post": core.AuthClientSecretPost, "none": core.AuthNone}[method]
		if m == core.AuthNone {
			secret = ""
		}
		auth := core.ClientAuth{ClientID: id, ClientSecret: secret, Method: m}
		req, err := core.NewPasswordRequest("https://as.example/token", auth, core.PasswordParams{Username: user, Password: pass, Scopes: []string{scope}})
		if err != nil {
			return
		}
		body := parseBody(t, req)
		assert.Equal(t, user, body.Get("username"))
		assert.Equal(t, pass, body.Get("password"))
		assert.Equal(t, "password", body.Get("grant_type"))
		if h, ok := req.Header["Authorization"]; ok {
			raw, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(h, "Basic "))
			require.NoError(t, err)
			gi, gs, _ := strings.Cut(string(raw), ":")
			gi, _ = url.QueryUnescape(gi)
			gs, _ = url.QueryUnescape(gs)
			assert.Equal(t, id, gi)
			assert.Equal(t, secret, gs)
			assert.Empty(t, body["client_secret"])
		}
	})
}

func BenchmarkNewPasswordRequest(b *testing.B) {
	auth := core.ClientAuth{ClientID: "client_id", ClientSecret: "client_secret"}
	p := core.PasswordParams{Username: "johndoe", Password: "A3ddj3w", Scopes: []string{"read", "write"}}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := core.NewPasswordRequest("https://as.example/token", auth, p); err != nil {
			b.Fatal(err)
		}
	}
}
