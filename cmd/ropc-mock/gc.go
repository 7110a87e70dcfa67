package main

import (
	"runtime/debug"
	"runtime/metrics"
	"time"
)

// The collector's heap goal is the live heap times 1+GOGC/100, and at least
// 4 MB. The mock's live heap is often a few MB (with JWT access tokens and
// the in-memory store a password grant keeps nothing), so at Go's default
// it collects every few MB allocated: fifty times a second under load. It
// can also hold a million stored tokens, where a fixed higher GOGC would
// multiply the memory. So ropc-mock keeps a floor under the goal instead:
// every second it sets GOGC so the goal is at least minHeapGoal, and 100
// once the live heap passes half of that.
const (
	minHeapGoal   = 32 << 20
	maxGCPercent  = 1000
	gcTuneEvery   = time.Second
	liveHeapBytes = "/gc/heap/live:bytes"
)

// gcPercentFor is the GOGC that makes the goal for live bytes at least
// floor: 100 at least, maxGCPercent at most.
func gcPercentFor(live, floor uint64) int {
	if live == 0 || live*2 >= floor {
		return 100
	}
	return min(maxGCPercent, max(100, int((floor-live)*100/live)))
}

// tuneGC keeps the heap goal's floor for the life of the process, unless the
// environment's GOGC chose a target.
func tuneGC(getenv func(string) string) {
	if getenv("GOGC") != "" {
		return
	}
	sample := []metrics.Sample{{Name: liveHeapBytes}}
	adjust := func() {
		metrics.Read(sample)
		if sample[0].Value.Kind() == metrics.KindUint64 {
			debug.SetGCPercent(gcPercentFor(sample[0].Value.Uint64(), minHeapGoal))
		}
	}
	adjust()
	go func() {
		for range time.Tick(gcTuneEvery) {
			adjust()
		}
	}()
}
