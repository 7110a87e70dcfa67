package mockserver

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestRFCAccountStates: under the rfc profile a user who is not active gets
// invalid_grant naming the state, and only after the right password.
func TestRFCAccountStates(t *testing.T) {
	cfg := DefaultConfig()
	for _, st := range []string{StateActive, StateLocked, StateDisabled, StatePasswordExpired, StateSetupRequired} {
		cfg.Users = append(cfg.Users, User{Username: "u-" + st, Password: "pw", State: st})
	}
	ts := newTestServer(t, cfg, Options{})
	for _, tc := range []struct{ state, desc string }{
		{StateLocked, "the account is locked"},
		{StateDisabled, "the account is disabled"},
		{StatePasswordExpired, "the password has expired and must be changed"},
		{StateSetupRequired, "the account is not fully set up"},
	} {
		t.Run(tc.state, func(t *testing.T) {
			r := ts.password("u-"+tc.state, "pw")
			assert.Equal(t, http.StatusBadRequest, r.Code)
			assert.Equal(t, "invalid_grant", r.json(t)["error"])
			assert.Equal(t, tc.desc, r.json(t)["error_description"])
			wrong := ts.password("u-"+tc.state, "nope").json(t)
			assert.Equal(t, "invalid username or password", wrong["error_description"], "the state is not revealed to a guesser")
		})
	}
	ts.mustPassword("u-"+StateActive, "pw")
}
