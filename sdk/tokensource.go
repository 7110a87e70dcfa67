package sdk

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ropcgo/ropc/sdk/core"
)

// DefaultRefreshMargin is how long before expiry a token counts as stale, so that a token handed
// out is not already expired when it reaches the resource server. It is core's, shared with the
// JavaScript session.
const DefaultRefreshMargin = core.DefaultRefreshMargin

// TokenSource hands out a fresh access token, refreshing it with the refresh token (RFC 6749 §6)
// shortly before it expires. It is safe for concurrent use: concurrent callers of a stale token
// share one refresh request, which matters because servers that rotate refresh tokens accept each
// one once (RFC 9700 §4.14.2), so a second parallel refresh would fail and sign the user out.
type TokenSource struct {
	c        *Client
	margin   time.Duration
	onChange func(*Token)
	now      func() time.Time // nil: time.Now, called directly so the fast path stays allocation-free

	store     TokenStore      // nil: tokens live in memory only
	storeName string          // the record's name in store
	dpopKey   json.RawMessage // the DPoP key of the record resumed from (checked to be the client's), kept when the client's cannot be exported

	cur atomic.Pointer[held] // never nil after construction

	mu       sync.Mutex
	inflight *refreshCall // the shared refresh, nil when none is running
	dead     error        // sticky ErrSignInAgain once the refresh token was rejected

	optErr error // a bad option, reported by every call; set only during construction
}

// String describes the source without its tokens or its client's secret.
func (ts *TokenSource) String() string {
	tok := "no token"
	if t := ts.cur.Load().tok; t != nil {
		tok = t.String()
	}
	return "sdk.TokenSource{" + tok + " " + ts.c.String() + "}"
}

// GoString redacts like String.
func (ts *TokenSource) GoString() string { return ts.String() }

// Format makes every verb go through String.
func (ts *TokenSource) Format(f fmt.State, verb rune) { formatAs(f, verb, ts.String()) }

// held is the current token with the time it is due for refresh, computed once per token so
// the fast path is one atomic load and one comparison.
type held struct {
	tok       *Token
	refreshAt time.Time // zero: expiry unknown, never refreshed for age
}

type refreshCall struct {
	done chan struct{}
	tok  *Token
	err  error
}

// TokenSourceOption configures a TokenSource.
type TokenSourceOption func(*TokenSource)

// WithRefreshMargin sets how long before expiry the token is refreshed (default
// DefaultRefreshMargin, capped at half the token's lifetime: core.RefreshAt). A negative margin
// makes every Token call fail with a *ParamError naming it.
func WithRefreshMargin(d time.Duration) TokenSourceOption {
	return func(ts *TokenSource) {
		if err := core.CheckRefreshMargin(d); err != nil {
			ts.optErr = err
			return
		}
		ts.margin = d
	}
}

// WithOnTokenChange registers f to run after each successful refresh, before any caller receives
// the new token, so an app can persist it (the refresh token may have rotated). f runs on the
// refresh goroutine, one call at a time; it must not call Token on the same source.
func WithOnTokenChange(f func(*Token)) TokenSourceOption {
	return func(ts *TokenSource) { ts.onChange = f }
}

// TokenSource returns a source that starts from t (typically from PasswordToken, or one loaded
// from storage) and refreshes it through c. t may be nil, in which case Token reports ErrSignInAgain.
func (c *Client) TokenSource(t *Token, opts ...TokenSourceOption) *TokenSource {
	ts := &TokenSource{c: c, margin: DefaultRefreshMargin, now: c.cfg.Now}
	for _, o := range opts {
		o(ts)
	}
	ts.cur.Store(ts.hold(t))
	return ts
}

// Token returns a token that is valid for at least the refresh margin, or whose expiry is unknown
// (RFC 6749 §5.1 makes expires_in optional; a rejected one is then refreshed by Transport on 401).
// The returned *Token is shared: do not modify it. ctx bounds only this caller's wait: cancelling
// it does not cancel a refresh other callers are waiting for.
func (ts *TokenSource) Token(ctx context.Context) (*Token, error) {
	// The fast path is core.NextTokenStep's StepUse, without the call.
	if h := ts.cur.Load(); ts.fresh(h) {
		return h.tok, nil
	}
	return ts.slow(ctx, nil)
}

// Refresh forces a refresh, shared with any refresh already running, and returns the new token.
func (ts *TokenSource) Refresh(ctx context.Context) (*Token, error) {
	return ts.slow(ctx, ts.cur.Load().tok)
}

// SetToken replaces the token, e.g. after the user signed in again following ErrSignInAgain.
// OnTokenChange is not called and a store (WithStore) is not written: the caller already holds t;
// call Save to keep it.
func (ts *TokenSource) SetToken(t *Token) {
	ts.mu.Lock()
	ts.cur.Store(ts.hold(t))
	ts.dead = nil
	ts.mu.Unlock()
}

// Current returns the token held now, fresh or not, without refreshing; nil if none.
func (ts *TokenSource) Current() *Token { return ts.cur.Load().tok }

