package admin

import (
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/ropcgo/ropc/mockserver"
	"github.com/ropcgo/ropc/mockserver/conformance"
)

// TestWrapperIsTransparent runs the mock's whole HTTP conformance suite
// through the admin layer with no faults: journaling (which reads and restores
// the body) must change nothing a client can see.
func TestWrapperIsTransparent(t *testing.T) {
	mock, err := mockserver.New(mockserver.DefaultConfig(), mockserver.Options{})
	require.NoError(t, err)
	h, err := New(mock, Options{Enabled: true})
	require.NoError(t, err)
	hs := httptest.NewServer(h)
	t.Cleanup(hs.Close)
	conformance.Run(t, conformance.Target{BaseURL: hs.URL, Client: hs.Client()})
	require.NotEmpty(t, h.Requests(), "the suite's requests were journaled")
}
