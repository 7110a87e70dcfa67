package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/ropcgo/ropc/sdk"
	"github.com/ropcgo/ropc/sdk/core"
)

func TestFailExitCodes(t *testing.T) {
	tests := []struct {
		name    string
		err     error
		code    int
		wantErr string
	}{
		{"usage", usagef("bad flag"), exitUsage, "ropc x: bad flag\n"},
		{"param", &core.ParamError{Key: "grant_type", Reason: "reserved"}, exitUsage, "ropc x: parameter \"grant_type\": reserved\n"},
		{"oauth", fmt.Errorf("wrapped: %w", &sdk.OAuthError{Code: "invalid_grant", Description: "bad", Status: 400}), exitOAuth,
			`{"error":"invalid_grant","error_description":"bad","error_uri":null,"status":400,"kind":"invalid_credentials","extra":{}}` + "\n"},
		{"sign in again wrapping oauth", fmt.Errorf("%w: %w", sdk.ErrSignInAgain, &sdk.OAuthError{Code: "invalid_grant", URI: "https://e/x", Status: 400}), exitOAuth,
			`{"error":"invalid_grant","error_description":null,"error_uri":"https://e/x","status":400,"kind":"invalid_credentials","extra":{}}` + "\n"},
		{"kind, extra and retry delay", &sdk.OAuthError{Code: "too_many_attempts", Status: 429, Kind: sdk.KindAccountLocked,
			Extra: map[string]any{"mfa_token": "Fe26.secret-ish", "error_codes": []any{1}}, RetryAfter: 90 * time.Second}, exitOAuth,
			`{"error":"too_many_attempts","error_description":null,"error_uri":null,"status":429,"kind":"account_locked","extra":{"error_codes":[1],"mfa_token":"[redacted]"},"retry_after":90}` + "\n"},
		{"http", &sdk.HTTPError{Status: 502}, exitFailure, "ropc x: server returned HTTP 502 Bad Gateway, not an OAuth response\n"},
		{"protocol", &sdk.ProtocolError{Reason: "response has no access_token"}, exitFailure, "ropc x: invalid server response: response has no access_token\n"},
		{"redirect", &sdk.RedirectError{Status: 307}, exitFailure, "ropc x: endpoint responded with redirect 307; redirects are refused for requests that carry credentials or tokens\n"},
		{"insecure discovered endpoint", &sdk.InsecureURLError{Field: "token_endpoint", URL: "http://as.example/t"}, exitFailure, ""},
		{"timeout", fmt.Errorf("post: %w", context.DeadlineExceeded), exitFailure, "ropc x: timed out (raise --timeout): post: context deadline exceeded\n"},
		{"multi-line", errors.New("a\nb"), exitFailure, "ropc x: a b\n"},
		{"interrupted", fmt.Errorf("polling: %w", context.Canceled), exitFailure, "ropc x: interrupted\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stderr bytes.Buffer
			code := fail(stdio{err: &stderr}, "x", tt.err)
			assert.Equal(t, tt.code, code)
			if tt.wantErr != "" {
				assert.Equal(t, tt.wantErr, stderr.String())
			} else {
				assert.Contains(t, stderr.String(), "https")
				assert.Contains(t, stderr.String(), "--insecure")
			}
		})
	}
}
