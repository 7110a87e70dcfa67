//go:build !linux

package main

import (
	"errors"
	"time"
)

// processCPU reads /proc, which only Linux has.
func processCPU(int) (time.Duration, error) {
	return 0, errors.New("per-process CPU time is read from /proc/PID/task/*/schedstat (Linux only)")
}
