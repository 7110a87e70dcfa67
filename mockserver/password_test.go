package mockserver

import (
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/bcrypt"
)

func bcryptUser(t *testing.T, name, pw string, cost int) User {
	t.Helper()
	h, err := bcrypt.GenerateFromPassword([]byte(pw), cost)
	require.NoError(t, err)
	return User{Username: name, PasswordBcrypt: string(h)}
}

func TestPasswordCostLadder(t *testing.T) {
	plain := User{Username: "p", Password: "pw"}
	for _, tc := range []struct {
		name  string
		users []User
		max   int
		costs []int
	}{
		{"plain only: digest compares", []User{plain}, 0, nil},
		{"one cost", []User{plain, bcryptUser(t, "b", "pw", 5)}, 5, []int{5}},
		{"two costs: a dummy per level between", []User{bcryptUser(t, "b4", "pw", 4), bcryptUser(t, "b7", "pw", 7)}, 7, []int{4, 5, 6, 7}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pc := newPasswordCost(tc.users)
			assert.Equal(t, tc.max, pc.max)
			var got []int
			for c, h := range pc.dummies {
				hc, err := bcrypt.Cost(h)
				require.NoError(t, err)
				assert.Equal(t, c, hc)
				got = append(got, c)
			}
			slices.Sort(got)
			assert.Equal(t, tc.costs, got)
		})
	}
}

// TestPasswordChecksCostTheSame measures, for several configs, the median
// time of a refused password grant for an unknown username, a wrong plain
// password and a wrong bcrypt password (at each cost in use); every median
// must be within 10% of the unknown username's. A sample is the CPU time of
// the thread that ran the handler (so other processes on a busy machine do
// not lengthen it), and samples are interleaved in a
// shuffled order so load from other processes hits every kind alike, and a
// config gets five attempts, since a busy machine can spoil one run; a real
// difference (a plain user in a bcrypt config costs a fraction) fails all.
func TestPasswordChecksCostTheSame(t *testing.T) {
	plain := User{Username: "plain-user00", Password: "plain-pw"}
	mixed := []User{plain, bcryptUser(t, "bc4", "bc-pw", bcrypt.MinCost)}
	for _, tc := range []struct {
		name    string
		users   []User
		profile string
		path    string
	}{
		{"plain only (the demo config)", []User{plain}, "", "/token"},
		{"plain and bcrypt mixed", mixed, "", "/token"},
		{"bcrypt only", []User{bcryptUser(t, "bc4", "bc-pw", bcrypt.MinCost)}, "", "/token"},
		{"two bcrypt costs and plain", []User{plain, bcryptUser(t, "bc4", "bc-pw", bcrypt.MinCost), bcryptUser(t, "bc5", "bc-pw", bcrypt.MinCost+1)}, "", "/token"},
		{"plain and bcrypt mixed, auth0 profile", mixed, ProfileAuth0, "/oauth/token"},
		{"plain only, auth0 profile", []User{plain}, ProfileAuth0, "/oauth/token"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := DefaultConfig()
			cfg.Users = tc.users
			cfg.Profile = tc.profile
			// Lockout stays on (it is part of the cost) but must not lock
			// anyone during the measurement.
			cfg.Lockout = &Lockout{MaxFailures: 1 << 30}
			srv, err := New(cfg, Options{})
			require.NoError(t, err)
			kinds := []string{"no-such-user"}
			for _, u := range tc.users {
				kinds = append(kinds, u.Username)
			}
			// A sample is a batch of requests long enough (about 0.5 ms) that
			// timer resolution and one-off hiccups do not decide it.
			batch := 1
			sample := func(user string) time.Duration {
				body := url.Values{"grant_type": {"password"}, "username": {user}, "password": {"wrong-password"}}.Encode()
				var took time.Duration
				for range batch {
					req := httptest.NewRequest(http.MethodPost, tc.path, strings.NewReader(body))
					req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
					req.SetBasicAuth("client_id", "client_secret")
					rec := httptest.NewRecorder()
					took += onThreadCPU(func() { srv.ServeHTTP(rec, req) })
					require.True(t, rec.Code >= 400 && rec.Code < 500, "refused: %d %s", rec.Code, rec.Body.String())
				}
				return took / time.Duration(batch)
			}
			rounds := 15
			if one := sample(kinds[0]); one < 500*time.Microsecond {
				// Cheap checks: batches, and more of them, since a
				// microsecond of noise is a larger share.
				batch = int(500*time.Microsecond/max(one, time.Microsecond)) + 1
				rounds = 101
			}
			var report string
			for attempt := 1; attempt <= 5; attempt++ {
				samples := make([][]time.Duration, len(kinds))
				order := make([]int, len(kinds))
				for i := range order {
					order[i] = i
				}
				for range rounds {
					rand.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
					for _, k := range order {
						samples[k] = append(samples[k], sample(kinds[k]))
					}
				}
				medians := make([]time.Duration, len(kinds))
				ok := true
				report = ""
				for k := range kinds {
					slices.Sort(samples[k])
					medians[k] = samples[k][len(samples[k])/2]
					ratio := float64(medians[k]) / float64(medians[0])
					report += fmt.Sprintf(" %s %v (%.2f)", kinds[k], medians[k], ratio)
					if ratio < 0.9 || ratio > 1.1 {
						ok = false
					}
				}
				t.Logf("attempt %d medians:%s", attempt, report)
				if ok {
					return
				}
			}
			t.Errorf("refused grants do not cost the same within 10%%:%s", report)
		})
	}
}
