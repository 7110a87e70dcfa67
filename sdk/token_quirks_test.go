package sdk_test

import (
	"context"
	"errors"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ropcgo/ropc/mockserver/mocktest"
	"github.com/ropcgo/ropc/sdk"
)

// newQuirkClient is an SDK client for srv whose clock is the mock's, so moving
// the mock's clock also ages the SDK's tokens.
func newQuirkClient(t *testing.T, srv *mocktest.Server, mutate ...func(*sdk.Config)) *sdk.Client {
	t.Helper()
	cfg := sdk.Config{
		TokenURL:         srv.TokenURL,
		RevocationURL:    srv.URL + "/revoke",
		IntrospectionURL: srv.URL + "/introspect",
		ClientID:         srv.ClientID,
		ClientSecret:     srv.ClientSecret,
		Now:              srv.Now,
	}
	for _, m := range mutate {
		m(&cfg)
	}
	c, err := sdk.NewClient(cfg)
	require.NoError(t, err)
	return c
}

// TestQuirkPasswordGrant runs the password grant against each quirk of the
// mock and checks the SDK's behaviour: lenient parse, typed error, refused
// redirect, size limit. Each quirk also proves the SDK sent one request only.
func TestQuirkPasswordGrant(t *testing.T) {
	tests := []struct {
		quirk    mocktest.Quirk
		location bool // redirect to the mock's own token endpoint
		check    func(t *testing.T, srv *mocktest.Server, tok *sdk.Token, err error)
	}{
		{mocktest.QuirkExpiresInString, false, func(t *testing.T, srv *mocktest.Server, tok *sdk.Token, err error) {
			require.NoError(t, err, "PayPal/Azure AD send expires_in as a string")
			require.NotNil(t, tok.ExpiresIn)
			assert.EqualValues(t, 3600, *tok.ExpiresIn)
			assert.WithinDuration(t, srv.Now().Add(time.Hour), tok.Expiry, 5*time.Second)
		}},
		{mocktest.QuirkExpiresInMissing, false, func(t *testing.T, _ *mocktest.Server, tok *sdk.Token, err error) {
			require.NoError(t, err)
			assert.Nil(t, tok.ExpiresIn, "missing means unknown, not zero")
			assert.True(t, tok.Expiry.IsZero())
			assert.False(t, tok.ExpiryKnown())
			assert.NotEmpty(t, tok.AccessToken)
		}},
		{mocktest.QuirkTokenTypeMissing, false, func(t *testing.T, _ *mocktest.Server, tok *sdk.Token, err error) {
			require.NoError(t, err, "LinkedIn omits token_type")
			assert.Empty(t, tok.TokenType)
			assert.NotEmpty(t, tok.AccessToken)
		}},
		{mocktest.QuirkTokenTypeLowercase, false, func(t *testing.T, _ *mocktest.Server, tok *sdk.Token, err error) {
			require.NoError(t, err)
			assert.Equal(t, "Bearer", tok.TokenType, "RFC 6749 §5.1: token_type is case-insensitive")
		}},
		{mocktest.QuirkFormEncoded, false, func(t *testing.T, _ *mocktest.Server, tok *sdk.Token, err error) {
			require.NoError(t, err)
			assert.NotEmpty(t, tok.AccessToken)
			assert.NotEmpty(t, tok.RefreshToken)
			assert.Equal(t, "Bearer", tok.TokenType)
			require.NotNil(t, tok.ExpiresIn)
			assert.EqualValues(t, 3600, *tok.ExpiresIn)
		}},
		{mocktest.QuirkErrorWith200, false, func(t *testing.T, _ *mocktest.Server, tok *sdk.Token, err error) {
			assert.Nil(t, tok)
			var oe *sdk.OAuthError
			require.ErrorAs(t, err, &oe, "an error body is an error whatever the status")
			assert.Equal(t, "invalid_grant", oe.Code)
		}},
		{mocktest.QuirkInvalidGrant401, false, func(t *testing.T, _ *mocktest.Server, tok *sdk.Token, err error) {
			assert.Nil(t, tok)
			var oe *sdk.OAuthError
			require.ErrorAs(t, err, &oe)
			assert.Equal(t, "invalid_grant", oe.Code, "the code wins over the 401 status")
			assert.Equal(t, http.StatusUnauthorized, oe.Status)
		}},
		{mocktest.QuirkHTMLError, false, func(t *testing.T, _ *mocktest.Server, tok *sdk.Token, err error) {
			assert.Nil(t, tok)
			var he *sdk.HTTPError
			require.ErrorAs(t, err, &he, "a proxy's HTML page is not an OAuth error")
			assert.Equal(t, http.StatusBadGateway, he.Status)
			assert.Contains(t, he.ContentType, "text/html")
		}},
		{mocktest.QuirkMalformedJSON, false, func(t *testing.T, _ *mocktest.Server, tok *sdk.Token, err error) {
			assert.Nil(t, tok)
			var pe *sdk.ProtocolError
			require.ErrorAs(t, err, &pe)
		}},
		{mocktest.QuirkNoRefreshToken, false, func(t *testing.T, _ *mocktest.Server, tok *sdk.Token, err error) {
			require.NoError(t, err, "RFC 6749 §5.1: refresh_token is OPTIONAL")
			assert.Empty(t, tok.RefreshToken)
			assert.NotEmpty(t, tok.AccessToken)
		}},
		{mocktest.QuirkRedirect, true, func(t *testing.T, srv *mocktest.Server, tok *sdk.Token, err error) {
			assert.Nil(t, tok)
			var re *sdk.RedirectError
			require.ErrorAs(t, err, &re, "a 307 would re-POST the password")
			assert.Equal(t, http.StatusTemporaryRedirect, re.Status)
			assert.Equal(t, srv.TokenURL, re.Location)
		}},
		{mocktest.QuirkOversized, false, func(t *testing.T, _ *mocktest.Server, tok *sdk.Token, err error) {
			assert.Nil(t, tok)
			var tl *sdk.ResponseTooLargeError
			require.ErrorAs(t, err, &tl, "rejected, not truncated")
			assert.EqualValues(t, sdk.DefaultMaxResponseBytes, tl.Limit)
		}},
	}
	for _, tt := range tests {
		t.Run(string(tt.quirk), func(t *testing.T) {
			srv := mocktest.New(t)
			rule := mocktest.Rule{Quirk: tt.quirk, Match: mocktest.Match{GrantType: "password"}}
			if tt.location {
				rule.Location = srv.TokenURL
			}
			srv.Fault(rule)
			c := newQuirkClient(t, srv)
			tok, err := c.PasswordToken(context.Background(), srv.Username, srv.Password)
			tt.check(t, srv, tok, err)
			if err != nil {
				assert.NotContains(t, err.Error(), srv.Password)
				assert.NotContains(t, err.Error(), srv.ClientSecret)
			}
			// The journal records a request on arrival, so it is there even when
			// the SDK gave up reading the answer ("oversized").
			assert.Equal(t, 1, srv.Count("/token", "password"), "sent once: no retry, no redirect followed")
			assert.Equal(t, 1, srv.Count("", ""), "nothing else sent")
		})
	}
}

