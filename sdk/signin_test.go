package sdk_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ropcgo/ropc/mockserver"
	"github.com/ropcgo/ropc/mockserver/mocktest"
	"github.com/ropcgo/ropc/sdk"
	"github.com/ropcgo/ropc/sdk/core"
)

// recordingPrompter answers challenges like a user would and keeps what it was asked.
type recordingPrompter struct {
	mu     sync.Mutex
	asked  []sdk.Challenge
	answer func(sdk.Challenge) (string, error)
}

func (p *recordingPrompter) Prompt(_ context.Context, c sdk.Challenge) (string, error) {
	p.mu.Lock()
	p.asked = append(p.asked, c)
	p.mu.Unlock()
	return p.answer(c)
}

func (p *recordingPrompter) types() []sdk.ChallengeType {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []sdk.ChallengeType
	for _, c := range p.asked {
		out = append(out, c.Type)
	}
	return out
}

// profileMock starts the real mock under a provider profile; polling is paced at one second
// where the provider says the interval (Okta).
func profileMock(t *testing.T, profile string) *mocktest.Server {
	cfg := mockserver.DefaultConfig()
	cfg.OOBInterval = mockserver.Duration(time.Second)
	return mocktest.New(t, mocktest.WithConfig(cfg), mocktest.WithProfile(profile))
}

func profileClient(t *testing.T, srv *mocktest.Server) *sdk.Client {
	c, err := sdk.NewClient(sdk.Config{TokenURL: srv.TokenURL, ClientID: mocktest.ClientID, ClientSecret: mocktest.ClientSecret})
	require.NoError(t, err)
	return c
}

// wrongCode is a six-digit code that is not the current TOTP code.
func wrongCode(srv *mocktest.Server) string {
	if srv.TOTP() == "000000" {
		return "111111"
	}
	return "000000"
}

// signInCase is one situation of one provider: who signs in, how the user answers, and what the
// program must see.
type signInCase struct {
	profile  string
	name     string
	user     string
	password string
	opts     func(srv *mocktest.Server) []sdk.RequestOption
	answer   func(srv *mocktest.Server, c sdk.Challenge) (string, error)
	wantKind sdk.Kind            // "" means the sign-in succeeds
	asked    []sdk.ChallengeType // the challenges the user saw
}

func totpAnswer(srv *mocktest.Server, c sdk.Challenge) (string, error) {
	if c.Type != sdk.ChallengeOTP {
		return "", fmt.Errorf("asked %s, want otp", c.Type)
	}
	return srv.TOTP(), nil
}

func wrongAnswer(srv *mocktest.Server, _ sdk.Challenge) (string, error) { return wrongCode(srv), nil }

func approve(srv *mocktest.Server, c sdk.Challenge) (string, error) {
	if c.Type != sdk.ChallengeOOB {
		return "", fmt.Errorf("asked %s, want oob", c.Type)
	}
	srv.ApproveMFA(mocktest.OOBUser)
	return "", nil
}

func deny(srv *mocktest.Server, _ sdk.Challenge) (string, error) {
	srv.DenyMFA(mocktest.OOBUser)
	return "", nil
}

func withOTP(srv *mocktest.Server) []sdk.RequestOption {
	return []sdk.RequestOption{sdk.WithOTP(srv.TOTP())}
}

func withWrongOTP(srv *mocktest.Server) []sdk.RequestOption {
	return []sdk.RequestOption{sdk.WithOTP(wrongCode(srv))}
}

