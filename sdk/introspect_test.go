package sdk

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestIntrospectAgainstMock(t *testing.T) {
	env := startMock(t)
	c := env.client(t)
	tok := env.signIn(t, c, WithScopes("read"))

	t.Run("active access token", func(t *testing.T) {
		info, err := c.Introspect(context.Background(), tok.AccessToken, "access_token")
		require.NoError(t, err)
		assert.True(t, info.Active)
		assert.Equal(t, "read", info.Scope)
		assert.Equal(t, mockClientID, info.ClientID)
		assert.Equal(t, mockUser, info.Username)
		assert.InDelta(t, tok.Expiry.Unix(), info.ExpiresAt, 5)
		assert.Greater(t, info.ExpiresAt, time.Now().Unix())
	})
	t.Run("unknown token is inactive", func(t *testing.T) {
		info, err := c.Introspect(context.Background(), "never-issued", "")
		require.NoError(t, err)
		assert.False(t, info.Active)
		assert.Empty(t, info.Username, "RFC 7662 §2.2: nothing else about an inactive token")
	})
	t.Run("client must authenticate", func(t *testing.T) {
		bad := env.client(t, func(c *Config) { c.ClientSecret = "wrong" })
		_, err := bad.Introspect(context.Background(), tok.AccessToken, "")
		var oe *OAuthError
		require.ErrorAs(t, err, &oe)
		assert.Equal(t, "invalid_client", oe.Code)
	})
}
