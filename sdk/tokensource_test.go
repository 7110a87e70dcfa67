package sdk

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ropcgo/ropc/sdk/core"
)

// expiredCopy returns tok as if it had expired a minute ago (client-side clock).
func expiredCopy(tok *Token) *Token {
	c := *tok
	c.Expiry = time.Now().Add(-time.Minute)
	return &c
}

func TestTokenSourceFreshIsCached(t *testing.T) {
	env := startMock(t)
	c := env.client(t)
	tok := env.signIn(t, c)
	ts := c.TokenSource(tok)
	for range 3 {
		got, err := ts.Token(context.Background())
		require.NoError(t, err)
		assert.Same(t, tok, got)
	}
	assert.Equal(t, int32(0), env.refresh.Load())
}

func TestTokenSourceRefreshesExpired(t *testing.T) {
	env := startMock(t)
	c := env.client(t)
	old := expiredCopy(env.signIn(t, c, WithScopes("read")))
	var changes []*Token
	ts := c.TokenSource(old, WithOnTokenChange(func(t *Token) { changes = append(changes, t) }))

	got, err := ts.Token(context.Background())
	require.NoError(t, err)
	assert.NotEqual(t, old.AccessToken, got.AccessToken)
	assert.NotEqual(t, old.RefreshToken, got.RefreshToken, "the mock rotates refresh tokens")
	assert.Equal(t, "read", got.Scope)
	assert.True(t, got.Expiry.After(time.Now()))
	require.Len(t, changes, 1)
	assert.Same(t, got, changes[0])
	assert.Same(t, got, ts.Current())

	again, err := ts.Token(context.Background())
	require.NoError(t, err)
	assert.Same(t, got, again)
	assert.Equal(t, int32(1), env.refresh.Load())
}

func TestTokenSourceRefreshMargin(t *testing.T) {
	tests := []struct {
		name        string
		expiresIn   time.Duration
		margin      time.Duration
		wantRefresh bool
	}{
		{"well ahead of default margin", time.Hour, DefaultRefreshMargin, false},
		{"inside default margin", 5 * time.Second, DefaultRefreshMargin, true},
		{"inside a wide margin", 2 * time.Minute, 5 * time.Minute, true},
		{"outside a narrow margin", 2 * time.Minute, time.Second, false},
		{"expired, zero margin", -time.Second, 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := startMock(t)
			c := env.client(t)
			tok := *env.signIn(t, c)
			tok.Expiry = time.Now().Add(tt.expiresIn)
			ts := c.TokenSource(&tok, WithRefreshMargin(tt.margin))
			got, err := ts.Token(context.Background())
			require.NoError(t, err)
			if tt.wantRefresh {
				assert.Equal(t, int32(1), env.refresh.Load())
				assert.NotEqual(t, tok.AccessToken, got.AccessToken)
			} else {
				assert.Equal(t, int32(0), env.refresh.Load())
				assert.Same(t, &tok, got)
			}
		})
	}
}

func TestTokenSourceInjectedClock(t *testing.T) {
	env := startMock(t)
	now := time.Now()
	var clock atomic.Pointer[time.Time]
	clock.Store(&now)
	c := env.client(t, func(cfg *Config) { cfg.Now = func() time.Time { return *clock.Load() } })
	tok := env.signIn(t, c)
	ts := c.TokenSource(tok)
	_, err := ts.Token(context.Background())
	require.NoError(t, err)
	assert.Equal(t, int32(0), env.refresh.Load())
	later := now.Add(2 * time.Hour)
	clock.Store(&later)
	got, err := ts.Token(context.Background())
	require.NoError(t, err)
	assert.Equal(t, int32(1), env.refresh.Load())
	assert.True(t, got.Expiry.After(later), "expiry computed from the injected clock")
}

