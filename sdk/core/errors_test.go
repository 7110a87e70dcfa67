package core_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ropcgo/ropc/sdk/core"
)

func TestErrorMessages(t *testing.T) {
	tests := []struct {
		err  error
		want string
	}{
		{&core.HTTPError{Status: 502, ContentType: "text/html"}, "ropc: server returned HTTP 502 Bad Gateway (text/html), not an OAuth response"},
		{&core.HTTPError{Status: 599}, "ropc: server returned HTTP 599, not an OAuth response"},
		{&core.HTTPError{Status: 500, ContentType: "text/html\r\nX-Evil: 1"}, "ropc: server returned HTTP 500 Internal Server Error (text/html  X-Evil: 1), not an OAuth response"},
		{&core.OAuthError{Code: "invalid_grant", Status: 400}, `ropc: server returned OAuth error "invalid_grant" (HTTP 400)`},
		{&core.ProtocolError{Field: "expires_in", Reason: "expires_in is negative"}, "ropc: invalid server response: expires_in is negative"},
		{&core.ParamError{Key: "grant_type", Reason: "reserved"}, `ropc: parameter "grant_type": reserved`},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, tt.err.Error())
	}
}

// A hostile server echoes what it received into every field a message shows.
func TestScrub(t *testing.T) {
	const pw, secret = "Pa55word", `se"cret`
	tests := []struct {
		name string
		err  error
		keep string // a part of the message that must survive
	}{
		{"description", &core.OAuthError{Code: "invalid_grant", Description: "bad password Pa55word", Status: 400}, "invalid_grant"},
		{"description, sanitised form", &core.OAuthError{Code: "invalid_client", Description: "bad secret se?cret", Status: 401}, "invalid_client"},
		{"uri", &core.OAuthError{Code: "invalid_grant", URI: "https://x/?p=Pa55word"}, "invalid_grant"},
		{"unregistered code", &core.OAuthError{Code: "pa55word", Status: 400}, "HTTP 400"},
		{"content type", &core.HTTPError{Status: 500, ContentType: "text/html; x=Pa55word"}, "HTTP 500"},
		{"lower-cased content type in a reason", &core.ProtocolError{Reason: "body is neither JSON nor form-encoded (Content-Type pa55word)"}, "invalid server response"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := tt.err.Error()
			require.True(t, core.ContainsSecret(before, pw, secret), "the case must contain a secret: %s", before)
			msg := core.Scrub(tt.err, "", pw, secret).Error()
			assert.False(t, core.ContainsSecret(msg, pw, secret), msg)
			assert.Contains(t, msg, tt.keep)
		})
	}
	clean := &core.OAuthError{Code: "invalid_grant", Description: "invalid username or password", URI: "https://as/doc"}
	assert.Equal(t, clean.Error(), core.Scrub(clean, pw, secret).Error(), "nothing to scrub, nothing changed")
	assert.Nil(t, core.Scrub(nil, pw))
}
