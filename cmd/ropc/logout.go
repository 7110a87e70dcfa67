package main

import (
	"errors"
	"fmt"

	"github.com/ropcgo/ropc/sdk"
)

// logoutOutput is printed once the saved session is gone.
type logoutOutput struct {
	LoggedOut string `json:"logged_out"`
	Store     string `json:"store"`
	// Revoked says whether the server was asked to revoke the token (RFC 7009); false when it
	// has no revocation endpoint, so the token stays valid until it expires.
	Revoked       bool   `json:"revoked"`
	TokenTypeHint string `json:"token_type_hint,omitempty"`
}

// runLogout: ropc logout --from NAME [--store keychain|file]
// RFC 7009 §2.1: revoking the refresh token also ends its access tokens where the server
// supports it; then the saved entry is deleted. If revocation fails, the entry is kept so that
// the token can still be revoked later.
func runLogout(args []string, s stdio) int {
	var (
		c     commonFlags
		from  string
		store storeFlags
	)
	fs := newFlagSet("logout", "--from NAME [--store keychain|file] [--revocation-url URL]", s)
	c.register(fs)
	fs.StringVar(&from, "from", "", "the saved token's `NAME` (required)")
	fs.StringVar(&c.revocationURL, "revocation-url", "", "revocation endpoint `URL` (default: the one saved, or discovered from the issuer)")
	store.register(fs)
	pos, err := parseFlags(fs, args)
	if err != nil {
		return fail(s, "logout", usageOrHelp(err))
	}
	if len(pos) > 0 {
		return fail(s, "logout", usagef("unexpected argument %q", pos[0]))
	}
	if from == "" {
		return fail(s, "logout", usagef("--from NAME is required"))
	}
	ctx, cancel := commandContext(c.timeout)
	defer cancel()
	st, rec, err := c.openSaved(ctx, fs, &store, from)
	if err != nil {
		return fail(s, "logout", err)
	}
	client, err := c.newClient(s)
	if err != nil {
		return fail(s, "logout", err)
	}
	if err := rec.BelongsTo(c.tokenURL, c.issuer, c.clientID); err != nil {
		return fail(s, "logout", usagef("saved token %q: %s", from, err.Error()))
	}
	if err := c.checkSavedDPoP(from, rec, client); err != nil {
		return fail(s, "logout", err)
	}
	token, hint := rec.Token.RefreshToken, "refresh_token"
	if token == "" {
		token, hint = rec.Token.AccessToken, "access_token"
	}
	out := logoutOutput{LoggedOut: from, Store: store.kind}
	switch err := client.Revoke(ctx, token, hint); {
	case err == nil:
		out.Revoked, out.TokenTypeHint = true, hint
	case errors.Is(err, sdk.ErrNoEndpoint):
		fmt.Fprintf(s.err, "ropc logout: note: the server has no revocation endpoint; the token stays valid until it expires\n")
	default:
		fmt.Fprintf(s.err, "ropc logout: revocation failed, so the saved token %q is kept (run ropc logout again)\n", from)
		return fail(s, "logout", err)
	}
	if err := st.Delete(ctx, from); err != nil {
		return fail(s, "logout", err)
	}
	if err := writeJSON(s.out, out); err != nil {
		return fail(s, "logout", err)
	}
	return exitOK
}
