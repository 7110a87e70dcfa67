package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"golang.org/x/term"

	"github.com/ropcgo/ropc/sdk"
)

// maxStdin bounds what ropc reads from standard input: a token JSON is a few
// kilobytes; anything far larger is a mistake (a file piped by accident).
const maxStdin = 1 << 20

// readLine reads the first line of r without its line ending. Only that
// line is consumed as the secret; leading or trailing spaces are kept because
// they can be part of a password.
func readLine(r io.Reader, what string) (string, error) {
	return newLineSource(r).next(what)
}

// lineSource reads successive lines of one input, for the password and then
// a one-time code on standard input (--password-stdin --otp-stdin): one
// buffered reader, so the first read does not swallow the second line.
type lineSource struct{ br *bufio.Reader }

func newLineSource(r io.Reader) *lineSource {
	return &lineSource{br: bufio.NewReaderSize(io.LimitReader(r, maxStdin), 4096)}
}

// next reads the next line without its line ending.
func (l *lineSource) next(what string) (string, error) {
	line, err := l.br.ReadString('\n')
	if err != nil && err != io.EOF {
		return "", fmt.Errorf("reading %s from standard input: %w", what, err)
	}
	line = strings.TrimRight(line, "\r\n")
	if line == "" {
		return "", usagef("no %s on standard input", what)
	}
	return line, nil
}

// readPassword gets the password from standard input (--password-stdin) or
// prompts on the terminal without echo.
func readPassword(s stdio, fromStdin bool, username string) (string, error) {
	return readPasswordFrom(s, nil, fromStdin, username)
}

// readPasswordFrom is readPassword reading standard input through lines
// (when not nil), which later lines of the same input are read from too.
func readPasswordFrom(s stdio, lines *lineSource, fromStdin bool, username string) (string, error) {
	if fromStdin {
		if lines == nil {
			lines = newLineSource(s.in)
		}
		return lines.next("password")
	}
	f, ok := s.in.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return "", usagef("standard input is not a terminal, so ropc cannot prompt for the password: pass --password-stdin and pipe it in")
	}
	fmt.Fprintf(s.err, "Password for %s: ", username)
	b, err := term.ReadPassword(int(f.Fd()))
	fmt.Fprintln(s.err)
	if err != nil {
		return "", fmt.Errorf("reading password from the terminal: %w", err)
	}
	if len(b) == 0 {
		return "", usagef("empty password")
	}
	return string(b), nil
}

// storedToken is the JSON that token and refresh print, read back by
// refresh, revoke and get so that commands can be piped together.
type storedToken struct {
	AccessToken  string  `json:"access_token"`
	TokenType    string  `json:"token_type"`
	ExpiresIn    *int64  `json:"expires_in"`
	ExpiresAt    *string `json:"expires_at"`
	RefreshToken string  `json:"refresh_token,omitempty"`
	Scope        string  `json:"scope"`
	// RecoveryCode is the new recovery code a recovery-code sign-in hands out
	// (Auth0): the user must keep it, the used one is gone.
	RecoveryCode string `json:"recovery_code,omitempty"`
}

// Format prints st as sdk.Token does, tokens redacted, for every verb.
func (st storedToken) Format(f fmt.State, _ rune) {
	t := sdk.Token{AccessToken: st.AccessToken, TokenType: st.TokenType, RefreshToken: st.RefreshToken, Scope: st.Scope}
	_, _ = io.WriteString(f, t.String())
}

func tokenOutput(t *sdk.Token) storedToken {
	out := storedToken{AccessToken: t.AccessToken, TokenType: t.TokenType, ExpiresIn: t.ExpiresIn,
		RefreshToken: t.RefreshToken, Scope: t.Scope}
	out.RecoveryCode, _ = t.Raw["recovery_code"].(string)
	out.ExpiresAt = expiresAt(t)
	return out
}

// expiresAt is t's expiry as printed (RFC 3339, UTC), nil when it is not known.
func expiresAt(t *sdk.Token) *string {
	if !t.ExpiryKnown() {
		return nil
	}
	at := t.Expiry.UTC().Format(time.RFC3339)
	return &at
}

func (st storedToken) token() (*sdk.Token, error) {
	t := &sdk.Token{AccessToken: st.AccessToken, TokenType: st.TokenType, RefreshToken: st.RefreshToken, Scope: st.Scope}
	if st.ExpiresAt != nil {
		exp, err := time.Parse(time.RFC3339, *st.ExpiresAt)
		if err != nil {
			return nil, usagef("expires_at on standard input is not an RFC 3339 time")
		}
		t.Expiry = exp
		t.ExpiresIn = st.ExpiresIn
	}
	return t, nil
}

// readTokenInput reads either a token JSON object (the output of ropc token
// or refresh) or a bare token on its first line.
func readTokenInput(r io.Reader, what string) (st storedToken, isJSON bool, err error) {
	b, err := io.ReadAll(io.LimitReader(r, maxStdin+1))
	if err != nil {
		return st, false, fmt.Errorf("reading %s from standard input: %w", what, err)
	}
	if len(b) > maxStdin {
		return st, false, usagef("standard input is larger than %d bytes; expected a token", maxStdin)
	}
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '{' {
		if err := json.Unmarshal(b, &st); err != nil {
			// The message deliberately omits the input: it holds tokens.
			return st, false, usagef("standard input starts with { but is not a valid token JSON object")
		}
		return st, true, nil
	}
	line, _, _ := bytes.Cut(b, []byte("\n"))
	tok := strings.TrimSpace(string(line))
	if tok == "" {
		return st, false, usagef("no %s on standard input", what)
	}
	return storedToken{AccessToken: tok, RefreshToken: tok}, false, nil
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}
