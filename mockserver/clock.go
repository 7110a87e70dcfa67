package mockserver

import (
	"sync"
	"time"
)

// Clock is the mock's notion of "now". Tests and the admin API move it to
// expire tokens or lockouts without sleeping. It is safe for concurrent use.
//
// By default it follows the real clock. Advance shifts it by an offset (it
// keeps ticking); Set pins it at a fixed instant (it stops ticking until
// Advance moves it or Reset returns to real time).
type Clock struct {
	mu     sync.RWMutex
	real   func() time.Time
	offset time.Duration
	pinned bool
	at     time.Time
}

// NewClock returns a clock following real time.
func NewClock() *Clock { return &Clock{real: time.Now} }

// Now returns the current mock time.
func (c *Clock) Now() time.Time {
	c.mu.RLock()
	defer c.mu.RUnlock()
	if c.pinned {
		return c.at
	}
	return c.realNow().Add(c.offset)
}

func (c *Clock) realNow() time.Time {
	if c.real == nil {
		return time.Now()
	}
	return c.real()
}

// Advance moves the clock forward by d (backward if d is negative).
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.pinned {
		c.at = c.at.Add(d)
		return
	}
	c.offset += d
}

// Set pins the clock at t.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.pinned = true
	c.at = t
}

// Reset returns the clock to real time.
func (c *Clock) Reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.pinned = false
	c.offset = 0
	c.at = time.Time{}
}
