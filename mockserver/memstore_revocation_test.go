package mockserver

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRevocationsExpireWithTheirTokens(t *testing.T) {
	ctx := context.Background()
	m := NewMemoryStore().(*memoryStore)
	t0 := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	require.NoError(t, m.Revoke(ctx, "jti-short", t0.Add(time.Minute)))
	require.NoError(t, m.Revoke(ctx, "fam-long", t0.Add(time.Hour)))
	require.NoError(t, m.Revoke(ctx, "fam-extended", t0.Add(time.Minute)))
	require.NoError(t, m.Revoke(ctx, "fam-extended", t0.Add(2*time.Hour)), "the later time wins")
	assert.Equal(t, 3, m.revocations.len())

	put := func(at time.Time) {
		require.NoError(t, m.PutRefreshToken(ctx, RefreshToken{Hash: TokenHash(at.String()), Family: "other", IssuedAt: at, ExpiresAt: at.Add(time.Hour)}))
	}
	put(t0.Add(30 * time.Second))
	assert.Equal(t, 3, m.revocations.len(), "nothing ended yet")
	put(t0.Add(time.Minute))
	assert.Equal(t, 2, m.revocations.len(), "the access token's revocation went with it")
	revoked, _ := m.IsRevoked(ctx, "fam-extended")
	assert.True(t, revoked, "an extended revocation stays")
	put(t0.Add(time.Hour))
	revoked, _ = m.IsRevoked(ctx, "fam-long")
	assert.False(t, revoked)
	put(t0.Add(3 * time.Hour))
	assert.Zero(t, m.revocations.len(), "all forgotten once their tokens expired")
}
