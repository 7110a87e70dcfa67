package sdk_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ropcgo/ropc/mockserver/mocktest"
	"github.com/ropcgo/ropc/sdk"
	"github.com/ropcgo/ropc/sdk/tokenfile"
)

// storeEnv is the real mock and a real file store; the client's clock follows the mock's, so
// Advance expires tokens on both sides.
type storeEnv struct {
	srv   *mocktest.Server
	store *tokenfile.Store
}

func newStoreEnv(t *testing.T) *storeEnv {
	t.Helper()
	st, err := tokenfile.Open(filepath.Join(t.TempDir(), "tokens"))
	require.NoError(t, err)
	return &storeEnv{srv: mocktest.New(t), store: st}
}

func (e *storeEnv) client(t *testing.T, mutate ...func(*sdk.Config)) *sdk.Client {
	t.Helper()
	cfg := sdk.Config{TokenURL: e.srv.TokenURL, ClientID: e.srv.ClientID, ClientSecret: e.srv.ClientSecret, Now: e.srv.Now}
	for _, m := range mutate {
		m(&cfg)
	}
	c, err := sdk.NewClient(cfg)
	require.NoError(t, err)
	return c
}

func (e *storeEnv) signIn(t *testing.T, c *sdk.Client) *sdk.Token {
	t.Helper()
	tok, err := c.PasswordToken(context.Background(), e.srv.Username, e.srv.Password)
	require.NoError(t, err)
	require.NotEmpty(t, tok.RefreshToken)
	return tok
}

func TestWithStoreSavesEveryChange(t *testing.T) {
	e := newStoreEnv(t)
	ctx := context.Background()
	c := e.client(t)
	tok := e.signIn(t, c)
	ts := c.TokenSource(tok, sdk.WithStore(e.store, "work"))
	require.NoError(t, ts.Save(ctx))
	saved, err := e.store.Load(ctx, "work")
	require.NoError(t, err)
	assert.Equal(t, tok.AccessToken, saved.Token.AccessToken)
	assert.Equal(t, e.srv.TokenURL, saved.TokenURL)
	assert.Equal(t, e.srv.ClientID, saved.ClientID)

	e.srv.Advance(2 * time.Hour) // the access token has expired
	fresh, err := ts.Token(ctx)
	require.NoError(t, err)
	require.NotEqual(t, tok.AccessToken, fresh.AccessToken)
	saved, err = e.store.Load(ctx, "work")
	require.NoError(t, err)
	assert.Equal(t, fresh.AccessToken, saved.Token.AccessToken, "the refreshed token is saved")
	assert.Equal(t, fresh.RefreshToken, saved.Token.RefreshToken, "with the rotated refresh token")
	assert.NotEqual(t, tok.RefreshToken, saved.Token.RefreshToken)
}

func TestLoadTokenSourceResumes(t *testing.T) {
	e := newStoreEnv(t)
	ctx := context.Background()
	first := e.client(t)
	require.NoError(t, first.TokenSource(e.signIn(t, first), sdk.WithStore(e.store, "work")).Save(ctx))

	// A new client, as in a new process.
	ts, err := sdk.LoadTokenSource(ctx, e.client(t), e.store, "work")
	require.NoError(t, err)
	_, err = ts.Token(ctx)
	require.NoError(t, err)
	assert.Zero(t, e.srv.Count("/token", "refresh_token"), "a fresh saved token is used as it is")

	e.srv.Advance(2 * time.Hour)
	tok, err := ts.Token(ctx)
	require.NoError(t, err)
	assert.Equal(t, 1, e.srv.Count("/token", "refresh_token"))
	saved, err := e.store.Load(ctx, "work")
	require.NoError(t, err)
	assert.Equal(t, tok.AccessToken, saved.Token.AccessToken)
}

