package mockserver_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ropcgo/ropc/mockserver"
	"github.com/ropcgo/ropc/mockserver/mocktest"
)

func newOkta(t *testing.T, seed uint64, cfg ...*mockserver.Config) *mocktest.Server {
	opts := []mocktest.Option{mocktest.WithProfile(mockserver.ProfileOkta), mocktest.WithDeterministic(seed)}
	if len(cfg) > 0 {
		opts = append(opts, mocktest.WithConfig(cfg[0]))
	}
	return mocktest.New(t, opts...)
}

func TestOktaProfile(t *testing.T) {
	s := newOkta(t, 1)
	assert.Equal(t, s.URL+"/oauth2/default", s.Issuer)
	assert.Equal(t, s.URL+"/oauth2/default/v1/token", s.TokenURL)
	assert.Equal(t, s.URL+"/oauth2/default/v1/challenge", s.ChallengeURL)

	t.Run("discovery: both appended forms, not the inserted one", func(t *testing.T) {
		discovery(t, s)
		oauth := get(t, s, s.Issuer+"/.well-known/oauth-authorization-server")
		require.Equal(t, http.StatusOK, oauth.Status, oauth.Raw)
		assert.Equal(t, s.Issuer, oauth.str("issuer"))
		assert.Equal(t, s.TokenURL, oauth.str("token_endpoint"))
		assert.Equal(t, http.StatusNotFound, get(t, s, s.URL+"/.well-known/oauth-authorization-server/oauth2/default").Status)
	})

	t.Run("plain sign-in", func(t *testing.T) {
		wantIssuer(t, s, wantTokens(t, signIn(t, s, mocktest.Username, mocktest.Password)))
	})

	const invalid = "The credentials provided were invalid."
	for _, tc := range []struct{ name, user, pass string }{
		{"wrong password", mocktest.Username, "wrong"},
		{"unknown user", "nobody", "wrong"},
		{"locked", mocktest.LockedUser, mocktest.Password},
		{"disabled: no distinct answer documented", mocktest.DisabledUser, mocktest.Password},
		{"password expired: no distinct answer documented", mocktest.ExpiredUser, mocktest.Password},
		{"setup required: no distinct answer documented", mocktest.SetupUser, mocktest.Password},
	} {
		t.Run(tc.name, func(t *testing.T) {
			wantError(t, signIn(t, s, tc.user, tc.pass), 400, "invalid_grant", invalid)
		})
	}

	t.Run("totp", func(t *testing.T) {
		s := newOkta(t, 2)
		a := signIn(t, s, mocktest.TOTPUser, mocktest.Password)
		wantError(t, a, 403, "mfa_required", "Verify with an additional authenticator to complete the sign-in process.")
		tok := a.str("mfa_token")
		require.NotEmpty(t, tok)
		assert.Nil(t, a.Body["mfa_requirements"], "an Auth0 member")

		wantError(t, postForm(t, s, s.ChallengeURL, "mfa_token", tok), 400, "invalid_request", "missing challenge_types_supported")
		wantError(t, postForm(t, s, s.ChallengeURL, "mfa_token", tok, "challenge_types_supported", mockserver.GrantMFAOOB), 400, "invalid_request", "")
		ch := postForm(t, s, s.ChallengeURL, "mfa_token", tok, "challenge_types_supported", mockserver.GrantMFAOTP+" "+mockserver.GrantMFAOOB)
		require.Equal(t, http.StatusOK, ch.Status, ch.Raw)
		assert.Equal(t, map[string]any{"challenge_type": mockserver.GrantMFAOTP}, ch.Body)

		wantError(t, postForm(t, s, s.TokenURL, "grant_type", mockserver.GrantMFAOTP, "mfa_token", tok, "otp", "000000"), 400, "invalid_grant", invalid)
		wantIssuer(t, s, wantTokens(t, postForm(t, s, s.TokenURL, "grant_type", mockserver.GrantMFAOTP, "mfa_token", tok, "otp", s.TOTP())))
	})

	t.Run("out-of-band approved", func(t *testing.T) {
		s := newOkta(t, 3)
		tok := mfaToken(t, s, mocktest.OOBUser)
		ch := postJSON(t, s, s.ChallengeURL, map[string]string{"client_id": s.ClientID, "client_secret": s.ClientSecret,
			"mfa_token": tok, "challenge_types_supported": mockserver.GrantMFAOOB, "channel_hint": "push"})
		require.Equal(t, http.StatusOK, ch.Status, ch.Raw)
		assert.Equal(t, mockserver.GrantMFAOOB, ch.str("challenge_type"))
		assert.Equal(t, float64(300), ch.Body["expires_in"])
		assert.Equal(t, float64(5), ch.Body["interval"])
		assert.Equal(t, "push", ch.str("channel"))
		assert.Equal(t, "none", ch.str("binding_method"))
		poll := func() answer {
			return postForm(t, s, s.TokenURL, "grant_type", mockserver.GrantMFAOOB, "mfa_token", tok, "oob_code", ch.str("oob_code"))
		}
		wantError(t, poll(), 400, "authorization_pending",
			"No user response received on the out-of-band authenticator yet. Continue polling to wait for a response.")
		s.Advance(4 * time.Second)
		wantError(t, poll(), 400, "slow_down", "")
		s.Advance(5 * time.Second)
		s.ApproveMFA(mocktest.OOBUser)
		wantTokens(t, poll())
	})

	t.Run("out-of-band denied", func(t *testing.T) {
		s := newOkta(t, 4)
		tok := mfaToken(t, s, mocktest.OOBUser)
		ch := postForm(t, s, s.ChallengeURL, "mfa_token", tok, "challenge_types_supported", mockserver.GrantMFAOOB)
		assert.Equal(t, http.StatusNoContent, adminMFA(t, s, "deny", mocktest.OOBUser))
		wantError(t, postForm(t, s, s.TokenURL, "grant_type", mockserver.GrantMFAOOB, "mfa_token", tok, "oob_code", ch.str("oob_code")),
			400, "access_denied", "")
	})

	t.Run("configured interval", func(t *testing.T) {
		cfg := mockserver.DefaultConfig()
		cfg.OOBInterval = mockserver.Duration(time.Second)
		s := newOkta(t, 5, cfg)
		tok := mfaToken(t, s, mocktest.OOBUser)
		ch := postForm(t, s, s.ChallengeURL, "mfa_token", tok, "challenge_types_supported", mockserver.GrantMFAOOB)
		assert.Equal(t, float64(1), ch.Body["interval"])
		poll := func() answer {
			return postForm(t, s, s.TokenURL, "grant_type", mockserver.GrantMFAOOB, "mfa_token", tok, "oob_code", ch.str("oob_code"))
		}
		wantError(t, poll(), 400, "authorization_pending", "")
		s.Advance(time.Second)
		wantError(t, poll(), 400, "authorization_pending", "")
	})

	t.Run("no recovery-code grant", func(t *testing.T) {
		wantError(t, postForm(t, s, s.TokenURL, "grant_type", mockserver.GrantMFARecoveryCode, "mfa_token", "x", "recovery_code", mocktest.RecoveryCodes[0]),
			400, "unsupported_grant_type", "")
	})
}

