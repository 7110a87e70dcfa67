package mockserver

import (
	"context"
	"sort"
	"sync"
	"time"
)

// mfaRecords is the memory store's MFAStore. Sign-ins sit in a FIFO by
// start; the handler gives every sign-in the same lifetime, so that is the
// order in which they may be forgotten, and each start forgets those due
// and, past the record limit, the oldest, as the token FIFO does.
type mfaRecords struct {
	mu      sync.Mutex
	signIns map[[32]byte]MFASignIn
	queue   []mfaDue // FIFO: queue[head:] are live
	head    int
	// totp: username -> last step used; recovery: username -> code hash ->
	// true for an issued code not yet spent, false for a configured code
	// spent.
	totp     map[string]totpUse
	recovery map[string]map[[32]byte]bool
}

type mfaDue struct {
	key    [32]byte
	forget int64
}

type totpUse struct {
	step   int64
	forget int64
}

// totpSweepAt is the number of TOTP records above which a write forgets
// those no longer needed. They are one per configured TOTP user, so this is
// seldom reached.
const totpSweepAt = 1024

func (r *mfaRecords) init() {
	r.signIns = map[[32]byte]MFASignIn{}
	r.queue, r.head = nil, 0
	r.totp = map[string]totpUse{}
	r.recovery = map[string]map[[32]byte]bool{}
}

func (r *mfaRecords) reset() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.init()
}

// forget drops sign-ins whose ForgetAt has passed at now, then the oldest
// past limit (0: none); it returns how many unexpired ones the limit
// dropped. Caller holds mu.
func (r *mfaRecords) forget(now int64, limit int) (evicted int) {
	for r.head < len(r.queue) {
		d := r.queue[r.head]
		over := limit > 0 && len(r.signIns) > limit
		if d.forget > now && !over {
			break
		}
		r.queue[r.head] = mfaDue{}
		r.head++
		in, ok := r.signIns[d.key]
		if !ok || nanos(in.ForgetAt) != d.forget {
			continue // ended, or started again with a later entry
		}
		delete(r.signIns, d.key)
		if nanos(in.ExpiresAt) > now {
			evicted++
		}
	}
	if r.head > 1024 && r.head*2 > len(r.queue) {
		r.queue = append([]mfaDue(nil), r.queue[r.head:]...)
		r.head = 0
	}
	return evicted
}

func (m *memoryStore) StartMFA(_ context.Context, in MFASignIn, now time.Time) error {
	m.mu.Lock()
	limit, onEvict := m.limit(), m.onEvict
	m.mu.Unlock()
	r := &m.mfa
	r.mu.Lock()
	k := hashKey(in.Hash)
	r.signIns[k] = in
	r.queue = append(r.queue, mfaDue{key: k, forget: nanos(in.ForgetAt)})
	evicted := r.forget(nanos(now), limit)
	r.mu.Unlock()
	if evicted > 0 && onEvict != nil {
		onEvict(evicted)
	}
	return nil
}

func (m *memoryStore) GetMFA(_ context.Context, hash string) (MFASignIn, error) {
	r := &m.mfa
	r.mu.Lock()
	defer r.mu.Unlock()
	in, ok := r.signIns[hashKey(hash)]
	if !ok {
		return MFASignIn{}, ErrNotFound
	}
	return in, nil
}

func (m *memoryStore) EndMFA(_ context.Context, hash string) (bool, error) {
	r := &m.mfa
	r.mu.Lock()
	defer r.mu.Unlock()
	k := hashKey(hash)
	_, ok := r.signIns[k]
	delete(r.signIns, k)
	return ok, nil
}

func (m *memoryStore) ChallengeMFA(_ context.Context, hash, codeHash string, expires time.Time) (bool, error) {
	r := &m.mfa
	r.mu.Lock()
	defer r.mu.Unlock()
	k := hashKey(hash)
	in, ok := r.signIns[k]
	if !ok {
		return false, nil
	}
	in.OOBCodeHash, in.OOBExpiresAt, in.OOBStatus, in.OOBLastPoll = codeHash, expires, OOBPending, time.Time{}
	r.signIns[k] = in
	return true, nil
}

// oobPendingAt reports whether in has an out-of-band challenge that waits
// for an answer at now.
func oobPendingAt(in MFASignIn, now time.Time) bool {
	return in.OOBCodeHash != "" && in.OOBStatus == OOBPending && now.Before(in.OOBExpiresAt) && now.Before(in.ExpiresAt)
}

func (m *memoryStore) ResolveMFA(_ context.Context, username string, status OOBStatus, now time.Time) (int, error) {
	r := &m.mfa
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for k, in := range r.signIns {
		if in.Username == username && oobPendingAt(in, now) {
			in.OOBStatus = status
			r.signIns[k] = in
			n++
		}
	}
	return n, nil
}

func (m *memoryStore) PollMFA(_ context.Context, hash, codeHash string, now time.Time) (MFASignIn, error) {
	r := &m.mfa
	r.mu.Lock()
	defer r.mu.Unlock()
	k := hashKey(hash)
	in, ok := r.signIns[k]
	if !ok || in.OOBCodeHash == "" || !equalStrings(in.OOBCodeHash, codeHash) {
		return MFASignIn{}, ErrNotFound
	}
	polled := in
	polled.OOBLastPoll = now
	r.signIns[k] = polled
	return in, nil
}

func (m *memoryStore) PendingMFA(_ context.Context, now time.Time) ([]string, error) {
	r := &m.mfa
	r.mu.Lock()
	defer r.mu.Unlock()
	seen := map[string]bool{}
	out := []string{}
	for _, in := range r.signIns {
		if oobPendingAt(in, now) && !seen[in.Username] {
			seen[in.Username] = true
			out = append(out, in.Username)
		}
	}
	sort.Strings(out)
	return out, nil
}

func (m *memoryStore) LastTOTPStep(_ context.Context, username string) (int64, bool, error) {
	r := &m.mfa
	r.mu.Lock()
	defer r.mu.Unlock()
	u, ok := r.totp[username]
	return u.step, ok, nil
}

func (m *memoryStore) UseTOTPStep(_ context.Context, username string, step int64, forgetAt, now time.Time) (bool, error) {
	r := &m.mfa
	r.mu.Lock()
	defer r.mu.Unlock()
	if u, ok := r.totp[username]; ok && u.step >= step {
		return false, nil
	}
	if len(r.totp) >= totpSweepAt {
		for name, u := range r.totp {
			if u.forget <= nanos(now) {
				delete(r.totp, name)
			}
		}
	}
	r.totp[username] = totpUse{step: step, forget: nanos(forgetAt)}
	return true, nil
}

func (m *memoryStore) SpendRecoveryCode(_ context.Context, username, codeHash string, configured bool) (bool, error) {
	r := &m.mfa
	r.mu.Lock()
	defer r.mu.Unlock()
	k := hashKey(codeHash)
	codes := r.recovery[username]
	issued, known := codes[k]
	switch {
	case configured && !known:
		if codes == nil {
			codes = map[[32]byte]bool{}
			r.recovery[username] = codes
		}
		codes[k] = false
		return true, nil
	case !configured && known && issued:
		delete(codes, k)
		return true, nil
	}
	return false, nil
}

func (m *memoryStore) AddRecoveryCode(_ context.Context, username, codeHash string) error {
	r := &m.mfa
	r.mu.Lock()
	defer r.mu.Unlock()
	codes := r.recovery[username]
	if codes == nil {
		codes = map[[32]byte]bool{}
		r.recovery[username] = codes
	}
	codes[hashKey(codeHash)] = true
	return nil
}
