package core

import "time"

// Unexported helpers the external tests (package core_test) check directly.
var (
	BasicAuthorization = basicAuthorization
	JoinScopes         = joinScopes
)

// SetTimeNowForTest fixes the clock of HTTP-date Retry-After values and
// returns a function that restores it.
func SetTimeNowForTest(t time.Time) func() {
	old := timeNow
	timeNow = func() time.Time { return t }
	return func() { timeNow = old }
}
