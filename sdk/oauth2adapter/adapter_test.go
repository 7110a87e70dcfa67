package oauth2adapter_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/oauth2"

	"github.com/ropcgo/ropc/mockserver/mocktest"
	"github.com/ropcgo/ropc/sdk"
	"github.com/ropcgo/ropc/sdk/oauth2adapter"
)

func TestAdapterAgainstMock(t *testing.T) {
	srv := mocktest.New(t)
	c, err := sdk.NewClient(sdk.Config{TokenURL: srv.URL + "/token", ClientID: "client_id", ClientSecret: "client_secret"})
	require.NoError(t, err)
	ctx := context.Background()
	tok, err := c.PasswordToken(ctx, "johndoe", "A3ddj3w", sdk.WithScopes("read"))
	require.NoError(t, err)
	expired := *tok
	expired.Expiry = time.Now().Add(-time.Minute)
	ts := c.TokenSource(&expired)

	src := oauth2adapter.TokenSource(ctx, ts)
	ot, err := src.Token()
	require.NoError(t, err)
	assert.True(t, ot.Valid())
	assert.NotEqual(t, tok.AccessToken, ot.AccessToken, "refreshed through the sdk source")
	assert.Equal(t, ts.Current().AccessToken, ot.AccessToken)
	assert.Equal(t, ts.Current().RefreshToken, ot.RefreshToken)
	assert.Equal(t, "read", ot.Extra("scope"))
	assert.Equal(t, "Bearer", ot.Type())

	// x/oauth2's own client works on top of it.
	resp, err := oauth2.NewClient(ctx, src).Get(srv.URL + "/userinfo")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)
}

func TestAdapterPropagatesSignInAgain(t *testing.T) {
	c, err := sdk.NewClient(sdk.Config{TokenURL: "https://as.example.com/token", ClientID: "id"})
	require.NoError(t, err)
	src := oauth2adapter.TokenSource(context.Background(), c.TokenSource(nil))
	_, err = src.Token()
	require.ErrorIs(t, err, sdk.ErrSignInAgain)
}

func TestConversions(t *testing.T) {
	in := int64(3600)
	exp := time.Now().Add(time.Hour).Round(0)
	tests := []struct {
		name string
		ot   *oauth2.Token
		want *sdk.Token
	}{
		{"bearer lower case", &oauth2.Token{AccessToken: "a", TokenType: "bearer", RefreshToken: "r", Expiry: exp, ExpiresIn: 3600},
			&sdk.Token{AccessToken: "a", TokenType: "Bearer", RefreshToken: "r", Expiry: exp, ExpiresIn: &in}},
		{"empty type means Bearer", &oauth2.Token{AccessToken: "a"}, &sdk.Token{AccessToken: "a", TokenType: "Bearer"}},
		{"scope from extra", (&oauth2.Token{AccessToken: "a", TokenType: "Bearer"}).WithExtra(map[string]any{"scope": "read"}),
			&sdk.Token{AccessToken: "a", TokenType: "Bearer", Scope: "read"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := oauth2adapter.FromOAuth2(tt.ot)
			assert.Equal(t, tt.want, got)
			back := oauth2adapter.ToOAuth2(got)
			assert.Equal(t, tt.ot.AccessToken, back.AccessToken)
			assert.Equal(t, tt.ot.RefreshToken, back.RefreshToken)
			assert.True(t, tt.ot.Expiry.Equal(back.Expiry))
		})
	}
}

// TestAdapterRefusesDPoPTokens: x/oauth2 would send a DPoP-bound token with no proof.
func TestAdapterRefusesDPoPTokens(t *testing.T) {
	srv := mocktest.New(t)
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	c, err := sdk.NewClient(sdk.Config{TokenURL: srv.URL + "/token", ClientID: "public-client", DPoP: key})
	require.NoError(t, err)
	tok, err := c.PasswordToken(context.Background(), "johndoe", "A3ddj3w")
	require.NoError(t, err)
	require.Equal(t, "DPoP", tok.TokenType)
	_, err = oauth2adapter.TokenSource(context.Background(), c.TokenSource(tok)).Token()
	require.ErrorIs(t, err, oauth2adapter.ErrDPoPToken)
}
