package mockserver

import (
	"context"
	"fmt"
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

// TestLockoutBookkeepingIsBounded: failures for 20,000 usernames (an
// attacker guessing names) cost each later request at most a couple of
// entries' work, and are forgotten once their window has passed.
func TestLockoutBookkeepingIsBounded(t *testing.T) {
	ctx := context.Background()
	m := NewMemoryStore().(*memoryStore)
	p := LockoutPolicy{MaxFailures: 10, Window: 5 * time.Minute, Duration: time.Minute}
	t0 := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	const guesses = 20_000
	for i := range guesses {
		_, err := m.RecordLoginFailure(ctx, fmt.Sprintf("guess-%d", i), t0, p)
		require.NoError(t, err)
	}
	assert.Equal(t, guesses, m.logins.len(), "all inside the window")

	later := t0.Add(p.Window + time.Second)
	_, err := m.RecordLoginFailure(ctx, "victim", later, p)
	require.NoError(t, err)
	assert.Equal(t, guesses+1-perWrite, m.logins.len(), "one request forgets a bounded number of idle entries, never scans them all")

	// Token writes forget idle entries too, so the table empties even when
	// failures stop.
	for i := range guesses {
		at := later.Add(time.Duration(i) * time.Millisecond)
		require.NoError(t, m.PutRefreshToken(ctx, RefreshToken{Hash: TokenHash(fmt.Sprint(i)), Family: "f", IssuedAt: at, ExpiresAt: at.Add(time.Hour)}))
	}
	assert.Equal(t, 1, m.logins.len(), "only the username inside its window is left")
	st, _ := m.LoginState(ctx, "victim")
	assert.Equal(t, 1, st.Failures)

	// A lock outlives the window: it is kept until it ends.
	for range p.MaxFailures {
		_, err = m.RecordLoginFailure(ctx, "locked", later, p)
		require.NoError(t, err)
	}
	st, _ = m.LoginState(ctx, "locked")
	require.True(t, st.Locked(later))
}
