package conformance

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ropcgo/ropc/mockserver"
)

// runMFAStore checks the MFAStore part of the Store contract. The store
// must apply its bounds on every write (package sqlstore's tests pass a
// store that sweeps on every insert).
func runMFAStore(t *testing.T, newStore func(t *testing.T) mockserver.Store) {
	ctx := context.Background()
	t0 := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	signIn := func(token, user string, start time.Time) mockserver.MFASignIn {
		return mockserver.MFASignIn{Hash: mockserver.TokenHash(token), Username: user, ClientID: "c", Scope: "read write",
			ExpiresAt: start.Add(10 * time.Minute), ForgetAt: start.Add(20 * time.Minute)}
	}
	// sameSignIn compares times with Equal: a SQL store may hand back another location.
	sameSignIn := func(t *testing.T, want, got mockserver.MFASignIn) {
		t.Helper()
		for _, tt := range []struct {
			name      string
			want, got time.Time
		}{
			{"ExpiresAt", want.ExpiresAt, got.ExpiresAt}, {"ForgetAt", want.ForgetAt, got.ForgetAt},
			{"OOBExpiresAt", want.OOBExpiresAt, got.OOBExpiresAt}, {"OOBLastPoll", want.OOBLastPoll, got.OOBLastPoll},
		} {
			assert.Truef(t, tt.want.Equal(tt.got), "%s: want %v, got %v", tt.name, tt.want, tt.got)
		}
		want.ExpiresAt, want.ForgetAt, want.OOBExpiresAt, want.OOBLastPoll = got.ExpiresAt, got.ForgetAt, got.OOBExpiresAt, got.OOBLastPoll
		assert.Equal(t, want, got)
	}

	t.Run("mfa sign-ins", func(t *testing.T) {
		s := newStore(t)
		_, err := s.GetMFA(ctx, mockserver.TokenHash("missing"))
		assert.ErrorIs(t, err, mockserver.ErrNotFound)
		in := signIn("mfa1", "ann", t0)
		require.NoError(t, s.StartMFA(ctx, in, t0))
		got, err := s.GetMFA(ctx, in.Hash)
		require.NoError(t, err)
		sameSignIn(t, in, got)
		assert.Empty(t, got.OOBCodeHash, "no challenge yet")

		ended, err := s.EndMFA(ctx, in.Hash)
		require.NoError(t, err)
		assert.True(t, ended, "first end wins")
		ended, err = s.EndMFA(ctx, in.Hash)
		require.NoError(t, err)
		assert.False(t, ended, "a sign-in ends once")
		_, err = s.GetMFA(ctx, in.Hash)
		assert.ErrorIs(t, err, mockserver.ErrNotFound)
	})

	t.Run("mfa sign-in ends once under concurrency", func(t *testing.T) {
		s := newStore(t)
		in := signIn("race", "ann", t0)
		require.NoError(t, s.StartMFA(ctx, in, t0))
		wins := concurrentWins(t, func() (bool, error) { return s.EndMFA(ctx, in.Hash) })
		assert.Equal(t, int32(1), wins)
	})

	t.Run("out-of-band challenge", func(t *testing.T) {
		s := newStore(t)
		in := signIn("mfa-oob", "bob", t0)
		require.NoError(t, s.StartMFA(ctx, in, t0))
		code := mockserver.TokenHash("oob-code")
		oobExpires := t0.Add(5 * time.Minute)

		started, err := s.ChallengeMFA(ctx, mockserver.TokenHash("unknown"), code, oobExpires)
		require.NoError(t, err)
		assert.False(t, started, "no challenge for an unknown sign-in")
		pending, err := s.PendingMFA(ctx, t0)
		require.NoError(t, err)
		assert.Empty(t, pending, "a sign-in without a challenge is not pending")

		started, err = s.ChallengeMFA(ctx, in.Hash, code, oobExpires)
		require.NoError(t, err)
		require.True(t, started)
		got, err := s.GetMFA(ctx, in.Hash)
		require.NoError(t, err)
		want := in
		want.OOBCodeHash, want.OOBExpiresAt, want.OOBStatus = code, oobExpires, mockserver.OOBPending
		sameSignIn(t, want, got)

		pending, err = s.PendingMFA(ctx, t0)
		require.NoError(t, err)
		assert.Equal(t, []string{"bob"}, pending)
		pending, err = s.PendingMFA(ctx, oobExpires)
		require.NoError(t, err)
		assert.Empty(t, pending, "an expired challenge is not pending")

		_, err = s.PollMFA(ctx, in.Hash, mockserver.TokenHash("wrong-code"), t0)
		assert.ErrorIs(t, err, mockserver.ErrNotFound, "a wrong oob_code finds nothing")
		_, err = s.PollMFA(ctx, mockserver.TokenHash("unknown"), code, t0)
		assert.ErrorIs(t, err, mockserver.ErrNotFound)
		got, err = s.PollMFA(ctx, in.Hash, code, t0.Add(time.Second))
		require.NoError(t, err)
		sameSignIn(t, want, got) // first poll: no earlier poll
		got, err = s.PollMFA(ctx, in.Hash, code, t0.Add(3*time.Second))
		require.NoError(t, err)
		assert.True(t, got.OOBLastPoll.Equal(t0.Add(time.Second)), "the poll before: %v", got.OOBLastPoll)
		got, err = s.GetMFA(ctx, in.Hash)
		require.NoError(t, err)
		assert.True(t, got.OOBLastPoll.Equal(t0.Add(3*time.Second)), "GetMFA shows the last poll: %v", got.OOBLastPoll)

		n, err := s.ResolveMFA(ctx, "someone-else", mockserver.OOBApproved, t0)
		require.NoError(t, err)
		assert.Zero(t, n)
		n, err = s.ResolveMFA(ctx, "bob", mockserver.OOBApproved, oobExpires)
		require.NoError(t, err)
		assert.Zero(t, n, "an expired challenge cannot be answered")
		n, err = s.ResolveMFA(ctx, "bob", mockserver.OOBApproved, t0.Add(4*time.Second))
		require.NoError(t, err)
		assert.Equal(t, 1, n)
		n, err = s.ResolveMFA(ctx, "bob", mockserver.OOBDenied, t0.Add(5*time.Second))
		require.NoError(t, err)
		assert.Zero(t, n, "an answered challenge is no longer pending")
		pending, err = s.PendingMFA(ctx, t0.Add(5*time.Second))
		require.NoError(t, err)
		assert.Empty(t, pending)
		got, err = s.PollMFA(ctx, in.Hash, code, t0.Add(6*time.Second))
		require.NoError(t, err)
		assert.Equal(t, mockserver.OOBApproved, got.OOBStatus)

		// A new challenge starts over: new code, pending, no poll.
		code2 := mockserver.TokenHash("oob-code-2")
		started, err = s.ChallengeMFA(ctx, in.Hash, code2, oobExpires.Add(time.Minute))
		require.NoError(t, err)
		require.True(t, started)
		_, err = s.PollMFA(ctx, in.Hash, code, t0.Add(7*time.Second))
		assert.ErrorIs(t, err, mockserver.ErrNotFound, "the old code no longer works")
		got, err = s.PollMFA(ctx, in.Hash, code2, t0.Add(7*time.Second))
		require.NoError(t, err)
		assert.Equal(t, mockserver.OOBPending, got.OOBStatus)
		assert.True(t, got.OOBLastPoll.IsZero(), "no poll of the new challenge before this one")
		n, err = s.ResolveMFA(ctx, "bob", mockserver.OOBDenied, in.ExpiresAt)
		require.NoError(t, err)
		assert.Zero(t, n, "a challenge of an expired sign-in cannot be answered")
		n, err = s.ResolveMFA(ctx, "bob", mockserver.OOBDenied, t0.Add(8*time.Second))
		require.NoError(t, err)
		assert.Equal(t, 1, n)
		got, err = s.GetMFA(ctx, in.Hash)
		require.NoError(t, err)
		assert.Equal(t, mockserver.OOBDenied, got.OOBStatus)
	})

	t.Run("pending users are sorted and listed once", func(t *testing.T) {
		s := newStore(t)
		for i, u := range []string{"cy", "ann", "cy", "bob"} {
			in := signIn("tok-"+string(rune('a'+i)), u, t0)
			require.NoError(t, s.StartMFA(ctx, in, t0))
			started, err := s.ChallengeMFA(ctx, in.Hash, mockserver.TokenHash("code-"+string(rune('a'+i))), t0.Add(5*time.Minute))
			require.NoError(t, err)
			require.True(t, started)
		}
		n, err := s.ResolveMFA(ctx, "cy", mockserver.OOBApproved, t0)
		require.NoError(t, err)
		assert.Equal(t, 2, n, "every pending challenge of the user")
		pending, err := s.PendingMFA(ctx, t0)
		require.NoError(t, err)
		assert.Equal(t, []string{"ann", "bob"}, pending)
	})

	t.Run("mfa sign-ins are forgotten after ForgetAt", func(t *testing.T) {
		s := newStore(t)
		old := signIn("old", "ann", t0)
		require.NoError(t, s.StartMFA(ctx, old, t0))
		expired := old.ExpiresAt.Add(time.Second)
		require.NoError(t, s.StartMFA(ctx, signIn("mid", "ann", expired), expired))
		got, err := s.GetMFA(ctx, old.Hash)
		require.NoError(t, err, "an expired sign-in is kept until ForgetAt")
		assert.True(t, got.ExpiresAt.Equal(old.ExpiresAt))
		require.NoError(t, s.StartMFA(ctx, signIn("new", "ann", old.ForgetAt), old.ForgetAt))
		_, err = s.GetMFA(ctx, old.Hash)
		assert.ErrorIs(t, err, mockserver.ErrNotFound, "forgotten once a start comes after ForgetAt")
		_, err = s.GetMFA(ctx, mockserver.TokenHash("mid"))
		assert.NoError(t, err, "a sign-in not yet due is kept")
	})

	t.Run("mfa sign-ins are bounded by the record limit", func(t *testing.T) {
		s := newStore(t)
		lim, ok := s.(mockserver.TokenLimiter)
		if !ok {
			t.Fatalf("%T does not bound its records (mockserver.TokenLimiter)", s)
		}
		limit, evicted := 3, 0
		var mu sync.Mutex
		lim.SetTokenLimit(func() int { return limit }, func(n int) { mu.Lock(); evicted += n; mu.Unlock() })
		for i := range 6 {
			now := t0.Add(time.Duration(i) * time.Second)
			require.NoError(t, s.StartMFA(ctx, signIn("many-"+string(rune('a'+i)), "ann", now), now))
		}
		kept := 0
		for i := range 6 {
			if _, err := s.GetMFA(ctx, mockserver.TokenHash("many-"+string(rune('a'+i)))); err == nil {
				kept++
			} else {
				require.ErrorIs(t, err, mockserver.ErrNotFound)
			}
		}
		assert.Equal(t, limit, kept)
		_, err := s.GetMFA(ctx, mockserver.TokenHash("many-f"))
		assert.NoError(t, err, "the newest is kept")
		_, err = s.GetMFA(ctx, mockserver.TokenHash("many-a"))
		assert.ErrorIs(t, err, mockserver.ErrNotFound, "the oldest went first")
		mu.Lock()
		assert.Equal(t, 6-limit, evicted, "unexpired sign-ins dropped at the limit are reported")
		mu.Unlock()
	})

	t.Run("totp steps", func(t *testing.T) {
		s := newStore(t)
		_, ok, err := s.LastTOTPStep(ctx, "ann")
		require.NoError(t, err)
		assert.False(t, ok, "no step recorded")
		forget := t0.Add(time.Hour)
		for _, tt := range []struct {
			name string
			step int64
			want bool
			last int64
		}{
			{"first use", 10, true, 10},
			{"same step again", 10, false, 10},
			{"earlier step", 9, false, 10},
			{"later step", 12, true, 12},
		} {
			used, err := s.UseTOTPStep(ctx, "ann", tt.step, forget, t0)
			require.NoError(t, err)
			assert.Equal(t, tt.want, used, tt.name)
			last, ok, err := s.LastTOTPStep(ctx, "ann")
			require.NoError(t, err)
			assert.True(t, ok)
			assert.Equal(t, tt.last, last, tt.name)
		}
		_, ok, err = s.LastTOTPStep(ctx, "bob")
		require.NoError(t, err)
		assert.False(t, ok, "steps are per user")

		wins := concurrentWins(t, func() (bool, error) { return s.UseTOTPStep(ctx, "ann", 13, forget, t0) })
		assert.Equal(t, int32(1), wins, "one code, one acceptance under concurrency")
	})

	t.Run("recovery codes", func(t *testing.T) {
		s := newStore(t)
		configured, issued := mockserver.TokenHash("CONFIGURED"), mockserver.TokenHash("ISSUED")
		for _, tt := range []struct {
			name       string
			user, code string
			configured bool
			want       bool
		}{
			{"configured code, first use", "ann", configured, true, true},
			{"configured code, second use", "ann", configured, true, false},
			{"same configured code of another user", "bob", configured, true, true},
			{"issued code not yet issued", "ann", issued, false, false},
		} {
			spent, err := s.SpendRecoveryCode(ctx, tt.user, tt.code, tt.configured)
			require.NoError(t, err)
			assert.Equal(t, tt.want, spent, tt.name)
		}
		require.NoError(t, s.AddRecoveryCode(ctx, "ann", issued))
		spent, err := s.SpendRecoveryCode(ctx, "bob", issued, false)
		require.NoError(t, err)
		assert.False(t, spent, "an issued code works for its user only")
		spent, err = s.SpendRecoveryCode(ctx, "ann", issued, false)
		require.NoError(t, err)
		assert.True(t, spent, "an issued code works once")
		spent, err = s.SpendRecoveryCode(ctx, "ann", issued, false)
		require.NoError(t, err)
		assert.False(t, spent, "and only once")
	})

	t.Run("clear forgets second-factor state", func(t *testing.T) {
		s := newStore(t)
		in := signIn("cleared", "ann", t0)
		require.NoError(t, s.StartMFA(ctx, in, t0))
		_, err := s.UseTOTPStep(ctx, "ann", 5, t0.Add(time.Hour), t0)
		require.NoError(t, err)
		_, err = s.SpendRecoveryCode(ctx, "ann", mockserver.TokenHash("C"), true)
		require.NoError(t, err)
		require.NoError(t, s.Clear(ctx))
		_, err = s.GetMFA(ctx, in.Hash)
		assert.True(t, errors.Is(err, mockserver.ErrNotFound))
		_, ok, err := s.LastTOTPStep(ctx, "ann")
		require.NoError(t, err)
		assert.False(t, ok)
		spent, err := s.SpendRecoveryCode(ctx, "ann", mockserver.TokenHash("C"), true)
		require.NoError(t, err)
		assert.True(t, spent, "spent codes are forgotten by Clear")
	})
}
