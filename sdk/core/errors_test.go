package core_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

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
