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

func TestNewPasswordRequest(t *testing.T) {
	basic := core.ClientAuth{ClientID: "client_id", ClientSecret: "client_secret"}
	tests := []struct {
		name       string
		auth       core.ClientAuth
		params     core.PasswordParams
		wantBody   url.Values
		wantBasic  bool
		wantErrKey string
	}{
		{
			name:      "basic auth keeps credentials out of the body",
			auth:      basic,
			params:    core.PasswordParams{Username: "johndoe", Password: "A3ddj3w", Scopes: []string{"read", "write"}},
			wantBody:  url.Values{"grant_type": {"password"}, "username": {"johndoe"}, "password": {"A3ddj3w"}, "scope": {"read write"}},
			wantBasic: true,
		},
		{
			name:     "post auth puts id and secret in the body",
			auth:     core.ClientAuth{ClientID: "client_id", ClientSecret: "client_secret", Method: core.AuthClientSecretPost},
			params:   core.PasswordParams{Username: "johndoe", Password: "A3ddj3w"},
			wantBody: url.Values{"grant_type": {"password"}, "username": {"johndoe"}, "password": {"A3ddj3w"}, "client_id": {"client_id"}, "client_secret": {"client_secret"}},
		},
		{
			name:     "post auth omits an empty secret (RFC 6749 §2.3.1)",
			auth:     core.ClientAuth{ClientID: "client_id", Method: core.AuthClientSecretPost},
			params:   core.PasswordParams{Username: "u", Password: "p"},
			wantBody: url.Values{"grant_type": {"password"}, "username": {"u"}, "password": {"p"}, "client_id": {"client_id"}},
		},
		{
			name:     "public client sends client_id in the body",
			auth:     core.ClientAuth{ClientID: "spa", Method: core.AuthNone},
			params:   core.PasswordParams{Username: "u", Password: "p"},
			wantBody: url.Values{"grant_type": {"password"}, "username": {"u"}, "password": {"p"}, "client_id": {"spa"}},
		},
		{
			name:     "scopes split, deduplicated, space-joined",
			auth:     core.ClientAuth{Method: core.AuthNone},
			params:   core.PasswordParams{Username: "u", Password: "p", Scopes: []string{"read write", " read", "", "admin"}},
			wantBody: url.Values{"grant_type": {"password"}, "username": {"u"}, "password": {"p"}, "scope": {"read write admin"}},
		},
		{
			name:      "extra parameters such as audience and resource",
			auth:      basic,
			params:    core.PasswordParams{Username: "u", Password: "p", Extra: url.Values{"audience": {"api"}, "resource": {"https://api.example/"}}},
			wantBody:  url.Values{"grant_type": {"password"}, "username": {"u"}, "password": {"p"}, "audience": {"api"}, "resource": {"https://api.example/"}},
			wantBasic: true,
		},
		{name: "extra cannot override grant_type", auth: basic, params: core.PasswordParams{Username: "u", Password: "p", Extra: url.Values{"grant_type": {"client_credentials"}}}, wantErrKey: "grant_type"},
		{name: "extra cannot override username", auth: basic, params: core.PasswordParams{Username: "u", Password: "p", Extra: url.Values{"username": {"x"}}}, wantErrKey: "username"},
		{name: "extra cannot override password", auth: basic, params: core.PasswordParams{Username: "u", Password: "p", Extra: url.Values{"password": {"x"}}}, wantErrKey: "password"},
		{name: "extra cannot add client_id", auth: basic, params: core.PasswordParams{Username: "u", Password: "p", Extra: url.Values{"client_id": {"x"}}}, wantErrKey: "client_id"},
		{name: "extra cannot add client_secret", auth: basic, params: core.PasswordParams{Username: "u", Password: "p", Extra: url.Values{"client_secret": {"x"}}}, wantErrKey: "client_secret"},
		{name: "extra cannot set scope", auth: basic, params: core.PasswordParams{Username: "u", Password: "p", Extra: url.Values{"scope": {"admin"}}}, wantErrKey: "scope"},
		{name: "extra repeated", auth: basic, params: core.PasswordParams{Username: "u", Password: "p", Extra: url.Values{"audience": {"a", "b"}}}, wantErrKey: "audience"},
		{name: "username required", auth: basic, params: core.PasswordParams{Password: "p"}, wantErrKey: "username"},
		{name: "password required", auth: basic, params: core.PasswordParams{Username: "u"}, wantErrKey: "password"},
		{name: "bad scope character", auth: basic, params: core.PasswordParams{Username: "u", Password: "p", Scopes: []string{`a"b`}}, wantErrKey: "scope"},
		{name: "client id required for basic", auth: core.ClientAuth{ClientSecret: "s"}, params: core.PasswordParams{Username: "u", Password: "p"}, wantErrKey: "client_id"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, err := core.NewPasswordRequest("https://as.example/token", tt.auth, tt.params)
			if tt.wantErrKey != "" {
				var pe *core.ParamError
				require.True(t, errors.As(err, &pe), "got %v", err)
				assert.Equal(t, tt.wantErrKey, pe.Key)
				assert.Contains(t, err.Error(), tt.wantErrKey)
				assert.NotContains(t, err.Error(), "client_credentials")
				return
			}
			require.NoError(t, err)
			assert.Equal(t, "POST", req.Method)
			assert.Equal(t, "https://as.example/token", req.URL)
			assert.Equal(t, "application/x-www-form-urlencoded", req.Header["Content-Type"])
			assert.Equal(t, "application/json", req.Header["Accept"])
			assert.Equal(t, tt.wantBody, parseBody(t, req))
			auth, hasAuth := req.Header["Authorization"]
			assert.Equal(t, tt.wantBasic, hasAuth, "exactly one client authentication method")
			if tt.wantBasic {
				assert.Equal(t, "Basic "+base64.StdEncoding.EncodeToString([]byte("client_id:client_secret")), auth)
			}
		})
	}
}

func TestNewRefreshRequest(t *testing.T) {
	auth := core.ClientAuth{ClientID: "c", ClientSecret: "s", Method: core.AuthClientSecretPost}
	req, err := core.NewRefreshRequest("https://as.example/token", auth, core.RefreshParams{RefreshToken: "rt", Scopes: []string{"read"}, Extra: url.Values{"resource": {"r"}}})
	require.NoError(t, err)
	assert.Equal(t, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {"rt"}, "scope": {"read"}, "client_id": {"c"}, "client_secret": {"s"}, "resource": {"r"}}, parseBody(t, req))

	for _, key := range []string{"grant_type", "refresh_token", "client_secret", "password"} {
		_, err := core.NewRefreshRequest("https://as.example/token", auth, core.RefreshParams{RefreshToken: "rt", Extra: url.Values{key: {"x"}}})
		var pe *core.ParamError
		require.True(t, errors.As(err, &pe), key)
		assert.Equal(t, key, pe.Key)
	}
	_, err = core.NewRefreshRequest("https://as.example/token", auth, core.RefreshParams{})
	var pe *core.ParamError
	require.True(t, errors.As(err, &pe))
	assert.Equal(t, "refresh_token", pe.Key)
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
	auth := core.ClientAuth{Method: core.AuthNone}
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
