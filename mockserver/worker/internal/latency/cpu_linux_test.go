package main

import (
	"os"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestProcessCPU: over a busy loop, processCPU of this process grows by what
// getrusage(2) reports for it (an independent count of the same CPU time),
// however loaded the machine is; an unknown process is an error.
func TestProcessCPU(t *testing.T) {
	rusage := func() time.Duration {
		var ru syscall.Rusage
		require.NoError(t, syscall.Getrusage(syscall.RUSAGE_SELF, &ru))
		return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	}
	before, err := processCPU(os.Getpid())
	require.NoError(t, err)
	r0 := rusage()
	deadline := time.Now().Add(20 * time.Second)
	for rusage()-r0 < 30*time.Millisecond && time.Now().Before(deadline) {
	}
	after, err := processCPU(os.Getpid())
	require.NoError(t, err)
	used := rusage() - r0
	require.GreaterOrEqual(t, used, 30*time.Millisecond, "the busy loop got no CPU in 20 s")
	assert.InDelta(t, float64(used), float64(after-before), float64(5*time.Millisecond+used/10))

	_, err = processCPU(1 << 30)
	assert.Error(t, err)
}
