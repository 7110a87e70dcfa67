package tokenfile

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ropcgo/ropc/sdk"
)

func record() *sdk.SavedToken {
	return &sdk.SavedToken{Token: &sdk.Token{AccessToken: "at-secret", RefreshToken: "rt-secret", Expiry: time.Unix(1_900_000_000, 0)},
		TokenURL: "https://as.example/token", ClientID: "app"}
}

func TestRoundTripAndModes(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "tokens")
	s, err := Open(dir)
	require.NoError(t, err)
	ctx := context.Background()
	require.NoError(t, s.Save(ctx, "work", record()))
	got, err := s.Load(ctx, "work")
	require.NoError(t, err)
	assert.Equal(t, "at-secret", got.Token.AccessToken)
	assert.Equal(t, "rt-secret", got.Token.RefreshToken)

	fi, err := os.Stat(s.Path("work"))
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), fi.Mode().Perm(), "the record is readable by its owner only")
	di, err := os.Stat(dir)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o700), di.Mode().Perm())
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	require.Len(t, entries, 1, "no temporary file left behind")

	require.NoError(t, s.Delete(ctx, "work"))
	_, err = s.Load(ctx, "work")
	assert.ErrorIs(t, err, sdk.ErrNotSaved)
	require.NoError(t, s.Delete(ctx, "work"), "deleting a missing record is not an error")
}

func TestDefaultDirIsInUserConfig(t *testing.T) {
	cfg := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", cfg)
	t.Setenv("HOME", cfg)
	s, err := Open("")
	require.NoError(t, err)
	want, err := os.UserConfigDir()
	require.NoError(t, err)
	assert.Equal(t, filepath.Join(want, "ropc", "tokens"), s.Dir())
}

func TestRefusesOpenDirectory(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.Chmod(dir, 0o755))
	_, err := Open(dir)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "mode 0755: other users could read the tokens")
}

func TestRejectsBadFiles(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "tokens")
	s, err := Open(dir)
	require.NoError(t, err)
	ctx := context.Background()
	for _, tc := range []struct {
		name, content, want string
	}{
		{"not a record", "hunter2", "not a ropc token record"},
		{"too large", strings.Repeat("a", 300<<10), "larger than any token record"},
	} {
		require.NoError(t, os.WriteFile(s.Path("bad"), []byte(tc.content), 0o600))
		_, err := s.Load(ctx, "bad")
		require.Error(t, err, tc.name)
		assert.Contains(t, err.Error(), tc.want, tc.name)
		assert.NotContains(t, err.Error(), "hunter2")
	}
	for _, name := range []string{"../escape", "a/b", ".x", ""} {
		assert.Error(t, s.Save(ctx, name, record()), name)
	}
}

func TestLockToken(t *testing.T) {
	s, err := Open(filepath.Join(t.TempDir(), "tokens"))
	require.NoError(t, err)
	ctx := context.Background()
	unlock, err := s.LockToken(ctx, "work")
	require.NoError(t, err)
	short, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
	defer cancel()
	_, err = s.LockToken(short, "work")
	require.ErrorIs(t, err, context.DeadlineExceeded)
	unlock()
	unlock2, err := s.LockToken(ctx, "work")
	require.NoError(t, err)
	unlock2()
}
