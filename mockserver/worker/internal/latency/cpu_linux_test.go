package main

import (
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestProcessCPU: this process's CPU time grows by about what a busy loop
// spends, and an unknown process is an error.
func TestProcessCPU(t *testing.T) {
	before, err := processCPU(os.Getpid())
	require.NoError(t, err)
	spin := time.Now()
	for time.Since(spin) < 30*time.Millisecond {
	}
	after, err := processCPU(os.Getpid())
	require.NoError(t, err)
	// The loop may be descheduled on a busy machine, so only a lower bound
	// well below 30 ms is firm.
	assert.Greater(t, after-before, 5*time.Millisecond)
	_, err = processCPU(1 << 30)
	assert.Error(t, err)
}
