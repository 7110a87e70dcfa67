package mockserver

import (
	"crypto/sha256"
	"sync"

	"golang.org/x/crypto/bcrypt"
)

// passwordCost makes every password check of one config cost the same, so
// response time tells nothing about which usernames exist or how their
// passwords are stored (RFC 6749 §10.10 asks servers to keep credentials
// from being guessed; timing would otherwise narrow the search).
//
// The unit is one bcrypt compare at the config's highest cost, max. A check
// that is cheaper on its own is padded up to it:
//   - an unknown username: a digest compare plus a dummy bcrypt at max;
//   - a plain password: its digest compare plus a dummy bcrypt at max;
//   - a bcrypt user at cost c < max: its compare (2^c rounds) plus one dummy
//     compare at each cost c, c+1, ..., max-1, which add up to 2^max rounds.
//
// A config without bcrypt users has max 0: every check is one digest compare.
type passwordCost struct {
	max     int
	dummies map[int][]byte // dummy hash per bcrypt cost in use, max included
}

func newPasswordCost(users []User) *passwordCost {
	pc := &passwordCost{}
	min := 0
	for _, u := range users {
		if u.PasswordBcrypt == "" {
			continue
		}
		c, err := bcrypt.Cost([]byte(u.PasswordBcrypt))
		if err != nil {
			continue // Validate refuses such hashes
		}
		if pc.max == 0 || c > pc.max {
			pc.max = c
		}
		if min == 0 || c < min {
			min = c
		}
	}
	if pc.max == 0 {
		return pc
	}
	pc.dummies = make(map[int][]byte, pc.max-min+1)
	for c := min; c <= pc.max; c++ {
		pc.dummies[c] = dummyBcrypt(c)
	}
	return pc
}

// verifyPassword checks the password in constant time and at the config's
// one cost (see passwordCost); u nil is an unknown username.
func verifyPassword(st *state, u *userEntry, password string) bool {
	pc := st.pwCost
	pw := []byte(password)
	if u != nil && u.bcrypt != nil {
		ok := bcrypt.CompareHashAndPassword(u.bcrypt, pw) == nil
		if c, err := bcrypt.Cost(u.bcrypt); err == nil {
			for ; c < pc.max; c++ {
				_ = bcrypt.CompareHashAndPassword(pc.dummies[c], pw)
			}
		}
		return ok
	}
	// Plain passwords are compared as SHA-256 digests: equal length, so no
	// length leak, and constant time.
	want := &dummyDigest
	if u != nil {
		want = &u.pwHash
	}
	d := sha256.Sum256(pw)
	ok := constantTimeEq(d[:], want[:]) && u != nil
	if pc.max > 0 {
		_ = bcrypt.CompareHashAndPassword(pc.dummies[pc.max], pw)
	}
	return ok
}

// dummyBcrypt returns a bcrypt hash of a fixed string at cost, made once
// per cost per process (cost 14 takes a second).
func dummyBcrypt(cost int) []byte {
	dummyMu.Lock()
	defer dummyMu.Unlock()
	if h, ok := dummyHashes[cost]; ok {
		return h
	}
	h, err := bcrypt.GenerateFromPassword([]byte("ropc-mock: no such user"), cost)
	if err != nil {
		return nil // cost out of range: Validate refuses such hashes
	}
	dummyHashes[cost] = h
	return h
}

var (
	dummyMu     sync.Mutex
	dummyHashes = map[int][]byte{}
)

var dummyDigest = sha256.Sum256([]byte("ropc-mock: no such user"))
