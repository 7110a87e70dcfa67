package conformance

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ropcgo/ropc/mockserver"
)

// RunStore checks that a mockserver.Store implementation keeps the contract
// documented on the interface. newStore must return an empty store that
// applies its bounds (expiry sweeps, the record limit) on every write.
func RunStore(t *testing.T, newStore func(t *testing.T) mockserver.Store) {
	runMFAStore(t, newStore)
	ctx := context.Background()
	t0 := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)

	t.Run("refresh tokens", func(t *testing.T) {
		s := newStore(t)
		_, err := s.GetRefreshToken(ctx, "missing")
		assert.ErrorIs(t, err, mockserver.ErrNotFound)
		rt := mockserver.RefreshToken{Hash: mockserver.TokenHash("rt1"), Family: "fam1", ClientID: "c", Subject: "u",
			Scope: "read write", IssuedAt: t0, ExpiresAt: t0.Add(time.Hour)}
		require.NoError(t, s.PutRefreshToken(ctx, rt))
		got, err := s.GetRefreshToken(ctx, rt.Hash)
		require.NoError(t, err)
		assert.True(t, rt.IssuedAt.Equal(got.IssuedAt), "IssuedAt %v", got.IssuedAt)
		assert.True(t, rt.ExpiresAt.Equal(got.ExpiresAt), "ExpiresAt %v", got.ExpiresAt)
		assert.True(t, got.UsedAt.IsZero())
		// Times compared above with Equal: a SQL store may hand back another location.
		got.IssuedAt, got.ExpiresAt, got.UsedAt = rt.IssuedAt, rt.ExpiresAt, rt.UsedAt
		assert.Equal(t, rt, got, "every field round-trips, FamilyRevoked false")

		ok, err := s.ConsumeRefreshToken(ctx, rt.Hash, t0.Add(time.Minute))
		require.NoError(t, err)
		assert.True(t, ok, "first consume wins")
		ok, err = s.ConsumeRefreshToken(ctx, rt.Hash, t0.Add(2*time.Minute))
		require.NoError(t, err)
		assert.False(t, ok, "second consume loses")
		got, err = s.GetRefreshToken(ctx, rt.Hash)
		require.NoError(t, err)
		assert.True(t, got.UsedAt.Equal(t0.Add(time.Minute)), "UsedAt %v", got.UsedAt)
		ok, err = s.ConsumeRefreshToken(ctx, "missing", t0)
		require.NoError(t, err)
		assert.False(t, ok, "unknown token is not consumed")

		fresh := rt
		fresh.Hash = mockserver.TokenHash("rt2")
		require.NoError(t, s.PutRefreshToken(ctx, fresh))
		require.NoError(t, s.Revoke(ctx, "fam1", t0.Add(time.Hour)))
		// A revoked family's tokens are either gone or marked revoked: a
		// store may drop them at once, since none may be used again.
		for _, h := range []string{rt.Hash, fresh.Hash} {
			got, err = s.GetRefreshToken(ctx, h)
			if !errors.Is(err, mockserver.ErrNotFound) {
				require.NoError(t, err)
				assert.True(t, got.FamilyRevoked)
			}
		}
	})

	t.Run("a revoked family's unrotated token is marked revoked", func(t *testing.T) {
		s := newStore(t)
		rt := mockserver.RefreshToken{Hash: mockserver.TokenHash("only"), Family: "famx", ClientID: "c", Subject: "u",
			IssuedAt: t0, ExpiresAt: t0.Add(time.Hour)}
		require.NoError(t, s.PutRefreshToken(ctx, rt))
		require.NoError(t, s.Revoke(ctx, "famx", t0.Add(time.Hour)))
		got, err := s.GetRefreshToken(ctx, rt.Hash)
		if !errors.Is(err, mockserver.ErrNotFound) {
			require.NoError(t, err)
			assert.True(t, got.FamilyRevoked)
		}
	})

	t.Run("consume is atomic under concurrency", func(t *testing.T) {
		s := newStore(t)
		h := mockserver.TokenHash("race")
		require.NoError(t, s.PutRefreshToken(ctx, mockserver.RefreshToken{Hash: h, Family: "f", ClientID: "c", Subject: "u", IssuedAt: t0, ExpiresAt: t0.Add(time.Hour)}))
		wins := concurrentWins(t, func() (bool, error) { return s.ConsumeRefreshToken(ctx, h, t0) })
		assert.Equal(t, int32(1), wins)
	})

	t.Run("access tokens and revocation", func(t *testing.T) {
		s := newStore(t)
		_, err := s.GetAccessToken(ctx, "missing")
		assert.ErrorIs(t, err, mockserver.ErrNotFound)
		at := mockserver.AccessToken{Hash: mockserver.TokenHash("at"), JTI: "jti1", Family: "fam", ClientID: "c", Subject: "u",
			Scope: "read", IssuedAt: t0, ExpiresAt: t0.Add(time.Hour)}
		require.NoError(t, s.PutAccessToken(ctx, at))
		got, err := s.GetAccessToken(ctx, at.Hash)
		require.NoError(t, err)
		assert.True(t, at.IssuedAt.Equal(got.IssuedAt), "IssuedAt %v", got.IssuedAt)
		assert.True(t, at.ExpiresAt.Equal(got.ExpiresAt), "ExpiresAt %v", got.ExpiresAt)
		got.IssuedAt, got.ExpiresAt = at.IssuedAt, at.ExpiresAt
		assert.Equal(t, at, got, "every field round-trips")

		revoked, err := s.IsRevoked(ctx, "jti1", "fam")
		require.NoError(t, err)
		assert.False(t, revoked)
		require.NoError(t, s.Revoke(ctx, "fam", t0.Add(time.Hour)))
		require.NoError(t, s.Revoke(ctx, "fam", t0.Add(2*time.Hour)), "revoking twice is fine")
		for _, ids := range [][]string{{"jti1", "fam"}, {"fam"}, {"", "fam"}} {
			revoked, err = s.IsRevoked(ctx, ids...)
			require.NoError(t, err)
			assert.True(t, revoked, "%q", ids)
		}
		for _, ids := range [][]string{{"jti1"}, {"", ""}, {}} {
			revoked, err = s.IsRevoked(ctx, ids...)
			require.NoError(t, err)
			assert.False(t, revoked, "%q", ids)
		}
	})

	t.Run("lockout", func(t *testing.T) {
		s := newStore(t)
		p := mockserver.LockoutPolicy{MaxFailures: 3, Window: 5 * time.Minute, Duration: time.Minute}
		st, err := s.LoginState(ctx, "u")
		require.NoError(t, err)
		assert.Equal(t, mockserver.LoginState{}, st)

		st, err = s.RecordLoginFailure(ctx, "u", t0, p)
		require.NoError(t, err)
		assert.Equal(t, 1, st.Failures)
		assert.False(t, st.Locked(t0))
		// The window passed: counting restarts.
		st, err = s.RecordLoginFailure(ctx, "u", t0.Add(6*time.Minute), p)
		require.NoError(t, err)
		assert.Equal(t, 1, st.Failures)
		now := t0.Add(6 * time.Minute)
		for i := 2; i <= 3; i++ {
			st, err = s.RecordLoginFailure(ctx, "u", now, p)
			require.NoError(t, err)
		}
		assert.True(t, st.Locked(now), "third failure in the window locks")
		assert.True(t, st.LockedUntil.Equal(now.Add(time.Minute)), "LockedUntil %v", st.LockedUntil)
		got, err := s.LoginState(ctx, "u")
		require.NoError(t, err)
		assert.True(t, got.Locked(now))
		assert.False(t, got.Locked(now.Add(time.Minute)))

		other, err := s.LoginState(ctx, "other")
		require.NoError(t, err)
		assert.False(t, other.Locked(now), "other users unaffected")

		require.NoError(t, s.ClearLoginFailures(ctx, "u"))
		got, err = s.LoginState(ctx, "u")
		require.NoError(t, err)
		assert.Equal(t, 0, got.Failures)
		assert.True(t, got.Locked(now), "clearing failures keeps an active lock")
		require.NoError(t, s.ClearLoginFailures(ctx, "nobody"))
	})

	t.Run("lockout forgets idle usernames a few per failure", func(t *testing.T) {
		s := newStore(t)
		p := mockserver.LockoutPolicy{MaxFailures: 3, Window: 5 * time.Minute, Duration: time.Hour}
		const idle = 10
		for i := range idle {
			_, err := s.RecordLoginFailure(ctx, fmt.Sprint("idle-", i), t0, p)
			require.NoError(t, err)
		}
		for range p.MaxFailures {
			_, err := s.RecordLoginFailure(ctx, "locked", t0, p)
			require.NoError(t, err)
		}
		remembered := func() int {
			n := 0
			for i := range idle {
				st, err := s.LoginState(ctx, fmt.Sprint("idle-", i))
				require.NoError(t, err)
				if st != (mockserver.LoginState{}) {
					n++
				}
			}
			return n
		}
		require.Equal(t, idle, remembered(), "every failure is counted")

		// The window is over for the idle names, the lock is not.
		now := t0.Add(p.Window)
		_, err := s.RecordLoginFailure(ctx, "attacker-0", now, p)
		require.NoError(t, err)
		left := remembered()
		assert.Less(t, left, idle, "a failure forgets idle usernames")
		assert.Greater(t, left, 0, "a failure does a bounded amount of forgetting, not a sweep of every username")
		for i := 1; i <= idle; i++ {
			_, err = s.RecordLoginFailure(ctx, fmt.Sprint("attacker-", i), now, p)
			require.NoError(t, err)
		}
		assert.Zero(t, remembered(), "idle usernames are all forgotten while failures come")
		st, err := s.LoginState(ctx, "locked")
		require.NoError(t, err)
		assert.True(t, st.Locked(now), "a lock in force is kept")
		st, err = s.LoginState(ctx, "attacker-0")
		require.NoError(t, err)
		assert.Equal(t, 1, st.Failures, "a failure in the window is kept")
	})

	t.Run("spend once", func(t *testing.T) {
		s := newStore(t)
		once := s
		until := t0.Add(time.Minute)
		wins := concurrentWins(t, func() (bool, error) { return once.SpendOnce(ctx, "dpop-jti:a", t0, until) })
		assert.Equal(t, int32(1), wins, "of concurrent spends of one id, one is first")
		revoked, err := s.IsRevoked(ctx, "dpop-jti:a")
		require.NoError(t, err)
		assert.True(t, revoked, "a spent id reads as revoked")
		first, err := once.SpendOnce(ctx, "dpop-jti:a", until.Add(-time.Second), until)
		require.NoError(t, err)
		assert.False(t, first, "spent until its record ends")
		first, err = once.SpendOnce(ctx, "dpop-jti:a", until, until.Add(time.Minute))
		require.NoError(t, err)
		assert.True(t, first, "an ended record is spent anew")
		first, err = once.SpendOnce(ctx, "dpop-jti:a", until.Add(time.Second), until.Add(time.Minute))
		require.NoError(t, err)
		assert.False(t, first, "the renewed record holds")
		first, err = once.SpendOnce(ctx, "dpop-jti:b", t0, until)
		require.NoError(t, err)
		assert.True(t, first, "ids are independent")
	})

	t.Run("clear", func(t *testing.T) {
		s := newStore(t)
		h := mockserver.TokenHash("x")
		require.NoError(t, s.PutRefreshToken(ctx, mockserver.RefreshToken{Hash: h, Family: "f", ClientID: "c", Subject: "u", IssuedAt: t0, ExpiresAt: t0.Add(time.Hour)}))
		require.NoError(t, s.PutAccessToken(ctx, mockserver.AccessToken{Hash: h, JTI: "j", IssuedAt: t0, ExpiresAt: t0.Add(time.Hour)}))
		require.NoError(t, s.Revoke(ctx, "f", t0.Add(time.Hour)))
		_, err := s.RecordLoginFailure(ctx, "u", t0, mockserver.LockoutPolicy{MaxFailures: 1, Window: time.Minute, Duration: time.Minute})
		require.NoError(t, err)
		require.NoError(t, s.Clear(ctx))
		_, err = s.GetRefreshToken(ctx, h)
		assert.True(t, errors.Is(err, mockserver.ErrNotFound))
		_, err = s.GetAccessToken(ctx, h)
		assert.True(t, errors.Is(err, mockserver.ErrNotFound))
		revoked, err := s.IsRevoked(ctx, "f")
		require.NoError(t, err)
		assert.False(t, revoked)
		st, err := s.LoginState(ctx, "u")
		require.NoError(t, err)
		assert.Equal(t, mockserver.LoginState{}, st, "failures and lock gone")
	})
}

// concurrentWins runs try from 16 goroutines at once and counts the calls
// that report true; each call's error must be nil.
func concurrentWins(t *testing.T, try func() (bool, error)) int32 {
	t.Helper()
	var wins atomic.Int32
	var wg sync.WaitGroup
	for range 16 {
		wg.Go(func() {
			ok, err := try()
			assert.NoError(t, err)
			if ok {
				wins.Add(1)
			}
		})
	}
	wg.Wait()
	return wins.Load()
}
