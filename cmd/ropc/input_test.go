package main

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ropcgo/ropc/sdk"
)

func TestReadLine(t *testing.T) {
	tests := []struct {
		in, want string
		wantErr  bool
	}{
		{"secret\n", "secret", false},
		{"secret\r\nsecond line", "secret", false},
		{"no newline", "no newline", false},
		{" spaces kept \n", " spaces kept ", false},
		{"", "", true},
		{"\n", "", true},
	}
	for _, tt := range tests {
		got, err := readLine(strings.NewReader(tt.in), "password")
		if tt.wantErr {
			assert.Error(t, err, "%q", tt.in)
			continue
		}
		require.NoError(t, err)
		assert.Equal(t, tt.want, got)
	}
}

func TestReadTokenInput(t *testing.T) {
	st, isJSON, err := readTokenInput(strings.NewReader(` {"access_token":"at","refresh_token":"rt","expires_in":60,"expires_at":"2030-01-02T03:04:05Z","scope":"read"}`+"\n"), "token")
	require.NoError(t, err)
	assert.True(t, isJSON)
	tok, err := st.token()
	require.NoError(t, err)
	assert.Equal(t, "at", tok.AccessToken)
	assert.Equal(t, "rt", tok.RefreshToken)
	assert.Equal(t, time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC), tok.Expiry)
	assert.Equal(t, int64(60), *tok.ExpiresIn)

	st, isJSON, err = readTokenInput(strings.NewReader("bare-token\nignored\n"), "token")
	require.NoError(t, err)
	assert.False(t, isJSON)
	assert.Equal(t, "bare-token", st.AccessToken)

	_, _, err = readTokenInput(strings.NewReader(`{"access_token":"SECRET-AT"`), "token")
	require.Error(t, err)
	assert.NotContains(t, err.Error(), "SECRET-AT")
	_, _, err = readTokenInput(strings.NewReader(strings.Repeat("x", maxStdin+1)), "token")
	assert.Error(t, err)
	_, _, err = readTokenInput(strings.NewReader(" \n\n"), "token")
	assert.Error(t, err)
}

func TestTokenOutput(t *testing.T) {
	in := int64(60)
	out := tokenOutput(&sdk.Token{AccessToken: "at", TokenType: "Bearer", ExpiresIn: &in, Expiry: time.Date(2030, 1, 1, 0, 0, 0, 0, time.FixedZone("x", 3600))})
	require.NotNil(t, out.ExpiresAt)
	assert.Equal(t, "2029-12-31T23:00:00Z", *out.ExpiresAt, "RFC 3339 in UTC")
	var b strings.Builder
	require.NoError(t, writeJSON(&b, out))
	assert.Equal(t, `{"access_token":"at","token_type":"Bearer","expires_in":60,"expires_at":"2029-12-31T23:00:00Z","scope":""}`+"\n", b.String())

	b.Reset()
	require.NoError(t, writeJSON(&b, tokenOutput(&sdk.Token{AccessToken: "at"})))
	assert.Equal(t, `{"access_token":"at","token_type":"","expires_in":null,"expires_at":null,"scope":""}`+"\n", b.String())
}

func TestReadPasswordWithoutTerminal(t *testing.T) {
	_, err := readPassword(stdio{in: strings.NewReader("pw")}, false, "johndoe")
	var ue *usageError
	require.ErrorAs(t, err, &ue)
	assert.Contains(t, ue.msg, "--password-stdin")
	got, err := readPassword(stdio{in: strings.NewReader("pw\n")}, true, "johndoe")
	require.NoError(t, err)
	assert.Equal(t, "pw", got)
}

func TestStoredTokenRedacts(t *testing.T) {
	st := storedToken{AccessToken: "Acc3ss-value", RefreshToken: "R3fresh-value", TokenType: "Bearer"}
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%d"} {
		for _, v := range []any{st, &st, struct{ S storedToken }{st}} {
			out := fmt.Sprintf(verb, v)
			assertNoSecretsIn(t, out, st.AccessToken, st.RefreshToken, fmt.Sprintf("%x", st.AccessToken))
		}
	}
}
