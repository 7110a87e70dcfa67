package sdk

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRevokeAgainstMock(t *testing.T) {
	env := startMock(t)
	c := env.client(t)
	tests := []struct {
		name  string
		token func(*Token) string
		hint  string
	}{
		{"access token", func(t *Token) string { return t.AccessToken }, "access_token"},
		{"refresh token", func(t *Token) string { return t.RefreshToken }, "refresh_token"},
		{"refresh token without hint", func(t *Token) string { return t.RefreshToken }, ""},
		{"wrong hint", func(t *Token) string { return t.RefreshToken }, "access_token"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tok := env.signIn(t, c)
			token := tt.token(tok)
			require.NoError(t, c.Revoke(context.Background(), token, tt.hint))
			info, err := c.Introspect(context.Background(), token, "")
			require.NoError(t, err)
			assert.False(t, info.Active, "revoked")
		})
	}
	t.Run("unknown token succeeds", func(t *testing.T) {
		// RFC 7009 §2.2: invalid tokens do not cause an error response.
		require.NoError(t, c.Revoke(context.Background(), "never-issued", ""))
	})
	t.Run("wrong client secret", func(t *testing.T) {
		bad := env.client(t, func(c *Config) { c.ClientSecret = "wrong" })
		err := bad.Revoke(context.Background(), "whatever", "")
		var oe *OAuthError
		require.ErrorAs(t, err, &oe)
		assert.Equal(t, "invalid_client", oe.Code)
	})
	t.Run("no endpoint", func(t *testing.T) {
		noRev := env.client(t, func(c *Config) { c.RevocationURL = "" })
		err := noRev.Revoke(context.Background(), "x", "")
		require.True(t, errors.Is(err, ErrNoEndpoint))
	})
}
