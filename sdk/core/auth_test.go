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

func TestBasicAuthorizationFormEncodesBeforeBase64(t *testing.T) {
	tests := []struct {
		name, id, secret, wantDecoded string
	}{
		{"plain", "client_id", "client_secret", "client_id:client_secret"},
		{"colon in id", "a:b", "s", "a%3Ab:s"},
		{"space becomes plus", "my client", "p w", "my+client:p+w"},
		{"reserved chars", "id", "s&e=c+r%t/", "id:s%26e%3Dc%2Br%25t%2F"},
		{"non-ascii", "clïent", "sécret", "cl%C3%AFent:s%C3%A9cret"},
		{"empty secret", "id", "", "id:"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := core.BasicAuthorization(tt.id, tt.secret)
			require.True(t, strings.HasPrefix(h, "Basic "))
			raw, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(h, "Basic "))
			require.NoError(t, err)
			assert.Equal(t, tt.wantDecoded, string(raw))
			// Round trip as an RFC 6749 §2.3.1 server decodes it.
			id, secret, ok := strings.Cut(string(raw), ":")
			require.True(t, ok)
			gotID, err := url.QueryUnescape(id)
			require.NoError(t, err)
			gotSecret, err := url.QueryUnescape(secret)
			require.NoError(t, err)
			assert.Equal(t, tt.id, gotID)
			assert.Equal(t, tt.secret, gotSecret)
		})
	}
}

func TestClientAuthValidate(t *testing.T) {
	tests := []struct {
		name    string
		auth    core.ClientAuth
		wantKey string
	}{
		{"default basic", core.ClientAuth{ClientID: "c", ClientSecret: "s"}, ""},
		{"post", core.ClientAuth{ClientID: "c", ClientSecret: "s", Method: core.AuthClientSecretPost}, ""},
		{"none", core.ClientAuth{ClientID: "c", Method: core.AuthNone}, ""},
		{"none without id (RFC 6749 §3.2.1: a public client sends it too)", core.ClientAuth{Method: core.AuthNone}, "client_id"},
		{"basic without id", core.ClientAuth{ClientSecret: "s"}, "client_id"},
		{"post without id", core.ClientAuth{Method: core.AuthClientSecretPost}, "client_id"},
		{"none with secret", core.ClientAuth{ClientID: "c", ClientSecret: "s3cr3t", Method: core.AuthNone}, "client_secret"},
		{"unknown method", core.ClientAuth{ClientID: "c", Method: "private_key_jwt"}, "auth_method"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.auth.Validate()
			if tt.wantKey == "" {
				assert.NoError(t, err)
				return
			}
			var pe *core.ParamError
			require.True(t, errors.As(err, &pe), "got %v", err)
			assert.Equal(t, tt.wantKey, pe.Key)
			assert.NotContains(t, err.Error(), "s3cr3t")
		})
	}
}

func TestClientAuthEffectiveMethod(t *testing.T) {
	assert.Equal(t, core.AuthClientSecretBasic, core.ClientAuth{}.EffectiveMethod())
	assert.Equal(t, core.AuthNone, core.ClientAuth{Method: core.AuthNone}.EffectiveMethod())
}
