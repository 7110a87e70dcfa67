package mockserver

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestTokenHash(t *testing.T) {
	// SHA-256("abc"), FIPS 180-2 test vector.
	assert.Equal(t, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", TokenHash("abc"))
}

func TestNextLoginState(t *testing.T) {
	t0 := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	p := LockoutPolicy{MaxFailures: 3, Window: time.Minute, Duration: 10 * time.Minute}
	for _, tc := range []struct {
		name string
		in   LoginState
		now  time.Time
		want LoginState
	}{
		{"first failure opens a window", LoginState{}, t0, LoginState{Failures: 1, WindowStart: t0}},
		{"inside the window counts up", LoginState{Failures: 1, WindowStart: t0}, t0.Add(59 * time.Second), LoginState{Failures: 2, WindowStart: t0}},
		{"window over: restart at 1", LoginState{Failures: 2, WindowStart: t0}, t0.Add(time.Minute), LoginState{Failures: 1, WindowStart: t0.Add(time.Minute)}},
		{"reaching the max locks and resets the count", LoginState{Failures: 2, WindowStart: t0}, t0.Add(time.Second),
			LoginState{Failures: 0, WindowStart: t0.Add(time.Second), LockedUntil: t0.Add(time.Second + 10*time.Minute)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, NextLoginState(tc.in, tc.now, p))
		})
	}
	s := LoginState{LockedUntil: t0}
	assert.True(t, s.Locked(t0.Add(-time.Nanosecond)))
	assert.False(t, s.Locked(t0))
}
