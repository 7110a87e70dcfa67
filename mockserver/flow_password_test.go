package mockserver

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/bcrypt"
)

// wrappedStore hides the memory store's type, so the server treats it as a
// networked store and overlaps the success path's store calls.
type wrappedStore struct{ Store }

func TestLockout(t *testing.T) {
	for name, newStore := range map[string]func() Store{
		"memory store, sequential":          NewMemoryStore,
		"networked-style store, overlapped": func() Store { return wrappedStore{NewMemoryStore()} },
	} {
		t.Run(name, func(t *testing.T) { testLockout(t, newStore) })
	}
}

func testLockout(t *testing.T, newStore func() Store) {
	wrong := func(ts *testServer, user string, n int) {
		t.Helper()
		for i := 0; i < n; i++ {
			r := ts.password(user, "nope")
			require.Equal(t, http.StatusBadRequest, r.Code)
		}
	}
	t.Run("default policy locks after 10 failures for a minute", func(t *testing.T) {
		ts := newTestServer(t, nil, Options{Store: newStore()})
		wrong(ts, "johndoe", 9)
		ts.mustPassword("johndoe", "A3ddj3w") // success clears the count
		wrong(ts, "johndoe", 9)
		assert.Equal(t, http.StatusOK, ts.password("johndoe", "A3ddj3w").Code, "9 failures do not lock")
		wrong(ts, "johndoe", 10)
		r := ts.password("johndoe", "A3ddj3w")
		assert.Equal(t, http.StatusBadRequest, r.Code, "locked: even the right password gets no token")
		assert.Equal(t, "invalid_grant", r.json(t)["error"])
		assert.Equal(t, http.StatusOK, ts.password("janedoe", "S3cr3t-jane").Code, "other users unaffected")
		ts.Clock().Advance(59 * time.Second)
		assert.Equal(t, http.StatusBadRequest, ts.password("johndoe", "A3ddj3w").Code)
		ts.Clock().Advance(time.Second)
		assert.Equal(t, http.StatusOK, ts.password("johndoe", "A3ddj3w").Code, "unlocked after a minute")
	})
	t.Run("failures outside the window do not add up", func(t *testing.T) {
		ts := newTestServer(t, nil, Options{Store: newStore()})
		wrong(ts, "johndoe", 9)
		ts.Clock().Advance(5 * time.Minute)
		wrong(ts, "johndoe", 9)
		assert.Equal(t, http.StatusOK, ts.password("johndoe", "A3ddj3w").Code)
	})
	t.Run("configurable", func(t *testing.T) {
		cfg := DefaultConfig()
		cfg.Lockout = &Lockout{MaxFailures: 3, Window: Duration(time.Minute), Duration: Duration(time.Hour)}
		ts := newTestServer(t, cfg, Options{Store: newStore()})
		wrong(ts, "johndoe", 3)
		ts.Clock().Advance(59 * time.Minute)
		assert.Equal(t, http.StatusBadRequest, ts.password("johndoe", "A3ddj3w").Code)
		ts.Clock().Advance(time.Minute)
		assert.Equal(t, http.StatusOK, ts.password("johndoe", "A3ddj3w").Code)
	})
	t.Run("can be disabled", func(t *testing.T) {
		cfg := DefaultConfig()
		cfg.Lockout = &Lockout{Disabled: true}
		ts := newTestServer(t, cfg, Options{Store: newStore()})
		wrong(ts, "johndoe", 50)
		assert.Equal(t, http.StatusOK, ts.password("johndoe", "A3ddj3w").Code)
	})
	t.Run("unknown usernames lock the same way", func(t *testing.T) {
		ts := newTestServer(t, nil, Options{Store: newStore()})
		wrong(ts, "ghost", 10)
		r := ts.password("ghost", "x")
		assert.Contains(t, r.Body, "too many failed")
		wrong(ts, "johndoe", 1)
		ts.mustPassword("johndoe", "A3ddj3w")
	})
}

func TestBcryptPassword(t *testing.T) {
	hash, err := bcrypt.GenerateFromPassword([]byte("hunter2-secret"), bcrypt.MinCost)
	require.NoError(t, err)
	cfg := DefaultConfig()
	cfg.Users = append(cfg.Users, User{Username: "bob", PasswordBcrypt: string(hash)})
	ts := newTestServer(t, cfg, Options{})
	ts.mustPassword("bob", "hunter2-secret")
	wrongPw := ts.password("bob", "hunter2")
	unknown := ts.password("nobody", "hunter2")
	assert.Equal(t, http.StatusBadRequest, wrongPw.Code)
	assert.Equal(t, unknown.Body, wrongPw.Body)
}

func TestOverlapIOOnlyForNetworkedStores(t *testing.T) {
	assert.False(t, newTestServer(t, nil, Options{}).overlapIO)
	assert.True(t, newTestServer(t, nil, Options{Store: wrappedStore{NewMemoryStore()}}).overlapIO)
}
