package keychain

import (
	"context"
	"encoding/base64"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/zalando/go-keyring"

	"github.com/ropcgo/ropc/sdk"
)

// memRing keeps items in memory and applies one platform's write rule, so the Store's chunking
// and read-back are tested against the Windows and macOS limits on a machine that has neither.
type memRing struct {
	items  map[string]string
	writes []int // length of each secret written
	// write decides what a Set does with a secret: store it (nil error, keep=true), refuse it
	// (error), or report success without keeping it (nil error, keep=false).
	write func(service, account, secret string) (keep bool, err error)
}

func (r *memRing) Set(service, account, secret string) error {
	keep, err := r.write(service, account, secret)
	if err != nil {
		return err
	}
	r.writes = append(r.writes, len(secret))
	if keep {
		r.items[service+"\x00"+account] = secret
	}
	return nil
}

func (r *memRing) Get(service, account string) (string, error) {
	v, ok := r.items[service+"\x00"+account]
	if !ok {
		return "", keyring.ErrNotFound
	}
	return v, nil
}

func (r *memRing) Delete(service, account string) error {
	if _, ok := r.items[service+"\x00"+account]; !ok {
		return keyring.ErrNotFound
	}
	delete(r.items, service+"\x00"+account)
	return nil
}

// windowsRule is go-keyring's Windows Set: a credential blob over 2,560 bytes is refused.
func windowsRule(_, _, secret string) (bool, error) {
	if len(secret) > 2560 {
		return false, keyring.ErrSetDataTooBig
	}
	return true, nil
}

// macCommandLen is the length of the line go-keyring's macOS Set writes to `security -i` for
// names that need no shell quoting.
func macCommandLen(service, account, secret string) int {
	return len("add-generic-password -U -s "+service+" -a "+account+" -w go-keyring-base64:\n") +
		base64.StdEncoding.EncodedLen(len(secret))
}

// macRule is go-keyring's macOS Set: a command line over 4,096 bytes is refused; one of exactly
// 4,096 bytes is cut by `security -i` and not saved, yet Set reports success (go-keyring #153).
func macRule(service, account, secret string) (bool, error) {
	switch n := macCommandLen(service, account, secret); {
	case n > 4096:
		return false, keyring.ErrSetDataTooBig
	case n == 4096:
		return false, nil
	}
	return true, nil
}

func seamStore(goos string, rule func(string, string, string) (bool, error)) (*Store, *memRing) {
	r := &memRing{items: map[string]string{}, write: rule}
	return &Store{service: DefaultService, lockDir: "unused", ring: r, limit: itemLimit(goos)}, r
}

func TestPlatformLimitsThroughSeam(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		goos string
		rule func(string, string, string) (bool, error)
	}{
		{"windows", windowsRule},
		{"darwin", macRule},
	} {
		for _, size := range []int{100, 2500, 4100, 6500, 20000} {
			t.Run(fmt.Sprintf("%s/%d bytes", tc.goos, size), func(t *testing.T) {
				s, r := seamStore(tc.goos, tc.rule)
				rec := bigRecord(size)
				require.NoError(t, s.Save(ctx, "a-long-session-name-of-64-characters-aaaaaaaaaaaaaaaaaaaaaaaaaa", rec))
				got, err := s.Load(ctx, "a-long-session-name-of-64-characters-aaaaaaaaaaaaaaaaaaaaaaaaaa")
				require.NoError(t, err)
				assert.Equal(t, rec.Token.AccessToken, got.Token.AccessToken)
				assert.Equal(t, rec.Token.Raw["id_token"], got.Token.Raw["id_token"])
				for _, n := range r.writes {
					assert.LessOrEqual(t, n, s.limit, "every item within the platform's limit")
				}
				require.NoError(t, s.Delete(ctx, "a-long-session-name-of-64-characters-aaaaaaaaaaaaaaaaaaaaaaaaaa"))
				assert.Empty(t, r.items, "delete removes the head and every chunk")
			})
		}
	}
}

