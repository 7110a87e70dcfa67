package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"strings"

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
		_ = writeJSON(s.err, oauthErrorOutput{Error: oe.Code, ErrorDescription: optional(oe.Description),
			ErrorURI: optional(oe.URI), Status: oe.Status})
		return exitOAuth
	case errors.As(err, &ie):
		fmt.Fprintf(s.err, "ropc %s: %s\n", op, insecureMessage(ie))
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
