package mockserver

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCompactIDsRoundTrip(t *testing.T) {
	ctx := context.Background()
	s := NewMemoryStore()
	t0 := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, fam := range []string{
		"AAAAAAAAAAAAAAAAAAAAAA", // canonical 16-byte id: stored raw
		"AAAAAAAAAAAAAAAAAAAAAB", // non-zero trailing bits: must not be mangled
		"short", "", "with spaces and ünïcode", "AAAAAAAAAAAAAAAAAAAA+/",
	} {
		h := TokenHash("rt-" + fam)
		require.NoError(t, s.PutRefreshToken(ctx, RefreshToken{Hash: h, Family: fam, ClientID: "c", Subject: "u", Scope: "read", IssuedAt: t0, ExpiresAt: t0.Add(time.Hour)}))
		got, err := s.GetRefreshToken(ctx, h)
		require.NoError(t, err)
		assert.Equal(t, fam, got.Family)

		ah := TokenHash("at-" + fam)
		require.NoError(t, s.PutAccessToken(ctx, AccessToken{Hash: ah, JTI: fam, Family: fam, ClientID: "c", Subject: "u", IssuedAt: t0, ExpiresAt: t0.Add(time.Hour)}))
		at, err := s.GetAccessToken(ctx, ah)
		require.NoError(t, err)
		assert.Equal(t, fam, at.JTI)
		assert.Equal(t, fam, at.Family)
	}
	// Keys that are not TokenHash values still work.
	require.NoError(t, s.PutRefreshToken(ctx, RefreshToken{Hash: "not-hex", Family: "f", IssuedAt: t0, ExpiresAt: t0.Add(time.Hour)}))
	_, err := s.GetRefreshToken(ctx, "not-hex")
	assert.NoError(t, err)
}

func TestMemoryStoreDropsExpiredAccessTokens(t *testing.T) {
	ctx := context.Background()
	s := NewMemoryStore()
	t0 := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	require.NoError(t, s.PutAccessToken(ctx, AccessToken{Hash: TokenHash("a"), IssuedAt: t0, ExpiresAt: t0.Add(time.Minute)}))
	require.NoError(t, s.PutAccessToken(ctx, AccessToken{Hash: TokenHash("b"), IssuedAt: t0.Add(time.Minute), ExpiresAt: t0.Add(time.Hour)}))
	_, err := s.GetAccessToken(ctx, TokenHash("a"))
	assert.ErrorIs(t, err, ErrNotFound)
	_, err = s.GetAccessToken(ctx, TokenHash("b"))
	assert.NoError(t, err)
}

func TestExpiryQueue(t *testing.T) {
	var q expiryQueue
	_, ok := q.front()
	assert.False(t, ok)
	n := 3*expiryChunk + 7
	for i := 0; i < n; i++ {
		q.push(expiryEntry{expires: int64(i)})
	}
	for i := 0; i < n; i++ {
		e, ok := q.front()
		require.True(t, ok)
		require.Equal(t, int64(i), e.expires)
		q.pop()
	}
	_, ok = q.front()
	assert.False(t, ok)
	q.push(expiryEntry{expires: 42})
	e, ok := q.front()
	assert.True(t, ok)
	assert.Equal(t, int64(42), e.expires)
}
