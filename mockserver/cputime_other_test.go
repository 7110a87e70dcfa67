//go:build !linux

package mockserver

import "time"

// onThreadCPU falls back to wall time where the thread's CPU clock is not
// at hand.
func onThreadCPU(f func()) time.Duration {
	start := time.Now()
	f()
	return time.Since(start)
}
