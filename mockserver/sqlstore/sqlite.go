//go:build !js

package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"

	_ "modernc.org/sqlite" // pure-Go SQLite: the native server needs no cgo for its state file
)

// OpenSQLite opens (creating if needed) the SQLite state file at path and
// applies Schema, so a native ropc-mock keeps refresh tokens, revocations
// and lockouts across restarts. path ":memory:" gives a private in-memory
// database. Close the returned *sql.DB when done.
func OpenSQLite(ctx context.Context, path string) (*Store, *sql.DB, error) {
	q := url.Values{}
	// WAL lets readers run beside the writer; busy_timeout makes a second
	// process wait for the lock instead of failing at once.
	q.Add("_pragma", "busy_timeout(5000)")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "synchronous(NORMAL)")
	dsn := "file:" + path + "?" + q.Encode()
	if path == ":memory:" {
		dsn = ":memory:"
	}
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, nil, fmt.Errorf("sqlstore: open %s: %w", path, err)
	}
	// One connection: SQLite serialises writers anyway, and a private
	// ":memory:" database exists only on the connection that made it.
	db.SetMaxOpenConns(1)
	if err := Migrate(ctx, db); err != nil {
		_ = db.Close()
		return nil, nil, fmt.Errorf("sqlstore: %s: %w", path, err)
	}
	return New(db), db, nil
}
