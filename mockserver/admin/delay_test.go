package admin

import (
	"context"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ropcgo/ropc/mockserver"
)

// TestDelayOutlastsReadTimeout: a delay fault longer than the server's read
// timeout still answers the delayed request, body read after the delay
// included (a body larger than net/http buffers with the headers).
func TestDelayOutlastsReadTimeout(t *testing.T) {
	mock, err := mockserver.New(nil, mockserver.Options{})
	require.NoError(t, err)
	h, err := New(mock, Options{}) // admin API off: the body is read after the delay
	require.NoError(t, err)
	_, err = h.AddFault(Rule{Match: Match{Path: "/token"}, Delay: Duration(400 * time.Millisecond), Times: 1})
	require.NoError(t, err)
	hs := mockserver.NewHTTPServer(h, nil)
	hs.ReadTimeout = 100 * time.Millisecond
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	go func() { _ = hs.Serve(ln) }()
	t.Cleanup(func() { _ = hs.Shutdown(context.Background()) })

	form := passwordForm(demoUser, demoPass)
	form.Set("client_id", demoClient)
	form.Set("client_secret", demoSecret)
	body := form.Encode() + "&padding=" + url.QueryEscape(strings.Repeat("x", 32<<10))
	resp, err := http.Post("http://"+ln.Addr().String()+"/token", "application/x-www-form-urlencoded", strings.NewReader(body))
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)
}
