package mockserver

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"sync"
	"time"
)

// memoryStore is the in-process Store.
//
// Token records are kept pointer-free (hashes as [32]byte, random ids as raw
// bytes, repeated strings such as client ids, usernames and scopes interned
// to small integers) so that a store holding hundreds of thousands of
// tokens — a load test issues tens of thousands per second — costs the
// garbage collector nothing to scan. Expired records are dropped from a
// FIFO as new ones arrive.
type memoryStore struct {
	mu      sync.Mutex
	refresh map[[32]byte]rtRecord
	access  map[[32]byte]atRecord
	expiry  expiryQueue // in insertion order; TTLs are near-constant so this is near expiry order
	syms    symbols

	revMu   sync.RWMutex
	revoked map[string]time.Time

	loginMu sync.RWMutex
	logins  map[string]LoginState
}

type rtRecord struct {
	family                 compactID
	client, subject, scope sym
	issued, expires, used  int64 // unix nanoseconds; used 0 = unused
}

type atRecord struct {
	jti, family            compactID
	client, subject, scope sym
	issued, expires        int64
}

type expiryEntry struct {
	expires int64
	key     [32]byte
	access  bool
}

// NewMemoryStore returns an empty in-memory Store, safe for concurrent use.
func NewMemoryStore() Store {
	return &memoryStore{
		refresh: map[[32]byte]rtRecord{},
		access:  map[[32]byte]atRecord{},
		revoked: map[string]time.Time{},
		logins:  map[string]LoginState{},
		syms:    newSymbols(),
	}
}

// hashKey turns a TokenHash (64 hex digits) into its 32 bytes; any other
// string is hashed, so foreign keys still work.
func hashKey(h string) [32]byte {
	var k [32]byte
	if len(h) == 64 {
		if _, err := hex.Decode(k[:], []byte(h)); err == nil {
			return k
		}
	}
	return sha256.Sum256([]byte(h))
}

func nanos(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixNano()
}

func fromNanos(n int64) time.Time {
	if n == 0 {
		return time.Time{}
	}
	return time.Unix(0, n).UTC()
}

// dropExpired pops FIFO entries that expired by now. Caller holds mu.
func (m *memoryStore) dropExpired(now int64) {
	for {
		e, ok := m.expiry.front()
		if !ok || e.expires > now {
			return
		}
		if e.access {
			if r, ok := m.access[e.key]; ok && r.expires <= now {
				delete(m.access, e.key)
			}
		} else if r, ok := m.refresh[e.key]; ok && r.expires <= now {
			delete(m.refresh, e.key)
		}
		m.expiry.pop()
	}
}

// expiryQueue is a FIFO in fixed-size chunks: pushing never copies the
// queue, so a store with millions of tokens has no latency spikes while it
// grows (a single slice would copy everything under the lock on each
// doubling).
type expiryQueue struct {
	chunks [][]expiryEntry
	head   int // index into chunks[0]
}

const expiryChunk = 4096

func (q *expiryQueue) push(e expiryEntry) {
	n := len(q.chunks)
	if n == 0 || len(q.chunks[n-1]) == expiryChunk {
		q.chunks = append(q.chunks, make([]expiryEntry, 0, expiryChunk))
		n++
	}
	q.chunks[n-1] = append(q.chunks[n-1], e)
}

func (q *expiryQueue) front() (expiryEntry, bool) {
	if len(q.chunks) == 0 || q.head >= len(q.chunks[0]) {
		return expiryEntry{}, false
	}
	return q.chunks[0][q.head], true
}

func (q *expiryQueue) pop() {
	q.head++
	if q.head == expiryChunk {
		q.chunks[0] = nil
		q.chunks = q.chunks[1:]
		q.head = 0
	}
}

func (m *memoryStore) PutRefreshToken(_ context.Context, rt RefreshToken) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.dropExpired(nanos(rt.IssuedAt))
	k := hashKey(rt.Hash)
	m.refresh[k] = rtRecord{
		family: m.syms.id(rt.Family), client: m.syms.sym(rt.ClientID), subject: m.syms.sym(rt.Subject),
		scope: m.syms.sym(rt.Scope), issued: nanos(rt.IssuedAt), expires: nanos(rt.ExpiresAt), used: nanos(rt.UsedAt),
	}
	m.expiry.push(expiryEntry{expires: nanos(rt.ExpiresAt), key: k})
	return nil
}

func (m *memoryStore) GetRefreshToken(ctx context.Context, hash string) (RefreshToken, error) {
	m.mu.Lock()
	r, ok := m.refresh[hashKey(hash)]
	var rt RefreshToken
	if ok {
		rt = RefreshToken{
			Hash: hash, Family: m.syms.idString(r.family), ClientID: m.syms.str(r.client), Subject: m.syms.str(r.subject),
			Scope: m.syms.str(r.scope), IssuedAt: fromNanos(r.issued), ExpiresAt: fromNanos(r.expires), UsedAt: fromNanos(r.used),
		}
	}
	m.mu.Unlock()
	if !ok {
		return RefreshToken{}, ErrNotFound
	}
	revoked, err := m.IsRevoked(ctx, rt.Family)
	if err != nil {
		return RefreshToken{}, err
	}
	rt.FamilyRevoked = revoked
	return rt, nil
}