func TestTokenSourceConcurrentCallersShareOneRefresh(t *testing.T) {
	env := startMock(t)
	c := env.client(t)
	var changes atomic.Int32
	ts := c.TokenSource(expiredCopy(env.signIn(t, c)), WithOnTokenChange(func(*Token) { changes.Add(1) }))

	const n = 1000
	start := make(chan struct{})
	tokens := make([]*Token, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			tokens[i], errs[i] = ts.Token(context.Background())
		}()
	}
	close(start)
	wg.Wait()
	for i := range n {
		require.NoError(t, errs[i])
		assert.Same(t, tokens[0], tokens[i])
	}
	assert.Equal(t, int32(1), env.refresh.Load(), "exactly one refresh request reached the server")
	assert.Equal(t, int32(1), changes.Load())
}

func TestTokenSourceWaiterCancelDoesNotCancelSharedRefresh(t *testing.T) {
	env := startMock(t)
	c := env.client(t)
	ts := c.TokenSource(expiredCopy(env.signIn(t, c)))
	entered := make(chan struct{})
	release := make(chan struct{})
	var once sync.Once
	gate := func() { once.Do(func() { close(entered) }); <-release }
	env.gate.Store(&gate)

	ctxA, cancelA := context.WithCancel(context.Background())
	errA := make(chan error, 1)
	go func() { _, err := ts.Token(ctxA); errA <- err }()
	<-entered // A's refresh is at the server

	type result struct {
		tok *Token
		err error
	}
	resB := make(chan result, 1)
	go func() { tok, err := ts.Token(context.Background()); resB <- result{tok, err} }()

	cancelA()
	require.ErrorIs(t, <-errA, context.Canceled)
	close(release)
	b := <-resB
	require.NoError(t, b.err)
	assert.NotEmpty(t, b.tok.AccessToken)
	assert.Equal(t, int32(1), env.refresh.Load())
}

func TestTokenSourceSignInAgain(t *testing.T) {
	t.Run("refresh token rejected", func(t *testing.T) {
		env := startMock(t)
		c := env.client(t)
		tok := expiredCopy(env.signIn(t, c))
		tok.RefreshToken = "revoked-or-unknown"
		var changes atomic.Int32
		ts := c.TokenSource(tok, WithOnTokenChange(func(*Token) { changes.Add(1) }))
		_, err := ts.Token(context.Background())
		require.ErrorIs(t, err, ErrSignInAgain)
		var oe *OAuthError
		require.ErrorAs(t, err, &oe)
		assert.Equal(t, "invalid_grant", oe.Code)
		assert.NotContains(t, err.Error(), "revoked-or-unknown")

		_, err = ts.Token(context.Background())
		require.ErrorIs(t, err, ErrSignInAgain)
		assert.Equal(t, int32(1), env.refresh.Load(), "a rejected refresh token is not retried")
		assert.Equal(t, int32(0), changes.Load())

		ts.SetToken(env.signIn(t, c))
		_, err = ts.Token(context.Background())
		require.NoError(t, err, "signing in again revives the source")
	})
	t.Run("refresh token reused after rotation", func(t *testing.T) {
		env := startMock(t)
		c := env.client(t)
		tok := env.signIn(t, c)
		_, err := c.Refresh(context.Background(), tok.RefreshToken) // rotates tok.RefreshToken away
		require.NoError(t, err)
		_, err = c.TokenSource(expiredCopy(tok)).Token(context.Background())
		require.ErrorIs(t, err, ErrSignInAgain)
	})
	t.Run("expired without refresh token", func(t *testing.T) {
		env := startMock(t)
		c := env.client(t)
		tok := expiredCopy(env.signIn(t, c))
		tok.RefreshToken = ""
		_, err := c.TokenSource(tok).Token(context.Background())
		require.ErrorIs(t, err, ErrSignInAgain)
		var oe *OAuthError
		assert.False(t, errors.As(err, &oe))
		assert.Equal(t, int32(0), env.refresh.Load())
	})
	t.Run("inside margin without refresh token", func(t *testing.T) {
		env := startMock(t)
		c := env.client(t)
		tok := *env.signIn(t, c)
		tok.RefreshToken = ""
		tok.Expiry = time.Now().Add(5 * time.Second)
		got, err := c.TokenSource(&tok).Token(context.Background())
		require.NoError(t, err, "still valid, and nothing could renew it")
		assert.Same(t, &tok, got)
	})
	t.Run("no token", func(t *testing.T) {
		env := startMock(t)
		_, err := env.client(t).TokenSource(nil).Token(context.Background())
		require.ErrorIs(t, err, ErrSignInAgain)
	})
}

