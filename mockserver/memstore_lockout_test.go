package mockserver

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

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
