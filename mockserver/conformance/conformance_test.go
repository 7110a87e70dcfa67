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
