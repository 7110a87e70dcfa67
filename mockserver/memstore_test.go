package mockserver_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ropcgo/ropc/mockserver"
	"github.com/ropcgo/ropc/mockserver/conformance"
)

func TestMemoryStoreContract(t *testing.T) {
	conformance.RunStore(t, func(*testing.T) mockserver.Store { return mockserver.NewMemoryStore() })
}

func TestMemoryStoreSweepsExpiredRefreshTokens(t *testing.T) {
	ctx := context.Background()
	s := mockserver.NewMemoryStore()
	t0 := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	old := mockserver.RefreshToken{Hash: mockserver.TokenHash("old"), Family: "f", IssuedAt: t0, ExpiresAt: t0.Add(time.Minute)}
	require.NoError(t, s.PutRefreshToken(ctx, old))
	later := t0.Add(time.Hour)
	for i := 0; i < 5000; i++ {
		require.NoError(t, s.PutRefreshToken(ctx, mockserver.RefreshToken{
			Hash: mockserver.TokenHash(string(rune(i))), Family: "g", IssuedAt: later, ExpiresAt: later.Add(time.Hour)}))
	}
	_, err := s.GetRefreshToken(ctx, old.Hash)
	assert.ErrorIs(t, err, mockserver.ErrNotFound, "expired entries are swept as new ones arrive")
}
