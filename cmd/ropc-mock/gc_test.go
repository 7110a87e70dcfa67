package main

import (
	"runtime/debug"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestGCPercentFor(t *testing.T) {
	const floor = 32 << 20
	for _, tc := range []struct {
		name string
		live uint64
		want int
	}{
		{"nothing measured yet", 0, 100},
		{"tiny heap: capped", 1 << 20, maxGCPercent},
		{"4 MB live: goal 32 MB", 4 << 20, 700},
		{"8 MB live: goal 32 MB", 8 << 20, 300},
		{"half the floor: the default", 16 << 20, 100},
		{"a large store: the default", 300 << 20, 100},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := gcPercentFor(tc.live, floor)
			assert.Equal(t, tc.want, got)
			if tc.live > 0 {
				goal := tc.live * uint64(100+got) / 100
				assert.True(t, goal >= floor || got == maxGCPercent, "goal %d under the floor", goal)
			}
		})
	}
}

func TestTuneGCLeavesAChosenGOGC(t *testing.T) {
	before := debug.SetGCPercent(123)
	t.Cleanup(func() { debug.SetGCPercent(before) })
	tuneGC(func(k string) string {
		if k == "GOGC" {
			return "123"
		}
		return ""
	})
	assert.Equal(t, 123, debug.SetGCPercent(123), "GOGC set: left to the runtime")
}
