package main

import (
	"context"
	"errors"
	"flag"

	"github.com/ropcgo/ropc/sdk"
	"github.com/ropcgo/ropc/sdk/core"
	"github.com/ropcgo/ropc/sdk/keychain"
	"github.com/ropcgo/ropc/sdk/tokenfile"
)

// storeFlags choose where a saved session lives: --store keychain (the OS keychain, default) or
// --store file (a 0600 file in the user's config directory, only when asked for by name).
type storeFlags struct {
	kind string
}

func (f *storeFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.kind, "store", "keychain", "where saved tokens live: keychain (the OS keychain) or file (a 0600 file in the user's config directory, unencrypted)")
}

// open opens the chosen store. Without a keychain the error says so and names --store file;
// it never falls back to the file on its own.
func (f *storeFlags) open(name string) (sdk.TokenStore, error) {
	if err := core.CheckStoreName(name); err != nil {
		var pe *core.ParamError
		errors.As(err, &pe)
		return nil, usagef("%s", pe.Reason)
	}
	switch f.kind {
	case "keychain":
		st, err := keychain.Open()
		if errors.Is(err, keychain.ErrUnavailable) {
			dir, _ := tokenfile.DefaultDir()
			return nil, &noKeychainError{err: err, dir: dir}
		}
		if err != nil {
			return nil, err
		}
		return st, nil
	case "file":
		return tokenfile.Open("")
	}
	return nil, usagef("--store must be keychain or file, not %q", f.kind)
}

// noKeychainError is the keychain's absence, with the way out.
type noKeychainError struct {
	err error
	dir string
}

func (e *noKeychainError) Error() string {
	return e.err.Error() + "; pass --store file to keep the token unencrypted in a file only you can read (" + e.dir + ") instead"
}

func (e *noKeychainError) Unwrap() error { return e.err }

// savedOutput is what a command that saved a token prints: never a token value.
type savedOutput struct {
	Saved     string  `json:"saved"`
	Store     string  `json:"store"`
	Refreshed *bool   `json:"refreshed,omitempty"`
	ExpiresAt *string `json:"expires_at"`
	Scope     string  `json:"scope"`
	// RefreshToken says whether a refresh token was saved (its value is not printed): without
	// one the session ends when the access token expires.
	RefreshToken bool `json:"refresh_token"`
	// RecoveryCode is the new recovery code a recovery-code sign-in hands out (Auth0): it is
	// not saved with the session, and the user needs it for the next time.
	RecoveryCode string `json:"recovery_code,omitempty"`
}

func summary(name, store string, t *sdk.Token) savedOutput {
	return savedOutput{Saved: name, Store: store, ExpiresAt: expiresAt(t), Scope: t.Scope, RefreshToken: t.RefreshToken != ""}
}

// openSaved opens the store holding name, loads its record and fills the flags the user
// did not give from it (fromSaved): the start of every --from command.
func (c *commonFlags) openSaved(ctx context.Context, fs *flag.FlagSet, store *storeFlags, name string) (sdk.TokenStore, *sdk.SavedToken, error) {
	st, err := store.open(name)
	if err != nil {
		return nil, nil, err
	}
	rec, err := loadSaved(ctx, st, name)
	if err != nil {
		return nil, nil, err
	}
	if err := c.fromSaved(fs, name, rec); err != nil {
		return nil, nil, err
	}
	return st, rec, nil
}

// loadSaved reads the record under name, for the flags that come from it.
func loadSaved(ctx context.Context, st sdk.TokenStore, name string) (*sdk.SavedToken, error) {
	rec, err := st.Load(ctx, name)
	if errors.Is(err, sdk.ErrNotSaved) {
		return nil, usagef("no saved token %q: sign in with 'ropc token ... --save %s' first", name, name)
	}
	return rec, err
}

// fromSaved fills the server and client flags the user did not give from the saved record, so
// that 'ropc get URL --from NAME' needs nothing else, and the DPoP key saved with it. Flags that
// are given must match the record (sdk.LoadTokenSource checks).
func (c *commonFlags) fromSaved(fs *flag.FlagSet, name string, rec *sdk.SavedToken) error {
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	if !set["token-url"] && !set["issuer"] {
		c.tokenURL, c.issuer = rec.TokenURL, rec.Issuer
	}
	if !set["client-id"] {
		c.clientID = rec.ClientID
	}
	if !set["auth"] && rec.AuthMethod != "" {
		c.auth = string(rec.AuthMethod)
	}
	if c.revocationURL == "" {
		c.revocationURL = rec.RevocationURL
	}
	return c.savedDPoPKey(name, rec)
}
