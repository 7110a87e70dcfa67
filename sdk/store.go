package sdk

import (
	"context"
	"errors"
	"strconv"

	"github.com/ropcgo/ropc/sdk/core"
)

// SavedToken is the record a TokenStore keeps: the token and the server and client it belongs to
// (never the client secret). Its String redacts the tokens and the DPoP key.
type SavedToken = core.SavedToken

// SavedTokenError is a record that cannot be encoded, decoded or used by this client.
type SavedTokenError = core.SavedTokenError

// ErrNotSaved reports that a store holds nothing under the name asked for. Test with errors.Is.
var ErrNotSaved = errors.New("ropc: no saved token under that name")

// TokenStore keeps tokens between runs, one record per name. Implementations: sdk/keychain (the
// OS keychain) and sdk/tokenfile (a 0600 file, for machines without one); an app may bring its own.
type TokenStore interface {
	// Load returns the record saved under name, or an error wrapping ErrNotSaved.
	Load(ctx context.Context, name string) (*SavedToken, error)
	// Save replaces the record under name. It returns only once the record reads back intact.
	Save(ctx context.Context, name string, s *SavedToken) error
	// Delete removes the record under name; a missing one is not an error.
	Delete(ctx context.Context, name string) error
}

// TokenLocker is implemented by stores that several processes share. A TokenSource holds the lock
// from loading the saved token to saving the refreshed one, so of two processes whose token went
// stale together one refreshes and the other picks the result up: refresh tokens that rotate are
// accepted once (RFC 9700 §4.14.2), and a second refresh with the same one would sign the user out.
type TokenLocker interface {
	// LockToken blocks until this process holds the lock on name or ctx ends; unlock releases it.
	LockToken(ctx context.Context, name string) (unlock func(), err error)
}

// StoreError is a store operation that failed; Err is the store's error (errors.Is(err,
// ErrNotSaved) works through it).
type StoreError struct {
	Op   string // "load", "save", "delete" or "lock"
	Name string
	Err  error
}

func (e *StoreError) Error() string {
	return "ropc: saved token " + strconv.Quote(e.Name) + ": cannot " + e.Op + ": " + e.Err.Error()
}

func (e *StoreError) Unwrap() error { return e.Err }

// WithStore saves the token to store under name on every change: after each refresh, before any
// caller receives the new token (the refresh token may have rotated, and the old one is then
// dead), and on Save. With a store that is also a TokenLocker, a refresh first reloads the saved
// token under the lock and uses it when another process has already refreshed.
//
// When a refresh succeeds but the save fails, the call that refreshed returns a *StoreError and
// the source keeps the new token in memory; call Save to retry.
func WithStore(store TokenStore, name string) TokenSourceOption {
	return func(ts *TokenSource) { ts.store, ts.storeName = store, name }
}

// LoadTokenSource resumes a session saved under name: it loads the record, checks that it belongs
// to c (same client id, same token endpoint or issuer: a token goes only to the server that issued
// it, and RFC 6749 §6 binds the refresh token to its client; for a DPoP-bound token, the same
// DPoP key, RFC 9449 §6.1), and returns a source that saves back to store on every change. A
// missing record is a *StoreError wrapping ErrNotSaved; a record c may not use is a *StoreError
// wrapping a *SavedTokenError that names the problem. To resume a DPoP-bound session with the key
// saved in its record, build c with SavedDPoPKey.
func LoadTokenSource(ctx context.Context, c *Client, store TokenStore, name string, opts ...TokenSourceOption) (*TokenSource, error) {
	saved, err := store.Load(ctx, name)
	if err != nil {
		return nil, &StoreError{Op: "load", Name: name, Err: err}
	}
	if err := c.owns(saved); err != nil {
		return nil, &StoreError{Op: "load", Name: name, Err: err}
	}
	ts := c.TokenSource(saved.Token, append([]TokenSourceOption{WithStore(store, name)}, opts...)...)
	ts.dpopKey = saved.DPoPKey
	return ts, nil
}

