package mockserver

import (
	"context"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// trickle returns at most one byte per Read, as a slow client does.
type trickle struct{ r io.Reader }

func (t trickle) Read(p []byte) (int, error) { return t.r.Read(p[:min(1, len(p))]) }

func TestReadBody(t *testing.T) {
	const limit = 100
	for _, tc := range []struct {
		name     string
		body     string
		declared int64 // -1: unknown (chunked)
		wantErr  error
		wantRead int // bytes handed back
	}{
		{"declared, within", strings.Repeat("a", 100), 100, nil, 100},
		{"declared, empty", "", 0, nil, 0},
		{"declared over the limit: nothing read", strings.Repeat("a", 101), 101, errBodyLimit, 0},
		{"chunked, within", strings.Repeat("a", 100), -1, nil, 100},
		{"chunked, one over: stops at limit+1", strings.Repeat("a", 5000), -1, errBodyLimit, 101},
		{"declared but cut short", "abc", 10, io.ErrUnexpectedEOF, 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src := strings.NewReader(tc.body)
			got, err := ReadBody(trickle{src}, tc.declared, limit)
			if tc.wantErr != nil {
				assert.ErrorIs(t, err, tc.wantErr)
			} else {
				require.NoError(t, err)
				assert.Equal(t, tc.body, string(got))
			}
			assert.Len(t, got, tc.wantRead)
			assert.LessOrEqual(t, cap(got), limit+1, "never more than the limit in memory")
			assert.Equal(t, len(tc.body)-tc.wantRead, src.Len(), "read no further than needed")
		})
	}
}

// TestDeclaredOversizedBodyRefusedBeforeReading: a Content-Length over the
// limit is answered 413 at once, while the client is still sending.
func TestDeclaredOversizedBodyRefusedBeforeReading(t *testing.T) {
	srv, err := New(nil, Options{})
	require.NoError(t, err)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- Serve(ctx, ln, srv, nil) }()
	t.Cleanup(func() { cancel(); <-done })

	conn, err := net.Dial("tcp", ln.Addr().String())
	require.NoError(t, err)
	defer conn.Close()
	_, err = io.WriteString(conn, "POST /token HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n"+
		"Content-Length: 1048576\r\n\r\ngrant_type=password")
	require.NoError(t, err)
	require.NoError(t, conn.SetReadDeadline(time.Now().Add(10*time.Second)))
	buf := make([]byte, 512)
	n, err := io.ReadAtLeast(conn, buf, 12)
	require.NoError(t, err, "answered without waiting for the body")
	assert.True(t, strings.HasPrefix(string(buf[:n]), "HTTP/1.1 413 "), string(buf[:n]))
}
