package core_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ropcgo/ropc/sdk/core"
)

func TestDiscoveryURLs(t *testing.T) {
	tests := []struct {
		issuer  string
		want    []string
		wantErr bool
	}{
		{"https://as.example", []string{"https://as.example/.well-known/oauth-authorization-server", "https://as.example/.well-known/openid-configuration"}, false},
		{"https://as.example/", []string{"https://as.example/.well-known/oauth-authorization-server", "https://as.example/.well-known/openid-configuration"}, false},
		{"http://127.0.0.1:8080", []string{"http://127.0.0.1:8080/.well-known/oauth-authorization-server", "http://127.0.0.1:8080/.well-known/openid-configuration"}, false},
		{"https://as.example/tenant/1", []string{"https://as.example/.well-known/oauth-authorization-server/tenant/1", "https://as.example/tenant/1/.well-known/openid-configuration", "https://as.example/tenant/1/.well-known/oauth-authorization-server"}, false},
		{"https://as.example?x=1", nil, true},
		{"https://as.example#f", nil, true},
		{"as.example", nil, true},
		{"ftp://as.example", nil, true},
		{"", nil, true},
	}
	for _, tt := range tests {
		got, err := core.DiscoveryURLs(tt.issuer)
		if tt.wantErr {
			var pe *core.ParamError
			assert.True(t, errors.As(err, &pe), "%q: %v", tt.issuer, err)
			continue
		}
		require.NoError(t, err, tt.issuer)
		assert.Equal(t, tt.want, got, tt.issuer)
	}
}

func TestDiscoveryErrorNamesEachURL(t *testing.T) {
	issuer := "https://as.example/t"
	var tried []core.DiscoveryAttempt
	for _, a := range []core.DiscoveryAttempt{{Status: 404, Problem: "ropc: HTTP 404 (text/html), not an OAuth answer"}, {Status: 200, Problem: "metadata issuer does not match"}, {Status: 0, Problem: "dial tcp: connection refused"}} {
		u, err := core.NextDiscoveryURL(issuer, tried)
		require.NoError(t, err)
		a.URL = u
		tried = append(tried, a)
	}
	_, err := core.NextDiscoveryURL(issuer, tried)
	var de *core.DiscoveryError
	require.ErrorAs(t, err, &de)
	msg := err.Error()
	assert.NotContains(t, msg, "\n")
	for _, want := range []string{
		"1. https://as.example/.well-known/oauth-authorization-server/t answered HTTP 404 (HTTP 404 (text/html), not an OAuth answer)",
		"2. https://as.example/t/.well-known/openid-configuration answered HTTP 200 (metadata issuer does not match)",
		"3. https://as.example/t/.well-known/oauth-authorization-server gave no answer (dial tcp: connection refused)",
	} {
		assert.Contains(t, msg, want)
	}
	assert.True(t, strings.HasPrefix(msg, "ropc: discovery found no usable metadata for issuer https://as.example/t:"), msg)

	// No answer stops discovery before the list ends.
	_, err = core.NextDiscoveryURL(issuer, tried[2:3])
	require.ErrorAs(t, err, &de)
	assert.Len(t, de.Attempts, 1)
}
