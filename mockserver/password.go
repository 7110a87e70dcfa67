package mockserver

import (
	"crypto/sha256"
	"sync"

	"golang.org/x/crypto/bcrypt"
)

// verifyPassword checks the password in constant time. For an unknown user
// it still does the work a real user would cost — a digest compare, or a
// bcrypt compare at the configured cost when the config has bcrypt users —
// so response time does not tell which usernames exist.
func verifyPassword(st *state, u *userEntry, password string) bool {
	if u == nil {
		if st.dummyBcrypt != nil {
			_ = bcrypt.CompareHashAndPassword(st.dummyBcrypt, []byte(password))
			return false
		}
		d := sha256.Sum256([]byte(password))
		_ = constantTimeEq(d[:], dummyDigest[:])
		return false
	}
	if u.bcrypt != nil {
		return bcrypt.CompareHashAndPassword(u.bcrypt, []byte(password)) == nil
	}
	d := sha256.Sum256([]byte(password))
	return constantTimeEq(d[:], u.pwHash[:])
}

// dummyBcryptFor returns a bcrypt hash at the cost of the config's first
// bcrypt user (nil if there is none), made once per cost.
func dummyBcryptFor(users []User) []byte {
	for _, u := range users {
		if u.PasswordBcrypt == "" {
			continue
		}
		cost, err := bcrypt.Cost([]byte(u.PasswordBcrypt))
		if err != nil {
			return nil
		}
		dummyMu.Lock()
		defer dummyMu.Unlock()
		if h, ok := dummyHashes[cost]; ok {
			return h
		}
		h, err := bcrypt.GenerateFromPassword([]byte("ropc-mock: no such user"), cost)
		if err != nil {
			return nil
		}
		dummyHashes[cost] = h
		return h
	}
	return nil
}

var (
	dummyMu     sync.Mutex
	dummyHashes = map[int][]byte{}
)

var dummyDigest = sha256.Sum256([]byte("ropc-mock: no such user"))
