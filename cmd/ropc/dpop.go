package main

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"errors"
	"flag"
	"io/fs"
	"os"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/ropcgo/ropc/sdk"
	"github.com/ropcgo/ropc/sdk/core"
)

// DPoP (RFC 9449) in the CLI: --dpop-key FILE holds the private JWK every
// request is proven with. A missing file is created with a new P-256 key
// (mode 0600); an existing one is used as it is and never rewritten, so a
// token bound to it stays usable for as long as the file is kept.

func (c *commonFlags) registerDPoP(fs *flag.FlagSet) {
	fs.StringVar(&c.dpopKey, "dpop-key", "", "bind tokens to the private JWK in `FILE` (RFC 9449 DPoP; EC P-256 or Ed25519); created, mode 0600, when missing")
	fs.BoolVar(&c.dpopAllowBearer, "dpop-allow-bearer", false, "with --dpop-key: accept a Bearer token from a server that ignores DPoP (refused by default, exit 3)")
}

// dpopSigner loads or creates the --dpop-key file; without the flag, the key saved with the
// --from session, or nil.
func (c *commonFlags) dpopSigner() (crypto.Signer, error) {
	if c.dpopKey == "" {
		if c.savedDPoP != nil {
			return c.savedDPoP, nil
		}
		if c.dpopAllowBearer {
			return nil, usagef("--dpop-allow-bearer needs --dpop-key")
		}
		return nil, nil
	}
	return loadOrCreateDPoPKey(c.dpopKey)
}

func loadOrCreateDPoPKey(path string) (crypto.Signer, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return createDPoPKey(path)
	}
	if err != nil {
		return nil, usagef("cannot read --dpop-key %s: %v", path, errors.Unwrap(err))
	}
	var jwk jose.JSONWebKey
	if err := jwk.UnmarshalJSON(data); err != nil {
		return nil, usagef("--dpop-key %s is not a JSON Web Key (RFC 7517)", path)
	}
	if jwk.IsPublic() {
		return nil, usagef("--dpop-key %s holds a public key; DPoP needs the private key", path)
	}
	switch k := jwk.Key.(type) {
	case *ecdsa.PrivateKey:
		if k.Curve == elliptic.P256() {
			return k, nil
		}
	case ed25519.PrivateKey:
		return k, nil
	}
	return nil, usagef("--dpop-key %s: want an EC P-256 (ES256) or Ed25519 (EdDSA) private key", path)
}

// createDPoPKey writes a new P-256 key; O_EXCL so that two ropc processes
// started together never overwrite each other's key.
func createDPoPKey(path string) (crypto.Signer, error) {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	data, err := jose.JSONWebKey{Key: k, Algorithm: core.DPoPES256, Use: "sig"}.MarshalJSON()
	if err != nil {
		return nil, err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return loadOrCreateDPoPKey(path) // created meanwhile by another ropc
	}
	if err != nil {
		return nil, usagef("cannot create --dpop-key %s: %v", path, errors.Unwrap(err))
	}
	if _, err := f.Write(append(data, '\n')); err != nil {
		f.Close()
		os.Remove(path)
		return nil, usagef("cannot write --dpop-key %s: %v", path, err)
	}
	if err := f.Close(); err != nil {
		os.Remove(path)
		return nil, usagef("cannot write --dpop-key %s: %v", path, err)
	}
	return k, nil
}

// savedDPoPKey takes the key a DPoP-bound session was saved with (RFC 9449 §6.1), for a --from
// command without --dpop-key: 'ropc token --dpop-key FILE --save NAME' keeps it with the token.
func (c *commonFlags) savedDPoPKey(name string, rec *sdk.SavedToken) error {
	if c.dpopKey != "" || !rec.DPoPBound() {
		return nil
	}
	if len(rec.DPoPKey) == 0 {
		return usagef("saved token %q is bound to a DPoP key that was not saved with it: pass --dpop-key FILE with that key", name)
	}
	key, err := sdk.SavedDPoPKey(rec)
	if err != nil {
		var se *sdk.SavedTokenError
		errors.As(err, &se)
		return usagef("saved token %q: %s", name, se.Reason)
	}
	c.savedDPoP = key
	return nil
}

// checkSavedDPoP refuses a --from session whose token is bound to another DPoP key than the
// client's (a --dpop-key that is not the saved one) or that needs a key the client lacks.
func (c *commonFlags) checkSavedDPoP(name string, rec *sdk.SavedToken, client *sdk.Client) error {
	err := rec.CheckDPoPKey(client.Thumbprint())
	if err == nil {
		return nil
	}
	var se *sdk.SavedTokenError
	errors.As(err, &se)
	hint := ""
	if c.dpopKey != "" && len(rec.DPoPKey) > 0 {
		hint = " (run without --dpop-key to use it)"
	}
	return usagef("saved token %q: %s%s", name, se.Reason, hint)
}

// resourceChallenge reads the RFC 6750 Bearer or RFC 9449 DPoP challenge of
// a resource server's refusal.
func resourceChallenge(h string) (map[string]string, bool) {
	if ch, ok := core.ParseDPoPChallenge(h); ok && ch["error"] != "" {
		return ch, true
	}
	return core.ParseBearerChallenge(h)
}
