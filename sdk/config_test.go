package sdk

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCheckEndpoint(t *testing.T) {
	tests := []struct {
		name     string
		url      string
		insecure bool
		wantErr  string // substring; "" = ok
		insecErr bool   // want *InsecureURLError
	}{
		{"https", "https://as.example.com/token", false, "", false},
		{"http 127.0.0.1", "http://127.0.0.1:8080/token", false, "", false},
		{"http 127.x.y.z", "http://127.9.8.7/token", false, "", false},
		{"http ::1", "http://[::1]:9000/token", false, "", false},
		{"http localhost", "http://localhost/token", false, "", false},
		{"http LOCALHOST", "http://LocalHost:1/token", false, "", false},
		{"http remote refused", "http://as.example.com/token", false, "must use https", true},
		{"http 10.x refused", "http://10.0.0.1/token", false, "must use https", true},
		{"http localhost.evil refused", "http://localhost.evil.com/token", false, "must use https", true},
		{"http 128.0.0.1 refused", "http://128.0.0.1/token", false, "must use https", true},
		{"http remote opt-in", "http://as.example.com/token", true, "", false},
		{"user info", "https://id:secret@as.example.com/token", false, "user info", false},
		{"fragment", "https://as.example.com/token#x", false, "fragment", false},
		{"ftp", "ftp://as.example.com/token", false, "absolute with scheme https", false},
		{"relative", "/token", false, "absolute with scheme https", false},
		{"garbage", "https://[::1", false, "not a valid URL", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := checkEndpoint("TokenURL", tt.url, tt.insecure)
			if tt.wantErr == "" {
				require.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.wantErr)
			assert.NotContains(t, err.Error(), "secret")
			var ie *InsecureURLError
			assert.Equal(t, tt.insecErr, errors.As(err, &ie))
		})
	}
}

func TestNewClientValidation(t *testing.T) {
	ok := Config{TokenURL: "https://as.example.com/token", ClientID: "c", ClientSecret: "s3cr3t-value"}
	tests := []struct {
		name    string
		mutate  func(*Config)
		wantErr string
		method  AuthMethod
	}{
		{"defaults to basic with secret", func(*Config) {}, "", AuthClientSecretBasic},
		{"defaults to none without secret", func(c *Config) { c.ClientSecret = "" }, "", AuthNone},
		{"post", func(c *Config) { c.AuthMethod = AuthClientSecretPost }, "", AuthClientSecretPost},
		{"issuer instead of token URL", func(c *Config) { c.TokenURL, c.Issuer = "", "https://as.example.com" }, "", AuthClientSecretBasic},
		{"no endpoint", func(c *Config) { c.TokenURL = "" }, "TokenURL or Issuer", ""},
		{"revocation only", func(c *Config) { c.TokenURL = ""; c.RevocationURL = "https://as.example/revoke" }, "", AuthClientSecretBasic},
		{"no client id", func(c *Config) { c.ClientID = "" }, "ClientID", ""},
		{"basic without secret", func(c *Config) { c.ClientSecret, c.AuthMethod = "", AuthClientSecretBasic }, "required for client_secret_basic", ""},
		{"none with secret", func(c *Config) { c.AuthMethod = AuthNone }, `the auth method is "none"`, ""},
		{"unknown method", func(c *Config) { c.AuthMethod = "private_key_jwt" }, "unknown client authentication method", ""},
		{"insecure revocation URL", func(c *Config) { c.RevocationURL = "http://as.example.com/revoke" }, "https", ""},
		{"negative limit", func(c *Config) { c.MaxResponseBytes = -1 }, "MaxResponseBytes", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := ok
			tt.mutate(&cfg)
			c, err := NewClient(cfg)
			if tt.wantErr != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.wantErr)
				if cfg.ClientSecret != "" {
					assert.NotContains(t, err.Error(), cfg.ClientSecret)
				}
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.method, c.auth.Method)
			assert.Equal(t, int64(DefaultMaxResponseBytes), c.maxBytes)
			assert.Equal(t, DefaultTimeout, c.hc.Timeout)
		})
	}
}

func TestConfigRedaction(t *testing.T) {
	cfg := Config{TokenURL: "https://as.example.com/token", ClientID: "cid", ClientSecret: "s3cr3t-value"}
	c, err := NewClient(cfg)
	require.NoError(t, err)
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q"} {
		for _, v := range []any{cfg, &cfg, c} {
			out := fmt.Sprintf(verb, v)
			assert.NotContains(t, out, "s3cr3t-value", verb)
			assert.Contains(t, out, "cid", verb)
		}
	}
}

func TestRevocationOnlyClientHasNoTokenEndpoint(t *testing.T) {
	c, err := NewClient(Config{RevocationURL: "https://as.example/revoke", ClientID: "cid", ClientSecret: "sec"})
	require.NoError(t, err)
	_, err = c.PasswordToken(context.Background(), "user", "pw")
	require.ErrorIs(t, err, ErrNoEndpoint)
	assert.Contains(t, err.Error(), "token endpoint")
}