// TestQuirkHangTimesOut: a server that never answers costs the caller its
// timeout, not forever, and the password is not sent again.
func TestQuirkHangTimesOut(t *testing.T) {
	t.Run("Config.Timeout", func(t *testing.T) {
		srv := mocktest.New(t)
		srv.Fault(mocktest.Rule{Quirk: mocktest.QuirkHang})
		c := newQuirkClient(t, srv, func(cfg *sdk.Config) { cfg.Timeout = 300 * time.Millisecond })
		start := time.Now()
		tok, err := c.PasswordToken(context.Background(), srv.Username, srv.Password)
		assert.Nil(t, tok)
		require.Error(t, err)
		var ne net.Error
		assert.True(t, errors.As(err, &ne) && ne.Timeout() || errors.Is(err, context.DeadlineExceeded), "a timeout: %v", err)
		assert.Less(t, time.Since(start), 10*time.Second)
		assert.NotContains(t, err.Error(), srv.Password)
		require.Eventually(t, func() bool { return srv.Count("/token", "password") == 1 }, 5*time.Second, 10*time.Millisecond)
	})
	t.Run("context deadline", func(t *testing.T) {
		srv := mocktest.New(t)
		srv.Fault(mocktest.Rule{Quirk: mocktest.QuirkHang})
		c := newQuirkClient(t, srv)
		ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
		defer cancel()
		_, err := c.PasswordToken(ctx, srv.Username, srv.Password)
		require.ErrorIs(t, err, context.DeadlineExceeded)
	})
}

// TestQuirkSmallerLimit: the size limit is the caller's, and a body within it parses.
func TestQuirkSmallerLimit(t *testing.T) {
	srv := mocktest.New(t)
	c := newQuirkClient(t, srv, func(cfg *sdk.Config) { cfg.MaxResponseBytes = 64 })
	_, err := c.PasswordToken(context.Background(), srv.Username, srv.Password)
	var tl *sdk.ResponseTooLargeError
	require.ErrorAs(t, err, &tl, "a real token answer is over 64 bytes")
	assert.EqualValues(t, 64, tl.Limit)

	c = newQuirkClient(t, srv, func(cfg *sdk.Config) { cfg.MaxResponseBytes = 64 << 10 })
	_, err = c.PasswordToken(context.Background(), srv.Username, srv.Password)
	require.NoError(t, err)
}

// TestQuirkRefreshGrant: the quirks that change a refresh answer.
func TestQuirkRefreshGrant(t *testing.T) {
	t.Run("no_refresh_token keeps the old one", func(t *testing.T) {
		srv := mocktest.New(t)
		c := newQuirkClient(t, srv)
		tok, err := c.PasswordToken(context.Background(), srv.Username, srv.Password)
		require.NoError(t, err)
		srv.Fault(mocktest.Rule{Quirk: mocktest.QuirkNoRefreshToken, Match: mocktest.Match{GrantType: "refresh_token"}})
		next, err := c.Refresh(context.Background(), tok.RefreshToken)
		require.NoError(t, err)
		assert.NotEqual(t, tok.AccessToken, next.AccessToken)
		assert.Equal(t, tok.RefreshToken, next.RefreshToken, "RFC 6749 §6: the server MAY issue a new one; else keep the old")
	})
	t.Run("expires_in_string on refresh", func(t *testing.T) {
		srv := mocktest.New(t)
		c := newQuirkClient(t, srv)
		tok, err := c.PasswordToken(context.Background(), srv.Username, srv.Password)
		require.NoError(t, err)
		srv.Fault(mocktest.Rule{Quirk: mocktest.QuirkExpiresInString, Match: mocktest.Match{GrantType: "refresh_token"}})
		next, err := c.Refresh(context.Background(), tok.RefreshToken)
		require.NoError(t, err)
		require.NotNil(t, next.ExpiresIn)
		assert.EqualValues(t, 3600, *next.ExpiresIn)
	})
}