var signInCases = []signInCase{
	{profile: "rfc", name: "no second factor", user: mocktest.Username, password: mocktest.Password},
	{profile: "rfc", name: "wrong password", user: mocktest.Username, password: "wrong", wantKind: sdk.KindInvalidCredentials},

	// Keycloak: the code goes with the password; every failure but two is "Invalid user credentials".
	{profile: "keycloak", name: "wrong password", user: mocktest.TOTPUser, password: "wrong", opts: withOTP, wantKind: sdk.KindInvalidCredentials},
	{profile: "keycloak", name: "totp with the password", user: mocktest.TOTPUser, opts: withOTP},
	{profile: "keycloak", name: "code missing looks like a wrong password", user: mocktest.TOTPUser, wantKind: sdk.KindInvalidCredentials},
	{profile: "keycloak", name: "wrong code looks like a wrong password", user: mocktest.TOTPUser, opts: withWrongOTP, wantKind: sdk.KindInvalidCredentials},
	{profile: "keycloak", name: "locked looks like a wrong password", user: mocktest.LockedUser, wantKind: sdk.KindInvalidCredentials},
	{profile: "keycloak", name: "disabled", user: mocktest.DisabledUser, wantKind: sdk.KindAccountDisabled},
	{profile: "keycloak", name: "password expired is account setup", user: mocktest.ExpiredUser, wantKind: sdk.KindAccountSetupRequired},
	{profile: "keycloak", name: "setup required", user: mocktest.SetupUser, wantKind: sdk.KindAccountSetupRequired},

	// Auth0: mfa_required with an mfa_token, then the MFA API.
	{profile: "auth0", name: "wrong password", user: mocktest.TOTPUser, password: "wrong", wantKind: sdk.KindInvalidCredentials},
	{profile: "auth0", name: "totp", user: mocktest.TOTPUser, answer: totpAnswer, asked: []sdk.ChallengeType{sdk.ChallengeOTP}},
	{profile: "auth0", name: "totp given up front", user: mocktest.TOTPUser, opts: withOTP, answer: totpAnswer},
	{profile: "auth0", name: "wrong code", user: mocktest.TOTPUser, answer: wrongAnswer, wantKind: sdk.KindMFAInvalidCode, asked: []sdk.ChallengeType{sdk.ChallengeOTP}},
	{profile: "auth0", name: "out-of-band approved", user: mocktest.OOBUser, answer: approve, asked: []sdk.ChallengeType{sdk.ChallengeOOB}},
	{profile: "auth0", name: "out-of-band denied", user: mocktest.OOBUser, answer: deny, wantKind: sdk.KindMFADenied, asked: []sdk.ChallengeType{sdk.ChallengeOOB}},
	{profile: "auth0", name: "no prompter", user: mocktest.TOTPUser, wantKind: sdk.KindMFARequired},
	{profile: "auth0", name: "locked", user: mocktest.LockedUser, wantKind: sdk.KindAccountLocked},
	{profile: "auth0", name: "disabled", user: mocktest.DisabledUser, wantKind: sdk.KindAccountDisabled},
	{profile: "auth0", name: "password expired is not told apart", user: mocktest.ExpiredUser, wantKind: sdk.KindInvalidCredentials},
	{profile: "auth0", name: "setup required", user: mocktest.SetupUser, wantKind: sdk.KindAccountSetupRequired},
	{profile: "auth0", name: "password-realm", user: mocktest.Username,
		opts: func(*mocktest.Server) []sdk.RequestOption {
			return []sdk.RequestOption{sdk.WithRealm("Username-Password-Authentication")}
		}},
	{profile: "auth0", name: "unknown realm", user: mocktest.Username, wantKind: sdk.KindOther,
		opts: func(*mocktest.Server) []sdk.RequestOption { return []sdk.RequestOption{sdk.WithRealm("nope")} }},

	// Okta direct authentication.
	{profile: "okta", name: "wrong password", user: mocktest.TOTPUser, password: "wrong", wantKind: sdk.KindInvalidCredentials},
	{profile: "okta", name: "totp", user: mocktest.TOTPUser, answer: totpAnswer, asked: []sdk.ChallengeType{sdk.ChallengeOTP}},
	{profile: "okta", name: "wrong code", user: mocktest.TOTPUser, answer: wrongAnswer, wantKind: sdk.KindMFAInvalidCode, asked: []sdk.ChallengeType{sdk.ChallengeOTP}},
	{profile: "okta", name: "out-of-band approved", user: mocktest.OOBUser, answer: approve, asked: []sdk.ChallengeType{sdk.ChallengeOOB}},
	{profile: "okta", name: "out-of-band denied", user: mocktest.OOBUser, answer: deny, wantKind: sdk.KindMFADenied, asked: []sdk.ChallengeType{sdk.ChallengeOOB}},
	{profile: "okta", name: "locked is not told apart", user: mocktest.LockedUser, wantKind: sdk.KindInvalidCredentials},
	{profile: "okta", name: "disabled is not told apart", user: mocktest.DisabledUser, wantKind: sdk.KindInvalidCredentials},
	{profile: "okta", name: "password expired is not told apart", user: mocktest.ExpiredUser, wantKind: sdk.KindInvalidCredentials},
	{profile: "okta", name: "setup required is not told apart", user: mocktest.SetupUser, wantKind: sdk.KindInvalidCredentials},

	// Entra: no MFA in this grant.
	{profile: "entra", name: "wrong password", user: mocktest.Username, password: "wrong", wantKind: sdk.KindInvalidCredentials},
	{profile: "entra", name: "user with a factor must sign in interactively", user: mocktest.TOTPUser, answer: totpAnswer, wantKind: sdk.KindInteractionRequired},
	{profile: "entra", name: "locked", user: mocktest.LockedUser, wantKind: sdk.KindAccountLocked},
	{profile: "entra", name: "disabled", user: mocktest.DisabledUser, wantKind: sdk.KindAccountDisabled},
	{profile: "entra", name: "password expired", user: mocktest.ExpiredUser, wantKind: sdk.KindPasswordExpired},
	{profile: "entra", name: "MFA enrolment needed", user: mocktest.SetupUser, wantKind: sdk.KindInteractionRequired},
}

