package sdk_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ropcgo/ropc/mockserver/mocktest"
	"github.com/ropcgo/ropc/sdk"
)

// TestQuirkTokenSourceRefreshesOnceUnderConcurrency: 32 callers of an expired
// token cause exactly one refresh at the mock (rotating refresh tokens are
// single-use, so a second refresh would sign the user out).
func TestQuirkTokenSourceRefreshesOnceUnderConcurrency(t *testing.T) {
	srv := mocktest.New(t)
	c := newQuirkClient(t, srv)
	tok, err := c.PasswordToken(context.Background(), srv.Username, srv.Password)
	require.NoError(t, err)
	ts := c.TokenSource(tok)

	// Widen the race window: the refresh takes 200ms at the mock.
	srv.Fault(mocktest.Rule{Match: mocktest.Match{GrantType: "refresh_token"}, Delay: mocktest.Duration(200 * time.Millisecond)})
	srv.Advance(2 * time.Hour) // the mock's and the SDK's clock: the access token is expired

	const callers = 32
	got := make([]string, callers)
	errs := make([]error, callers)
	var wg sync.WaitGroup
	for i := range callers {
		wg.Go(func() {
			t, err := ts.Token(context.Background())
			errs[i] = err
			if err == nil {
				got[i] = t.AccessToken
			}
		})
	}
	wg.Wait()
	for i := range callers {
		require.NoError(t, errs[i])
		assert.Equal(t, got[0], got[i], "every caller gets the one new token")
	}
	assert.NotEqual(t, tok.AccessToken, got[0])
	assert.Equal(t, 1, srv.Count("/token", "refresh_token"), "one refresh in the journal")
	assert.Equal(t, 1, srv.Count("/token", "password"))
	for _, e := range srv.Requests() {
		assert.Equal(t, 200, e.Status, "%+v", e)
	}

	// Fresh again: no further request.
	_, err = ts.Token(context.Background())
	require.NoError(t, err)
	assert.Equal(t, 1, srv.Count("/token", "refresh_token"))
}

// TestQuirkNothingResendsThePassword: after each kind of failure of the
// password grant, the journal shows exactly one password request.
func TestQuirkNothingResendsThePassword(t *testing.T) {
	tests := []struct {
		name  string
		rule  mocktest.Rule
		check func(t *testing.T, err error)
	}{
		{"503 with Retry-After", mocktest.Rule{Status: 503, Error: "temporarily_unavailable", RetryAfter: 1}, func(t *testing.T, err error) {
			var oe *sdk.OAuthError
			require.ErrorAs(t, err, &oe)
			assert.Equal(t, "temporarily_unavailable", oe.Code)
			assert.Equal(t, 503, oe.Status)
		}},
		{"500", mocktest.Rule{Status: 500}, func(t *testing.T, err error) {
			var oe *sdk.OAuthError
			require.ErrorAs(t, err, &oe)
			assert.Equal(t, "server_error", oe.Code)
		}},
		{"401 invalid_client", mocktest.Rule{Status: 401}, func(t *testing.T, err error) {
			var oe *sdk.OAuthError
			require.ErrorAs(t, err, &oe, "no second try with client_secret_post")
			assert.Equal(t, "invalid_client", oe.Code)
		}},
		{"html 502", mocktest.Rule{Quirk: mocktest.QuirkHTMLError}, func(t *testing.T, err error) {
			var he *sdk.HTTPError
			require.ErrorAs(t, err, &he)
		}},
		{"slow then 503", mocktest.Rule{Delay: mocktest.Duration(100 * time.Millisecond), Status: 503}, func(t *testing.T, err error) {
			require.Error(t, err)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := mocktest.New(t)
			rule := tt.rule
			rule.Match = mocktest.Match{GrantType: "password"}
			rule.Times = 1
			srv.Fault(rule)
			c := newQuirkClient(t, srv)
			tok, err := c.PasswordToken(context.Background(), srv.Username, srv.Password)
			assert.Nil(t, tok)
			tt.check(t, err)
			assert.NotContains(t, err.Error(), srv.Password)
			assert.Equal(t, 1, srv.Count("/token", "password"), "one password grant: nothing retried")

			// The fault was times:1: the caller's own retry succeeds.
			_, err = c.PasswordToken(context.Background(), srv.Username, srv.Password)
			require.NoError(t, err)
			assert.Equal(t, 2, srv.Count("/token", "password"))
		})
	}
}

