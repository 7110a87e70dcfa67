package mockserver

import (
	"fmt"
	"sort"
	"sync"
	"time"
)

// mfaStore holds the state of second-factor sign-ins: pending mfa_tokens and
// their out-of-band challenges, the last TOTP step each user has used, and
// spent recovery codes. It lives in the Server, not the Store: it is
// short-lived, and a host that runs every request in a fresh instance
// (Workers) can finish an MFA sign-in only if requests reach the same
// instance.
type mfaStore struct {
	mu   sync.Mutex
	txs  map[string]*mfaTx // by TokenHash(mfa_token)
	last map[string]int64  // username -> last accepted TOTP step
	// usedRecovery and issuedRecovery: codes spent, and codes handed out
	// by a recovery-code sign-in (which then work once too).
	usedRecovery   map[string]map[string]bool
	issuedRecovery map[string][]string
}

// mfaTx is a sign-in that passed the password step and waits for the
// second factor.
type mfaTx struct {
	username, clientID, scope string
	expires                   time.Time
	oob                       *oobChallenge
}

type oobChallenge struct {
	code     string
	expires  time.Time
	status   oobStatus
	lastPoll time.Time
}

type oobStatus int

const (
	oobPending oobStatus = iota
	oobApproved
	oobDenied
)

// maxMFATxs bounds pending sign-ins before expired ones are swept.
const maxMFATxs = 10_000

func (m *mfaStore) init() {
	if m.txs == nil {
		m.txs = map[string]*mfaTx{}
		m.last = map[string]int64{}
		m.usedRecovery = map[string]map[string]bool{}
		m.issuedRecovery = map[string][]string{}
	}
}

// clear forgets everything (Server.Reset).
func (m *mfaStore) clear() {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.txs = nil
	m.init()
}

// start records a sign-in waiting for its second factor under token.
func (m *mfaStore) start(token, username, clientID, scope string, now time.Time) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.init()
	if len(m.txs) >= maxMFATxs {
		for k, tx := range m.txs {
			if !now.Before(tx.expires) {
				delete(m.txs, k)
			}
		}
	}
	m.txs[TokenHash(token)] = &mfaTx{username: username, clientID: clientID, scope: scope, expires: now.Add(mfaTokenTTL)}
}

// lookup returns a copy of the sign-in of token: sitMFATokenInvalid if
// unknown, sitMFATokenExpired if expired.
func (m *mfaStore) lookup(token string, now time.Time) (mfaTx, situation, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.init()
	tx, ok := m.txs[TokenHash(token)]
	if !ok {
		return mfaTx{}, sitMFATokenInvalid, false
	}
	if !now.Before(tx.expires) {
		delete(m.txs, TokenHash(token))
		return mfaTx{}, sitMFATokenExpired, false
	}
	return *tx, 0, true
}

// finish ends a sign-in (tokens issued): its mfa_token stops working.
func (m *mfaStore) finish(token string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.init()
	delete(m.txs, TokenHash(token))
}

// challengeOOB starts (or restarts) the out-of-band challenge of a sign-in.
func (m *mfaStore) challengeOOB(token, code string, now time.Time) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.init()
	tx, ok := m.txs[TokenHash(token)]
	if !ok {
		return false
	}
	tx.oob = &oobChallenge{code: code, expires: now.Add(oobCodeTTL)}
	return true
}

// resolve approves or denies the pending out-of-band challenges of
// username; ErrNotFound if there is none.
func (m *mfaStore) resolve(username string, approve bool, now time.Time) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.init()
	found := false
	for _, tx := range m.txs {
		if tx.username != username || tx.oob == nil || tx.oob.status != oobPending || !now.Before(tx.oob.expires) || !now.Before(tx.expires) {
			continue
		}
		found = true
		if approve {
			tx.oob.status = oobApproved
		} else {
			tx.oob.status = oobDenied
		}
	}
	if !found {
		return fmt.Errorf("no out-of-band challenge pending for user %q: %w", username, ErrNotFound)
	}
	return nil
}

// poll answers one mfa-oob token request: 0 when approved (the caller
// issues tokens), else the situation to answer. interval is the least time
// between polls (RFC 8628 §3.5 slow_down).
func (m *mfaStore) poll(token, code string, now time.Time, interval time.Duration) situation {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.init()
	tx, ok := m.txs[TokenHash(token)]
	switch {
	case !ok || tx.oob == nil || !equalStrings(tx.oob.code, code):
		return sitMFATokenInvalid
	case !now.Before(tx.expires):
		return sitMFATokenExpired
	case !now.Before(tx.oob.expires):
		return sitOOBExpired
	}
	o := tx.oob
	switch o.status {
	case oobApproved:
		return 0
	case oobDenied:
		// A refusal is final (Auth0: "you should stop polling").
		delete(m.txs, TokenHash(token))
		return sitOOBDenied
	}
	last := o.lastPoll
	o.lastPoll = now
	if !last.IsZero() && now.Sub(last) < interval {
		return sitSlowDown
	}
	return sitOOBPending
}

// useTOTP accepts code for username if it matches a step after the last
// one the user has used (RFC 6238 §5.2), and records that step.
func (m *mfaStore) useTOTP(username string, key []byte, code string, now time.Time) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.init()
	notBefore, ok := m.last[username]
	if !ok {
		notBefore = -1 << 62
	}
	step, ok := matchTOTP(key, code, now, notBefore)
	if !ok {
		return false
	}
	m.last[username] = step
	return true
}

// useRecovery spends code if it is one of the user's configured or
// issued codes and has not been used; next is issued in its place.
func (m *mfaStore) useRecovery(username string, configured []string, code, next string) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.init()
	known := false
	for _, c := range append(append([]string(nil), configured...), m.issuedRecovery[username]...) {
		if equalStrings(c, code) {
			known = true
		}
	}
	if !known || m.usedRecovery[username][code] {
		return false
	}
	if m.usedRecovery[username] == nil {
		m.usedRecovery[username] = map[string]bool{}
	}
	m.usedRecovery[username][code] = true
	m.issuedRecovery[username] = append(m.issuedRecovery[username], next)
	return true
}

// pending lists the users with an out-of-band challenge waiting, sorted.
func (m *mfaStore) pending(now time.Time) []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.init()
	seen := map[string]bool{}
	out := []string{}
	for _, tx := range m.txs {
		if tx.oob != nil && tx.oob.status == oobPending && now.Before(tx.oob.expires) && now.Before(tx.expires) && !seen[tx.username] {
			seen[tx.username] = true
			out = append(out, tx.username)
		}
	}
	sort.Strings(out)
	return out
}

// PendingMFA lists the users whose out-of-band challenge waits for
// ApproveMFA or DenyMFA, sorted.
func (s *Server) PendingMFA() []string { return s.mfa.pending(s.clock.Now()) }

// ApproveMFA approves the pending out-of-band challenge of username (what
// the user's tap on "Approve" does). ErrNotFound if none is pending.
func (s *Server) ApproveMFA(username string) error {
	return s.mfa.resolve(username, true, s.clock.Now())
}

// DenyMFA refuses the pending out-of-band challenge of username.
// ErrNotFound if none is pending.
func (s *Server) DenyMFA(username string) error {
	return s.mfa.resolve(username, false, s.clock.Now())
}

// equalStrings compares in constant time for equal lengths.
func equalStrings(a, b string) bool {
	return len(a) == len(b) && constantTimeEq([]byte(a), []byte(b))
}
