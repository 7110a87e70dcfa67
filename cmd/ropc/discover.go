package main

import (
	"time"

	"github.com/ropcgo/ropc/sdk"
)

// runDiscover: ropc discover --issuer URL
// Prints the authorization server's metadata (RFC 8414 §2, or OpenID Connect Discovery 1.0 §3)
// as the server sent it, after the SDK's checks: the issuer in the document equals --issuer
// (RFC 8414 §3.3) and every endpoint in it passes the https rule. A failure names each URL
// tried and what it answered (exit 3).
func runDiscover(args []string, s stdio) int {
	var (
		issuer   string
		timeout  time.Duration
		insecure bool
	)
	fs := newFlagSet("discover", "--issuer URL", s)
	fs.StringVar(&issuer, "issuer", "", "issuer `URL` (required)")
	fs.DurationVar(&timeout, "timeout", 30*time.Second, "give up after this `duration` (0: no limit)")
	fs.BoolVar(&insecure, "insecure", false, "allow plain http to non-loopback hosts (test servers only; use https)")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return fail(s, "discover", usageOrHelp(err))
	}
	if len(pos) > 0 {
		return fail(s, "discover", usagef("unexpected argument %q", pos[0]))
	}
	if issuer == "" {
		return fail(s, "discover", usagef("--issuer is required"))
	}
	// Discovery sends no client credentials; the SDK's Config still names a client, so a
	// public one stands in.
	c := commonFlags{issuer: issuer, clientID: "ropc-discover", auth: "none", timeout: timeout, insecure: insecure}
	client, err := c.newClient(s)
	if err != nil {
		return fail(s, "discover", err)
	}
	ctx, cancel := commandContext(timeout)
	defer cancel()
	m, err := client.Discover(ctx)
	if err != nil {
		return fail(s, "discover", err)
	}
	if err := writeJSON(s.out, metadataOutput(m)); err != nil {
		return fail(s, "discover", err)
	}
	return exitOK
}

// metadataOutput is the document as sent (every member, including ones the SDK does not use).
func metadataOutput(m *sdk.Metadata) map[string]any {
	if m.Raw != nil {
		return m.Raw
	}
	return map[string]any{"issuer": m.Issuer, "token_endpoint": m.TokenEndpoint}
}
