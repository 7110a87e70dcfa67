package mockserver

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"sync"
	"time"
)

// The jti replay cache (RFC 9449 §11.1).

// sharedReplayCheck records a jti in the Store's revocation list (the
// store's "spent until" set, swept after until), so that every instance
// sharing the Store sees it.
func (s *Server) sharedReplayCheck(ctx context.Context, key string, now, until time.Time) *dpopFailure {
	sum := sha256.Sum256([]byte(key))
	id := "dpop-jti:" + base64.RawURLEncoding.EncodeToString(sum[:])
	first, err := s.store.SpendOnce(ctx, id, now, until)
	if err != nil {
		s.log.LogAttrs(ctx, errorLevel, "internal error", slogStr("step", "dpop replay cache"), slogStr("error", err.Error()))
		return badProof("the DPoP replay cache is unavailable; try again")
	}
	if !first {
		return badProof("DPoP proof jti has been used before (replay)")
	}
	return nil
}

// jtiCache remembers the jti of every accepted proof until its iat leaves
// the window (RFC 9449 §11.1), up to maxDPoPReplayCache entries.
type jtiCache struct {
	mu    sync.Mutex
	seen  map[string]time.Time
	order []jtiEntry // insertion order, for expiry and the bound
}

type jtiEntry struct {
	key    string
	forget time.Time
}

// firstUse records key and reports whether it was new (or forgotten).
func (c *jtiCache) firstUse(key string, now, forget time.Time) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.seen == nil {
		c.seen = map[string]time.Time{}
	}
	for len(c.order) > 0 && (!now.Before(c.order[0].forget) || len(c.order) >= maxDPoPReplayCache) {
		old := c.order[0]
		if t, ok := c.seen[old.key]; ok && t.Equal(old.forget) {
			delete(c.seen, old.key)
		}
		c.order = c.order[1:]
	}
	if t, ok := c.seen[key]; ok && now.Before(t) {
		return false
	}
	c.seen[key] = forget
	c.order = append(c.order, jtiEntry{key, forget})
	return true
}