func (m *memoryStore) ConsumeRefreshToken(_ context.Context, hash string, now time.Time) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	k := hashKey(hash)
	r, ok := m.refresh[k]
	if !ok || r.used != 0 {
		return false, nil
	}
	r.used = nanos(now)
	m.refresh[k] = r
	return true, nil
}

func (m *memoryStore) PutAccessToken(_ context.Context, at AccessToken) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.dropExpired(nanos(at.IssuedAt))
	k := hashKey(at.Hash)
	m.access[k] = atRecord{
		jti: m.syms.id(at.JTI), family: m.syms.id(at.Family), client: m.syms.sym(at.ClientID),
		subject: m.syms.sym(at.Subject), scope: m.syms.sym(at.Scope), issued: nanos(at.IssuedAt), expires: nanos(at.ExpiresAt),
	}
	m.expiry.push(expiryEntry{expires: nanos(at.ExpiresAt), key: k, access: true})
	return nil
}

func (m *memoryStore) GetAccessToken(_ context.Context, hash string) (AccessToken, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	r, ok := m.access[hashKey(hash)]
	if !ok {
		return AccessToken{}, ErrNotFound
	}
	return AccessToken{
		Hash: hash, JTI: m.syms.idString(r.jti), Family: m.syms.idString(r.family), ClientID: m.syms.str(r.client),
		Subject: m.syms.str(r.subject), Scope: m.syms.str(r.scope), IssuedAt: fromNanos(r.issued), ExpiresAt: fromNanos(r.expires),
	}, nil
}

func (m *memoryStore) Revoke(_ context.Context, id string, until time.Time) error {
	m.revMu.Lock()
	defer m.revMu.Unlock()
	if old, ok := m.revoked[id]; !ok || until.After(old) {
		m.revoked[id] = until
	}
	return nil
}

func (m *memoryStore) IsRevoked(_ context.Context, ids ...string) (bool, error) {
	m.revMu.RLock()
	defer m.revMu.RUnlock()
	if len(m.revoked) == 0 {
		return false, nil
	}
	for _, id := range ids {
		if id == "" {
			continue
		}
		if _, ok := m.revoked[id]; ok {
			return true, nil
		}
	}
	return false, nil
}

func (m *memoryStore) LoginState(_ context.Context, username string) (LoginState, error) {
	m.loginMu.RLock()
	defer m.loginMu.RUnlock()
	return m.logins[username], nil
}

func (m *memoryStore) RecordLoginFailure(_ context.Context, username string, now time.Time, p LockoutPolicy) (LoginState, error) {
	m.loginMu.Lock()
	defer m.loginMu.Unlock()
	if len(m.logins) >= maxTrackedLogins {
		// Failures for arbitrary (unknown) usernames must not grow memory
		// without bound: drop states that no longer lock or count.
		for k, v := range m.logins {
			if !v.Locked(now) && !now.Before(v.WindowStart.Add(p.Window)) {
				delete(m.logins, k)
			}
		}
	}
	s := NextLoginState(m.logins[username], now, p)
	m.logins[username] = s
	return s, nil
}

// maxTrackedLogins bounds the lockout table before a sweep.
const maxTrackedLogins = 100_000

func (m *memoryStore) ClearLoginFailures(_ context.Context, username string) error {
	m.loginMu.Lock()
	defer m.loginMu.Unlock()
	s, ok := m.logins[username]
	if !ok {
		return nil
	}
	if s.LockedUntil.IsZero() {
		delete(m.logins, username)
		return nil
	}
	s.Failures = 0
	s.WindowStart = time.Time{}
	m.logins[username] = s
	return nil
}

func (m *memoryStore) Clear(_ context.Context) error {
	m.mu.Lock()
	m.refresh = map[[32]byte]rtRecord{}
	m.access = map[[32]byte]atRecord{}
	m.expiry = expiryQueue{}
	m.syms = newSymbols()
	m.mu.Unlock()
	m.revMu.Lock()
	m.revoked = map[string]time.Time{}
	m.revMu.Unlock()
	m.loginMu.Lock()
	m.logins = map[string]LoginState{}
	m.loginMu.Unlock()
	return nil
}

// sym is an interned string (client ids, usernames, scopes: few distinct
// values, repeated in every record).
type sym uint32

// compactID holds a random id without a pointer: the 16 bytes of a 22-char
// base64url id as the server makes them, or else an interned string.
type compactID struct {
	raw      [16]byte
	s        sym
	interned bool
}

var strictB64 = base64.RawURLEncoding.Strict()

type symbols struct {
	strs  []string
	index map[string]sym
}

func newSymbols() symbols {
	return symbols{strs: []string{""}, index: map[string]sym{"": 0}}
}

func (s *symbols) sym(v string) sym {
	if id, ok := s.index[v]; ok {
		return id
	}
	id := sym(len(s.strs))
	s.strs = append(s.strs, v)
	s.index[v] = id
	return id
}

func (s *symbols) str(id sym) string { return s.strs[id] }

func (s *symbols) id(v string) compactID {
	var c compactID
	if len(v) == 22 {
		// Strict: non-zero trailing bits would not round-trip.
		if n, err := strictB64.Decode(c.raw[:], []byte(v)); err == nil && n == 16 {
			return c
		}
	}
	return compactID{s: s.sym(v), interned: true}
}

func (s *symbols) idString(c compactID) string {
	if c.interned {
		return s.str(c.s)
	}
	return base64.RawURLEncoding.EncodeToString(c.raw[:])
}
