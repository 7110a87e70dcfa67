package mockserver

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	mrand "math/rand/v2"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestAccessTokenExpires(t *testing.T) {
	for _, format := range []string{TokenFormatJWT, TokenFormatOpaque} {
		t.Run(format, func(t *testing.T) {
			cfg := DefaultConfig()
			cfg.TokenFormat = format
			cfg.AccessTokenTTL = Duration(10 * time.Minute)
			ts := newTestServer(t, cfg, Options{})
			// Pinned on a whole second: a ticking clock on a busy machine could cross exp during
			// the "one second before" check.
			ts.Clock().Set(time.Now().Truncate(time.Second))
			m := ts.mustPassword("johndoe", "A3ddj3w")
			assert.Equal(t, float64(600), m["expires_in"])
			at := str(m, "access_token")
			assert.Equal(t, http.StatusOK, ts.userinfo(at).Code)
			ts.Clock().Advance(10*time.Minute - time.Second)
			assert.Equal(t, http.StatusOK, ts.userinfo(at).Code, "still valid one second before exp")
			ts.Clock().Advance(time.Second)
			r := ts.userinfo(at)
			assert.Equal(t, http.StatusUnauthorized, r.Code)
			assert.Contains(t, r.Header.Get("WWW-Authenticate"), `error="invalid_token"`)
			assert.Equal(t, false, ts.introspect(at)["active"])
			// The refresh token outlives the access token.
			assert.Equal(t, http.StatusOK, ts.refresh(str(m, "refresh_token")).Code)
		})
	}
}

// seeded returns a deterministic random stream (deterministic mode).
func seeded() *mrand.ChaCha8 {
	var seed [32]byte
	copy(seed[:], "ropc-mock deterministic test run")
	return mrand.NewChaCha8(seed)
}

func TestDeterministicMode(t *testing.T) {
	at := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	issue := func() (string, map[string]any) {
		key, err := GenerateSigningKey(seeded())
		require.NoError(t, err)
		clock := NewClock()
		clock.Set(at)
		cfg := DefaultConfig()
		cfg.Issuer = "http://127.0.0.1:8080"
		ts := newTestServer(t, cfg, Options{Key: key, Rand: seeded(), Clock: clock})
		r := ts.password("johndoe", "A3ddj3w")
		require.Equal(t, http.StatusOK, r.Code, r.Body)
		return r.Body, r.json(t)
	}
	body1, m := issue()
	body2, _ := issue()
	assert.Equal(t, body1, body2, "seeded Rand + fixed key + pinned clock give byte-identical responses")

	parts := strings.Split(str(m, "access_token"), ".")
	require.Len(t, parts, 3)
	header, err := base64.RawURLEncoding.DecodeString(parts[0])
	require.NoError(t, err)
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	require.NoError(t, err)
	var h, c map[string]any
	require.NoError(t, json.Unmarshal(header, &h))
	require.NoError(t, json.Unmarshal(payload, &c))
	assert.Equal(t, "EdDSA", h["alg"])
	assert.Equal(t, "at+jwt", h["typ"])
	assert.NotEmpty(t, h["kid"])
	assert.Equal(t, map[string]any{
		"iss": "http://127.0.0.1:8080", "sub": "johndoe", "aud": "http://127.0.0.1:8080", "client_id": "client_id",
		"scope": "read write", "iat": float64(at.Unix()), "exp": float64(at.Add(time.Hour).Unix()),
		"jti": c["jti"], "sid": c["sid"],
	}, c)
	assert.Len(t, c["jti"], 22)
	assert.Len(t, c["sid"], 22)
}

func TestECDSAKey(t *testing.T) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	ts := newTestServer(t, nil, Options{Key: key})
	m := ts.mustPassword("johndoe", "A3ddj3w")
	assert.Equal(t, true, ts.introspect(str(m, "access_token"))["active"])
	hdr, _ := base64.RawURLEncoding.DecodeString(strings.Split(str(m, "access_token"), ".")[0])
	assert.Contains(t, string(hdr), `"alg":"ES256"`)
	meta := ts.do(http.MethodGet, "/.well-known/oauth-authorization-server", "", nil)
	assert.Contains(t, meta.Body, `"ES256"`)
}

// FuzzAppendJSON: the hand-written claims encoder equals encoding/json.
func FuzzAppendJSON(f *testing.F) {
	f.Add("http://127.0.0.1:8080", "johndoe", "client_id", "read write", "jti", "sid", int64(1795785066))
	f.Add("h\"t<t>p&", "jöhn\u2028\x00", "c\\", "", "", "", int64(-1))
	f.Fuzz(func(t *testing.T, iss, sub, clientID, scope, jti, sid string, iat int64) {
		c := accessClaims{Iss: iss, Sub: sub, Aud: iss, ClientID: clientID, Scope: scope, Iat: iat, Exp: iat + 3600, Jti: jti, Sid: sid}
		want, err := json.Marshal(c)
		require.NoError(t, err)
		assert.Equal(t, string(want), string(c.appendJSON(nil)))
	})
}