// A third-party server that fails transiently (the mock's fault injection covers more).
func TestTokenSourceTransientFailure(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.WriteHeader(http.StatusServiceUnavailable)
		_, _ = io.WriteString(w, "try later")
	}))
	defer srv.Close()
	c := newTestClient(t, srv.URL)

	t.Run("inside margin keeps the old token", func(t *testing.T) {
		tok := &Token{AccessToken: "at", TokenType: "Bearer", RefreshToken: "rt", Expiry: time.Now().Add(5 * time.Second)}
		got, err := c.TokenSource(tok).Token(context.Background())
		require.NoError(t, err)
		assert.Same(t, tok, got)
	})
	t.Run("expired reports the failure", func(t *testing.T) {
		tok := &Token{AccessToken: "at", TokenType: "Bearer", RefreshToken: "rt", Expiry: time.Now().Add(-time.Second)}
		ts := c.TokenSource(tok)
		_, err := ts.Token(context.Background())
		var he *HTTPError
		require.ErrorAs(t, err, &he)
		assert.Equal(t, 503, he.Status)
		assert.False(t, errors.Is(err, ErrSignInAgain))
		before := hits.Load()
		_, err = ts.Token(context.Background())
		require.Error(t, err)
		assert.Equal(t, before+1, hits.Load(), "transient failures are retried on the next call")
	})
}

func TestTokenSourceShortLivedTokens(t *testing.T) {
	// A 6s token with the default 10s margin: refreshed after half its life, not on every call.
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"access_token":"at-new","token_type":"Bearer","expires_in":6}`)
	}))
	defer srv.Close()
	now := time.Now()
	var clock atomic.Pointer[time.Time]
	clock.Store(&now)
	c := newTestClient(t, srv.URL, func(cfg *Config) { cfg.Now = func() time.Time { return *clock.Load() } })
	six := int64(6)
	ts := c.TokenSource(&Token{AccessToken: "at", RefreshToken: "rt", ExpiresIn: &six, Expiry: now.Add(6 * time.Second)})
	for range 5 {
		got, err := ts.Token(context.Background())
		require.NoError(t, err)
		assert.Equal(t, "at", got.AccessToken)
	}
	assert.Equal(t, int32(0), hits.Load())
	later := now.Add(3*time.Second + time.Millisecond)
	clock.Store(&later)
	got, err := ts.Token(context.Background())
	require.NoError(t, err)
	assert.Equal(t, "at-new", got.AccessToken)
	for range 5 {
		_, err := ts.Token(context.Background())
		require.NoError(t, err)
	}
	assert.Equal(t, int32(1), hits.Load())
}

func TestTokenSourceTransientFailureIsNotHammered(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.WriteHeader(http.StatusBadGateway)
	}))
	defer srv.Close()
	now := time.Now()
	var clock atomic.Pointer[time.Time]
	clock.Store(&now)
	c := newTestClient(t, srv.URL, func(cfg *Config) { cfg.Now = func() time.Time { return *clock.Load() } })
	tok := &Token{AccessToken: "at", RefreshToken: "rt", Expiry: now.Add(5 * time.Second)}
	ts := c.TokenSource(tok)
	for range 10 {
		got, err := ts.Token(context.Background())
		require.NoError(t, err)
		assert.Same(t, tok, got)
	}
	assert.Equal(t, int32(1), hits.Load(), "one attempt, then a pause")
	later := now.Add(core.RetryPause + time.Millisecond)
	clock.Store(&later)
	_, err := ts.Token(context.Background())
	require.NoError(t, err)
	assert.Equal(t, int32(2), hits.Load())
}
