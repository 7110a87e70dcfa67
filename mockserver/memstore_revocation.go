package mockserver

import (
	"container/heap"
	"sync"
	"sync/atomic"
)

// revocations are the memory store's revoked ids (access-token jtis and
// refresh-token families), each kept until the tokens it revokes have
// expired and then forgotten: a min-heap on that time drops them as time
// passes, so the set holds only what can still matter.
type revocations struct {
	mu    sync.RWMutex
	until map[string]int64 // id -> unix nanoseconds after which it can go
	heap  revHeap
	// latest is the newest time the store has seen (the server's clock, not
	// the wall clock: a test that pins or advances the clock stays in step).
	latest atomic.Int64
	// heapMin mirrors heap[0].until (maxInt64 when empty) for the lock-free
	// check in expire.
	heapMin atomic.Int64
}

func (r *revocations) init() {
	r.until = map[string]int64{}
	r.heap = nil
	r.heapMin.Store(maxInt64)
}

type revEntry struct {
	until int64
	id    string
}

type revHeap []revEntry

func (h revHeap) Len() int           { return len(h) }
func (h revHeap) Less(i, j int) bool { return h[i].until < h[j].until }
func (h revHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *revHeap) Push(x any)        { *h = append(*h, x.(revEntry)) }
func (h *revHeap) Pop() any {
	old := *h
	e := old[len(old)-1]
	*h = old[:len(old)-1]
	return e
}

// add records id as revoked until until (the later of two records wins).
func (r *revocations) add(id string, until int64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if old, ok := r.until[id]; ok && old >= until {
		return
	}
	r.record(id, until)
}

// spendOnce records id until until unless a record of it lasts past now,
// and reports whether it did.
func (r *revocations) spendOnce(id string, now, until int64) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if old, ok := r.until[id]; ok && old > now {
		return false
	}
	r.record(id, until)
	return true
}

// record keeps id until until (a later record replaces an earlier one; the
// heap entry of the earlier is skipped when it comes due). Caller holds mu.
func (r *revocations) record(id string, until int64) {
	r.until[id] = until
	heap.Push(&r.heap, revEntry{until: until, id: id})
	r.dropExpired(r.latest.Load())
}

// any reports whether one of ids is revoked.
func (r *revocations) any(ids []string) bool {
	r.mu.RLock()
	defer r.mu.RUnlock()
	if len(r.until) == 0 {
		return false
	}
	for _, id := range ids {
		if id == "" {
			continue
		}
		if _, ok := r.until[id]; ok {
			return true
		}
	}
	return false
}

// expire notes the time now and forgets revocations that ended by then.
// The common case (nothing due) takes no lock.
func (r *revocations) expire(now int64) {
	for {
		old := r.latest.Load()
		if now <= old || r.latest.CompareAndSwap(old, now) {
			break
		}
	}
	if r.heapMin.Load() > now {
		return
	}
	r.mu.Lock()
	r.dropExpired(now)
	r.mu.Unlock()
}

// dropExpired pops what ended by now; caller holds mu.
func (r *revocations) dropExpired(now int64) {
	for len(r.heap) > 0 && r.heap[0].until <= now {
		e := heap.Pop(&r.heap).(revEntry)
		if r.until[e.id] == e.until { // not extended by a later add
			delete(r.until, e.id)
		}
	}
	if len(r.heap) > 0 {
		r.heapMin.Store(r.heap[0].until)
	} else {
		r.heapMin.Store(maxInt64)
	}
}

func (r *revocations) reset() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.init()
}

func (r *revocations) len() int {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return len(r.until)
}

const maxInt64 = 1<<63 - 1
