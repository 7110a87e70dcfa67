package main

import (
	"context"
	"errors"
	"flag"
	"os"
	"os/signal"
	"strings"
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
// RFC 6749 §4.3: the password is sent once; a failure is reported, never retried. When the
// server asks for a second factor, the code comes from --otp-stdin or a terminal prompt, and an
// out-of-band approval is waited for (sdk.Client.SignIn).
func runToken(args []string, s stdio) int {
	var (
		c             commonFlags
		username      string
		passwordStdin bool
		otpStdin      bool
		recovery      bool
		realm         string
		challengeURL  string
		scope         string
		params        paramFlag
		saveAs        string
		store         storeFlags
	)
	fs := newFlagSet("token", "(--token-url URL | --issuer URL) --client-id ID --username NAME [--password-stdin] [--otp-stdin] [--realm NAME] [--scope \"a b\"] [--param k=v]... [--save NAME [--store keychain|file]]", s)
	c.register(fs)
	fs.StringVar(&saveAs, "save", "", "save the token under `NAME` (OS keychain by default) and print a summary without token values")
	store.register(fs)
	fs.StringVar(&c.revocationURL, "revocation-url", "", "with --save: revocation endpoint `URL` kept for ropc logout (RFC 7009; discovered from --issuer if not given)")
	fs.StringVar(&username, "username", "", "resource owner's `name` (required)")
	fs.BoolVar(&passwordStdin, "password-stdin", false, "read the password from the first line of standard input (default: prompt without echo)")
	fs.BoolVar(&otpStdin, "otp-stdin", false, "read a one-time code from the next line of standard input, after the password; it goes with the password (Keycloak) and answers an MFA demand (Auth0, Okta)")
	fs.BoolVar(&recovery, "recovery", false, "answer an MFA demand with a recovery code (prompted, or the --otp-stdin line); the new recovery code is printed as recovery_code")
	fs.StringVar(&realm, "realm", "", "Auth0 connection `NAME`: use the password-realm grant")
	fs.StringVar(&challengeURL, "challenge-url", "", "MFA challenge endpoint `URL` (default: discovered, or next to the token endpoint for Auth0 and Okta)")
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
	c.challengeURL = challengeURL
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
	// Everything is read before anything is sent.
	lines := newLineSource(s.in)
	password, err := readPasswordFrom(s, lines, passwordStdin, username)
	if err != nil {
		return fail(s, "token", err)
	}
	prompter := &cliPrompter{s: s}
	opts := requestOptions(scope, params)
	if otpStdin {
		code, err := lines.next("one-time code (--otp-stdin: the line after the password)")
		if err != nil {
			return fail(s, "token", err)
		}
		prompter.code = strings.TrimSpace(code)
		if !recovery {
			opts = append(opts, sdk.WithOTP(prompter.code))
		}
	}
	if recovery {
		opts = append(opts, sdk.WithRecoveryCode())
	}
	if realm != "" {
		opts = append(opts, sdk.WithRealm(realm))
	}
	// --timeout bounds each request (sdk.Config.Timeout), not the time the user takes to type a
	// code or approve on their device.
	ctx, cancel := commandContext(0)
	defer cancel()
	tok, err := client.SignIn(ctx, username, password, prompter, opts...)
	if err != nil {
		return fail(s, "token", err)
	}
	if st != nil {
		if err := client.TokenSource(tok, sdk.WithStore(st, saveAs)).Save(ctx); err != nil {
			return fail(s, "token", err)
		}
		out := summary(saveAs, store.kind, tok)
		out.RecoveryCode, _ = tok.Raw["recovery_code"].(string)
		if err := writeJSON(s.out, out); err != nil {
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
