package mockserver

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRuntimeUsersAndClients(t *testing.T) {
	ts := newTestServer(t, nil, Options{})
	require.NoError(t, ts.AddUser(User{Username: "alice", Password: "wonderland", Claims: map[string]any{"email": "a@example.com"}}))
	m := ts.mustPassword("alice", "wonderland")
	r := ts.userinfo(str(m, "access_token"))
	require.Equal(t, http.StatusOK, r.Code)
	assert.Equal(t, "a@example.com", r.json(t)["email"])

	require.NoError(t, ts.AddUser(User{Username: "alice", Password: "changed"}), "Add replaces")
	assert.Equal(t, http.StatusBadRequest, ts.password("alice", "wonderland").Code)
	ts.mustPassword("alice", "changed")

	require.NoError(t, ts.RemoveUser("alice"))
	assert.Equal(t, http.StatusUnauthorized, ts.userinfo(str(m, "access_token")).Code, "tokens of a removed user stop working")
	assert.Equal(t, false, ts.introspect(str(m, "access_token"))["active"])
	assert.Equal(t, false, ts.introspect(str(m, "refresh_token"))["active"])
	assert.Equal(t, http.StatusBadRequest, ts.refresh(str(m, "refresh_token")).Code)
	assert.ErrorIs(t, ts.RemoveUser("alice"), ErrNotFound)

	err := ts.AddUser(User{Username: "nopass"})
	var ce *ConfigError
	require.ErrorAs(t, err, &ce)
	assert.Contains(t, ce.Key, "password")

	require.NoError(t, ts.AddClient(Client{ClientID: "svc", ClientSecret: "svc-secret", Scopes: []string{"read"}}))
	r = ts.do(http.MethodPost, "/token", "grant_type=password&username=johndoe&password=A3ddj3w", basicHeader("svc", "svc-secret"))
	require.Equal(t, http.StatusOK, r.Code, r.Body)
	assert.Equal(t, "read", r.json(t)["scope"])
	require.NoError(t, ts.RemoveClient("svc"))
	r = ts.do(http.MethodPost, "/token", "grant_type=password&username=johndoe&password=A3ddj3w", basicHeader("svc", "svc-secret"))
	assert.Equal(t, http.StatusUnauthorized, r.Code)
	assert.ErrorIs(t, ts.RemoveClient("svc"), ErrNotFound)
	assert.Len(t, ts.Config().Clients, 2)
}

func TestReloadKeepsTokensResetClears(t *testing.T) {
	ts := newTestServer(t, nil, Options{})
	m := ts.mustPassword("johndoe", "A3ddj3w")
	cfg := DefaultConfig()
	cfg.AccessTokenTTL = Duration(5 * time.Minute)
	require.NoError(t, ts.Reload(cfg))
	assert.Equal(t, http.StatusOK, ts.userinfo(str(m, "access_token")).Code, "issued tokens survive a reload")
	n := ts.mustPassword("johndoe", "A3ddj3w")
	assert.Equal(t, float64(300), n["expires_in"])

	bad := DefaultConfig()
	bad.Clients = nil
	require.Error(t, ts.Reload(bad))
	assert.Equal(t, float64(300), ts.mustPassword("johndoe", "A3ddj3w")["expires_in"], "a bad reload changes nothing")

	ts.Clock().Advance(time.Hour)
	require.NoError(t, ts.AddUser(User{Username: "tmp", Password: "tmp-pass"}))
	require.NoError(t, ts.Reset())
	assert.WithinDuration(t, time.Now(), ts.Clock().Now(), time.Minute, "clock back to real time")
	assert.Equal(t, http.StatusBadRequest, ts.refresh(str(n, "refresh_token")).Code, "store cleared")
	assert.Equal(t, http.StatusBadRequest, ts.password("tmp", "tmp-pass").Code, "runtime users gone")
}
