package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"strings"
	"time"

	"github.com/ropcgo/ropc/sdk"
	"github.com/ropcgo/ropc/sdk/core"
)

// oauthErrorOutput is the JSON printed on stderr for an OAuth error
// (RFC 6749 §5.2 fields plus the HTTP status); absent fields are null.
type oauthErrorOutput struct {
	Error            string  `json:"error"`
	ErrorDescription *string `json:"error_description"`
	ErrorURI         *string `json:"error_uri"`
	Status           int     `json:"status"`
	// Kind names the situation (sdk.Kind): invalid_credentials, mfa_required, account_locked, ...
	Kind string `json:"kind"`
	// Extra holds the other members of the server's error body, scrubbed; {} when none.
	Extra map[string]any `json:"extra"`
	// RetryAfter is the server's Retry-After in seconds, when known (rate_limited, account_locked).
	RetryAfter *int64 `json:"retry_after,omitempty"`
}

// shownExtra copies the error body's other members for printing, with the mfa_token (a
// credential that continues the sign-in) redacted.
func shownExtra(extra map[string]any) map[string]any {
	out := make(map[string]any, len(extra))
	for k, v := range extra {
		if k == "mfa_token" {
			v = "[redacted]"
		}
		out[k] = v
	}
	return out
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// fail reports err and returns the exit code the contract assigns it.
func fail(s stdio, op string, err error) int {
	var (
		ue *usageError
		pe *core.ParamError
		oe *sdk.OAuthError
		ie *sdk.InsecureURLError
		se *sdk.SavedTokenError
	)
	switch {
	case errors.Is(err, flag.ErrHelp):
		return exitOK
	case errors.As(err, &ue):
		fmt.Fprintf(s.err, "ropc %s: %s\n", op, oneLine(ue.msg))
		return exitUsage
	case errors.As(err, &pe):
		fmt.Fprintf(s.err, "ropc %s: %s\n", op, oneLine(strings.TrimPrefix(pe.Error(), "ropc: ")))
		return exitUsage
	case errors.As(err, &oe):
		out := oauthErrorOutput{Error: oe.Code, ErrorDescription: optional(oe.Description),
			ErrorURI: optional(oe.URI), Status: oe.Status, Kind: string(oe.Kind), Extra: shownExtra(oe.Extra)}
		if out.Kind == "" { // built by hand (get's RFC 6750 challenge), not parsed by the core
			out.Kind = string(core.Classify(oe.Code, oe.Description, oe.Extra, oe.Status))
		}
		if oe.RetryAfter > 0 {
			secs := int64(oe.RetryAfter / time.Second)
			out.RetryAfter = &secs
		}
		_ = writeJSON(s.err, out)
		return exitOAuth
	case errors.As(err, &ie):
		fmt.Fprintf(s.err, "ropc %s: %s\n", op, insecureMessage(ie))
		return exitFailure
	case errors.Is(err, context.Canceled):
		// Ctrl-C, e.g. while waiting for an out-of-band approval.
		fmt.Fprintf(s.err, "ropc %s: interrupted\n", op)
		return exitFailure
	case errors.Is(err, context.DeadlineExceeded):
		fmt.Fprintf(s.err, "ropc %s: timed out (raise --timeout): %s\n", op, oneLine(err.Error()))
		return exitFailure
	case errors.As(err, &se):
		// A saved token for another client or server, or a damaged record: sign in again.
		fmt.Fprintf(s.err, "ropc %s: %s\n", op, oneLine(strings.ReplaceAll(err.Error(), "ropc: ", "")))
		return exitUsage
	case errors.Is(err, sdk.ErrNoEndpoint):
		fmt.Fprintf(s.err, "ropc %s: %s\n", op, oneLine(strings.TrimPrefix(err.Error(), "ropc: ")))
		return exitUsage
	}
	fmt.Fprintf(s.err, "ropc %s: %s\n", op, oneLine(strings.TrimPrefix(err.Error(), "ropc: ")))
	return exitFailure
}

// oneLine keeps a message on one line, as the contract promises scripts.
func oneLine(s string) string {
	return strings.Join(strings.Fields(strings.ReplaceAll(s, "\x00", " ")), " ")
}
