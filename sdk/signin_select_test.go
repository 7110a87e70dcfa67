package sdk_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ropcgo/ropc/mockserver/mocktest"
	"github.com/ropcgo/ropc/sdk"
)

// TestSignInSelectsAnAuthenticator walks Auth0's choice of second factor end to end against the
// real mock over loopback, as an application would: the password grant answers mfa_required,
// SignIn lists the user's authenticators (GET /mfa/authenticators), asks the Prompter to pick
// one (ChallengeSelectAuthenticator), starts the challenge with that authenticator_id and
// finishes with the chosen factor.
func TestSignInSelectsAnAuthenticator(t *testing.T) {
	pick := func(kind string) func(srv *mocktest.Server, ch sdk.Challenge) (string, error) {
		return func(srv *mocktest.Server, ch sdk.Challenge) (string, error) {
			switch ch.Type {
			case sdk.ChallengeSelectAuthenticator:
				for _, a := range ch.Authenticators {
					if a.Type == kind {
						return a.ID, nil
					}
				}
				return "", errors.New("no " + kind + " authenticator offered")
			case sdk.ChallengeOTP:
				return srv.TOTP(), nil
			case sdk.ChallengeOOB:
				// The user approves on the device; SignIn polls the token endpoint.
				srv.ApproveMFA(mocktest.TwoFactorUser)
				return "", nil
			}
			return "", errors.New("unexpected challenge " + string(ch.Type))
		}
	}
	for _, tt := range []struct {
		name   string
		answer func(*mocktest.Server, sdk.Challenge) (string, error)
		asked  []sdk.ChallengeType
		// wantErr is a part of the error's text; "" means tokens.
		wantErr string
	}{
		{"the push authenticator", pick("oob"), []sdk.ChallengeType{sdk.ChallengeSelectAuthenticator, sdk.ChallengeOOB}, ""},
		{"the code authenticator", pick("otp"), []sdk.ChallengeType{sdk.ChallengeSelectAuthenticator, sdk.ChallengeOTP}, ""},
		{"an id not offered", func(*mocktest.Server, sdk.Challenge) (string, error) { return "sms|dev_x", nil },
			[]sdk.ChallengeType{sdk.ChallengeSelectAuthenticator}, `"sms|dev_x" is not one of the authenticators offered`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := profileMock(t, "auth0")
			c := profileClient(t, srv)
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel()
			var offered []sdk.Authenticator
			rec := &recordingPrompter{answer: func(ch sdk.Challenge) (string, error) {
				if ch.Type == sdk.ChallengeSelectAuthenticator {
					offered = ch.Authenticators
				}
				return tt.answer(srv, ch)
			}}
			tok, err := c.SignIn(ctx, mocktest.TwoFactorUser, mocktest.Password, rec)
			assert.Equal(t, tt.asked, rec.types())
			require.Len(t, offered, 2, "the recovery code is no authenticator to pick")
			assert.Equal(t, []string{"otp", "oob"}, []string{offered[0].Type, offered[1].Type})
			assert.Equal(t, 1, srv.Count("/mfa/authenticators", ""), "the list is read once")
			assert.Equal(t, 1, srv.Count("/token", "password"), "the password is sent exactly once")
			if tt.wantErr != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.wantErr)
				var oe *sdk.OAuthError
				require.True(t, errors.As(err, &oe), "the server's demand stays the error: %v", err)
				assert.Equal(t, sdk.KindMFARequired, oe.Kind)
				assert.Zero(t, srv.Count("/mfa/challenge", ""), "no challenge without a valid choice")
				return
			}
			require.NoError(t, err)
			assert.NotEmpty(t, tok.AccessToken)
			assert.Equal(t, 1, srv.Count("/mfa/challenge", ""), "one challenge, for the chosen authenticator")
		})
	}
}
