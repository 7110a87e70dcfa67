// Package oauth2adapter connects sdk.TokenSource to golang.org/x/oauth2, for libraries that take
// an oauth2.TokenSource (Google API clients, gRPC credentials). It lives apart so that package sdk
// does not depend on x/oauth2.
package oauth2adapter

import (
	"context"
	"errors"

	"golang.org/x/oauth2"

	"github.com/ropcgo/ropc/sdk"
	"github.com/ropcgo/ropc/sdk/core"
)

// TokenSource returns an oauth2.TokenSource backed by ts. oauth2.TokenSource.Token takes no
// context, so ctx is used for every refresh this adapter triggers; pass a long-lived context
// (cancelling it makes later Token calls fail). The sdk source already caches and refreshes,
// so there is no need to wrap the result in oauth2.ReuseTokenSource.
func TokenSource(ctx context.Context, ts *sdk.TokenSource) oauth2.TokenSource {
	return &source{ctx: ctx, ts: ts}
}

type source struct {
	ctx context.Context
	ts  *sdk.TokenSource
}

func (s *source) Token() (*oauth2.Token, error) {
	t, err := s.ts.Token(s.ctx)
	if err != nil {
		return nil, err
	}
	if core.AuthorizationScheme(t.TokenType) == "DPoP" {
		return nil, ErrDPoPToken
	}
	return ToOAuth2(t), nil
}

// ErrDPoPToken reports a DPoP-bound token (RFC 9449): every request with it needs a fresh
// proof, which x/oauth2's Transport cannot add (golang/oauth2#651), so it would be refused.
// Send such requests with sdk.TokenSource.Client instead.
var ErrDPoPToken = errors.New("ropc: a DPoP-bound token cannot be used through golang.org/x/oauth2 (it sends no DPoP proof); use sdk.TokenSource.Client")

// ToOAuth2 converts a token, keeping the raw response fields for oauth2.Token.Extra.
func ToOAuth2(t *sdk.Token) *oauth2.Token {
	ot := &oauth2.Token{
		AccessToken:  t.AccessToken,
		TokenType:    t.TokenType,
		RefreshToken: t.RefreshToken,
		Expiry:       t.Expiry,
	}
	if t.ExpiresIn != nil {
		ot.ExpiresIn = *t.ExpiresIn
	}
	if t.Raw != nil {
		ot = ot.WithExtra(t.Raw)
	}
	return ot
}

// FromOAuth2 converts an oauth2.Token, e.g. one persisted by an app moving from x/oauth2, so it
// can seed sdk.Client.TokenSource. Extra fields cannot be enumerated and are not carried over.
func FromOAuth2(t *oauth2.Token) *sdk.Token {
	st := &sdk.Token{
		AccessToken:  t.AccessToken,
		TokenType:    t.TokenType,
		RefreshToken: t.RefreshToken,
		Expiry:       t.Expiry,
	}
	// x/oauth2 treats an empty type as Bearer (Token.Type); RFC 6749 §5.1 types are case-insensitive.
	if st.TokenType = core.NormalizeTokenType(st.TokenType); st.TokenType == "" {
		st.TokenType = "Bearer"
	}
	if t.ExpiresIn != 0 {
		v := t.ExpiresIn
		st.ExpiresIn = &v
	}
	if s, ok := t.Extra("scope").(string); ok {
		st.Scope = s
	}
	return st
}
