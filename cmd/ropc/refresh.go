package main

import (
	"flag"

	"github.com/ropcgo/ropc/sdk"
)

// runRefresh: ropc refresh ... --refresh-token-stdin [--scope "a"]
// RFC 6749 §6: the scope may be narrowed, never widened; when the server
// issues no new refresh token the old one is printed again (it stays valid).
func runRefresh(args []string, s stdio) int {
	var (
		c         commonFlags
		fromStdin bool
		scope     string
		params    paramFlag
		from      string
		force     bool
		store     storeFlags
	)
	fs := newFlagSet("refresh", "(--token-url URL | --issuer URL) --client-id ID --refresh-token-stdin [--scope \"a b\"]\n       ropc refresh --from NAME [--force] [--store keychain|file]", s)
	c.register(fs)
	fs.StringVar(&from, "from", "", "refresh the token saved under `NAME` when it is due (or --force), and save the result back")
	fs.BoolVar(&force, "force", false, "with --from: refresh even if the saved token is still fresh")
	store.register(fs)
	fs.BoolVar(&fromStdin, "refresh-token-stdin", false, "read the refresh token (or the JSON printed by ropc token) from standard input (required)")
	fs.StringVar(&scope, "scope", "", "narrower space-separated `scopes` (RFC 6749 §6)")
	fs.Var(&params, "param", "extra parameter `key=value` (repeatable)")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return fail(s, "refresh", usageOrHelp(err))
	}
	if len(pos) > 0 {
		return fail(s, "refresh", usagef("unexpected argument %q", pos[0]))
	}
	if from != "" {
		if fromStdin || scope != "" || len(params) > 0 {
			return fail(s, "refresh", usagef("--from takes the token from the store: drop --refresh-token-stdin, --scope and --param"))
		}
		return refreshSaved(fs, &c, &store, from, force, s)
	}
	if force {
		return fail(s, "refresh", usagef("--force goes with --from"))
	}
	if !fromStdin {
		return fail(s, "refresh", usagef("--refresh-token-stdin is required: the refresh token is never taken from a flag"))
	}
	client, err := c.newClient(s)
	if err != nil {
		return fail(s, "refresh", err)
	}
	in, isJSON, err := readTokenInput(s.in, "refresh token")
	if err != nil {
		return fail(s, "refresh", err)
	}
	if in.RefreshToken == "" {
		what := "refresh token"
		if isJSON {
			what = "refresh_token in the token JSON"
		}
		return fail(s, "refresh", usagef("no %s on standard input", what))
	}
	ctx, cancel := commandContext(c.timeout)
	defer cancel()
	tok, err := client.Refresh(ctx, in.RefreshToken, requestOptions(scope, params)...)
	if err != nil {
		return fail(s, "refresh", err)
	}
	if err := writeJSON(s.out, tokenOutput(tok)); err != nil {
		return fail(s, "refresh", err)
	}
	return exitOK
}

// refreshSaved is 'ropc refresh --from NAME': load, refresh when due (RFC 6749 §6), save back
// under the store's lock, print a summary without token values.
func refreshSaved(fs *flag.FlagSet, c *commonFlags, store *storeFlags, name string, force bool, s stdio) int {
	ctx, cancel := commandContext(c.timeout)
	defer cancel()
	st, rec, err := c.openSaved(ctx, fs, store, name)
	if err != nil {
		return fail(s, "refresh", err)
	}
	client, err := c.newClient(s)
	if err != nil {
		return fail(s, "refresh", err)
	}
	if err := c.checkSavedDPoP(name, rec, client); err != nil {
		return fail(s, "refresh", err)
	}
	ts, err := sdk.LoadTokenSource(ctx, client, st, name)
	if err != nil {
		return fail(s, "refresh", err)
	}
	before := ts.Current()
	var tok *sdk.Token
	if force {
		tok, err = ts.Refresh(ctx)
	} else {
		tok, err = ts.Token(ctx)
	}
	if err != nil {
		return fail(s, "refresh", err)
	}
	refreshed := tok.AccessToken != before.AccessToken
	out := summary(name, store.kind, tok)
	out.Refreshed = &refreshed
	if err := writeJSON(s.out, out); err != nil {
		return fail(s, "refresh", err)
	}
	return exitOK
}
