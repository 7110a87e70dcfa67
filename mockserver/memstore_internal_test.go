package mockserver

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"
	"unsafe"

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

// rotate puts n generations of family fam (each consumed but the last) and
// returns their hashes, oldest first.
func rotate(t *testing.T, m *memoryStore, fam string, n int, t0 time.Time) []string {
	t.Helper()
	ctx := context.Background()
	var hashes []string
	for i := range n {
		h := TokenHash(fmt.Sprintf("%s-%d", fam, i))
		at := t0.Add(time.Duration(i) * time.Minute)
		require.NoError(t, m.PutRefreshToken(ctx, RefreshToken{Hash: h, Family: fam, ClientID: "c", Subject: "u", IssuedAt: at, ExpiresAt: at.Add(time.Hour)}))
		if i < n-1 {
			ok, err := m.ConsumeRefreshToken(ctx, h, at)
			require.NoError(t, err)
			require.True(t, ok)
		}
		hashes = append(hashes, h)
	}
	return hashes
}

func TestRotatedRefreshTokensGoWhenTheFamilyEnds(t *testing.T) {
	ctx := context.Background()
	t0 := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, end := range []string{"revocation or reuse", "expiry"} {
		t.Run(end, func(t *testing.T) {
			m := NewMemoryStore().(*memoryStore)
			ended := rotate(t, m, "fam-ending", 5, t0)
			live := rotate(t, m, "fam-live", 5, t0)
			// Reuse detection still sees every rotated token of a live family.
			for _, h := range live[:4] {
				rt, err := m.GetRefreshToken(ctx, h)
				require.NoError(t, err)
				assert.False(t, rt.UsedAt.IsZero())
			}
			if end == "expiry" {
				// The newest token of fam-ending expires (t0+4m+1h); fam-live
				// gets a later generation first so it outlives it.
				later := t0.Add(30 * time.Minute)
				ok, err := m.ConsumeRefreshToken(ctx, live[4], later)
				require.NoError(t, err)
				require.True(t, ok)
				require.NoError(t, m.PutRefreshToken(ctx, RefreshToken{Hash: TokenHash("fam-live-5"), Family: "fam-live", IssuedAt: later, ExpiresAt: later.Add(time.Hour)}))
				live = append(live, TokenHash("fam-live-5"))
				at := t0.Add(4*time.Minute + time.Hour)
				require.NoError(t, m.PutAccessToken(ctx, AccessToken{Hash: TokenHash("tick"), IssuedAt: at, ExpiresAt: at.Add(time.Hour)}))
				// fam-live's first five generations have expired by now on
				// their own; its newest is what is live.
				live = live[5:]
			} else {
				// reuseDetected and /revoke both end a family with Revoke.
				require.NoError(t, m.Revoke(ctx, "fam-ending", t0.Add(2*time.Hour)))
			}
			for _, h := range ended {
				_, err := m.GetRefreshToken(ctx, h)
				assert.ErrorIs(t, err, ErrNotFound)
			}
			for _, h := range live {
				_, err := m.GetRefreshToken(ctx, h)
				assert.NoError(t, err, "the live family keeps every generation")
			}
			m.mu.Lock()
			defer m.mu.Unlock()
			assert.Len(t, m.families, 1, "only the live family is listed")
			assert.Len(t, m.refresh, len(live))
			for _, hashes := range m.families {
				assert.Len(t, hashes, len(live), "the list of a live family holds its unexpired generations only")
			}
		})
	}
}

func TestSymbolsDoNotKeepTheRequestBody(t *testing.T) {
	body := "grant_type=password&username=johndoe&password=A3ddj3w"
	user := body[strings.Index(body, "johndoe"):][:len("johndoe")]
	s := newSymbols()
	id := s.sym(user)
	assert.Equal(t, "johndoe", s.str(id))
	assert.NotSame(t, unsafe.StringData(user), unsafe.StringData(s.str(id)), "the symbol shares the body's memory, password included")
	assert.Equal(t, id, s.sym("johndoe"), "interned once")
}