// TestQuirkSignInAgain: a refresh token the server rejects ends in
// ErrSignInAgain, with the OAuth error kept for errors.As.
func TestQuirkSignInAgain(t *testing.T) {
	tests := []struct {
		name  string
		spoil func(t *testing.T, srv *mocktest.Server, c *sdk.Client, tok *sdk.Token)
	}{
		{"revoked refresh token (RFC 7009)", func(t *testing.T, _ *mocktest.Server, c *sdk.Client, tok *sdk.Token) {
			require.NoError(t, c.Revoke(context.Background(), tok.RefreshToken, "refresh_token"))
		}},
		{"refresh token expired", func(t *testing.T, srv *mocktest.Server, _ *sdk.Client, _ *sdk.Token) {
			srv.Advance(721 * time.Hour) // past the 720h default refresh TTL
		}},
		{"user removed", func(t *testing.T, srv *mocktest.Server, _ *sdk.Client, _ *sdk.Token) {
			srv.RemoveUser(srv.Username)
		}},
		{"invalid_grant with 401", func(t *testing.T, srv *mocktest.Server, _ *sdk.Client, _ *sdk.Token) {
			srv.Fault(mocktest.Rule{Quirk: mocktest.QuirkInvalidGrant401, Match: mocktest.Match{GrantType: "refresh_token"}})
		}},
		{"invalid_grant with 200", func(t *testing.T, srv *mocktest.Server, _ *sdk.Client, _ *sdk.Token) {
			srv.Fault(mocktest.Rule{Quirk: mocktest.QuirkErrorWith200, Match: mocktest.Match{GrantType: "refresh_token"}})
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := mocktest.New(t)
			c := newQuirkClient(t, srv)
			tok, err := c.PasswordToken(context.Background(), srv.Username, srv.Password)
			require.NoError(t, err)
			ts := c.TokenSource(tok)
			tt.spoil(t, srv, c, tok)
			srv.Advance(2 * time.Hour)

			_, err = ts.Token(context.Background())
			require.ErrorIs(t, err, sdk.ErrSignInAgain)
			var oe *sdk.OAuthError
			require.ErrorAs(t, err, &oe)
			assert.Equal(t, "invalid_grant", oe.Code)
			assert.NotContains(t, err.Error(), tok.RefreshToken)
			assert.Equal(t, 1, srv.Count("/token", "refresh_token"), "one refresh attempt")
			assert.Equal(t, 1, srv.Count("/token", "password"), "the token source never has the password")
		})
	}
}

// TestQuirkTransientRefreshFailureIsNotSignInAgain: a 503 on refresh is a
// temporary failure; the refresh token stays and a later call succeeds.
func TestQuirkTransientRefreshFailureIsNotSignInAgain(t *testing.T) {
	srv := mocktest.New(t)
	c := newQuirkClient(t, srv)
	tok, err := c.PasswordToken(context.Background(), srv.Username, srv.Password)
	require.NoError(t, err)
	ts := c.TokenSource(tok)
	srv.Fault(mocktest.Rule{Match: mocktest.Match{GrantType: "refresh_token"}, Times: 1, Status: 503, RetryAfter: 1})
	srv.Advance(2 * time.Hour)

	_, err = ts.Token(context.Background())
	require.Error(t, err)
	assert.False(t, errors.Is(err, sdk.ErrSignInAgain), "a 503 does not sign the user out: %v", err)

	next, err := ts.Token(context.Background())
	require.NoError(t, err)
	assert.NotEqual(t, tok.AccessToken, next.AccessToken)
	assert.Equal(t, 2, srv.Count("/token", "refresh_token"))
}

// TestQuirkReadmeExample is the README's Go snippet, kept compiling and true.
func TestQuirkReadmeExample(t *testing.T) {
	ctx := context.Background()
	srv := mocktest.New(t) // mock + admin API on a random 127.0.0.1 port, closed by t.Cleanup
	c, _ := sdk.NewClient(sdk.Config{TokenURL: srv.TokenURL, ClientID: srv.ClientID, ClientSecret: srv.ClientSecret, Now: srv.Now})
	srv.Fault(mocktest.Rule{Match: mocktest.Match{GrantType: "password"}, Times: 1, Status: 503})
	_, err := c.PasswordToken(ctx, srv.Username, srv.Password) // *sdk.OAuthError "temporarily_unavailable", sent once
	srv.Advance(time.Hour)                                     // expire tokens without sleeping; srv.Requests() is the journal

	var oe *sdk.OAuthError
	require.ErrorAs(t, err, &oe)
	assert.Equal(t, "temporarily_unavailable", oe.Code)
	assert.Equal(t, 1, srv.Count("/token", "password"))
	assert.WithinDuration(t, time.Now().Add(time.Hour), srv.Now(), time.Minute)
}
