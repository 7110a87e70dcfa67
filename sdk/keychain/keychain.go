package keychain

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"time"

	"github.com/zalando/go-keyring"

	"github.com/ropcgo/ropc/sdk"
	"github.com/ropcgo/ropc/sdk/core"
	"github.com/ropcgo/ropc/sdk/internal/lockfile"
)

// DefaultService is the keychain service (Secret Service attribute "service", macOS service,
// Windows target prefix) under which tokens are saved unless WithService says otherwise.
const DefaultService = "ropc"

// probeAccount is looked up by Open to learn whether the keychain answers; it is never written.
const probeAccount = "ropc-availability-probe"

// ring is the platform keychain: one secret per service and account. The default is
// go-keyring's; tests put simulations of other platforms' rules here.
type ring interface {
	Set(service, account, secret string) error
	Get(service, account string) (string, error)
	Delete(service, account string) error
}

type goKeyring struct{}

func (goKeyring) Set(service, account, secret string) error {
	return keyring.Set(service, account, secret)
}
func (goKeyring) Get(service, account string) (string, error) {
	return keyring.Get(service, account)
}
func (goKeyring) Delete(service, account string) error { return keyring.Delete(service, account) }

// Store is an sdk.TokenStore and sdk.TokenLocker on the OS keychain. It is safe for concurrent
// use; processes sharing a store coordinate refreshes through lock files (see WithLockDir).
type Store struct {
	service string
	lockDir string
	ring    ring
	limit   int // largest chunk one item holds, in bytes
}

var (
	_ sdk.TokenStore  = (*Store)(nil)
	_ sdk.TokenLocker = (*Store)(nil)
)

// Option configures Open.
type Option func(*Store)

// WithService saves under another keychain service name than DefaultService, e.g. the app's
// reverse-DNS name, so that apps do not see each other's tokens by name.
func WithService(service string) Option { return func(s *Store) { s.service = service } }

// WithLockDir puts the lock files that serialise refreshes across processes in dir (default: the
// user's cache directory, ropc/locks). They hold no secrets.
func WithLockDir(dir string) Option { return func(s *Store) { s.lockDir = dir } }

// Open connects to the OS keychain and checks that it answers. Without one it returns an error
// wrapping ErrUnavailable (an *UnavailableError with the backend's reason); it never falls back
// to another kind of storage.
func Open(opts ...Option) (*Store, error) {
	s := &Store{service: DefaultService, ring: goKeyring{}, limit: itemLimit(runtime.GOOS)}
	for _, o := range opts {
		o(s)
	}
	if err := core.CheckStoreName(s.service); err != nil {
		return nil, fmt.Errorf("keychain service: %w", err)
	}
	if s.lockDir == "" {
		cache, err := os.UserCacheDir()
		if err != nil {
			return nil, fmt.Errorf("keychain: no directory for lock files (pass WithLockDir): %w", err)
		}
		s.lockDir = filepath.Join(cache, "ropc", "locks")
	}
	ctx, cancel := context.WithTimeout(context.Background(), probeTimeout)
	defer cancel()
	if _, err := bounded(ctx, func() (string, error) { return s.ring.Get(s.service, probeAccount) }); err != nil && !errors.Is(err, keyring.ErrNotFound) {
		return nil, &UnavailableError{Backend: backendName(runtime.GOOS), Err: err}
	}
	return s, nil
}

// probeTimeout bounds Open's first look at the keychain.
const probeTimeout = 20 * time.Second

// bounded runs f, keychain calls that take no context, until ctx ends: a locked keyring may
// wait for an unlock prompt that never comes on a machine without a desktop. f goes on in the
// background after a timeout; its result is dropped.
func bounded[T any](ctx context.Context, f func() (T, error)) (T, error) {
	type result struct {
		v   T
		err error
	}
	done := make(chan result, 1)
	go func() {
		v, err := f()
		done <- result{v, err}
	}()
	select {
	case r := <-done:
		return r.v, r.err
	case <-ctx.Done():
		var zero T
		return zero, fmt.Errorf("the keychain did not answer (is it locked, waiting for an unlock prompt?): %w", ctx.Err())
	}
}

func backendName(goos string) string {
	switch goos {
	case "windows":
		return "Windows Credential Manager"
	case "darwin":
		return "macOS keychain"
	}
	return "Secret Service (D-Bus org.freedesktop.secrets; GNOME Keyring or KWallet)"
}

// Service is the keychain service name the store saves under.
func (s *Store) Service() string { return s.service }

