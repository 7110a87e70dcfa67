package lockfile

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestLock(t *testing.T) {
	path := filepath.Join(t.TempDir(), "locks", "work.lock")
	ctx := context.Background()
	unlock, err := Lock(ctx, path)
	require.NoError(t, err)
	fi, err := os.Stat(filepath.Dir(path))
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o700), fi.Mode().Perm(), "the lock directory is created private")

	// flock(2) locks belong to an open file, so a second Lock in the same process waits too.
	short, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
	defer cancel()
	_, err = Lock(short, path)
	require.ErrorIs(t, err, context.DeadlineExceeded)

	unlock()
	again, err := Lock(ctx, path)
	require.NoError(t, err, "released, the lock can be taken")
	again()
}
