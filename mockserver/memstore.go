package mockserver

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"strings"
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
	// families lists the token hashes of every family that has rotated at
	// least once, so that its rotated tokens go when the family ends
	// (revocation, reuse, expiry). A grant that never rotates costs nothing
	// here.
	families map[compactID][][32]byte
	// limit bounds the number of token records (refresh + access); the
	// oldest go first. onEvict hears how many went (outside the lock).
	limit   func() int
	onEvict func(n int)

	revocations revocations
	logins      logins
	mfa         mfaRecords
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
	m := &memoryStore{
		refresh:  map[[32]byte]rtRecord{},
		access:   map[[32]byte]atRecord{},
		families: map[compactID][][32]byte{},
		syms:     newSymbols(),
		limit:    func() int { return DefaultMaxTokens },
	}
	m.revocations.init()
	m.logins.init()
	m.mfa.init()
	return m
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

// dropExpired pops FIFO entries that expired by now, then — over the
// token limit — the oldest entries whatever their expiry. It returns how
// many records the limit evicted. Caller holds mu.
func (m *memoryStore) dropExpired(now int64) (evicted int) {
	limit := m.limit()
	for {
		e, ok := m.expiry.front()
		if !ok {
			return evicted
		}
		over := limit > 0 && len(m.refresh)+len(m.access) > limit
		if e.expires > now && !over {
			return evicted
		}
		if e.access {
			if r, ok := m.access[e.key]; ok && (over || r.expires <= now) {
				delete(m.access, e.key)
				if e.expires > now {
					evicted++
				}
			}
		} else if r, ok := m.refresh[e.key]; ok && (over || r.expires <= now) {
			delete(m.refresh, e.key)
			if e.expires > now {
				evicted++
			}
			m.familyTokenGone(r.family, e.key)
		}
		m.expiry.pop()
	}
}

// familyTokenGone notes that a refresh token of family left the store; when
// it was the family's newest, the family has ended and its list goes.
// Caller holds mu.
func (m *memoryStore) familyTokenGone(family compactID, key [32]byte) {
	hashes, ok := m.families[family]
	switch {
	case !ok:
	case hashes[len(hashes)-1] == key:
		for _, h := range hashes {
			delete(m.refresh, h)
		}
		delete(m.families, family)
	case hashes[0] == key:
		// Generations expire oldest first: the list shrinks from the front.
		m.families[family] = hashes[1:]
	}
}

// endFamily drops every token of a family that has rotated (RFC 9700
// §4.14.2: after revocation or reuse none of them may be used again, so
// none needs keeping). Caller holds mu.
func (m *memoryStore) endFamily(family compactID) {
	for _, h := range m.families[family] {
		delete(m.refresh, h)
	}
	delete(m.families, family)
}

func (m *memoryStore) SetTokenLimit(limit func() int, onEvict func(n int)) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.limit, m.onEvict = limit, onEvict
}

// put finishes an insert: expired and over-limit records go, and the
// eviction is reported once mu is released.
func (m *memoryStore) put(now int64) {
	evicted := m.dropExpired(now)
	onEvict := m.onEvict
	m.mu.Unlock()
	m.revocations.expire(now)
	m.logins.expire(now)
	if evicted > 0 && onEvict != nil {
		onEvict(evicted)
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
	k := hashKey(rt.Hash)
	fam := m.syms.id(rt.Family)
	m.refresh[k] = rtRecord{
		family: fam, client: m.syms.sym(rt.ClientID), subject: m.syms.sym(rt.Subject),
		scope: m.syms.sym(rt.Scope), issued: nanos(rt.IssuedAt), expires: nanos(rt.ExpiresAt), used: nanos(rt.UsedAt),
	}
	if hashes, ok := m.families[fam]; ok {
		m.families[fam] = append(hashes, k)
	}
	m.expiry.push(expiryEntry{expires: nanos(rt.ExpiresAt), key: k})
	m.put(nanos(rt.IssuedAt))
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
	// The family rotates: from now on its tokens are listed, so they can
	// all go when it ends.
	if _, ok := m.families[r.family]; !ok {
		m.families[r.family] = [][32]byte{k}
	}
	return true, nil
}

func (m *memoryStore) PutAccessToken(_ context.Context, at AccessToken) error {
	m.mu.Lock()
	k := hashKey(at.Hash)
	m.access[k] = atRecord{
		jti: m.syms.id(at.JTI), family: m.syms.id(at.Family), client: m.syms.sym(at.ClientID),
		subject: m.syms.sym(at.Subject), scope: m.syms.sym(at.Scope), issued: nanos(at.IssuedAt), expires: nanos(at.ExpiresAt),
	}
	m.expiry.push(expiryEntry{expires: nanos(at.ExpiresAt), key: k, access: true})
	m.put(nanos(at.IssuedAt))
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
	m.revocations.add(id, nanos(until))
	m.mu.Lock()
	if fam, ok := m.syms.lookupID(id); ok {
		m.endFamily(fam)
	}
	m.mu.Unlock()
	return nil
}

func (m *memoryStore) IsRevoked(_ context.Context, ids ...string) (bool, error) {
	return m.revocations.any(ids), nil
}

func (m *memoryStore) SpendOnce(_ context.Context, id string, now, until time.Time) (bool, error) {
	return m.revocations.spendOnce(id, nanos(now), nanos(until)), nil
}

func (m *memoryStore) LoginState(_ context.Context, username string) (LoginState, error) {
	return m.logins.get(username), nil
}

func (m *memoryStore) RecordLoginFailure(_ context.Context, username string, now time.Time, p LockoutPolicy) (LoginState, error) {
	return m.logins.fail(username, now, p), nil
}

func (m *memoryStore) ClearLoginFailures(_ context.Context, username string) error {
	m.logins.clear(username)
	return nil
}

func (m *memoryStore) Clear(_ context.Context) error {
	m.mu.Lock()
	m.refresh = map[[32]byte]rtRecord{}
	m.access = map[[32]byte]atRecord{}
	m.families = map[compactID][][32]byte{}
	m.expiry = expiryQueue{}
	m.syms = newSymbols()
	m.mu.Unlock()
	m.revocations.reset()
	m.logins.reset()
	m.mfa.reset()
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
	// A copy: v is often a substring of a request body (a username or
	// scope parsed from the form), which must not stay in memory with the
	// symbol, password and client secret included.
	v = strings.Clone(v)
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

// lookupID is id without interning: ok is false for a string never seen.
func (s *symbols) lookupID(v string) (compactID, bool) {
	var c compactID
	if len(v) == 22 {
		if n, err := strictB64.Decode(c.raw[:], []byte(v)); err == nil && n == 16 {
			return c, true
		}
	}
	sy, ok := s.index[v]
	return compactID{s: sy, interned: true}, ok
}

func (s *symbols) idString(c compactID) string {
	if c.interned {
		return s.str(c.s)
	}
	return base64.RawURLEncoding.EncodeToString(c.raw[:])
}