// Load reads the record saved under name, reassembling and verifying its chunks. A missing
// record wraps sdk.ErrNotSaved; a damaged one is a *CorruptError.
func (s *Store) Load(ctx context.Context, name string) (*sdk.SavedToken, error) {
	if err := s.check(ctx, name); err != nil {
		return nil, err
	}
	var err error
	for attempt := 0; attempt < 3; attempt++ {
		var b []byte
		if b, err = bounded(ctx, func() ([]byte, error) { return s.read(name) }); err == nil {
			saved, perr := core.UnmarshalSavedToken(b)
			if perr != nil {
				return nil, &CorruptError{Name: name, Reason: perr.Error()}
			}
			return saved, nil
		}
		var ce *CorruptError
		if !errors.As(err, &ce) {
			return nil, err
		}
		// A writer may be between its chunks and its head item: look again shortly.
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
	return nil, err
}

// Save writes rec under name: its chunks first, then the head item that lists them, each read
// back after writing; then it removes chunks left over from a longer record.
func (s *Store) Save(ctx context.Context, name string, rec *sdk.SavedToken) error {
	if err := s.check(ctx, name); err != nil {
		return err
	}
	b, err := core.MarshalSavedToken(rec)
	if err != nil {
		return err
	}
	_, err = bounded(ctx, func() (struct{}, error) { return struct{}{}, s.write(name, b) })
	return err
}

// Delete removes the record under name and all its chunks; a missing record is not an error.
func (s *Store) Delete(ctx context.Context, name string) error {
	if err := s.check(ctx, name); err != nil {
		return err
	}
	_, err := bounded(ctx, func() (struct{}, error) {
		if err := s.ring.Delete(s.service, name); err != nil && !errors.Is(err, keyring.ErrNotFound) {
			return struct{}{}, fmt.Errorf("keychain: delete %q: %w", name, err)
		}
		return struct{}{}, s.deleteChunks(name, 1)
	})
	return err
}

// LockToken takes the lock file for name, so that one process at a time refreshes it.
func (s *Store) LockToken(ctx context.Context, name string) (func(), error) {
	if err := s.check(ctx, name); err != nil {
		return nil, err
	}
	return lockfile.Lock(ctx, filepath.Join(s.lockDir, s.service+"."+name+".lock"))
}

func (s *Store) check(ctx context.Context, name string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return core.CheckStoreName(name)
}

// read returns the record bytes under name, reassembled from chunks when the head lists some.
func (s *Store) read(name string) ([]byte, error) {
	head, err := s.ring.Get(s.service, name)
	if errors.Is(err, keyring.ErrNotFound) {
		return nil, fmt.Errorf("keychain %q has no entry %q: %w", s.service, name, sdk.ErrNotSaved)
	}
	if err != nil {
		return nil, fmt.Errorf("keychain: read %q: %w", name, err)
	}
	h, chunked, err := parseHead(head)
	if err != nil {
		return nil, &CorruptError{Name: name, Reason: err.Error()}
	}
	if !chunked {
		return []byte(head), nil
	}
	parts := make([]string, h.count)
	for i := range parts {
		p, err := s.ring.Get(s.service, chunkAccount(name, i+1))
		if errors.Is(err, keyring.ErrNotFound) {
			return nil, &CorruptError{Name: name, Reason: fmt.Sprintf("chunk %d of %d is missing", i+1, h.count)}
		}
		if err != nil {
			return nil, fmt.Errorf("keychain: read chunk %d of %q: %w", i+1, name, err)
		}
		parts[i] = p
	}
	b, err := h.join(parts)
	if err != nil {
		return nil, &CorruptError{Name: name, Reason: err.Error()}
	}
	return b, nil
}

func (s *Store) write(name string, b []byte) error {
	parts := split(b, s.limit)
	if len(parts) == 1 {
		if err := s.put(name, parts[0]); err != nil {
			return err
		}
		return s.deleteChunks(name, 1)
	}
	for i, p := range parts {
		if err := s.put(chunkAccount(name, i+1), p); err != nil {
			return err
		}
	}
	// The head goes last: until it is written, readers see the previous record's head, whose
	// checksum does not match these chunks, and retry rather than use a mix.
	if err := s.put(name, headFor(b, len(parts)).String()); err != nil {
		return err
	}
	return s.deleteChunks(name, len(parts)+1)
}

// put writes one item and reads it back.
func (s *Store) put(account, value string) error {
	if len(value) > s.limit {
		return fmt.Errorf("keychain: item %q would be %d bytes, over this platform's %d", account, len(value), s.limit)
	}
	if err := s.ring.Set(s.service, account, value); err != nil {
		if errors.Is(err, keyring.ErrSetDataTooBig) {
			return fmt.Errorf("keychain: item %q (%d bytes) is too big for the keychain: %w", account, len(value), err)
		}
		return fmt.Errorf("keychain: write %q: %w", account, err)
	}
	got, err := s.ring.Get(s.service, account)
	switch {
	case errors.Is(err, keyring.ErrNotFound):
		return &WriteError{Item: account, Wrote: len(value), Reason: "the item is not there"}
	case err != nil:
		return fmt.Errorf("keychain: read back %q: %w", account, err)
	case got != value:
		return &WriteError{Item: account, Wrote: len(value), Read: len(got), Reason: "the item holds something else"}
	}
	return nil
}

// deleteChunks removes chunks from number `from` on, up to the first one that is not there.
func (s *Store) deleteChunks(name string, from int) error {
	for i := from; i <= maxChunks; i++ {
		err := s.ring.Delete(s.service, chunkAccount(name, i))
		if errors.Is(err, keyring.ErrNotFound) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("keychain: delete chunk %d of %q: %w", i, name, err)
		}
	}
	return nil
}
