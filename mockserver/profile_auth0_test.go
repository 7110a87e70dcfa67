package mockserver_test

import (
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ropcgo/ropc/mockserver"
	"github.com/ropcgo/ropc/mockserver/mocktest"
)

func newAuth0(t *testing.T, seed uint64) *mocktest.Server {
	return mocktest.New(t, mocktest.WithProfile(mockserver.ProfileAuth0), mocktest.WithDeterministic(seed))
}

// mfaToken signs in a user with a factor and returns the mfa_token of the
// 403 mfa_required answer.
func mfaToken(t *testing.T, s *mocktest.Server, user string) string {
	t.Helper()
	a := signIn(t, s, user, mocktest.Password)
	require.Equal(t, "mfa_required", a.str("error"), a.Raw)
	require.NotEmpty(t, a.str("mfa_token"))
	return a.str("mfa_token")
}

func TestAuth0Profile(t *testing.T) {
	s := newAuth0(t, 1)
	assert.Equal(t, s.URL+"/", s.Issuer, "Auth0's issuer has a trailing slash")
	assert.Equal(t, s.URL+"/oauth/token", s.TokenURL)
	assert.Equal(t, s.URL+"/mfa/challenge", s.ChallengeURL)

	t.Run("discovery", func(t *testing.T) {
		d := discovery(t, s)
		assert.Equal(t, s.ChallengeURL, d.str("mfa_challenge_endpoint"))
		assert.Contains(t, d.Body["grant_types_supported"], mockserver.GrantMFAOOB)
	})

	t.Run("plain sign-in", func(t *testing.T) {
		wantIssuer(t, s, wantTokens(t, signIn(t, s, mocktest.Username, mocktest.Password)))
	})

	const wrong = "Wrong email or password."
	for _, tc := range []struct {
		name, user, pass, code, desc string
		status                       int
	}{
		{"wrong password", mocktest.Username, "wrong", "invalid_grant", wrong, 403},
		{"unknown user", "nobody", "wrong", "invalid_grant", wrong, 403},
		{"locked", mocktest.LockedUser, mocktest.Password, "too_many_attempts",
			"Your account has been blocked after multiple consecutive login attempts. We've sent you an email with instructions on how to unblock it.", 429},
		{"disabled", mocktest.DisabledUser, mocktest.Password, "unauthorized", "user is blocked", 401},
		{"password expired: Auth0 documents no distinct answer", mocktest.ExpiredUser, mocktest.Password, "invalid_grant", wrong, 403},
		{"setup required", mocktest.SetupUser, mocktest.Password, "mfa_registration_required", "Multifactor authentication registration required", 403},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := signIn(t, s, tc.user, tc.pass)
			wantError(t, a, tc.status, tc.code, tc.desc)
			assert.NotContains(t, a.Raw, mocktest.Password)
		})
	}
	t.Run("setup required carries an mfa_token", func(t *testing.T) {
		assert.NotEmpty(t, signIn(t, s, mocktest.SetupUser, mocktest.Password).str("mfa_token"))
	})

	t.Run("password-realm", func(t *testing.T) {
		wantTokens(t, postForm(t, s, s.TokenURL, "grant_type", mockserver.GrantPasswordRealm,
			"username", mocktest.Username, "password", mocktest.Password, "realm", mockserver.DefaultAuth0Realm))
		wantError(t, postForm(t, s, s.TokenURL, "grant_type", mockserver.GrantPasswordRealm,
			"username", mocktest.Username, "password", mocktest.Password, "realm", "other"), 400, "invalid_request", "the connection was not found")
	})

	t.Run("two factors: the authenticators list both, authenticator_id picks one", func(t *testing.T) {
		s := newAuth0(t, 7)
		tok := mfaToken(t, s, mocktest.TwoFactorUser)
		auths := get(t, s, s.URL+"/mfa/authenticators", "Authorization", "Bearer "+tok)
		require.Equal(t, http.StatusOK, auths.Status, auths.Raw)
		var list []map[string]any
		require.NoError(t, json.Unmarshal([]byte(auths.Raw), &list))
		require.Len(t, list, 2, auths.Raw)
		assert.Equal(t, "otp", list[0]["authenticator_type"])
		assert.Equal(t, "oob", list[1]["authenticator_type"])
		totpID, pushID := list[0]["id"].(string), list[1]["id"].(string)
		assert.NotEqual(t, totpID, pushID)

		ch := postForm(t, s, s.ChallengeURL, "mfa_token", tok)
		assert.Equal(t, map[string]any{"challenge_type": "otp"}, ch.Body, "no choice: the first factor")
		ch = postForm(t, s, s.ChallengeURL, "mfa_token", tok, "challenge_type", "oob")
		require.Equal(t, http.StatusOK, ch.Status, ch.Raw)
		assert.Equal(t, "oob", ch.str("challenge_type"), "challenge_type picks among the factors")
		ch = postForm(t, s, s.ChallengeURL, "mfa_token", tok, "authenticator_id", totpID)
		assert.Equal(t, map[string]any{"challenge_type": "otp"}, ch.Body)
		wantError(t, postForm(t, s, s.ChallengeURL, "mfa_token", tok, "authenticator_id", totpID, "challenge_type", "oob"),
			400, "unsupported_challenge_type", "")
		wantError(t, postForm(t, s, s.ChallengeURL, "mfa_token", tok, "authenticator_id", "push|dev_someone-else"),
			400, "invalid_request", "authenticator_id is not one of the user's authenticators")

		ch = postForm(t, s, s.ChallengeURL, "mfa_token", tok, "authenticator_id", pushID)
		require.Equal(t, http.StatusOK, ch.Status, ch.Raw)
		assert.Equal(t, "oob", ch.str("challenge_type"))
		oob := ch.str("oob_code")
		require.NotEmpty(t, oob)
		assert.Equal(t, []string{mocktest.TwoFactorUser}, s.PendingMFA())
		s.ApproveMFA(mocktest.TwoFactorUser)
		wantTokens(t, postForm(t, s, s.TokenURL, "grant_type", mockserver.GrantMFAOOB, "mfa_token", tok, "oob_code", oob))
	})

	t.Run("totp: mfa_required, challenge, code", func(t *testing.T) {
		s := newAuth0(t, 2)
		a := signIn(t, s, mocktest.TOTPUser, mocktest.Password)
		wantError(t, a, 403, "mfa_required", "Multifactor authentication required")
		assert.Equal(t, map[string]any{"challenge": []any{map[string]any{"type": "otp"}}}, a.Body["mfa_requirements"])
		tok := a.str("mfa_token")

		// JSON body, client credentials in the body.
		ch := postJSON(t, s, s.ChallengeURL, map[string]string{"client_id": s.ClientID, "client_secret": s.ClientSecret, "mfa_token": tok, "challenge_type": "otp oob"})
		require.Equal(t, http.StatusOK, ch.Status, ch.Raw)
		assert.Equal(t, map[string]any{"challenge_type": "otp"}, ch.Body)

		auths := get(t, s, s.URL+"/mfa/authenticators", "Authorization", "Bearer "+tok)
		require.Equal(t, http.StatusOK, auths.Status, auths.Raw)
		assert.Contains(t, auths.Raw, `"authenticator_type":"otp"`)
		assert.Contains(t, auths.Raw, `"authenticator_type":"recovery-code"`)

		wantError(t, postForm(t, s, s.TokenURL, "grant_type", mockserver.GrantMFAOTP, "mfa_token", tok, "otp", "000000"),
			403, "invalid_grant", "Invalid otp_code.")
		code := s.TOTP()
		wantIssuer(t, s, wantTokens(t, postForm(t, s, s.TokenURL, "grant_type", mockserver.GrantMFAOTP, "mfa_token", tok, "otp", code)))
		wantError(t, postForm(t, s, s.TokenURL, "grant_type", mockserver.GrantMFAOTP, "mfa_token", tok, "otp", code),
			403, "invalid_grant", "Malformed mfa_token")

		// The same code in a new sign-in: used once per step.
		tok2 := mfaToken(t, s, mocktest.TOTPUser)
		wantError(t, postForm(t, s, s.TokenURL, "grant_type", mockserver.GrantMFAOTP, "mfa_token", tok2, "otp", code),
			403, "invalid_grant", "Invalid otp_code.")
		s.Advance(mockserver.TOTPStep)
		wantTokens(t, postForm(t, s, s.TokenURL, "grant_type", mockserver.GrantMFAOTP, "mfa_token", tok2, "otp", s.TOTP()))
	})

	t.Run("challenge type the user lacks", func(t *testing.T) {
		tok := mfaToken(t, s, mocktest.TOTPUser)
		wantError(t, postForm(t, s, s.ChallengeURL, "mfa_token", tok, "challenge_type", "oob"),
			400, "unsupported_challenge_type", "")
	})

	t.Run("mfa_token of another client, expired, missing", func(t *testing.T) {
		s := newAuth0(t, 3)
		tok := mfaToken(t, s, mocktest.TOTPUser)
		other := postForm(t, s, s.TokenURL, "grant_type", mockserver.GrantMFAOTP, "mfa_token", tok, "otp", s.TOTP(), "client_id", mocktest.PublicClientID)
		// Basic and a different client_id in the body: refused before the token is looked at.
		assert.Equal(t, http.StatusBadRequest, other.Status, other.Raw)
		pub := postJSON(t, s, s.ChallengeURL, map[string]string{"client_id": mocktest.PublicClientID, "mfa_token": tok})
		wantError(t, pub, 400, "invalid_request", "mfa_token not issued to this client")
		s.Advance(11 * time.Minute)
		wantError(t, postForm(t, s, s.TokenURL, "grant_type", mockserver.GrantMFAOTP, "mfa_token", tok, "otp", s.TOTP()),
			403, "expired_token", "mfa_token is expired")
		wantError(t, postForm(t, s, s.TokenURL, "grant_type", mockserver.GrantMFAOTP, "otp", s.TOTP()),
			400, "invalid_request", "missing mfa_token")
	})

	t.Run("recovery code, and the same code again", func(t *testing.T) {
		s := newAuth0(t, 4)
		rc := func(code string) answer {
			return postForm(t, s, s.TokenURL, "grant_type", mockserver.GrantMFARecoveryCode,
				"mfa_token", mfaToken(t, s, mocktest.TOTPUser), "recovery_code", code)
		}
		a := wantTokens(t, rc(mocktest.RecoveryCodes[0]))
		next := a.str("recovery_code")
		require.NotEmpty(t, next, "a new recovery code replaces the used one")
		assert.NotContains(t, mocktest.RecoveryCodes, next)
		wantError(t, rc(mocktest.RecoveryCodes[0]), 403, "invalid_grant", "Invalid recovery_code.")
		wantError(t, rc("NOT-A-CODE"), 403, "invalid_grant", "Invalid recovery_code.")
		wantTokens(t, rc(next))
		wantError(t, rc(next), 403, "invalid_grant", "Invalid recovery_code.")
		wantTokens(t, rc(mocktest.RecoveryCodes[1]))
	})

	t.Run("out-of-band approved", func(t *testing.T) {
		s := newAuth0(t, 5)
		a := signIn(t, s, mocktest.OOBUser, mocktest.Password)
		wantError(t, a, 403, "mfa_required", "")
		assert.Equal(t, map[string]any{"challenge": []any{map[string]any{"type": "push-notification"}}}, a.Body["mfa_requirements"])
		tok := a.str("mfa_token")
		assert.Equal(t, http.StatusNotFound, adminMFA(t, s, "approve", mocktest.OOBUser), "nothing pending before the challenge")

		// Form body, client by Basic.
		ch := postForm(t, s, s.ChallengeURL, "mfa_token", tok, "challenge_type", "oob")
		require.Equal(t, http.StatusOK, ch.Status, ch.Raw)
		assert.Equal(t, "oob", ch.str("challenge_type"))
		oob := ch.str("oob_code")
		require.NotEmpty(t, oob)

		poll := func() answer {
			return postForm(t, s, s.TokenURL, "grant_type", mockserver.GrantMFAOOB, "mfa_token", tok, "oob_code", oob)
		}
		wantError(t, poll(), 400, "authorization_pending", "Authorization pending: please repeat the request in a few seconds.")
		wantError(t, poll(), 400, "slow_down", "")
		s.Advance(5 * time.Second)
		wantError(t, poll(), 400, "authorization_pending", "")
		wantError(t, postForm(t, s, s.TokenURL, "grant_type", mockserver.GrantMFAOOB, "mfa_token", tok, "oob_code", "wrong"),
			403, "invalid_grant", "Malformed mfa_token")
		assert.Equal(t, []string{mocktest.OOBUser}, s.PendingMFA())
		list := get(t, s, s.AdminURL+"/mfa")
		assert.Equal(t, map[string]any{"pending": []any{mocktest.OOBUser}}, list.Body, list.Raw)
		assert.Equal(t, http.StatusNotFound, adminMFA(t, s, "approve", mocktest.TOTPUser))
		assert.Equal(t, http.StatusNoContent, adminMFA(t, s, "approve", mocktest.OOBUser))
		assert.Empty(t, s.PendingMFA(), "approved is no longer pending")
		s.Advance(5 * time.Second)
		wantIssuer(t, s, wantTokens(t, poll()))
		assert.Equal(t, http.StatusNotFound, adminMFA(t, s, "deny", mocktest.OOBUser), "nothing pending any more")
	})

	t.Run("out-of-band denied, then final", func(t *testing.T) {
		s := newAuth0(t, 6)
		tok := mfaToken(t, s, mocktest.OOBUser)
		oob := postForm(t, s, s.ChallengeURL, "mfa_token", tok).str("oob_code")
		s.DenyMFA(mocktest.OOBUser)
		poll := func() answer {
			return postForm(t, s, s.TokenURL, "grant_type", mockserver.GrantMFAOOB, "mfa_token", tok, "oob_code", oob)
		}
		wantError(t, poll(), 403, "invalid_grant", "MFA Authorization rejected.")
		wantError(t, poll(), 403, "invalid_grant", "Malformed mfa_token")
	})

	t.Run("out-of-band code expires", func(t *testing.T) {
		s := newAuth0(t, 7)
		tok := mfaToken(t, s, mocktest.OOBUser)
		oob := postForm(t, s, s.ChallengeURL, "mfa_token", tok).str("oob_code")
		s.Advance(5*time.Minute + time.Second)
		assert.Equal(t, http.StatusNotFound, adminMFA(t, s, "approve", mocktest.OOBUser), "an expired challenge is not pending")
		wantError(t, postForm(t, s, s.TokenURL, "grant_type", mockserver.GrantMFAOOB, "mfa_token", tok, "oob_code", oob),
			403, "expired_token", "oob_code is expired")
	})

	t.Run("admin body errors", func(t *testing.T) {
		resp, err := s.Client().Post(s.AdminURL+"/mfa/approve", "application/json", nil)
		require.NoError(t, err)
		resp.Body.Close()
		assert.Equal(t, http.StatusBadRequest, resp.StatusCode)
	})
}
