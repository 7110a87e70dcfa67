package mockserver_test

import (
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ropcgo/ropc/mockserver"
	"github.com/ropcgo/ropc/mockserver/mocktest"
)

var uuidRE = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

// wantAADSTS asserts Entra's error envelope with code n.
func wantAADSTS(t *testing.T, a answer, status int, code string, n int) {
	t.Helper()
	wantError(t, a, status, code, "")
	assert.Equal(t, []any{float64(n)}, a.Body["error_codes"], a.Raw)
	trace, corr, ts := a.str("trace_id"), a.str("correlation_id"), a.str("timestamp")
	assert.Regexp(t, uuidRE, trace)
	assert.Regexp(t, uuidRE, corr)
	assert.NotEqual(t, trace, corr)
	assert.Regexp(t, `^\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ$`, ts)
	desc := a.str("error_description")
	assert.True(t, strings.HasPrefix(desc, "AADSTS"+itoa(n)+": "), desc)
	assert.True(t, strings.HasSuffix(desc, "\r\nTrace ID: "+trace+"\r\nCorrelation ID: "+corr+"\r\nTimestamp: "+ts), desc)
	assert.Equal(t, "https://login.microsoftonline.com/error?code="+itoa(n), a.str("error_uri"))
}

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }

func TestEntraProfile(t *testing.T) {
	s := mocktest.New(t, mocktest.WithProfile(mockserver.ProfileEntra), mocktest.WithDeterministic(1))
	assert.Equal(t, s.URL+"/ropc.onmicrosoft.com/v2.0", s.Issuer)
	assert.Equal(t, s.URL+"/ropc.onmicrosoft.com/oauth2/v2.0/token", s.TokenURL)
	assert.Empty(t, s.ChallengeURL)

	t.Run("discovery", func(t *testing.T) {
		d := discovery(t, s)
		assert.Nil(t, d.Body["introspection_endpoint"], "Entra has none")
	})

	t.Run("plain sign-in", func(t *testing.T) {
		wantIssuer(t, s, wantTokens(t, signIn(t, s, mocktest.Username, mocktest.Password, "scope", "read")))
	})

	for _, tc := range []struct {
		name, user, pass, code string
		n                      int
		suberror               string
	}{
		{"wrong password", mocktest.Username, "wrong", "invalid_grant", 50126, ""},
		{"unknown user", "nobody", "wrong", "invalid_grant", 50034, ""},
		{"locked", mocktest.LockedUser, mocktest.Password, "invalid_grant", 50053, ""},
		{"disabled", mocktest.DisabledUser, mocktest.Password, "invalid_grant", 50057, ""},
		{"password expired", mocktest.ExpiredUser, mocktest.Password, "invalid_grant", 50055, "user_password_expired"},
		{"MFA enrolment needed", mocktest.SetupUser, mocktest.Password, "interaction_required", 50079, "basic_action"},
		{"totp user: interaction required", mocktest.TOTPUser, mocktest.Password, "interaction_required", 50076, "basic_action"},
		{"oob user: interaction required", mocktest.OOBUser, mocktest.Password, "interaction_required", 50076, "basic_action"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := signIn(t, s, tc.user, tc.pass)
			wantAADSTS(t, a, http.StatusBadRequest, tc.code, tc.n)
			assert.Equal(t, tc.suberror, a.str("suberror"))
			if tc.code == "interaction_required" {
				var claims map[string]map[string]map[string]any
				require.NoError(t, json.Unmarshal([]byte(a.str("claims")), &claims), "claims is a JSON string: %s", a.Raw)
				capolids := claims["access_token"]["capolids"]
				assert.Equal(t, true, capolids["essential"])
				require.Len(t, capolids["values"], 1)
				assert.Contains(t, a.str("error_description"), "multi-factor authentication")
			}
		})
	}

	t.Run("even the right code cannot finish: the grant does no MFA", func(t *testing.T) {
		wantAADSTS(t, signIn(t, s, mocktest.TOTPUser, mocktest.Password, "otp", s.TOTP()), 400, "interaction_required", 50076)
	})

	t.Run("protocol errors in Entra's envelope", func(t *testing.T) {
		bad := postForm(t, s, s.TokenURL, "grant_type", "password", "username", mocktest.Username, "password", mocktest.Password, "client_id", s.ClientID, "client_secret", "wrong")
		assert.Equal(t, http.StatusBadRequest, bad.Status, "Basic plus a body secret: invalid_request")
		req, err := http.NewRequest(http.MethodPost, s.TokenURL, strings.NewReader("grant_type=password&username=johndoe&password=A3ddj3w"))
		require.NoError(t, err)
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.SetBasicAuth(s.ClientID, "wrong")
		a := send(t, s, req)
		wantAADSTS(t, a, http.StatusUnauthorized, "invalid_client", 7000215)
		assert.NotEmpty(t, a.Header.Get("WWW-Authenticate"))
		assert.NotContains(t, a.Raw, "wrong")
		wantAADSTS(t, postForm(t, s, s.TokenURL, "grant_type", mockserver.GrantMFAOTP), 400, "unsupported_grant_type", 70003)
	})

	t.Run("custom tenant", func(t *testing.T) {
		cfg := mockserver.DefaultConfig()
		cfg.Tenant = "contoso.onmicrosoft.com"
		s := mocktest.New(t, mocktest.WithConfig(cfg), mocktest.WithProfile(mockserver.ProfileEntra))
		assert.Equal(t, s.URL+"/contoso.onmicrosoft.com/v2.0", s.Issuer)
		discovery(t, s)
		wantIssuer(t, s, wantTokens(t, signIn(t, s, mocktest.Username, mocktest.Password)))
	})
}
