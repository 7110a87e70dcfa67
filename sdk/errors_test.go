package sdk

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestErrorMessages(t *testing.T) {
	tests := []struct {
		err  error
		want []string
	}{
		{&InsecureURLError{Field: "TokenURL", URL: "http://as.example.com/token"}, []string{"TokenURL", "https", "loopback", "AllowInsecureHTTP"}},
		{&RedirectError{Status: 307, Location: "https://elsewhere.example/token"}, []string{"307", "elsewhere.example", "redirects are refused"}},
		{&RedirectError{Status: 302}, []string{"302", "redirects are refused"}},
		{&ResponseTooLargeError{Limit: 1 << 20}, []string{"1048576", "exceeds"}},
		{signInAgain("refresh token rejected", &OAuthError{Code: "invalid_grant", Status: 400}), []string{"sign in again", "invalid_grant"}},
	}
	for _, tt := range tests {
		t.Run(tt.err.Error(), func(t *testing.T) {
			for _, w := range tt.want {
				assert.Contains(t, tt.err.Error(), w)
			}
		})
	}
}

func TestSignInAgainWrapping(t *testing.T) {
	cause := &OAuthError{Code: "invalid_grant", Status: 400}
	err := signInAgain("refresh token rejected", cause)
	assert.ErrorIs(t, err, ErrSignInAgain)
	var oe *OAuthError
	assert.True(t, errors.As(err, &oe))
	assert.Same(t, cause, oe)

	bare := signInAgain("no token", nil)
	assert.ErrorIs(t, bare, ErrSignInAgain)
	assert.False(t, errors.As(bare, &oe))
}
