package main

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ropcgo/ropc/mockserver"
)

// vmRSS reads a process's resident set size in bytes from /proc.
func vmRSS(t *testing.T, pid int) int64 {
	t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	require.NoError(t, err)
	for line := range strings.Lines(string(b)) {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			require.NoError(t, err)
			return kb << 10
		}
	}
	t.Fatal("no VmRSS")
	return 0
}

// TestStalledBodiesAreBounded opens hundreds of connections that each send
// part of a form body and stop — with a declared length over the limit,
// chunked without a length, and a declared length within the limit — against
// the binary with the admin API (and so the journal) on. The server's memory
// may grow by no more than the body limit per stalled connection plus the
// connection's own buffers, and password grants keep being answered.
func TestStalledBodiesAreBounded(t *testing.T) {
	if _, err := os.Stat("/proc/self/status"); err != nil {
		t.Skip("needs /proc to read the server's memory") // Linux-only measure
	}
	dir := t.TempDir()
	bin := buildBinary(t, dir)
	issuer, cmd, _, _ := startBinary(t, bin, "-addr", "127.0.0.1:0", "-key-file", "", "-admin", "-log-level", "error")
	addr := strings.TrimPrefix(issuer, "http://")
	client := &http.Client{Timeout: 10 * time.Second}
	grant := func() (time.Duration, int) {
		form := url.Values{"grant_type": {"password"}, "username": {"johndoe"}, "password": {"A3ddj3w"},
			"client_id": {"client_id"}, "client_secret": {"client_secret"}}
		start := time.Now()
		resp, err := client.PostForm(issuer+"/token", form)
		require.NoError(t, err)
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return time.Since(start), resp.StatusCode
	}
	median := func(n int) time.Duration {
		var d []time.Duration
		for range n {
			took, status := grant()
			require.Equal(t, http.StatusOK, status)
			d = append(d, took)
		}
		slices.Sort(d)
		return d[len(d)/2]
	}
	before := median(30)
	rssBefore := vmRSS(t, cmd.Process.Pid)

	const perKind = 100
	chunk := []byte(strings.Repeat("a", 512<<10))
	head := "POST /token HTTP/1.1\r\nHost: " + addr + "\r\nContent-Type: application/x-www-form-urlencoded\r\nAuthorization: Basic Y2xpZW50X2lkOmNsaWVudF9zZWNyZXQ=\r\n"
	kinds := []struct {
		name    string
		headers string
		send    []byte
		refused bool // answered 413 before the client has finished
	}{
		{"declared 1 MiB, sent 512 KiB", "Content-Length: 1048576\r\n\r\n", chunk, true},
		{"chunked, sent 512 KiB", "Transfer-Encoding: chunked\r\n\r\n" + strconv.FormatInt(int64(len(chunk)), 16) + "\r\n", chunk, true},
		{"declared 60000, sent 30000", "Content-Length: 60000\r\n\r\n", chunk[:30000], false},
	}
	var conns []net.Conn
	t.Cleanup(func() {
		for _, c := range conns {
			c.Close()
		}
	})
	for _, k := range kinds {
		for range perKind {
			c, err := net.Dial("tcp", addr)
			require.NoError(t, err)
			conns = append(conns, c)
			_, err = io.WriteString(c, head+k.headers)
			require.NoError(t, err)
			require.NoError(t, c.SetWriteDeadline(time.Now().Add(10*time.Second)))
			_, err = c.Write(k.send)
			if k.refused && err != nil {
				continue // the server answered and closed while we were still sending
			}
			require.NoError(t, err, k.name)
		}
	}
	// The refused kinds must have their 413 by now, without sending the rest.
	for i, c := range conns[:2*perKind] {
		require.NoError(t, c.SetReadDeadline(time.Now().Add(10*time.Second)))
		line, err := bufio.NewReader(c).ReadString('\n')
		require.NoError(t, err, "connection %d", i)
		assert.True(t, strings.HasPrefix(line, "HTTP/1.1 413 "), line)
	}
	// The in-limit kind is still being read: its memory settles once the
	// server has taken what was sent.
	var rss int64
	for range 50 {
		time.Sleep(100 * time.Millisecond) // sampling interval of a measurement, not a wait for an event
		next := vmRSS(t, cmd.Process.Pid)
		if next == rss {
			break
		}
		rss = next
	}
	during := median(30)
	stalled := len(conns)
	perConn := float64(rss-rssBefore) / float64(stalled)
	t.Logf("%d stalled bodies: RSS %.1f MB -> %.1f MB (%.1f KB per connection; limit %d KB); grant median %v before, %v during",
		stalled, float64(rssBefore)/1e6, float64(rss)/1e6, perConn/1024, mockserver.MaxBodyBytes>>10, before, during)
	// Twice the limit per connection leaves room for the garbage collector's
	// headroom and each connection's buffers and goroutine; the unbounded
	// read this guards against held over 512 KiB each.
	assert.Less(t, perConn, float64(2*mockserver.MaxBodyBytes), "memory per stalled connection")
	assert.Less(t, during, 20*before+100*time.Millisecond, "grants stay fast while bodies stall")
}
