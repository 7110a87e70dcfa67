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

func TestKeycloakProfile(t *testing.T) {
	s := mocktest.New(t, mocktest.WithProfile(mockserver.ProfileKeycloak))
	assert.Equal(t, s.URL+"/realms/ropc", s.Issuer)
	assert.Equal(t, s.URL+"/realms/ropc/protocol/openid-connect/token", s.TokenURL)
	assert.Empty(t, s.ChallengeURL, "Keycloak has no challenge endpoint")

	t.Run("discovery", func(t *testing.T) {
		d := discovery(t, s)
		assert.Equal(t, s.Issuer+"/protocol/openid-connect/token/introspect", d.str("introspection_endpoint"))
		assert.Equal(t, http.StatusNotFound, get(t, s, s.URL+"/.well-known/openid-configuration").Status, "nothing at the root")
		assert.Equal(t, http.StatusNotFound, get(t, s, s.URL+"/token").Status, "the rfc paths are gone")
	})

	t.Run("plain sign-in, token issued by the realm, introspectable", func(t *testing.T) {
		a := wantTokens(t, signIn(t, s, mocktest.Username, mocktest.Password))
		wantIssuer(t, s, a)
		in := postForm(t, s, s.Issuer+"/protocol/openid-connect/token/introspect", "token", a.str("access_token"))
		assert.Equal(t, true, in.Body["active"], in.Raw)
	})

	const invalid = "Invalid user credentials"
	for _, tc := range []struct {
		name, user, pass string
		extra            []string
		status           int
		desc             string
	}{
		{"wrong password", mocktest.Username, "wrong", nil, 401, invalid},
		{"unknown user", "nobody", "wrong", nil, 401, invalid},
		{"locked, right password", mocktest.LockedUser, mocktest.Password, nil, 401, invalid},
		{"disabled", mocktest.DisabledUser, mocktest.Password, nil, 400, "Account disabled"},
		{"disabled, even with a wrong password", mocktest.DisabledUser, "wrong", nil, 400, "Account disabled"},
		{"password expired", mocktest.ExpiredUser, mocktest.Password, nil, 400, "Account is not fully set up"},
		{"setup required", mocktest.SetupUser, mocktest.Password, nil, 400, "Account is not fully set up"},
		{"setup required, wrong password", mocktest.SetupUser, "wrong", nil, 401, invalid},
		{"totp user without a code", mocktest.TOTPUser, mocktest.Password, nil, 401, invalid},
		{"totp user with a wrong code", mocktest.TOTPUser, mocktest.Password, []string{"otp", "000000"}, 401, invalid},
		{"totp user with a code of another format", mocktest.TOTPUser, mocktest.Password, []string{"otp", "12345"}, 401, invalid},
	} {
		t.Run(tc.name, func(t *testing.T) {
			wantError(t, signIn(t, s, tc.user, tc.pass, tc.extra...), tc.status, "invalid_grant", tc.desc)
		})
	}

	t.Run("totp code with the password, once per step", func(t *testing.T) {
		s := mocktest.New(t, mocktest.WithProfile(mockserver.ProfileKeycloak), mocktest.WithDeterministic(1))
		code := s.TOTP()
		wantIssuer(t, s, wantTokens(t, signIn(t, s, mocktest.TOTPUser, mocktest.Password, "otp", code)))
		wantError(t, signIn(t, s, mocktest.TOTPUser, mocktest.Password, "otp", code), 401, "invalid_grant", invalid)
		s.Advance(mockserver.TOTPStep)
		// The older parameter name still works (KEYCLOAK-12908).
		wantTokens(t, signIn(t, s, mocktest.TOTPUser, mocktest.Password, "totp", s.TOTP()))
	})

	t.Run("one step of clock skew either way, not two", func(t *testing.T) {
		s := mocktest.New(t, mocktest.WithProfile(mockserver.ProfileKeycloak), mocktest.WithDeterministic(2))
		prev := s.TOTP()
		s.Advance(mockserver.TOTPStep)
		wantTokens(t, signIn(t, s, mocktest.TOTPUser, mocktest.Password, "otp", prev))
		s.Advance(2 * mockserver.TOTPStep)
		old := s.TOTP()
		s.Advance(2 * mockserver.TOTPStep)
		wantError(t, signIn(t, s, mocktest.TOTPUser, mocktest.Password, "otp", old), 401, "invalid_grant", invalid)
		next, err := mockserver.TOTP(mocktest.TOTPSecret, s.Now().Add(mockserver.TOTPStep))
		require.NoError(t, err)
		wantTokens(t, signIn(t, s, mocktest.TOTPUser, mocktest.Password, "otp", next))
		// After the next step's code, the current step's code is spent too.
		wantError(t, signIn(t, s, mocktest.TOTPUser, mocktest.Password, "otp", s.TOTP()), 401, "invalid_grant", invalid)
	})

	t.Run("brute-force lockout answers like a wrong password", func(t *testing.T) {
		cfg := mockserver.DefaultConfig()
		cfg.Lockout = &mockserver.Lockout{MaxFailures: 3, Window: mockserver.Duration(time.Minute), Duration: mockserver.Duration(time.Hour)}
		s := mocktest.New(t, mocktest.WithConfig(cfg), mocktest.WithProfile(mockserver.ProfileKeycloak))
		for range 3 {
			wantError(t, signIn(t, s, mocktest.Username, "wrong"), 401, "invalid_grant", invalid)
		}
		wantError(t, signIn(t, s, mocktest.Username, mocktest.Password), 401, "invalid_grant", invalid)
		s.Advance(time.Hour)
		wantTokens(t, signIn(t, s, mocktest.Username, mocktest.Password))
	})

	t.Run("refresh at the realm's token endpoint", func(t *testing.T) {
		a := wantTokens(t, signIn(t, s, mocktest.Username, mocktest.Password))
		wantTokens(t, postForm(t, s, s.TokenURL, "grant_type", "refresh_token", "refresh_token", a.str("refresh_token")))
	})

	t.Run("MFA grants are not Keycloak's", func(t *testing.T) {
		wantError(t, postForm(t, s, s.TokenURL, "grant_type", mockserver.GrantMFAOTP, "mfa_token", "x", "otp", "123456"),
			400, "unsupported_grant_type", "")
	})

	t.Run("custom realm", func(t *testing.T) {
		cfg := mockserver.DefaultConfig()
		cfg.Realm = "acme"
		s := mocktest.New(t, mocktest.WithConfig(cfg), mocktest.WithProfile(mockserver.ProfileKeycloak))
		assert.Equal(t, s.URL+"/realms/acme", s.Issuer)
		discovery(t, s)
		wantIssuer(t, s, wantTokens(t, signIn(t, s, mocktest.Username, mocktest.Password)))
	})
}
