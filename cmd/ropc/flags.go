package main

import (
	"crypto"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/ropcgo/ropc/sdk"
)

// usageError is a problem with how ropc was invoked; it exits 2.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, a ...any) error { return &usageError{msg: fmt.Sprintf(format, a...)} }

// commonFlags are the flags every subcommand shares: where the server is and
// who the client is.
type commonFlags struct {
	// --dpop-key and --dpop-allow-bearer (dpop.go)
	dpopKey         string
	dpopAllowBearer bool
	savedDPoP       crypto.Signer // the key saved with a --from session, used without --dpop-key

	tokenURL      string
	issuer        string
	revocationURL string
	// introspectionURL is set by ropc introspect's --introspection-url.
	introspectionURL string
	clientID         string
	auth             string
	secretFile       string
	timeout          time.Duration
	insecure         bool
	challengeURL     string // token only: --challenge-url
}

func (c *commonFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&c.tokenURL, "token-url", "", "token endpoint `URL` (RFC 6749 §3.2)")
	fs.StringVar(&c.issuer, "issuer", "", "issuer `URL`; endpoints are discovered (RFC 8414) when --token-url is not given")
	fs.StringVar(&c.clientID, "client-id", "", "OAuth client `ID` (required)")
	fs.StringVar(&c.auth, "auth", "basic", "client authentication: basic, post or none (public client)")
	fs.StringVar(&c.secretFile, "client-secret-file", "", "read the client secret from `PATH` (default: $"+secretEnvVar+")")
	fs.DurationVar(&c.timeout, "timeout", 30*time.Second, "give up after this `duration` (0: no limit)")
	fs.BoolVar(&c.insecure, "insecure", false, "allow plain http to non-loopback hosts (test servers only; use https)")
	c.registerDPoP(fs)
}

// authMethod maps --auth to the SDK's method.
func (c *commonFlags) authMethod() (sdk.AuthMethod, error) {
	switch strings.ToLower(c.auth) {
	case "basic", "client_secret_basic":
		return sdk.AuthClientSecretBasic, nil
	case "post", "client_secret_post":
		return sdk.AuthClientSecretPost, nil
	case "none", "public":
		return sdk.AuthNone, nil
	}
	return "", usagef("--auth must be basic, post or none, not %q", c.auth)
}

// clientSecret reads the secret from --client-secret-file or the environment.
// A public client (--auth none) ignores the environment, so a secret exported
// for other commands does not break it.
func (c *commonFlags) clientSecret(s stdio, method sdk.AuthMethod) (string, error) {
	if method == sdk.AuthNone {
		if c.secretFile != "" {
			return "", usagef("--client-secret-file makes no sense with --auth none (a public client has no secret)")
		}
		return "", nil
	}
	var secret string
	if c.secretFile != "" {
		b, err := os.ReadFile(c.secretFile)
		if err != nil {
			return "", usagef("cannot read --client-secret-file: %v", errors.Unwrap(err))
		}
		secret = strings.TrimRight(string(b), "\r\n")
		if secret == "" {
			return "", usagef("--client-secret-file %s is empty", c.secretFile)
		}
	} else {
		secret = s.getenv(secretEnvVar)
	}
	if secret == "" {
		return "", usagef("--auth %s needs a client secret: set %s or pass --client-secret-file (or use --auth none for a public client)", c.auth, secretEnvVar)
	}
	return secret, nil
}

