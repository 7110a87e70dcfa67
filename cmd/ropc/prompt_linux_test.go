package main

import (
	"bytes"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"

	"github.com/ropcgo/ropc/mockserver/mocktest"
)

// TestTokenPromptsForTheCode drives the terminal through a pseudo-terminal: the password
// prompt, then, when the server asks for a second factor, the code prompt.
func TestTokenPromptsForTheCode(t *testing.T) {
	for _, profile := range []string{"auth0", "okta"} {
		t.Run(profile, func(t *testing.T) {
			srv := profileMock(t, profile)
			master, slave := openPTY(t)
			stderr := &hookWriter{}
			var stdout bytes.Buffer
			done := make(chan int, 1)
			go func() {
				done <- run([]string{"token", "--token-url", srv.TokenURL, "--client-id", mocktest.ClientID, "--username", mocktest.TOTPUser},
					slave, &stdout, stderr, func(k string) string { return secretEnv[k] })
			}()
			waitFor := func(text string) {
				require.Eventually(t, func() bool { return bytes.Contains([]byte(stderr.String()), []byte(text)) },
					10*time.Second, 5*time.Millisecond, "no %q on stderr: %q", text, stderr.String())
			}
			waitFor("Password for " + mocktest.TOTPUser + ": ")
			require.Eventually(t, func() bool {
				tio, err := unix.IoctlGetTermios(int(slave.Fd()), unix.TCGETS)
				return err == nil && tio.Lflag&unix.ECHO == 0
			}, 10*time.Second, time.Millisecond)
			_, err := master.Write([]byte(mocktest.Password + "\n"))
			require.NoError(t, err)
			waitFor("One-time code: ")
			_, err = master.Write([]byte(srv.TOTP() + "\n"))
			require.NoError(t, err)
			select {
			case code := <-done:
				require.Equal(t, exitOK, code, stderr.String())
			case <-time.After(20 * time.Second):
				t.Fatal("ropc token did not finish after the code was typed")
			}
			assert.NotEmpty(t, decodeToken(t, stdout.String())["access_token"])
			assert.Equal(t, 1, srv.Count(srv.TokenURL[len(srv.URL):], "password"), "the password was sent once")
		})
	}
}
