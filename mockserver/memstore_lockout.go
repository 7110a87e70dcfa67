package mockserver

import (
	"sync"
	"sync/atomic"
	"time"
)

// logins is the memory store's brute-force bookkeeping (RFC 6749 §4.3.2).
// Every username with state has exactly one entry in a FIFO, due when the
// state goes idle (its window over and no lock). Each write looks at no
// more than two due entries, forgetting those that are idle and requeueing
// those that have moved on, so a request costs the same however many
// usernames (attackers' guesses included) are tracked, and a username is
// forgotten soon after its window ends.
type logins struct {
	mu     sync.RWMutex
	states map[string]loginEntry
	queue  []loginDue // FIFO: queue[head:] are live
	head   int
	// due mirrors the front entry's time (maxInt64 when empty), so stores
	// with nothing due skip the lock.
	due atomic.Int64
}

type loginEntry struct {
	LoginState
	idleAt int64 // when the state goes idle (unix nanoseconds); also its queue entry's key
}

type loginDue struct {
	at       int64
	username string
}

func (l *logins) init() {
	l.states = map[string]loginEntry{}
	l.queue, l.head = nil, 0
	l.due.Store(maxInt64)
}

// idleAt is when s stops mattering under p: neither counting nor locking.
func idleAt(s LoginState, p LockoutPolicy) int64 {
	t := s.WindowStart.Add(p.Window)
	if s.LockedUntil.After(t) {
		t = s.LockedUntil
	}
	return t.UnixNano()
}

func (l *logins) get(username string) LoginState {
	l.mu.RLock()
	defer l.mu.RUnlock()
	return l.states[username].LoginState
}

// perWrite is how many due entries one write may look at: more than the one
// entry a write can add, so the FIFO drains.
const perWrite = 2

func (l *logins) fail(username string, now time.Time, p LockoutPolicy) LoginState {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := now.UnixNano()
	l.dropIdle(n, perWrite)
	e, had := l.states[username]
	next := NextLoginState(e.LoginState, now, p)
	at := idleAt(next, p)
	if !had || at > e.idleAt {
		// One queue entry per username: a newer one replaces the old, which
		// is skipped when it comes due.
		l.push(loginDue{at: at, username: username})
	} else {
		at = e.idleAt
	}
	l.states[username] = loginEntry{LoginState: next, idleAt: at}
	return next
}

func (l *logins) clear(username string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	e, ok := l.states[username]
	if !ok {
		return
	}
	if e.LockedUntil.IsZero() {
		delete(l.states, username)
		return
	}
	e.Failures = 0
	e.WindowStart = time.Time{}
	l.states[username] = e
}

// expire forgets idle usernames due by now (a few per call); called on
// token writes, so state goes even when no failures come.
func (l *logins) expire(now int64) {
	if l.due.Load() > now {
		return
	}
	l.mu.Lock()
	l.dropIdle(now, perWrite)
	l.mu.Unlock()
}

// dropIdle looks at up to limit due entries. Caller holds mu.
func (l *logins) dropIdle(now int64, limit int) {
	for i := 0; i < limit && l.head < len(l.queue); i++ {
		d := l.queue[l.head]
		if d.at > now {
			break
		}
		l.queue[l.head] = loginDue{}
		l.head++
		e, ok := l.states[d.username]
		if ok && e.idleAt == d.at {
			delete(l.states, d.username)
		}
		// Otherwise the username was cleared (gone) or has a later entry.
	}
	if l.head > 1024 && l.head*2 > len(l.queue) {
		l.queue = append([]loginDue(nil), l.queue[l.head:]...)
		l.head = 0
	}
	l.storeDue()
}

func (l *logins) push(d loginDue) {
	l.queue = append(l.queue, d)
	l.storeDue()
}

func (l *logins) storeDue() {
	if l.head < len(l.queue) {
		l.due.Store(l.queue[l.head].at)
	} else {
		l.due.Store(maxInt64)
	}
}

func (l *logins) reset() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.init()
}

func (l *logins) len() int {
	l.mu.RLock()
	defer l.mu.RUnlock()
	return len(l.states)
}
