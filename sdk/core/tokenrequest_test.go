package core_test

import (
	"encoding/base64"
	"errors"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ropcgo/ropc/sdk/core"
)

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
			auth:     core.ClientAuth{ClientID: "spa", Method: core.AuthNone},
			params:   core.PasswordParams{Username: "u", Password: "p", Scopes: []string{"read write", " read", "", "admin"}},
			wantBody: url.Values{"grant_type": {"password"}, "username": {"u"}, "password": {"p"}, "scope": {"read write admin"}, "client_id": {"spa"}},
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
