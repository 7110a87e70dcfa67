package mockserver

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// tcpPair returns a tracked server side and the plain client side of one
// loopback TCP connection.
func tcpPair(t *testing.T, r *reaper) (*deadlineConn, net.Conn) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	client, err := net.Dial("tcp", ln.Addr().String())
	require.NoError(t, err)
	server, err := ln.Accept()
	require.NoError(t, err)
	dc := r.track(server)
	t.Cleanup(func() { _ = dc.Close(); _ = client.Close() })
	return dc, client
}

// readErr reads one byte from c in the background.
func readErr(c net.Conn) <-chan error {
	done := make(chan error, 1)
	go func() {
		_, err := c.Read(make([]byte, 1))
		done <- err
	}()
	return done
}

func TestCoarseDeadlineFailsAStalledRead(t *testing.T) {
	r := newReaper(20 * time.Millisecond)
	dc, _ := tcpPair(t, r)
	start := time.Now()
	require.NoError(t, dc.SetReadDeadline(start.Add(150*time.Millisecond)))
	select {
	case err := <-readErr(dc):
		assert.ErrorIs(t, err, os.ErrDeadlineExceeded)
		var ne net.Error
		require.ErrorAs(t, err, &ne)
		assert.True(t, ne.Timeout())
		assert.GreaterOrEqual(t, time.Since(start), 150*time.Millisecond, "not before the deadline")
	case <-time.After(10 * time.Second):
		t.Fatal("the read deadline never fired")
	}
}

func TestCoarseDeadlineMovedOrClearedDoesNotFire(t *testing.T) {
	r := newReaper(20 * time.Millisecond)
	dc, client := tcpPair(t, r)
	require.NoError(t, dc.SetReadDeadline(time.Now().Add(60*time.Millisecond)))
	require.NoError(t, dc.SetReadDeadline(time.Time{}))
	done := readErr(dc)
	time.Sleep(200 * time.Millisecond) // several ticks past the cleared deadline
	_, err := client.Write([]byte("x"))
	require.NoError(t, err)
	assert.NoError(t, <-done, "a cleared deadline must not fail the read")

	require.NoError(t, dc.SetReadDeadline(time.Now().Add(60*time.Millisecond)))
	require.NoError(t, dc.SetReadDeadline(time.Now().Add(time.Hour)))
	done = readErr(dc)
	time.Sleep(200 * time.Millisecond)
	_, err = client.Write([]byte("y"))
	require.NoError(t, err)
	assert.NoError(t, <-done, "a deadline moved later must not fire at the earlier time")
}

// net/http aborts a background read with a deadline long past and then
// clears it; both must reach the real connection at once.
func TestCoarseDeadlinePastIsImmediateAndClears(t *testing.T) {
	r := newReaper(time.Hour) // no tick during the test: only pass-through can fail the read
	dc, client := tcpPair(t, r)
	done := readErr(dc)
	require.NoError(t, dc.SetReadDeadline(time.Unix(1, 0)))
	select {
	case err := <-done:
		assert.ErrorIs(t, err, os.ErrDeadlineExceeded)
	case <-time.After(5 * time.Second):
		t.Fatal("a past deadline did not abort the read at once")
	}
	require.NoError(t, dc.SetReadDeadline(time.Time{}))
	_, err := client.Write([]byte("x"))
	require.NoError(t, err)
	assert.NoError(t, <-readErr(dc), "cleared after the abort")
}

func TestCoarseDeadlineAfterFiringCanBeReset(t *testing.T) {
	r := newReaper(20 * time.Millisecond)
	dc, client := tcpPair(t, r)
	require.NoError(t, dc.SetReadDeadline(time.Now().Add(30*time.Millisecond)))
	require.ErrorIs(t, <-readErr(dc), os.ErrDeadlineExceeded)
	require.NoError(t, dc.SetReadDeadline(time.Now().Add(time.Hour)))
	_, err := client.Write([]byte("x"))
	require.NoError(t, err)
	assert.NoError(t, <-readErr(dc))
}

func TestReaperStopsWhenNoConnectionIsOpen(t *testing.T) {
	r := newReaper(10 * time.Millisecond)
	dc, _ := tcpPair(t, r)
	n, running := r.tracked()
	assert.Equal(t, 1, n)
	assert.True(t, running)
	require.NoError(t, dc.Close())
	require.Eventually(t, func() bool {
		n, running := r.tracked()
		return n == 0 && !running
	}, 5*time.Second, 5*time.Millisecond)
}

// Through net/http: requests on one keep-alive connection keep working
// while their deadlines are re-set, a stalled body is cut off after the
// read timeout, and an idle connection is closed after the idle timeout.
func TestCoarseDeadlinesUnderNetHTTP(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	srv := &http.Server{
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			_, _ = io.Copy(io.Discard, r.Body)
			_, _ = io.WriteString(w, "ok")
		}),
		ReadHeaderTimeout: 300 * time.Millisecond,
		ReadTimeout:       300 * time.Millisecond,
		IdleTimeout:       400 * time.Millisecond,
	}
	go func() { _ = srv.Serve(coarseDeadlines(ln)) }()
	t.Cleanup(func() { _ = srv.Shutdown(context.Background()) })
	addr := ln.Addr().String()

	t.Run("keep-alive requests", func(t *testing.T) {
		c, err := net.Dial("tcp", addr)
		require.NoError(t, err)
		defer c.Close()
		br := bufio.NewReader(c)
		for i := range 20 {
			_, err := io.WriteString(c, "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc")
			require.NoError(t, err)
			resp, err := http.ReadResponse(br, nil)
			require.NoError(t, err, "request %d", i)
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			assert.Equal(t, "ok", string(b))
			if i%5 == 4 {
				time.Sleep(250 * time.Millisecond) // idle, under the idle timeout
			}
		}
	})
	t.Run("stalled body", func(t *testing.T) {
		c, err := net.Dial("tcp", addr)
		require.NoError(t, err)
		defer c.Close()
		start := time.Now()
		_, err = io.WriteString(c, "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nabc")
		require.NoError(t, err)
		require.NoError(t, c.SetReadDeadline(time.Now().Add(10*time.Second)))
		_, err = io.ReadAll(c) // the server closes the connection
		require.NoError(t, err)
		elapsed := time.Since(start)
		assert.GreaterOrEqual(t, elapsed, 300*time.Millisecond)
		assert.Less(t, elapsed, 5*time.Second)
	})
	t.Run("idle connection", func(t *testing.T) {
		c, err := net.Dial("tcp", addr)
		require.NoError(t, err)
		defer c.Close()
		_, err = io.WriteString(c, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
		require.NoError(t, err)
		br := bufio.NewReader(c)
		resp, err := http.ReadResponse(br, nil)
		require.NoError(t, err)
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		start := time.Now()
		require.NoError(t, c.SetReadDeadline(time.Now().Add(10*time.Second)))
		_, err = br.ReadByte()
		assert.True(t, errors.Is(err, io.EOF) || strings.Contains(err.Error(), "reset"), "closed by the server: %v", err)
		assert.GreaterOrEqual(t, time.Since(start), 300*time.Millisecond, "not before the idle timeout")
	})
}
