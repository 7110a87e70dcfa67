package mockserver_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/oauth2"

	"github.com/ropcgo/ropc/mockserver"
)

// TestGolangOAuth2Client: a client no one here wrote gets tokens and
// refreshes from the mock.
func TestGolangOAuth2Client(t *testing.T) {
	srv, err := mockserver.New(mockserver.DefaultConfig(), mockserver.Options{})
	require.NoError(t, err)
	ts := httptest.NewServer(srv)
	defer ts.Close()
	for name, style := range map[string]oauth2.AuthStyle{
		"auto": oauth2.AuthStyleAutoDetect, "header": oauth2.AuthStyleInHeader, "params": oauth2.AuthStyleInParams,
	} {
		t.Run(name, func(t *testing.T) {
			conf := &oauth2.Config{
				ClientID: "client_id", ClientSecret: "client_secret", Scopes: []string{"read"},
				Endpoint: oauth2.Endpoint{TokenURL: ts.URL + "/token", AuthStyle: style},
			}
			ctx := context.WithValue(context.Background(), oauth2.HTTPClient, ts.Client())
			tok, err := conf.PasswordCredentialsToken(ctx, "johndoe", "A3ddj3w")
			require.NoError(t, err)
			assert.Equal(t, "Bearer", tok.TokenType)
			assert.NotEmpty(t, tok.RefreshToken)
			assert.Equal(t, "read", tok.Extra("scope"))
			assert.WithinDuration(t, time.Now().Add(time.Hour), tok.Expiry, time.Minute)

			// Force a refresh through the TokenSource.
			old := *tok
			tok.Expiry = time.Now().Add(-time.Minute)
			fresh, err := conf.TokenSource(ctx, tok).Token()
			require.NoError(t, err)
			assert.NotEqual(t, old.AccessToken, fresh.AccessToken)
			assert.NotEqual(t, old.RefreshToken, fresh.RefreshToken, "rotated")

			// The bearer transport reaches the protected resource.
			hc := conf.Client(ctx, fresh)
			resp, err := hc.Get(ts.URL + "/userinfo")
			require.NoError(t, err)
			resp.Body.Close()
			assert.Equal(t, http.StatusOK, resp.StatusCode)

			_, err = conf.PasswordCredentialsToken(ctx, "johndoe", "wrong")
			var re *oauth2.RetrieveError
			require.ErrorAs(t, err, &re)
			assert.Equal(t, "invalid_grant", re.ErrorCode)
		})
	}
}