func TestSignInAgainstProfiles(t *testing.T) {
	for _, tt := range signInCases {
		t.Run(tt.profile+"/"+tt.name, func(t *testing.T) {
			t.Parallel()
			srv := profileMock(t, tt.profile)
			c := profileClient(t, srv)
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel()
			password := tt.password
			if password == "" {
				password = mocktest.Password
			}
			var opts []sdk.RequestOption
			if tt.opts != nil {
				opts = tt.opts(srv)
			}
			var prompter sdk.Prompter
			rec := &recordingPrompter{}
			if tt.answer != nil {
				rec.answer = func(ch sdk.Challenge) (string, error) { return tt.answer(srv, ch) }
				prompter = rec
			}
			tok, err := c.SignIn(ctx, tt.user, password, prompter, opts...)
			if tt.wantKind == "" {
				require.NoError(t, err)
				assert.NotEmpty(t, tok.AccessToken)
			} else {
				var oe *sdk.OAuthError
				require.True(t, errors.As(err, &oe), "want an OAuth error, got %v", err)
				assert.Equal(t, tt.wantKind, oe.Kind, "%v", err)
				assert.NotNil(t, oe.Extra)
			}
			assert.Equal(t, tt.asked, rec.types())
			assert.Equal(t, 1, srv.Count(tokenPath(srv), "password")+srv.Count(tokenPath(srv), "http://auth0.com/oauth/grant-type/password-realm"),
				"the password is sent exactly once")
		})
	}
}

func tokenPath(srv *mocktest.Server) string { return srv.TokenURL[len(srv.URL):] }

func TestSignInRecoveryCode(t *testing.T) {
	srv := profileMock(t, "auth0")
	c := profileClient(t, srv)
	ctx := context.Background()
	code := func(context.Context, sdk.Challenge) (string, error) { return mocktest.RecoveryCodes[0], nil }
	tok, err := c.SignIn(ctx, mocktest.TOTPUser, mocktest.Password, sdk.PrompterFunc(code), sdk.WithRecoveryCode())
	require.NoError(t, err)
	assert.NotEmpty(t, tok.AccessToken)
	assert.NotEmpty(t, tok.Raw["recovery_code"], "Auth0 hands out a new recovery code")

	_, err = c.SignIn(ctx, mocktest.TOTPUser, mocktest.Password, sdk.PrompterFunc(code), sdk.WithRecoveryCode())
	var oe *sdk.OAuthError
	require.True(t, errors.As(err, &oe))
	assert.Equal(t, sdk.KindMFAInvalidCode, oe.Kind, "a recovery code works once")
}

func TestSignInMFARequiredKeepsTheToken(t *testing.T) {
	srv := profileMock(t, "auth0")
	_, err := profileClient(t, srv).SignIn(context.Background(), mocktest.TOTPUser, mocktest.Password, nil)
	var oe *sdk.OAuthError
	require.True(t, errors.As(err, &oe))
	assert.Equal(t, sdk.KindMFARequired, oe.Kind)
	assert.NotEmpty(t, oe.Extra["mfa_token"])
	assert.NotContains(t, fmt.Sprintf("%#v", oe), oe.Extra["mfa_token"])
}

