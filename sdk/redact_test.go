package sdk

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Every value of this package that holds a secret, printed with every verb, alone, behind a
// pointer and inside other values: fmt walks unexported fields without calling their methods,
// so each holder must format itself.
func TestNoVerbPrintsASecret(t *testing.T) {
	const secret, access, refresh = "Cl1entS3cret", "Acc3ssTok", "R3freshTok"
	cfg := Config{TokenURL: "https://as.example/token", ClientID: "cid", ClientSecret: secret, HTTPClient: &http.Client{}}
	c, err := NewClient(cfg)
	require.NoError(t, err)
	tok := &Token{AccessToken: access, RefreshToken: refresh, TokenType: "Bearer", Expiry: time.Now().Add(time.Hour),
		Raw: map[string]any{"access_token": access}}
	ts := c.TokenSource(tok)
	empty := c.TokenSource(nil)
	tr := &Transport{Source: ts}
	values := []any{cfg, &cfg, c, *tok, tok, ts, empty, tr, *tr, ts.Client(nil),
		struct {
			C  *Client
			TS *TokenSource
			T  Token
		}{c, ts, *tok}}
	for _, v := range values {
		for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d"} {
			out := fmt.Sprintf(verb, v)
			for _, s := range []string{secret, access, refresh} {
				assert.NotContains(t, out, s, "%T %s", v, verb)
				assert.NotContains(t, out, fmt.Sprintf("%x", s), "%T %s", v, verb)
				assert.NotContains(t, out, fmt.Sprintf("%X", s), "%T %s", v, verb)
			}
		}
	}
	assert.Contains(t, fmt.Sprint(ts), "cid", "the client id is not secret and helps debugging")
	assert.Contains(t, fmt.Sprint(empty), "no token")
}
