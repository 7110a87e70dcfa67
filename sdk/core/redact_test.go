package core_test

import (
	"fmt"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ropcgo/ropc/sdk/core"
)

const (
	secretClient   = "Cl1entS3cretValue"
	secretPassword = "Pa55wordValue"
	secretAccess   = "AccessTok3nValue"
	secretRefresh  = "RefreshTok3nValue"
)

var formatVerbs = []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d", "%T %v"}

// assertNoSecrets formats v with every verb, as a value, a pointer and inside
// a struct, and checks that no secret (nor its hex form) appears.
func assertNoSecrets(t *testing.T, v any, ptr any) {
	t.Helper()
	wrapped := struct{ Inner any }{v}
	for _, verb := range formatVerbs {
		for _, x := range []any{v, ptr, wrapped, []any{v}} {
			out := fmt.Sprintf(verb, x)
			for _, s := range []string{secretClient, secretPassword, secretAccess, secretRefresh,
				fmt.Sprintf("%x", secretClient), fmt.Sprintf("%x", secretPassword), fmt.Sprintf("%x", secretAccess),
				url.QueryEscape(secretPassword)} {
				assert.NotContains(t, out, s, "verb %s leaked a secret: %s", verb, out)
			}
		}
	}
}

func TestClientAuthRedacts(t *testing.T) {
	a := core.ClientAuth{ClientID: "client_id", ClientSecret: secretClient}
	assertNoSecrets(t, a, &a)
	assert.Contains(t, fmt.Sprint(a), "client_id", "the client id is not a secret and helps debugging")
}

func TestRequestRedacts(t *testing.T) {
	for _, m := range []core.AuthMethod{core.AuthClientSecretBasic, core.AuthClientSecretPost} {
		req, err := core.NewPasswordRequest("https://as.example/token?tenant=x",
			core.ClientAuth{ClientID: "client_id", ClientSecret: secretClient, Method: m},
			core.PasswordParams{Username: "johndoe", Password: secretPassword, Scopes: []string{"read"}})
		require.NoError(t, err)
		assertNoSecrets(t, *req, req)
		out := fmt.Sprint(req)
		assert.Contains(t, out, "grant_type=password")
		assert.NotContains(t, out, "johndoe", "usernames are personal data")
	}
	req, err := core.NewRefreshRequest("https://as.example/token", core.ClientAuth{ClientID: "c", Method: core.AuthNone},
		core.RefreshParams{RefreshToken: secretRefresh})
	require.NoError(t, err)
	assertNoSecrets(t, *req, req)
}

func TestTokenRedacts(t *testing.T) {
	tok, err := core.ParseTokenResponse(core.Response{Status: 200, ContentType: "application/json",
		Body: []byte(`{"access_token":"` + secretAccess + `","refresh_token":"` + secretRefresh + `","token_type":"bearer","expires_in":60,"scope":"read"}`)},
		time.Unix(1700000000, 0))
	require.NoError(t, err)
	assertNoSecrets(t, *tok, tok)
	out := fmt.Sprint(tok)
	assert.Contains(t, out, "Bearer")
	assert.Contains(t, out, "2023-11-14T22:14:20Z")
	var nilTok *core.Token
	assert.NotPanics(t, func() { _ = fmt.Sprint(nilTok) })
}

func TestParamsRedact(t *testing.T) {
	pp := core.PasswordParams{Username: "johndoe", Password: secretPassword, Scopes: []string{"read"},
		Extra: url.Values{"assertion": {secretAccess}}}
	assertNoSecrets(t, pp, &pp)
	out := fmt.Sprint(pp)
	assert.Contains(t, out, "assertion", "extension parameter names help debugging")
	assert.NotContains(t, out, "johndoe", "usernames are personal data")

	rp := core.RefreshParams{RefreshToken: secretRefresh, Extra: url.Values{"resource": {secretClient}}}
	assertNoSecrets(t, rp, &rp)
	assert.Contains(t, fmt.Sprint(rp), "resource")
}
