package sqlstore

import "database/sql"

// NewSweeping returns a Store whose every insert also sweeps, so tests see
// the sweeps without waiting for the 1-in-sweepOneIn chance.
func NewSweeping(db *sql.DB) *Store {
	s := New(db)
	s.sweep = func() bool { return true }
	return s
}

// ForgetIdleLoginsSQL is the statement each login failure runs to forget
// idle usernames.
const ForgetIdleLoginsSQL = forgetIdleLoginsSQL
