package main

import (
	"bytes"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"
)

// openPTY returns the master and slave ends of a new pseudo-terminal.
func openPTY(t *testing.T) (master, slave *os.File) {
	t.Helper()
	master, err := os.OpenFile("/dev/ptmx", os.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("no pseudo-terminal available: %v", err)
	}
	t.Cleanup(func() { master.Close() })
	require.NoError(t, unix.IoctlSetPointerInt(int(master.Fd()), unix.TIOCSPTLCK, 0))
	n, err := unix.IoctlGetInt(int(master.Fd()), unix.TIOCGPTN)
	require.NoError(t, err)
	slave, err = os.OpenFile("/dev/pts/"+strconv.Itoa(n), os.O_RDWR|unix.O_NOCTTY, 0)
	require.NoError(t, err)
	t.Cleanup(func() { slave.Close() })
	return master, slave
}

// promptWriter signals once the password prompt has been written.
type promptWriter struct {
	mu     sync.Mutex
	buf    bytes.Buffer
	once   sync.Once
	prompt chan struct{}
}

func (w *promptWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	n, err := w.buf.Write(p)
	if strings.Contains(w.buf.String(), "Password for johndoe: ") {
		w.once.Do(func() { close(w.prompt) })
	}
	return n, err
}

func (w *promptWriter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.String()
}

// TestTokenPromptsWithoutEcho drives the real terminal prompt through a
// pseudo-terminal: the prompt goes to stderr, and the typed password is not
// echoed back to the terminal.
func TestTokenPromptsWithoutEcho(t *testing.T) {
	mock := newMock(t)
	master, slave := openPTY(t)
	stderr := &promptWriter{prompt: make(chan struct{})}
	var stdout bytes.Buffer
	done := make(chan int, 1)
	go func() {
		done <- run([]string{"token", "--token-url", mock.URL + "/token", "--client-id", "client_id", "--username", "johndoe"},
			slave, &stdout, stderr, func(k string) string { return secretEnv[k] })
	}()
	select {
	case <-stderr.prompt:
	case <-time.After(10 * time.Second):
		t.Fatalf("no password prompt; stderr: %q", stderr.String())
	}
	// ReadPassword turns echo off before printing nothing further; give it
	// the moment between the prompt and the read.
	time.Sleep(50 * time.Millisecond)
	_, err := master.Write([]byte(demoPassword + "\n"))
	require.NoError(t, err)
	select {
	case code := <-done:
		require.Equal(t, exitOK, code, stderr.String())
	case <-time.After(10 * time.Second):
		t.Fatal("ropc token did not finish after the password was typed")
	}
	assert.NotEmpty(t, decodeToken(t, stdout.String())["access_token"])

	// Whatever the terminal echoed is now readable on the master side; poll
	// rather than read, since a pty master is not a pollable os.File.
	var echoed []byte
	fds := []unix.PollFd{{Fd: int32(master.Fd()), Events: unix.POLLIN}}
	for {
		n, err := unix.Poll(fds, 200)
		if err == unix.EINTR {
			continue
		}
		require.NoError(t, err)
		if n == 0 || fds[0].Revents&unix.POLLIN == 0 {
			break
		}
		buf := make([]byte, 4096)
		m, err := unix.Read(int(master.Fd()), buf)
		if err != nil || m == 0 {
			break
		}
		echoed = append(echoed, buf[:m]...)
	}
	assert.NotContains(t, string(echoed), demoPassword, "the password was echoed to the terminal")
	assert.NotContains(t, stderr.String(), demoPassword)
}