func TestWindowsRefusesUnchunkedRecord(t *testing.T) {
	// Without chunking (the Linux limit on Windows), the platform refuses the record and Save
	// says so: nothing is half-saved.
	s, r := seamStore("linux", windowsRule)
	err := s.Save(context.Background(), "session", bigRecord(6500))
	require.ErrorIs(t, err, keyring.ErrSetDataTooBig)
	assert.Contains(t, err.Error(), "too big for the keychain")
	assert.Empty(t, r.items)
	_, err = s.Load(context.Background(), "session")
	assert.ErrorIs(t, err, sdk.ErrNotSaved)
}

func TestReadBackCatchesMacFalseSuccess(t *testing.T) {
	// A chunk whose command line is exactly 4,096 bytes: macOS reports success and keeps nothing.
	// Find the account length that gets there, then write a record chunked at that size.
	s, r := seamStore("darwin", macRule)
	var name string
	var chunk int
	for n := 1; n <= 8 && chunk == 0; n++ {
		name = strings.Repeat("n", n)
		for size := 2000; size < 4096; size++ {
			if macCommandLen(s.service, chunkAccount(name, 1), strings.Repeat("a", size)) == 4096 {
				chunk = size
				break
			}
		}
	}
	require.NotZero(t, chunk, "some account length reaches exactly 4,096 bytes")
	s.limit = chunk // a limit set too high, as the bug report's was
	err := s.Save(context.Background(), name, bigRecord(6500))
	var we *WriteError
	require.ErrorAs(t, err, &we)
	assert.Equal(t, chunkAccount(name, 1), we.Item)
	assert.Equal(t, chunk, we.Wrote)
	assert.Contains(t, err.Error(), "the item is not there")
	assert.NotContains(t, r.items, s.service+"\x00"+name, "no head points at chunks that are not there")
	_, err = s.Load(context.Background(), name)
	assert.ErrorIs(t, err, sdk.ErrNotSaved)
}

func TestReadBackCatchesTruncation(t *testing.T) {
	// A keychain that silently keeps only the first 1,000 bytes of a secret.
	s, r := seamStore("windows", nil)
	r.write = func(service, account, secret string) (bool, error) { return true, nil }
	truncating := &truncRing{memRing: r, keep: 1000}
	s.ring = truncating
	err := s.Save(context.Background(), "session", bigRecord(6500))
	var we *WriteError
	require.ErrorAs(t, err, &we)
	assert.Equal(t, 1000, we.Read)
	assert.Contains(t, err.Error(), "the item holds something else")
}

type truncRing struct {
	*memRing
	keep int
}

func (r *truncRing) Set(service, account, secret string) error {
	if len(secret) > r.keep {
		secret = secret[:r.keep]
	}
	return r.memRing.Set(service, account, secret)
}

func TestSplitKeepsUTF8Whole(t *testing.T) {
	b := []byte(strings.Repeat("é", 10)) // 2 bytes each
	parts := split(b, 5)
	for _, p := range parts {
		assert.LessOrEqual(t, len(p), 5)
		assert.True(t, strings.HasPrefix(p, "é"), "no part starts inside a character: %q", p)
	}
	assert.Equal(t, string(b), strings.Join(parts, ""))
}

// hangingRing never answers, like a locked keyring waiting for an unlock prompt on a machine
// with no desktop to show it.
type hangingRing struct{ release chan struct{} }

func (r hangingRing) Set(string, string, string) error   { <-r.release; return nil }
func (r hangingRing) Get(string, string) (string, error) { <-r.release; return "", keyring.ErrNotFound }
func (r hangingRing) Delete(string, string) error        { <-r.release; return nil }

func TestKeychainThatNeverAnswersTimesOut(t *testing.T) {
	r := hangingRing{release: make(chan struct{})}
	defer close(r.release)
	s := &Store{service: DefaultService, ring: r, limit: itemLimit("linux")}
	for _, op := range []func(context.Context) error{
		func(ctx context.Context) error { _, err := s.Load(ctx, "work"); return err },
		func(ctx context.Context) error { return s.Save(ctx, "work", bigRecord(100)) },
		func(ctx context.Context) error { return s.Delete(ctx, "work") },
	} {
		ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
		err := op(ctx)
		cancel()
		require.ErrorIs(t, err, context.DeadlineExceeded)
		assert.Contains(t, err.Error(), "did not answer")
	}
}
