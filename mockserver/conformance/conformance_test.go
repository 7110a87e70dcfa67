package conformance_test

import (
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/ropcgo/ropc/mockserver"
	"github.com/ropcgo/ropc/mockserver/conformance"
)

func TestNativeJWT(t *testing.T) {
	srv, err := mockserver.New(mockserver.DefaultConfig(), mockserver.Options{})
	require.NoError(t, err)
	ts := httptest.NewServer(srv)
	defer ts.Close()
	conformance.Run(t, conformance.Target{BaseURL: ts.URL})
}

func TestNativeOpaque(t *testing.T) {
	cfg := mockserver.DefaultConfig()
	cfg.TokenFormat = mockserver.TokenFormatOpaque
	srv, err := mockserver.New(cfg, mockserver.Options{})
	require.NoError(t, err)
	ts := httptest.NewServer(srv)
	defer ts.Close()
	conformance.Run(t, conformance.Target{BaseURL: ts.URL, Opaque: true})
}

// TestNativeRFCProfile: the rfc profile named explicitly, with users in
// every account state beside the demo users, still passes the whole suite.
func TestNativeRFCProfile(t *testing.T) {
	cfg := mockserver.DefaultConfig()
	cfg.Profile = mockserver.ProfileRFC
	for _, st := range []string{mockserver.StateLocked, mockserver.StateDisabled, mockserver.StatePasswordExpired, mockserver.StateSetupRequired} {
		cfg.Users = append(cfg.Users, mockserver.User{Username: "user-" + st, Password: "pw", State: st})
	}
	srv, err := mockserver.New(cfg, mockserver.Options{})
	require.NoError(t, err)
	ts := httptest.NewServer(srv)
	defer ts.Close()
	conformance.Run(t, conformance.Target{BaseURL: ts.URL})
}