// owns reports why c may not use saved, or nil (core.SavedToken.UsableBy, as JavaScript's resume).
func (c *Client) owns(saved *SavedToken) error {
	return saved.UsableBy(core.SavedTokenOwner{TokenURL: c.cfg.TokenURL, Issuer: c.cfg.Issuer,
		ClientID: c.cfg.ClientID, DPoPThumbprint: c.Thumbprint()})
}

// Save writes the current token to the store given with WithStore, under its lock when the
// store has one.
func (ts *TokenSource) Save(ctx context.Context) error {
	if ts.store == nil {
		return errors.New("ropc: TokenSource.Save needs a store (WithStore)")
	}
	tok := ts.Current()
	if tok == nil {
		return &StoreError{Op: "save", Name: ts.storeName, Err: errors.New("there is no token")}
	}
	unlock, err := ts.lockStore(ctx)
	if err != nil {
		return err
	}
	defer unlock()
	return ts.save(ctx, tok)
}

func (ts *TokenSource) save(ctx context.Context, tok *Token) error {
	if err := ts.store.Save(ctx, ts.storeName, ts.record(tok)); err != nil {
		return &StoreError{Op: "save", Name: ts.storeName, Err: err}
	}
	return nil
}

// record is what is saved for tok: the token and what it belongs to, and for a DPoP token the
// key it is bound to (RFC 9449 §6.1): the private JWK when the key can be exported (or the record
// it was resumed from held it), its thumbprint always.
func (ts *TokenSource) record(tok *Token) *SavedToken {
	cfg := ts.c.cfg
	rec := &SavedToken{
		Token: tok, TokenURL: cfg.TokenURL, Issuer: cfg.Issuer, RevocationURL: cfg.RevocationURL,
		ClientID: cfg.ClientID, AuthMethod: ts.c.auth.Method,
	}
	if d := ts.c.dpop; d != nil && core.AuthorizationScheme(tok.TokenType) == "DPoP" {
		rec.DPoPThumbprint, rec.DPoPKey = d.key.Thumbprint, d.exportJWK()
		if rec.DPoPKey == nil {
			rec.DPoPKey = ts.dpopKey
		}
	}
	return rec
}

func (ts *TokenSource) lockStore(ctx context.Context) (func(), error) {
	l, ok := ts.store.(TokenLocker)
	if !ok {
		return func() {}, nil
	}
	unlock, err := l.LockToken(ctx, ts.storeName)
	if err != nil {
		return nil, &StoreError{Op: "lock", Name: ts.storeName, Err: err}
	}
	return unlock, nil
}

// refreshShared is the refresh of a source with a store: under the store's lock, reload the saved
// token; if another process has replaced it with a fresh one, use that; else refresh (with the
// newest refresh token) and save before returning. saveErr is a failed save of a token that was
// refreshed all the same.
func (ts *TokenSource) refreshShared(ctx context.Context, old *Token) (tok *Token, saveErr, err error) {
	unlock, err := ts.lockStore(ctx)
	if err != nil {
		return nil, nil, err
	}
	defer unlock()
	saved, err := ts.store.Load(ctx, ts.storeName)
	switch {
	case errors.Is(err, ErrNotSaved):
		// Deleted meanwhile (signed out elsewhere) or never saved: refresh what we hold.
	case err != nil:
		return nil, nil, &StoreError{Op: "load", Name: ts.storeName, Err: err}
	default:
		if err := ts.c.owns(saved); err != nil {
			return nil, nil, &StoreError{Op: "load", Name: ts.storeName, Err: err}
		}
		if cur := saved.Token; cur.AccessToken != old.AccessToken {
			// Another process refreshed or signed in since this one read the token.
			if ts.fresh(ts.hold(cur)) {
				return cur, nil, nil
			}
			old = cur // its refresh token is the newest; ours may have been rotated away
		}
	}
	if old.RefreshToken == "" {
		return nil, nil, signInAgain("access token expired and there is no refresh token", nil)
	}
	tok, err = ts.refreshFrom(ctx, old)
	if err != nil {
		return nil, nil, err
	}
	return tok, ts.save(ctx, tok), nil
}