func TestSignInStopsOnCancel(t *testing.T) {
	srv := profileMock(t, "okta")
	c := profileClient(t, srv)
	ctx, cancel := context.WithCancel(context.Background())
	start := time.Now()
	oob := func(_ context.Context, ch sdk.Challenge) (string, error) {
		// The user never approves; the program gives up.
		time.AfterFunc(1500*time.Millisecond, cancel)
		return "", nil
	}
	_, err := c.SignIn(ctx, mocktest.OOBUser, mocktest.Password, sdk.PrompterFunc(oob))
	assert.ErrorIs(t, err, context.Canceled)
	assert.Less(t, time.Since(start), 10*time.Second)
}

func TestSignInPrompterFailureKeepsTheDemand(t *testing.T) {
	srv := profileMock(t, "auth0")
	noTerminal := errors.New("no terminal")
	_, err := profileClient(t, srv).SignIn(context.Background(), mocktest.TOTPUser, mocktest.Password,
		sdk.PrompterFunc(func(context.Context, sdk.Challenge) (string, error) { return "", noTerminal }))
	assert.ErrorIs(t, err, noTerminal)
	var oe *sdk.OAuthError
	require.True(t, errors.As(err, &oe))
	assert.Equal(t, sdk.KindMFARequired, oe.Kind)
}

func TestSignInDiscoversTheChallengeEndpoint(t *testing.T) {
	srv := profileMock(t, "auth0")
	c, err := sdk.NewClient(sdk.Config{Issuer: srv.Issuer, ClientID: mocktest.ClientID, ClientSecret: mocktest.ClientSecret})
	require.NoError(t, err)
	rec := &recordingPrompter{answer: func(ch sdk.Challenge) (string, error) { return totpAnswer(srv, ch) }}
	tok, err := c.SignIn(context.Background(), mocktest.TOTPUser, mocktest.Password, rec)
	require.NoError(t, err)
	assert.NotEmpty(t, tok.AccessToken)
}

// Every kind of sdk/core has its constant here, under the same name.
func TestKindConstants(t *testing.T) {
	ours := []sdk.Kind{sdk.KindInvalidCredentials, sdk.KindMFARequired, sdk.KindMFAInvalidCode, sdk.KindMFADenied,
		sdk.KindInteractionRequired, sdk.KindPasswordExpired, sdk.KindAccountSetupRequired, sdk.KindAccountLocked,
		sdk.KindAccountDisabled, sdk.KindRateLimited, sdk.KindConsentRequired, sdk.KindInvalidClient, sdk.KindInvalidScope,
		sdk.KindServerUnavailable, sdk.KindOther}
	assert.Equal(t, core.Kinds(), ours)
}

// The retry delay reaches the caller for the kinds that wait, from the mock's Retry-After.
func TestSignInRetryAfter(t *testing.T) {
	tests := []struct {
		code   string
		status int
		want   sdk.Kind
	}{
		{"too_many_attempts", 429, sdk.KindAccountLocked}, // Auth0: the provider's code decides, not the 429
		{"temporarily_unavailable", 429, sdk.KindServerUnavailable},
		{"invalid_request", 429, sdk.KindRateLimited},
	}
	for _, tt := range tests {
		t.Run(tt.code, func(t *testing.T) {
			srv := profileMock(t, "auth0")
			srv.Fault(mocktest.Rule{Match: mocktest.Match{GrantType: "password"}, Times: 1, Status: tt.status, Error: tt.code, RetryAfter: 42})
			_, err := profileClient(t, srv).SignIn(context.Background(), mocktest.Username, mocktest.Password, nil)
			var oe *sdk.OAuthError
			require.True(t, errors.As(err, &oe), "%v", err)
			assert.Equal(t, tt.want, oe.Kind)
			if tt.want == sdk.KindAccountLocked || tt.want == sdk.KindRateLimited {
				assert.Equal(t, 42*time.Second, oe.RetryAfter)
			} else {
				assert.Zero(t, oe.RetryAfter, "only the kinds that wait carry the delay")
			}
		})
	}
}