// hold computes when t is due for refresh (core.RefreshAt: margin before expiry, never earlier
// than half its lifetime).
func (ts *TokenSource) hold(t *Token) *held {
	if ts.optErr != nil {
		return &held{} // never fresh: every call reaches slow, which reports the option
	}
	h := &held{tok: t}
	if t != nil {
		h.refreshAt = core.RefreshAt(t.Expiry, t.ExpiresIn, ts.margin)
	}
	return h
}

func (ts *TokenSource) fresh(h *held) bool {
	if h.tok == nil || h.tok.AccessToken == "" {
		return false
	}
	if h.refreshAt.IsZero() {
		return true
	}
	// A direct call, not through an interface or closure, so the fast path does not allocate.
	var now time.Time
	if ts.now != nil {
		now = ts.now()
	} else {
		now = time.Now()
	}
	return now.Before(h.refreshAt)
}

// slow refreshes unless another caller already did. stale, when non-nil, is a token the caller
// saw rejected: a refresh is forced unless the current token has already replaced it.
func (ts *TokenSource) slow(ctx context.Context, stale *Token) (*Token, error) {
	if ts.optErr != nil {
		return nil, ts.optErr
	}
	ts.mu.Lock()
	if ts.dead != nil {
		ts.mu.Unlock()
		return nil, ts.dead
	}
	h := ts.cur.Load()
	cur := h.tok
	call := ts.inflight
	if call == nil {
		state := core.TokenState{HasToken: cur != nil, Rejected: stale != nil && cur == stale,
			RefreshAt: h.refreshAt, Now: ts.nowTime()}
		if cur != nil {
			state.HasAccessToken, state.HasRefreshToken, state.Expiry = cur.AccessToken != "", cur.RefreshToken != "", cur.Expiry
		}
		switch step, reason := core.NextTokenStep(state); step {
		case core.StepUse:
			ts.mu.Unlock()
			return cur, nil
		case core.StepSignInAgain, core.StepHandBack:
			// Forced without a refresh token (Refresh, or a rejection the Transport did not hand
			// back): only the user's credentials help.
			ts.mu.Unlock()
			return nil, signInAgain(reason, nil)
		}
		call = &refreshCall{done: make(chan struct{})}
		ts.inflight = call
		// The refresh runs detached from this caller's cancellation (but keeps its values), so
		// a caller that gives up does not fail everyone else; Client's timeout still bounds it.
		go ts.runRefresh(context.WithoutCancel(ctx), call, cur, stale != nil)
	}
	ts.mu.Unlock()

	select {
	case <-call.done:
		return call.tok, call.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

func (ts *TokenSource) runRefresh(ctx context.Context, call *refreshCall, old *Token, forced bool) {
	var (
		tok     *Token
		err     error
		saveErr error // the token was refreshed but not saved
		retryAt time.Time
	)
	if ts.store != nil {
		tok, saveErr, err = ts.refreshShared(ctx, old)
	} else {
		tok, err = ts.refreshFrom(ctx, old)
	}
	switch {
	case err == nil:
		if ts.onChange != nil {
			// Before publishing: a caller never holds a token the app could not yet persist.
			ts.onChange(tok)
		}
	case errors.Is(err, ErrSignInAgain):
		// The newest saved token has no refresh token (refreshShared): nothing to retry.
	default:
		expiry := old.Expiry
		if old.AccessToken == "" {
			expiry = time.Unix(0, 0) // no access token: nothing to fall back on
		}
		var step core.TokenStep
		var reason string
		step, reason, retryAt = core.AfterRefreshFailure(core.RefreshFailure{
			OAuthCode: core.OAuthCodeOf(err), Forced: forced, Expiry: expiry, Now: ts.nowTime()})
		switch step {
		case core.StepSignInAgain:
			err = signInAgain(reason, err)
		case core.StepUse:
			// A transient failure (network, 5xx, the store) while the old token still works.
			tok, err = old, nil
		}
	}
	ts.mu.Lock()
	if ts.cur.Load().tok == old { // else SetToken replaced the token meanwhile; it wins
		if err == nil && tok == old {
			// Retry the refresh after a pause, not on every call while the server is down.
			ts.cur.Store(&held{tok: old, refreshAt: retryAt})
		} else if err == nil {
			ts.cur.Store(ts.hold(tok))
		} else if errors.Is(err, ErrSignInAgain) {
			ts.dead = err
		}
	}
	ts.inflight = nil
	ts.mu.Unlock()
	if err == nil && saveErr != nil {
		// The new token is held (the old refresh token may be dead), but the caller learns that
		// it was not saved.
		tok, err = nil, saveErr
	}
	call.tok, call.err = tok, err
	close(call.done)
}

// refreshFrom refreshes with old's refresh token; an answer without a scope keeps old's (RFC 6749
// §5.1: omitted means unchanged).
func (ts *TokenSource) refreshFrom(ctx context.Context, old *Token) (*Token, error) {
	tok, err := ts.c.Refresh(ctx, old.RefreshToken)
	if err != nil {
		return nil, err
	}
	tok.Scope = core.GrantedScope(tok.Scope, nil, old.Scope)
	return tok, nil
}

func (ts *TokenSource) nowTime() time.Time {
	if ts.now != nil {
		return ts.now()
	}
	return time.Now()
}
