// Package lockfile is the cross-process lock the token stores take around a refresh: an
// advisory lock (flock on Unix, LockFileEx on Windows) on a file named for the saved token.
package lockfile

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/gofrs/flock"
)

// retryDelay is how often a blocked locker tries again; refreshes take tens of milliseconds.
const retryDelay = 20 * time.Millisecond

// Lock blocks until this process holds the lock file at path (created 0600, its directory 0700)
// or ctx ends. The lock dies with the process, so a crashed refresh never leaves it held.
func Lock(ctx context.Context, path string) (unlock func(), err error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("lock directory: %w", err)
	}
	fl := flock.New(path, flock.SetPermissions(0o600))
	ok, err := fl.TryLockContext(ctx, retryDelay)
	if err != nil {
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	if !ok {
		return nil, fmt.Errorf("lock %s: %w", path, ctx.Err())
	}
	return func() { _ = fl.Unlock() }, nil
}
