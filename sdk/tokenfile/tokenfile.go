// Package tokenfile keeps saved tokens (sdk.TokenStore) in plain files readable only by their
// owner (mode 0600, in a 0700 directory), for machines without an OS keychain. The tokens are
// not encrypted: anyone who can read the user's files, or a backup of them, can use them.
// Prefer sdk/keychain; use this only when the user asks for it by name.
package tokenfile

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"

	"github.com/ropcgo/ropc/sdk"
	"github.com/ropcgo/ropc/sdk/core"
	"github.com/ropcgo/ropc/sdk/internal/lockfile"
)

// Store is an sdk.TokenStore and sdk.TokenLocker on one directory: NAME.json holds a record,
// NAME.lock serialises refreshes across processes.
type Store struct{ dir string }

var (
	_ sdk.TokenStore  = (*Store)(nil)
	_ sdk.TokenLocker = (*Store)(nil)
)

// windows: file modes are not permissions there; the user profile's ACL protects the directory.
var windows = runtime.GOOS == "windows"

// DefaultDir is where tokens are kept unless Open is given a directory: ropc/tokens in the
// user's configuration directory ($XDG_CONFIG_HOME or ~/.config on Linux, ~/Library/Application
// Support on macOS, %AppData% on Windows).
func DefaultDir() (string, error) {
	cfg, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("tokenfile: no user configuration directory: %w", err)
	}
	return filepath.Join(cfg, "ropc", "tokens"), nil
}

// Open returns a store on dir ("" means DefaultDir), creating it with mode 0700. An existing
// directory that others can read or write is refused.
func Open(dir string) (*Store, error) {
	if dir == "" {
		var err error
		if dir, err = DefaultDir(); err != nil {
			return nil, err
		}
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("tokenfile: %w", err)
	}
	fi, err := os.Stat(dir)
	if err != nil {
		return nil, fmt.Errorf("tokenfile: %w", err)
	}
	if !fi.IsDir() {
		return nil, fmt.Errorf("tokenfile: %s is not a directory", dir)
	}
	if perm := fi.Mode().Perm(); perm&0o077 != 0 && !windows {
		return nil, fmt.Errorf("tokenfile: %s has mode %04o: other users could read the tokens; chmod 700 it", dir, perm)
	}
	return &Store{dir: dir}, nil
}

// Dir is the directory the store keeps its files in.
func (s *Store) Dir() string { return s.dir }

// Path is the file that holds the record saved under name.
func (s *Store) Path(name string) string { return filepath.Join(s.dir, name+".json") }

// Load reads the record saved under name; a missing file wraps sdk.ErrNotSaved.
func (s *Store) Load(ctx context.Context, name string) (*sdk.SavedToken, error) {
	if err := check(ctx, name); err != nil {
		return nil, err
	}
	b, err := readLimited(s.Path(name))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("no file %s: %w", s.Path(name), sdk.ErrNotSaved)
	}
	if err != nil {
		return nil, fmt.Errorf("tokenfile: %w", err)
	}
	saved, err := core.UnmarshalSavedToken(b)
	if err != nil {
		return nil, fmt.Errorf("tokenfile %s: %w", s.Path(name), err)
	}
	return saved, nil
}

// Save writes the record to a temporary 0600 file, renames it over NAME.json (so a reader sees
// the old record or the new one, never a mix) and reads it back.
func (s *Store) Save(ctx context.Context, name string, rec *sdk.SavedToken) error {
	if err := check(ctx, name); err != nil {
		return err
	}
	b, err := core.MarshalSavedToken(rec)
	if err != nil {
		return err
	}
	f, err := os.CreateTemp(s.dir, "."+name+".*.tmp")
	if err != nil {
		return fmt.Errorf("tokenfile: %w", err)
	}
	tmp := f.Name()
	defer os.Remove(tmp) // a no-op once renamed
	if err := f.Chmod(0o600); err != nil && !windows {
		f.Close()
		return fmt.Errorf("tokenfile: %w", err)
	}
	if _, err := f.Write(b); err != nil {
		f.Close()
		return fmt.Errorf("tokenfile: %w", err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("tokenfile: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("tokenfile: %w", err)
	}
	if err := os.Rename(tmp, s.Path(name)); err != nil {
		return fmt.Errorf("tokenfile: %w", err)
	}
	got, err := readLimited(s.Path(name))
	if err != nil {
		return fmt.Errorf("tokenfile: read back: %w", err)
	}
	if !bytes.Equal(got, b) {
		return fmt.Errorf("tokenfile: %s does not hold what was written (%d of %d bytes)", s.Path(name), len(got), len(b))
	}
	return nil
}

// Delete removes NAME.json; a missing file is not an error.
func (s *Store) Delete(ctx context.Context, name string) error {
	if err := check(ctx, name); err != nil {
		return err
	}
	if err := os.Remove(s.Path(name)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("tokenfile: %w", err)
	}
	return nil
}

// LockToken takes NAME.lock, so that one process at a time refreshes the token.
func (s *Store) LockToken(ctx context.Context, name string) (func(), error) {
	if err := check(ctx, name); err != nil {
		return nil, err
	}
	return lockfile.Lock(ctx, filepath.Join(s.dir, name+".lock"))
}

func check(ctx context.Context, name string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return core.CheckStoreName(name)
}

// readLimited reads a record file, refusing one larger than any record.
func readLimited(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b := make([]byte, core.MaxSavedTokenBytes+1)
	n, err := io.ReadFull(f, b)
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		err = nil
	}
	if err != nil {
		return nil, err
	}
	if n > core.MaxSavedTokenBytes {
		return nil, fmt.Errorf("%s is larger than any token record (%d bytes)", path, core.MaxSavedTokenBytes)
	}
	return b[:n], nil
}