func TestLoadTokenSourceRefusesAnotherOwner(t *testing.T) {
	e := newStoreEnv(t)
	ctx := context.Background()
	c := e.client(t)
	require.NoError(t, c.TokenSource(e.signIn(t, c), sdk.WithStore(e.store, "work")).Save(ctx))
	for _, tc := range []struct {
		name   string
		mutate func(*sdk.Config)
		want   string
	}{
		{"other client", func(cfg *sdk.Config) { cfg.ClientID = mocktest.PublicClientID; cfg.ClientSecret = "" }, `belongs to client "client_id"`},
		{"other server", func(cfg *sdk.Config) { cfg.TokenURL = "https://other.example/token" }, "came from token endpoint"},
		{"issuer only", func(cfg *sdk.Config) { cfg.TokenURL = ""; cfg.Issuer = e.srv.URL }, "cannot tell it came from this server"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := sdk.LoadTokenSource(ctx, e.client(t, tc.mutate), e.store, "work")
			var se *sdk.StoreError
			require.ErrorAs(t, err, &se)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
	_, err := sdk.LoadTokenSource(ctx, c, e.store, "nothing-here")
	assert.ErrorIs(t, err, sdk.ErrNotSaved)
}

func TestSharedStoreRefreshesOnce(t *testing.T) {
	// Two sources on one saved token, as two processes would hold: when the token goes stale,
	// one refresh reaches the server and both end with its result. The mock rotates refresh
	// tokens and revokes the family on reuse (RFC 9700 §4.14.2), so a second refresh would show.
	e := newStoreEnv(t)
	ctx := context.Background()
	c := e.client(t)
	require.NoError(t, c.TokenSource(e.signIn(t, c), sdk.WithStore(e.store, "work")).Save(ctx))
	var sources []*sdk.TokenSource
	for range 2 {
		ts, err := sdk.LoadTokenSource(ctx, e.client(t), e.store, "work")
		require.NoError(t, err)
		sources = append(sources, ts)
	}
	e.srv.Advance(2 * time.Hour)
	toks := make([]*sdk.Token, len(sources))
	errs := make([]error, len(sources))
	var wg sync.WaitGroup
	for i, ts := range sources {
		wg.Go(func() { toks[i], errs[i] = ts.Token(ctx) })
	}
	wg.Wait()
	require.NoError(t, errs[0])
	require.NoError(t, errs[1])
	assert.Equal(t, toks[0].AccessToken, toks[1].AccessToken)
	assert.Equal(t, 1, e.srv.Count("/token", "refresh_token"))
	saved, err := e.store.Load(ctx, "work")
	require.NoError(t, err)
	assert.Equal(t, toks[0].RefreshToken, saved.Token.RefreshToken)
	// The token both hold is valid: the server accepts its refresh token.
	_, err = c.Refresh(ctx, saved.Token.RefreshToken)
	require.NoError(t, err)
}

// failingSaves is the real file store with saves that fail once failSaves is set: a full disk, or
// a keychain that went away.
type failingSaves struct {
	*tokenfile.Store
	failSaves bool
}

func (f *failingSaves) Save(ctx context.Context, name string, rec *sdk.SavedToken) error {
	if f.failSaves {
		return errors.New("disk full")
	}
	return f.Store.Save(ctx, name, rec)
}

func TestFailedSaveKeepsRefreshedToken(t *testing.T) {
	e := newStoreEnv(t)
	st := &failingSaves{Store: e.store}
	ctx := context.Background()
	c := e.client(t)
	ts := c.TokenSource(e.signIn(t, c), sdk.WithStore(st, "work"))
	require.NoError(t, ts.Save(ctx))
	st.failSaves = true

	e.srv.Advance(2 * time.Hour)
	_, err := ts.Token(ctx)
	var se *sdk.StoreError
	require.ErrorAs(t, err, &se)
	assert.Equal(t, "save", se.Op)
	assert.Contains(t, err.Error(), "disk full")
	assert.Equal(t, 1, e.srv.Count("/token", "refresh_token"))

	// The refreshed token is held: the next call gets it without another refresh, and Save
	// retries the write.
	tok, err := ts.Token(ctx)
	require.NoError(t, err)
	assert.Equal(t, 1, e.srv.Count("/token", "refresh_token"))
	st.failSaves = false
	require.NoError(t, ts.Save(ctx))
	saved, err := e.store.Load(ctx, "work")
	require.NoError(t, err)
	assert.Equal(t, tok.AccessToken, saved.Token.AccessToken)
}

func TestSavedTokenStringRedacts(t *testing.T) {
	rec := sdk.SavedToken{Token: &sdk.Token{AccessToken: "secret-at", RefreshToken: "secret-rt"}, ClientID: "c",
		TokenURL: "https://as.example/token", DPoPKey: []byte(`{"d":"secret-d"}`)}
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x"} {
		out := sprintf(verb, rec) + sprintf(verb, &rec)
		for _, secret := range []string{"secret-at", "secret-rt", "secret-d"} {
			assert.NotContains(t, out, secret, verb)
		}
	}
	err := (&sdk.StoreError{Op: "save", Name: "n", Err: sdk.ErrNotSaved}).Error()
	assert.Equal(t, `ropc: saved token "n": cannot save: ropc: no saved token under that name`, err)
}

func sprintf(verb string, v any) string { return fmt.Sprintf(verb, v) }