// TestOktaLockout: the brute-force lockout answers like a wrong password;
// a right password clears the count even when a second factor follows.
func TestOktaLockout(t *testing.T) {
	cfg := mockserver.DefaultConfig()
	cfg.Lockout = &mockserver.Lockout{MaxFailures: 3, Window: mockserver.Duration(time.Hour), Duration: mockserver.Duration(time.Hour)}
	s := newOkta(t, 9, cfg)
	const invalid = "The credentials provided were invalid."
	for range 2 {
		wantError(t, signIn(t, s, mocktest.TOTPUser, "wrong"), 400, "invalid_grant", invalid)
	}
	wantError(t, signIn(t, s, mocktest.TOTPUser, mocktest.Password), 403, "mfa_required", "")
	for range 2 {
		wantError(t, signIn(t, s, mocktest.TOTPUser, "wrong"), 400, "invalid_grant", invalid)
	}
	wantError(t, signIn(t, s, mocktest.TOTPUser, mocktest.Password), 403, "mfa_required", "")
	for range 3 {
		wantError(t, signIn(t, s, mocktest.TOTPUser, "wrong"), 400, "invalid_grant", invalid)
	}
	wantError(t, signIn(t, s, mocktest.TOTPUser, mocktest.Password), 400, "invalid_grant", invalid)
}