// newClient builds the SDK client. NewClient does no network I/O, so every
// error here is a configuration problem: exit 2.
func (c *commonFlags) newClient(s stdio) (*sdk.Client, error) {
	if c.tokenURL == "" && c.issuer == "" && c.revocationURL == "" && c.introspectionURL == "" {
		return nil, usagef("--token-url or --issuer is required")
	}
	if c.clientID == "" {
		return nil, usagef("--client-id is required")
	}
	method, err := c.authMethod()
	if err != nil {
		return nil, err
	}
	secret, err := c.clientSecret(s, method)
	if err != nil {
		return nil, err
	}
	dpopKey, err := c.dpopSigner()
	if err != nil {
		return nil, err
	}
	timeout := c.timeout
	if timeout <= 0 {
		timeout = -1 // sdk: no timeout beyond the context; --timeout 0 means "wait as long as it takes"
	}
	client, err := sdk.NewClient(sdk.Config{
		TokenURL:          c.tokenURL,
		Issuer:            c.issuer,
		RevocationURL:     c.revocationURL,
		ChallengeURL:      c.challengeURL,
		IntrospectionURL:  c.introspectionURL,
		ClientID:          c.clientID,
		ClientSecret:      secret,
		AuthMethod:        method,
		Timeout:           timeout,
		AllowInsecureHTTP: c.insecure,
		DPoP:              dpopKey,
		DPoPAllowBearer:   c.dpopAllowBearer,
	})
	if err != nil {
		var ie *sdk.InsecureURLError
		if errors.As(err, &ie) {
			return nil, &usageError{msg: insecureMessage(ie)}
		}
		return nil, &usageError{msg: strings.TrimPrefix(err.Error(), "ropc: ")}
	}
	return client, nil
}

func insecureMessage(ie *sdk.InsecureURLError) string {
	return fmt.Sprintf("refusing plain http for %s %s: credentials and tokens would cross the network unencrypted; "+
		"use an https URL, or pass --insecure to allow http to a non-loopback host (test servers only)", ie.Field, ie.URL)
}

// newFlagSet makes a subcommand's FlagSet that reports errors instead of exiting.
func newFlagSet(name, synopsis string, s stdio) *flag.FlagSet {
	fs := flag.NewFlagSet("ropc "+name, flag.ContinueOnError)
	fs.SetOutput(s.err)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: ropc %s %s\n\nflags:\n", name, synopsis)
		fs.PrintDefaults()
	}
	return fs
}

// parseFlags parses flags and positional arguments in any order (the flag
// package stops at the first positional one, but "ropc get URL --flags"
// should work). A --client-secret flag gets a message explaining why it does
// not exist, without echoing its value.
func parseFlags(fs *flag.FlagSet, args []string) (positional []string, err error) {
	for _, a := range args {
		name := strings.TrimLeft(a, "-")
		name, _, _ = strings.Cut(name, "=")
		if strings.HasPrefix(a, "-") && (name == "client-secret" || name == "password" || name == "refresh-token" || name == "token") {
			return nil, usagef("there is no --%s flag: flags are visible to other users in ps and stay in shell history; "+
				"use $%s or --client-secret-file for the client secret and the *-stdin flags for passwords and tokens", name, secretEnvVar)
		}
	}
	// The flag package would print the error and the whole flag list on
	// every mistake; errors become one line instead, and -h prints the list.
	out := fs.Output()
	fs.SetOutput(io.Discard)
	defer fs.SetOutput(out)
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				fs.SetOutput(out)
				fs.Usage()
				return nil, err
			}
			return nil, usagef("%s (see 'ropc %s -h')", err.Error(), strings.TrimPrefix(fs.Name(), "ropc "))
		}
		if fs.NArg() == 0 {
			return positional, nil
		}
		positional = append(positional, fs.Arg(0))
		args = fs.Args()[1:]
	}
}

// paramFlag collects repeated --param key=value.
type paramFlag [][2]string

func (p *paramFlag) String() string { return "" }

func (p *paramFlag) Set(v string) error {
	k, val, ok := strings.Cut(v, "=")
	if !ok || k == "" {
		return errors.New("want key=value")
	}
	*p = append(*p, [2]string{k, val})
	return nil
}

// requestOptions turns --scope and --param into SDK options.
func requestOptions(scope string, params paramFlag) []sdk.RequestOption {
	var opts []sdk.RequestOption
	if f := strings.Fields(scope); len(f) > 0 {
		opts = append(opts, sdk.WithScopes(f...))
	}
	for _, kv := range params {
		opts = append(opts, sdk.WithParam(kv[0], kv[1]))
	}
	return opts
}
