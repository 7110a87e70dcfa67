package main

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ropcgo/ropc/mockserver/mocktest"
)

func TestDiscoverAgainstMock(t *testing.T) {
	mock := newMock(t)
	r := ropc(t, "", nil, "discover", "--issuer", mock.URL)
	require.Equal(t, exitOK, r.code, r.stderr)
	meta := decodeToken(t, r.stdout)
	assert.Equal(t, mock.URL, meta["issuer"])
	assert.Equal(t, mock.URL+"/token", meta["token_endpoint"])
	assert.Equal(t, mock.URL+"/introspect", meta["introspection_endpoint"])
	assert.Contains(t, meta["grant_types_supported"], "password")

	// Both well-known URLs fail: exit 3, one line naming each URL beside its answer.
	mock.Fault(mocktest.Rule{Match: mocktest.Match{Path: "/.well-known/oauth-authorization-server"}, Quirk: mocktest.QuirkHTMLError, Status: 404})
	mock.Fault(mocktest.Rule{Match: mocktest.Match{Path: "/.well-known/openid-configuration"}, Quirk: mocktest.QuirkHTMLError, Status: 503})
	r = ropc(t, "", nil, "discover", "--issuer", mock.URL)
	assert.Equal(t, exitFailure, r.code, r.stderr)
	assert.Equal(t, 1, strings.Count(r.stderr, "\n"), "one line: %q", r.stderr)
	assert.Contains(t, r.stderr, mock.URL+"/.well-known/oauth-authorization-server answered HTTP 404")
	assert.Contains(t, r.stderr, mock.URL+"/.well-known/openid-configuration answered HTTP 503")

	// No answer: discovery stops at the first URL.
	mock.ClearFaults()
	mock.Fault(mocktest.Rule{Match: mocktest.Match{Path: "/.well-known/oauth-authorization-server"}, Quirk: mocktest.QuirkHang})
	start := time.Now()
	r = ropc(t, "", nil, "discover", "--issuer", mock.URL, "--timeout", "500ms")
	assert.Equal(t, exitFailure, r.code, r.stderr)
	assert.Contains(t, r.stderr, "gave no answer")
	assert.NotContains(t, r.stderr, "openid-configuration")
	assert.Less(t, time.Since(start), 20*time.Second)
}

func TestDiscoverUsageErrors(t *testing.T) {
	tests := []struct {
		name string
		args []string
		msg  string
	}{
		{"no issuer", nil, "--issuer is required"},
		{"plain http elsewhere", []string{"--issuer", "http://as.example"}, "https"},
		{"issuer with a query", []string{"--issuer", "https://as.example/?x=1"}, "query"},
		{"stray argument", []string{"--issuer", "https://as.example", "extra"}, "unexpected argument"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := ropc(t, "", nil, append([]string{"discover"}, tt.args...)...)
			assert.Equal(t, exitUsage, r.code, r.stderr)
			assert.Contains(t, r.stderr, tt.msg)
		})
	}
}
