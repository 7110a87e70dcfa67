package main

import "runtime/debug"

// gcPercent is the collector's target for ropc-mock unless GOGC is set.
// The mock's live heap is small (with JWT access tokens and the in-memory
// store, a password grant keeps nothing), and at Go's default of 100 the
// collector's 4 MB floor makes it run fifty times a second under load. At
// 400 it runs about a quarter as often, for some tens of MB more memory.
const gcPercent = 400

// tuneGC sets gcPercent unless the environment's GOGC chose a value.
func tuneGC(getenv func(string) string) {
	if getenv("GOGC") == "" {
		debug.SetGCPercent(gcPercent)
	}
}
