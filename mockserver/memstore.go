package mockserver

import (
	"context"
	"sync"
	"time"
)

// memoryStore is the in-process Store. One mutex per kind of state keeps the
// password grant (lockout read + refresh insert) from contending with
// revocation checks.
type memoryStore struct {
	rtMu    sync.Mutex
	refresh map[string]RefreshToken
	rtPuts  int

	atMu   sync.Mutex
	access map[string]AccessToken
	atPuts int

	revMu   sync.RWMutex
	revoked map[string]time.Time

	loginMu sync.RWMutex
	logins  map[string]LoginState
}

// sweepEvery is how many inserts pass between sweeps of expired entries.
const sweepEvery = 4096

// NewMemoryStore returns an empty in-memory Store, safe for concurrent use.
func NewMemoryStore() Store {
	return &memoryStore{
		refresh: map[string]RefreshToken{},
		access:  map[string]AccessToken{},
		revoked: map[string]time.Time{},
		logins:  map[string]LoginState{},
	}
}

func (m *memoryStore) PutRefreshToken(_ context.Context, rt RefreshToken) error {
	rt.FamilyRevoked = false
	m.rtMu.Lock()
	defer m.rtMu.Unlock()
	m.rtPuts++
	if m.rtPuts%sweepEvery == 0 {
		for k, v := range m.refresh {
			if !v.ExpiresAt.After(rt.IssuedAt) {
				delete(m.refresh, k)
			}
		}
	}
	m.refresh[rt.Hash] = rt
	return nil
}

func (m *memoryStore) GetRefreshToken(ctx context.Context, hash string) (RefreshToken, error) {
	m.rtMu.Lock()
	rt, ok := m.refresh[hash]
	m.rtMu.Unlock()
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
	m.rtMu.Lock()
	defer m.rtMu.Unlock()
	rt, ok := m.refresh[hash]
	if !ok || !rt.UsedAt.IsZero() {
		return false, nil
	}
	rt.UsedAt = now
	m.refresh[hash] = rt
	return true, nil
}

func (m *memoryStore) PutAccessToken(_ context.Context, at AccessToken) error {
	m.atMu.Lock()
	defer m.atMu.Unlock()
	m.atPuts++
	if m.atPuts%sweepEvery == 0 {
		for k, v := range m.access {
			if !v.ExpiresAt.After(at.IssuedAt) {
				delete(m.access, k)
			}
		}
	}
	m.access[at.Hash] = at
	return nil
}

func (m *memoryStore) GetAccessToken(_ context.Context, hash string) (AccessToken, error) {
	m.atMu.Lock()
	defer m.atMu.Unlock()
	at, ok := m.access[hash]
	if !ok {
		return AccessToken{}, ErrNotFound
	}
	return at, nil
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
	m.rtMu.Lock()
	m.refresh = map[string]RefreshToken{}
	m.rtMu.Unlock()
	m.atMu.Lock()
	m.access = map[string]AccessToken{}
	m.atMu.Unlock()
	m.revMu.Lock()
	m.revoked = map[string]time.Time{}
	m.revMu.Unlock()
	m.loginMu.Lock()
	m.logins = map[string]LoginState{}
	m.loginMu.Unlock()
	return nil
}
