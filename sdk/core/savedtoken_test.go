package core

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func sampleSaved() *SavedToken {
	secs := int64(3600)
	return &SavedToken{
		Token: &Token{AccessToken: "at", TokenType: "Bearer", RefreshToken: "rt", ExpiresIn: &secs,
			Expiry: time.Unix(1_900_000_000, 0), Scope: "read write", Raw: map[string]any{"id_token": "idt", "other": 1}},
		TokenURL: "https://as.example/token", Issuer: "https://as.example", RevocationURL: "https://as.example/revoke",
		ClientID: "app", AuthMethod: AuthNone, DPoPKey: ecKey.private,
	}
}

func TestSavedTokenRoundTrip(t *testing.T) {
	for _, tc := range []struct {
		name   string
		mutate func(*SavedToken)
	}{
		{"full", func(*SavedToken) {}},
		{"unknown expiry, no refresh token, no key", func(s *SavedToken) {
			s.Token.Expiry, s.Token.ExpiresIn, s.Token.RefreshToken, s.DPoPKey = time.Time{}, nil, "", nil
		}},
		{"issuer only", func(s *SavedToken) { s.TokenURL = "" }},
		{"non-ASCII scope", func(s *SavedToken) { s.Token.Scope = "lire écrire" }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := sampleSaved()
			tc.mutate(in)
			b, err := MarshalSavedToken(in)
			require.NoError(t, err)
			assert.NotContains(t, string(b), "\n", "compact")
			assert.NotContains(t, string(b), "other", "only the fields a session needs")
			out, err := UnmarshalSavedToken(b)
			require.NoError(t, err)
			assert.Equal(t, in.Token.AccessToken, out.Token.AccessToken)
			assert.Equal(t, in.Token.RefreshToken, out.Token.RefreshToken)
			assert.Equal(t, in.Token.TokenType, out.Token.TokenType)
			assert.Equal(t, in.Token.Scope, out.Token.Scope)
			assert.True(t, in.Token.Expiry.Equal(out.Token.Expiry), "expiry %v vs %v", in.Token.Expiry, out.Token.Expiry)
			assert.Equal(t, in.Token.ExpiresIn, out.Token.ExpiresIn)
			assert.Equal(t, in.Token.Raw["id_token"], out.Token.Raw["id_token"])
			assert.Equal(t, in.TokenURL, out.TokenURL)
			assert.Equal(t, in.Issuer, out.Issuer)
			assert.Equal(t, in.RevocationURL, out.RevocationURL)
			assert.Equal(t, in.ClientID, out.ClientID)
			assert.Equal(t, in.AuthMethod, out.AuthMethod)
			assert.Equal(t, string(in.DPoPKey), string(out.DPoPKey))
		})
	}
}

func TestUnmarshalSavedTokenRejects(t *testing.T) {
	for _, tc := range []struct {
		name, in, want string
	}{
		{"not JSON", `hunter2`, "invalid JSON"},
		{"other version", `{"v":2,"access_token":"a","client_id":"c","token_url":"https://a/t"}`, "version 2"},
		{"no access token", `{"v":1,"client_id":"c","token_url":"https://a/t"}`, "no access_token"},
		{"no client", `{"v":1,"access_token":"a","token_url":"https://a/t"}`, "no client_id"},
		{"no server", `{"v":1,"access_token":"a","client_id":"c"}`, "neither token_url nor issuer"},
		{"unknown field", `{"v":1,"access_token":"a","client_id":"c","token_url":"https://a/t","password":"p"}`, `unknown field "password"`},
		{"wrong type", `{"v":1,"access_token":5,"client_id":"c","token_url":"https://a/t"}`, "access_token has the wrong type"},
		{"trailing data", `{"v":1,"access_token":"a","client_id":"c","token_url":"https://a/t"}{}`, "data after its end"},
		{"bad auth method", `{"v":1,"access_token":"a","client_id":"c","token_url":"https://a/t","auth_method":"x"}`, "unknown auth_method"},
		{"bad url", `{"v":1,"access_token":"a","client_id":"c","token_url":"/t"}`, "token_url"},
		{"key not an object", `{"v":1,"access_token":"a","client_id":"c","token_url":"https://a/t","dpop_jwk":"k"}`, "dpop_jwk is not a JSON object"},
		{"not UTF-8", "{\"v\":1,\"access_token\":\"\xff\"}", "not UTF-8"},
		{"too large", `{"v":1,"access_token":"` + strings.Repeat("a", MaxSavedTokenBytes) + `"}`, "over the"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := UnmarshalSavedToken([]byte(tc.in))
			var se *SavedTokenError
			require.ErrorAs(t, err, &se)
			assert.Contains(t, err.Error(), tc.want)
			assert.NotContains(t, err.Error(), "hunter2")
		})
	}
}

func TestBelongsTo(t *testing.T) {
	s := sampleSaved()
	for _, tc := range []struct {
		name                       string
		tokenURL, issuer, clientID string
		want                       string
	}{
		{"same token endpoint", "https://as.example/token", "", "app", ""},
		{"same issuer", "", "https://as.example", "app", ""},
		{"other client", "https://as.example/token", "", "other", `client "app", not "other"`},
		{"other token endpoint", "https://evil.example/token", "", "app", "not https://evil.example/token"},
		{"other issuer", "", "https://evil.example", "app", "not https://evil.example"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := s.BelongsTo(tc.tokenURL, tc.issuer, tc.clientID)
			if tc.want == "" {
				require.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
	s.Issuer = ""
	assert.ErrorContains(t, s.BelongsTo("", "https://as.example", "app"), "cannot tell")
}

func FuzzUnmarshalSavedToken(f *testing.F) {
	b, _ := MarshalSavedToken(sampleSaved())
	f.Add(b)
	f.Add([]byte(`{"v":1}`))
	f.Add([]byte(`{"v":1,"access_token":"a","client_id":"c","issuer":"https://a","expires_at":-1}`))
	f.Fuzz(func(t *testing.T, in []byte) {
		s, err := UnmarshalSavedToken(in)
		if err != nil {
			return
		}
		// Whatever decodes re-encodes, and decodes to the same token.
		out, err := MarshalSavedToken(s)
		require.NoError(t, err)
		s2, err := UnmarshalSavedToken(out)
		require.NoError(t, err)
		require.Equal(t, s.Token.AccessToken, s2.Token.AccessToken)
		require.True(t, s.Token.Expiry.Equal(s2.Token.Expiry))
	})
}
