package mockserver

import (
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A grant's first refresh token is self-contained: the store holds nothing
// for it until it is used, and it works like a stored one.
func TestFirstRefreshTokenIsNotStored(t *testing.T) {
	ts := newTestServer(t, nil, Options{})
	first := str(ts.mustPassword("johndoe", "A3ddj3w"), "refresh_token")
	m := ts.Store().(*memoryStore)
	m.mu.Lock()
	held := len(m.refresh)
	m.mu.Unlock()
	assert.Zero(t, held, "a password grant writes no refresh token")
	_, err := m.GetRefreshToken(context.Background(), TokenHash(first))
	require.ErrorIs(t, err, ErrNotFound)

	assert.Equal(t, true, ts.introspect(first)["active"])
	r := ts.refresh(first)
	require.Equal(t, http.StatusOK, r.Code, r.Body)
	second := str(r.json(t), "refresh_token")
	assert.Equal(t, false, ts.introspect(first)["active"], "a used first token is inactive")
	assert.Equal(t, true, ts.introspect(second)["active"])
	_, err = m.GetRefreshToken(context.Background(), TokenHash(second))
	require.NoError(t, err, "the rotated token is stored")
}

// RFC 9700 §4.14.2: presenting the first token again after its rotation
// ends the family, the rotated token included.
func TestFirstRefreshTokenReuseEndsTheFamily(t *testing.T) {
	ts := newTestServer(t, nil, Options{})
	first := str(ts.mustPassword("johndoe", "A3ddj3w"), "refresh_token")
	second := str(ts.refresh(first).json(t), "refresh_token")
	r := ts.refresh(first)
	assert.Equal(t, http.StatusBadRequest, r.Code)
	assert.Contains(t, r.Body, "already used")
	assert.Equal(t, http.StatusBadRequest, ts.refresh(second).Code, "the family has ended")
}

func TestFirstRefreshTokenRefusesForgeries(t *testing.T) {
	ts := newTestServer(t, nil, Options{})
	first := str(ts.mustPassword("johndoe", "A3ddj3w"), "refresh_token")
	raw, err := base64.RawURLEncoding.DecodeString(first)
	require.NoError(t, err)
	for i := range raw {
		bad := append([]byte(nil), raw...)
		bad[i] ^= 0x01
		r := ts.refresh(base64.RawURLEncoding.EncodeToString(bad))
		require.Equal(t, http.StatusBadRequest, r.Code, "byte %d changed", i)
		assert.Equal(t, "invalid_grant", r.json(t)["error"])
	}
	r := ts.refresh(base64.RawURLEncoding.EncodeToString(raw[:len(raw)-1]))
	assert.Equal(t, http.StatusBadRequest, r.Code, "truncated")

	// Another key, same config and epoch: not accepted.
	_, other, err := ed25519.GenerateKey(nil)
	require.NoError(t, err)
	ts2 := newTestServer(t, nil, Options{Key: other})
	ts2.refreshEpoch.Store(ts.refreshEpoch.Load())
	assert.Equal(t, http.StatusBadRequest, ts2.refresh(first).Code)
	assert.Equal(t, http.StatusOK, ts.refresh(first).Code, "the issuer still takes it")
}

// Reset forgets every grant: the first tokens, never stored, too.
func TestResetEndsFirstRefreshTokens(t *testing.T) {
	ts := newTestServer(t, nil, Options{})
	first := str(ts.mustPassword("johndoe", "A3ddj3w"), "refresh_token")
	require.NoError(t, ts.Reset())
	assert.Equal(t, http.StatusBadRequest, ts.refresh(first).Code)
	after := str(ts.mustPassword("johndoe", "A3ddj3w"), "refresh_token")
	assert.Equal(t, http.StatusOK, ts.refresh(after).Code)
}

// A shared or persistent store keeps every refresh token, the first
// included, so another instance (a restart, another Workers isolate) takes
// it, and a Reset of one ends it for all.
func TestFirstRefreshTokenAcrossInstancesOfOneStore(t *testing.T) {
	_, key, err := ed25519.GenerateKey(nil)
	require.NoError(t, err)
	shared := sharedStore{NewMemoryStore()} // not the in-memory type: counts as shared
	a := newTestServer(t, nil, Options{Key: key, Store: shared})
	b := newTestServer(t, nil, Options{Key: key, Store: shared})
	first := str(a.mustPassword("johndoe", "A3ddj3w"), "refresh_token")
	_, err = shared.GetRefreshToken(context.Background(), TokenHash(first))
	require.NoError(t, err, "stored")
	r := b.refresh(first)
	require.Equal(t, http.StatusOK, r.Code, r.Body)
	assert.Equal(t, http.StatusBadRequest, a.refresh(first).Code, "used in the shared store: reuse")

	first = str(a.mustPassword("johndoe", "A3ddj3w"), "refresh_token")
	require.NoError(t, b.Reset())
	assert.Equal(t, http.StatusBadRequest, a.refresh(first).Code, "the Reset of one instance ends it for all")
}

type sharedStore struct{ Store }

// Revoking the first token (RFC 7009 §2.1) ends its grant, access tokens
// included.
func TestRevokeFirstRefreshToken(t *testing.T) {
	ts := newTestServer(t, nil, Options{})
	tok := ts.mustPassword("johndoe", "A3ddj3w")
	first, access := str(tok, "refresh_token"), str(tok, "access_token")
	r := ts.do(http.MethodPost, "/revoke", "token="+first, basicHeader("client_id", "client_secret"))
	require.Equal(t, http.StatusOK, r.Code, r.Body)
	assert.Equal(t, http.StatusBadRequest, ts.refresh(first).Code)
	assert.Equal(t, false, ts.introspect(access)["active"], "the grant's access token is revoked too")
}

func FuzzParseRefreshToken(f *testing.F) {
	s, err := New(nil, Options{})
	if err != nil {
		f.Fatal(err)
	}
	st := s.state.Load()
	epoch := s.refreshEpoch.Load()
	f.Add(st.mintRefreshToken(epoch, RefreshToken{Family: "fam", ClientID: "c", Subject: "u", Scope: "read"}))
	f.Add("")
	f.Add("UkFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFB")
	f.Fuzz(func(t *testing.T, tok string) {
		rt, ok := st.parseRefreshToken(epoch, tok)
		if !ok {
			return
		}
		// Only the server's own tokens parse, and they round-trip.
		if again := st.mintRefreshToken(epoch, rt); again != tok {
			t.Fatalf("parsed a token that does not round-trip: %q", tok)
		}
	})
}
