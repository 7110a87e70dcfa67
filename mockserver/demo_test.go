package mockserver

import (
	"bytes"
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The shell reader (demo_credential in scripts/lib.sh) takes `"key": "value"` lines, so the file
// keeps that shape: braces alone on their lines, one string field per line, no escapes.
func TestDemoFileShape(t *testing.T) {
	lines := bytes.Split(bytes.TrimSpace(demoJSON), []byte("\n"))
	require.Greater(t, len(lines), 2)
	assert.Equal(t, "{", string(lines[0]))
	assert.Equal(t, "}", string(lines[len(lines)-1]))
	field := regexp.MustCompile(`^  "[a-z_]+": "[^"\\]+",?$`)
	for _, l := range lines[1 : len(lines)-1] {
		assert.Regexp(t, field, string(l))
	}
	d := DemoCredentials()
	for name, v := range map[string]string{"client_id": d.ClientID, "client_secret": d.ClientSecret, "public_client_id": d.PublicClientID,
		"username": d.Username, "password": d.Password, "second_username": d.SecondUsername, "second_password": d.SecondPassword} {
		assert.NotEmpty(t, v, name)
	}
	cfg := DefaultConfig()
	require.NoError(t, cfg.Validate())
	assert.Equal(t, d.ClientID, cfg.Clients[0].ClientID)
	assert.Equal(t, d.Password, cfg.Users[0].Password)
}
