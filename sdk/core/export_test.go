package core

import "time"

// SetTimeNowForTest fixes the clock of HTTP-date Retry-After values and
// returns a function that restores it.
func SetTimeNowForTest(t time.Time) func() {
	old := timeNow
	timeNow = func() time.Time { return t }
	return func() { timeNow = old }
}
