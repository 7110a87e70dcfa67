package mockserver

import (
	"net"
	"sync"
	"sync/atomic"
	"time"
)

// deadlineTick is how late a read deadline set through a tracked connection
// may fire: the reaper looks at every connection once per tick.
const deadlineTick = 100 * time.Millisecond

// deadlineListener keeps the read deadlines of its connections coarsely.
// net/http sets a read deadline three times on every request of a
// keep-alive connection (the idle timeout after the previous answer, the
// header timeout, then the whole-request timeout); each call re-arms a
// runtime timer, work comparable to a good part of what the token endpoint
// itself does besides signing. A tracked connection only notes the
// deadline, and a reaper that wakes once per deadlineTick enforces the
// deadlines that have passed by setting one already passed on the real
// connection, which fails its blocked Read with os.ErrDeadlineExceeded just
// as the timer would have. A deadline already passed when it is set
// (net/http aborts its background read that way) reaches the real
// connection at once, and so does every write deadline.
type deadlineListener struct {
	net.Listener
	r *reaper
}

// coarseDeadlines wraps ln so that read deadlines fire up to deadlineTick
// late and cost an uncontended lock to set.
func coarseDeadlines(ln net.Listener) net.Listener {
	return &deadlineListener{Listener: ln, r: newReaper(deadlineTick)}
}

func (l *deadlineListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return l.r.track(c), nil
}

// reaper enforces the read deadlines of the connections it tracks. Its
// goroutine runs only while some connection is open.
type reaper struct {
	tick time.Duration
	// passed is the time of the last tick (unix nanoseconds): a deadline
	// before it is surely in the past, with no clock read per call.
	passed atomic.Int64

	mu      sync.Mutex
	conns   map[*deadlineConn]struct{}
	running bool
	batch   []*deadlineConn // reused by run
}

func newReaper(tick time.Duration) *reaper {
	return &reaper{tick: tick, conns: map[*deadlineConn]struct{}{}}
}

func (r *reaper) track(c net.Conn) *deadlineConn {
	dc := &deadlineConn{Conn: c, r: r}
	r.mu.Lock()
	r.conns[dc] = struct{}{}
	if !r.running {
		r.running = true
		r.passed.Store(time.Now().UnixNano())
		go r.run()
	}
	r.mu.Unlock()
	return dc
}

func (r *reaper) untrack(c *deadlineConn) {
	r.mu.Lock()
	delete(r.conns, c)
	r.mu.Unlock()
}

// tracked is how many connections are open, and whether the goroutine runs.
func (r *reaper) tracked() (n int, running bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.conns), r.running
}

func (r *reaper) run() {
	t := time.NewTicker(r.tick)
	defer t.Stop()
	for now := range t.C {
		r.mu.Lock()
		if len(r.conns) == 0 {
			r.running = false
			r.mu.Unlock()
			return
		}
		r.batch = r.batch[:0]
		for c := range r.conns {
			r.batch = append(r.batch, c)
		}
		batch := r.batch
		r.mu.Unlock()
		n := now.UnixNano()
		r.passed.Store(n)
		for _, c := range batch {
			c.expire(n)
		}
	}
}

// deadlineConn is a connection whose read deadline is kept by a reaper.
type deadlineConn struct {
	net.Conn
	r *reaper

	mu       sync.Mutex
	deadline int64 // read deadline in unix nanoseconds; 0 is none
	// armed: the real connection has a read deadline (one already passed),
	// which a later deadline must clear first.
	armed bool
}

func (c *deadlineConn) SetReadDeadline(t time.Time) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.setRead(t)
}

func (c *deadlineConn) SetDeadline(t time.Time) error {
	if err := c.Conn.SetWriteDeadline(t); err != nil {
		return err
	}
	return c.SetReadDeadline(t)
}

// setRead notes t as the read deadline. Caller holds mu.
func (c *deadlineConn) setRead(t time.Time) error {
	if t.IsZero() {
		c.deadline = 0
		return c.disarm()
	}
	d := t.UnixNano()
	if d < c.r.passed.Load() {
		c.deadline, c.armed = d, true
		return c.Conn.SetReadDeadline(t)
	}
	c.deadline = d
	return c.disarm()
}

// disarm clears the real connection's read deadline if it has one. Caller
// holds mu.
func (c *deadlineConn) disarm() error {
	if !c.armed {
		return nil
	}
	c.armed = false
	return c.Conn.SetReadDeadline(time.Time{})
}

// expire enforces the read deadline if it has passed by now.
func (c *deadlineConn) expire(now int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.deadline != 0 && c.deadline <= now && !c.armed {
		c.armed = true
		_ = c.Conn.SetReadDeadline(time.Unix(0, c.deadline))
	}
}

func (c *deadlineConn) Close() error {
	c.r.untrack(c)
	return c.Conn.Close()
}

// CloseWrite keeps net/http's graceful close (it half-closes a TCP
// connection before closing it after an error answer).
func (c *deadlineConn) CloseWrite() error {
	if cw, ok := c.Conn.(interface{ CloseWrite() error }); ok {
		return cw.CloseWrite()
	}
	return nil
}
