package main

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"

	"github.com/ropcgo/ropc/sdk"
	"github.com/ropcgo/ropc/sdk/core"
)

// runGet: ropc get URL ... (--token-stdin | --username NAME [--password-stdin])
// Fetches a protected resource with a bearer token (RFC 6750 §2.1), refreshing
// it first when it is stale and once more on a 401 invalid_token.
func runGet(args []string, s stdio) int {
	var (
		c             commonFlags
		tokenStdin    bool
		username      string
		passwordStdin bool
		scope         string
		params        paramFlag
		saveTo        string
		from          string
		store         storeFlags
	)
	fs := newFlagSet("get", "URL (--token-url URL | --issuer URL) --client-id ID (--token-stdin | --username NAME [--password-stdin]) [--save-token FILE]\n       ropc get URL --from NAME [--store keychain|file]", s)
	c.register(fs)
	fs.StringVar(&from, "from", "", "use the token saved under `NAME` (ropc token --save), refreshing it when due and saving the result back")
	store.register(fs)
	fs.BoolVar(&tokenStdin, "token-stdin", false, "read the token JSON printed by ropc token (or a bare access token) from standard input")
	fs.StringVar(&username, "username", "", "get a token with the password grant for `name` first")
	fs.BoolVar(&passwordStdin, "password-stdin", false, "with --username: read the password from standard input")
	fs.StringVar(&scope, "scope", "", "with --username: space-separated `scopes`")
	fs.Var(&params, "param", "with --username: extra token request parameter `key=value` (repeatable)")
	fs.StringVar(&saveTo, "save-token", "", "write the token JSON to `FILE` (mode 0600) when it is refreshed")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return fail(s, "get", usageOrHelp(err))
	}
	if len(pos) != 1 {
		return fail(s, "get", usagef("want exactly one resource URL, got %d arguments", len(pos)))
	}
	target, err := checkResourceURL(pos[0], c.insecure)
	if err != nil {
		return fail(s, "get", err)
	}
	if from != "" {
		if tokenStdin || username != "" || saveTo != "" {
			return fail(s, "get", usagef("--from takes the token from the store: drop --token-stdin, --username and --save-token"))
		}
	} else if tokenStdin == (username != "") {
		return fail(s, "get", usagef("pass one of --token-stdin, --username or --from"))
	}
	if tokenStdin && passwordStdin {
		return fail(s, "get", usagef("--token-stdin and --password-stdin both want standard input"))
	}
	ctx, cancel := commandContext(c.timeout)
	defer cancel()
	var (
		st  sdk.TokenStore
		rec *sdk.SavedToken
	)
	if from != "" {
		if st, rec, err = c.openSaved(ctx, fs, &store, from); err != nil {
			return fail(s, "get", err)
		}
	}
	client, err := c.newClient(s)
	if err != nil {
		return fail(s, "get", err)
	}
	if rec != nil {
		if err := c.checkSavedDPoP(from, rec, client); err != nil {
			return fail(s, "get", err)
		}
	}

	var tok *sdk.Token // with --from, loaded below with the store attached
	if tokenStdin {
		in, _, err := readTokenInput(s.in, "token")
		if err != nil {
			return fail(s, "get", err)
		}
		if tok, err = in.token(); err != nil {
			return fail(s, "get", err)
		}
		if in.AccessToken == in.RefreshToken {
			tok.RefreshToken = "" // a bare token line is an access token only
		}
	} else if username != "" {
		password, err := readPassword(s, passwordStdin, username)
		if err != nil {
			return fail(s, "get", err)
		}
		if tok, err = client.PasswordToken(ctx, username, password, requestOptions(scope, params)...); err != nil {
			return fail(s, "get", err)
		}
	}

	refreshed := false
	var saveErr error
	onChange := sdk.WithOnTokenChange(func(t *sdk.Token) {
		refreshed = true
		if saveTo != "" {
			saveErr = saveToken(saveTo, t)
		}
	})
	var ts *sdk.TokenSource
	if from != "" {
		// The store saves every refresh, under its lock, before the token is used.
		if ts, err = sdk.LoadTokenSource(ctx, client, st, from, onChange); err != nil {
			return fail(s, "get", err)
		}
		tok = ts.Current()
	} else {
		ts = client.TokenSource(tok, onChange)
	}
	hc := ts.Client(&http.Client{CheckRedirect: sameOriginRedirects})
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target.String(), nil)
	if err != nil {
		return fail(s, "get", err)
	}
	req.Header.Set("Accept", "application/json, */*;q=0.5")
	resp, err := hc.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // the URL is in our own message already
		}
		return fail(s, "get", fmt.Errorf("GET %s: %w", redactQuery(target), err))
	}
	defer resp.Body.Close()
	if refreshed {
		if saveErr != nil {
			fmt.Fprintf(s.err, "ropc get: the token was refreshed but could not be saved: %v\n", saveErr)
		} else if saveTo == "" && tokenStdin && from == "" {
			fmt.Fprintln(s.err, "ropc get: note: the token was refreshed; the old refresh token may no longer work (use --save-token FILE to keep the new one)")
		}
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		// RFC 6750 §3.1: a resource server reports token problems in the
		// WWW-Authenticate challenge, which is an OAuth error.
		if ch, ok := resourceChallenge(resp.Header.Get("WWW-Authenticate")); ok && ch["error"] != "" {
			// A hostile resource server may echo the token it was sent.
			sent := ts.Current()
			return fail(s, "get", core.Scrub(&sdk.OAuthError{Code: ch["error"], Description: ch["error_description"],
				URI: ch["error_uri"], Status: resp.StatusCode, Extra: map[string]any{},
				Kind: core.Classify(ch["error"], ch["error_description"], nil, resp.StatusCode)}, sent.AccessToken, sent.RefreshToken, tok.AccessToken, tok.RefreshToken))
		}
		return fail(s, "get", fmt.Errorf("GET %s: server returned HTTP %d", redactQuery(target), resp.StatusCode))
	}
	if _, err := io.Copy(s.out, resp.Body); err != nil {
		return fail(s, "get", fmt.Errorf("GET %s: reading the response: %w", redactQuery(target), err))
	}
	return exitOK
}

