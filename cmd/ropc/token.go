package main

import (
	"context"
	"errors"
	"flag"
	"os"
	"os/signal"
	"time"

	"github.com/ropcgo/ropc/sdk"
)

// commandContext bounds a command by --timeout and cancels it on Ctrl-C.
func commandContext(timeout time.Duration) (context.Context, context.CancelFunc) {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	if timeout <= 0 {
		return ctx, stop
	}
	tctx, cancel := context.WithTimeout(ctx, timeout)
	return tctx, func() { cancel(); stop() }
}

// runToken: ropc token --token-url URL --client-id ID --username NAME [--password-stdin] ...
// RFC 6749 §4.3: the password is sent once; a failure is reported, never retried.
func runToken(args []string, s stdio) int {
	var (
		c             commonFlags
		username      string
		passwordStdin bool
		scope         string
		params        paramFlag
		saveAs        string
		store         storeFlags
	)
	fs := newFlagSet("token", "(--token-url URL | --issuer URL) --client-id ID --username NAME [--password-stdin] [--scope \"a b\"] [--param k=v]... [--save NAME [--store keychain|file]]", s)
	c.register(fs)
	fs.StringVar(&saveAs, "save", "", "save the token under `NAME` (OS keychain by default) and print a summary without token values")
	store.register(fs)
	fs.StringVar(&c.revocationURL, "revocation-url", "", "with --save: revocation endpoint `URL` kept for ropc logout (RFC 7009; discovered from --issuer if not given)")
	fs.StringVar(&username, "username", "", "resource owner's `name` (required)")
	fs.BoolVar(&passwordStdin, "password-stdin", false, "read the password from the first line of standard input (default: prompt without echo)")
	fs.StringVar(&scope, "scope", "", "space-separated `scopes` to request")
	fs.Var(&params, "param", "extra token request parameter `key=value` (repeatable), e.g. audience=api")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return fail(s, "token", usageOrHelp(err))
	}
	if len(pos) > 0 {
		return fail(s, "token", usagef("unexpected argument %q", pos[0]))
	}
	if username == "" {
		return fail(s, "token", usagef("--username is required"))
	}
	client, err := c.newClient(s)
	if err != nil {
		return fail(s, "token", err)
	}
	var st sdk.TokenStore
	if saveAs != "" {
		// Before the password is asked for and spent on a sign-in: a missing keychain is known now.
		if st, err = store.open(saveAs); err != nil {
			return fail(s, "token", err)
		}
	}
	password, err := readPassword(s, passwordStdin, username)
	if err != nil {
		return fail(s, "token", err)
	}
	ctx, cancel := commandContext(c.timeout)
	defer cancel()
	tok, err := client.PasswordToken(ctx, username, password, requestOptions(scope, params)...)
	if err != nil {
		return fail(s, "token", err)
	}
	if st != nil {
		if err := client.TokenSource(tok, sdk.WithStore(st, saveAs)).Save(ctx); err != nil {
			return fail(s, "token", err)
		}
		if err := writeJSON(s.out, summary(saveAs, store.kind, tok)); err != nil {
			return fail(s, "token", err)
		}
		return exitOK
	}
	if err := writeJSON(s.out, tokenOutput(tok)); err != nil {
		return fail(s, "token", err)
	}
	return exitOK
}

// usageOrHelp turns a flag parsing error into a usage error (the flag
// package has already printed the message and the flags).
func usageOrHelp(err error) error {
	if _, ok := err.(*usageError); ok {
		return err
	}
	if errors.Is(err, flag.ErrHelp) {
		return err
	}
	return usagef("%s", err.Error())
}
