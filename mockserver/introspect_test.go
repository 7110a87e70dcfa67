package mockserver

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestIntrospect(t *testing.T) {
	ts := newTestServer(t, nil, Options{})
	m := ts.mustPassword("johndoe", "A3ddj3w")
	at, rt := str(m, "access_token"), str(m, "refresh_token")

	got := ts.introspect(at)
	for _, k := range []string{"active", "scope", "client_id", "username", "token_type", "exp", "iat", "sub", "aud", "iss", "jti"} {
		assert.Contains(t, got, k, "RFC 7662 §2.2 member %s", k)
	}
	assert.Equal(t, "refresh_token", ts.introspect(rt)["token_type"])

	// A public client only sees its own tokens.
	r := ts.do(http.MethodPost, "/introspect", url.Values{"token": {at}, "client_id": {"public-client"}}.Encode(), nil)
	require.Equal(t, http.StatusOK, r.Code)
	assert.JSONEq(t, `{"active":false}`, r.Body)
	pub := ts.do(http.MethodPost, "/token", "grant_type=password&username=johndoe&password=A3ddj3w&client_id=public-client", nil).json(t)
	r = ts.do(http.MethodPost, "/introspect", url.Values{"token": {str(pub, "access_token")}, "client_id": {"public-client"}}.Encode(), nil)
	assert.Equal(t, true, r.json(t)["active"])

	// Removing the client deactivates its tokens.
	require.NoError(t, ts.RemoveClient("public-client"))
	assert.Equal(t, false, ts.introspect(str(pub, "access_token"))["active"])
	assert.Equal(t, false, ts.introspect(str(pub, "refresh_token"))["active"])

	// A used (rotated) refresh token is inactive.
	require.Equal(t, http.StatusOK, ts.refresh(rt).Code)
	assert.Equal(t, false, ts.introspect(rt)["active"])
	assert.Equal(t, "no-store", ts.do(http.MethodPost, "/introspect", "token=x", basicHeader("client_id", "client_secret")).Header.Get("Cache-Control"))
}