// checkResourceURL applies RFC 6750 §5.3's "always use TLS (https)": a bearer
// token sent over plain http to another machine can be replayed by anyone on
// the path. Loopback is exempt, --insecure overrides.
func checkResourceURL(raw string, insecure bool) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return nil, usagef("resource URL must be an absolute https URL")
	}
	if u.User != nil {
		return nil, usagef("resource URL must not contain user info")
	}
	// The same loopback rule as every endpoint (core.CheckTransportSecurity).
	if core.CheckTransportSecurity("resource URL", raw, insecure) != nil {
		return nil, usagef("refusing plain http for resource URL %s: the bearer token would cross the network unencrypted; "+
			"use an https URL, or pass --insecure to allow http to a non-loopback host (test servers only)", redactQuery(u))
	}
	return u, nil
}

// sameOriginRedirects follows redirects only within the original origin: the
// bearer transport adds the token to every hop, so a cross-origin redirect
// would hand the token to another server.
func sameOriginRedirects(req *http.Request, via []*http.Request) error {
	if len(via) >= 5 {
		return errors.New("stopped after 5 redirects")
	}
	first := via[0].URL
	if req.URL.Scheme != first.Scheme || !strings.EqualFold(req.URL.Host, first.Host) {
		return fmt.Errorf("refused redirect to another origin (%s://%s): the bearer token would go with it", req.URL.Scheme, req.URL.Host)
	}
	return nil
}

func saveToken(path string, t *sdk.Token) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	if err := writeJSON(f, tokenOutput(t)); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func redactQuery(u *url.URL) string {
	c := *u
	c.User = nil
	if c.RawQuery != "" {
		c.RawQuery = "..."
	}
	return c.String()
}
