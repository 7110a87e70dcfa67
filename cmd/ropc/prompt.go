package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"

	"golang.org/x/term"

	"github.com/ropcgo/ropc/sdk"
)

// errNoTerminal is what the prompter answers when the server asks for a code and there is no
// terminal to ask on: the sign-in then ends with the server's mfa_required (exit 1).
var errNoTerminal = errors.New("standard input is not a terminal, so ropc cannot prompt for the code: pass it with --otp-stdin")

// cliPrompter answers sdk.Challenges for `ropc token`: a code given with --otp-stdin, or a
// prompt on the terminal; for out-of-band approval exactly one line on stderr.
type cliPrompter struct {
	s    stdio
	code string // from --otp-stdin: the recovery code with --recovery
}

func (p *cliPrompter) Prompt(ctx context.Context, c sdk.Challenge) (string, error) {
	switch c.Type {
	case sdk.ChallengeOOB:
		msg := "ropc token: approve the sign-in on your device"
		if c.BindingCode != "" {
			msg += " (it shows " + strconv.Quote(oneLine(c.BindingCode)) + ")"
		}
		fmt.Fprintln(p.s.err, msg+"; waiting (Ctrl-C to give up)")
		return "", nil
	case sdk.ChallengeRecoveryCode:
		if p.code != "" {
			return p.code, nil
		}
		return p.ask("Recovery code: ", true)
	case sdk.ChallengeSelectAuthenticator:
		return p.choose(c.Authenticators)
	}
	if p.code != "" {
		return p.code, nil
	}
	what := "One-time code"
	if c.Channel != "" {
		what += " (" + oneLine(c.Channel) + ")"
	}
	return p.ask(what+": ", false)
}

// terminal is standard input when it is a terminal.
func (p *cliPrompter) terminal() (*os.File, bool) {
	f, ok := p.s.in.(*os.File)
	return f, ok && term.IsTerminal(int(f.Fd()))
}

// ask prompts on stderr and reads a line from the terminal; a recovery code is read without echo.
func (p *cliPrompter) ask(prompt string, secret bool) (string, error) {
	f, ok := p.terminal()
	if !ok {
		return "", errNoTerminal
	}
	fmt.Fprint(p.s.err, prompt)
	var line string
	if secret {
		b, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(p.s.err)
		if err != nil {
			return "", fmt.Errorf("reading from the terminal: %w", err)
		}
		line = string(b)
	} else {
		// A one-time code is shown as typed, as authenticator apps show it.
		l, err := readTerminalLine(f)
		if err != nil {
			return "", err
		}
		line = l
	}
	line = strings.TrimSpace(line)
	if line == "" {
		return "", usagef("empty code")
	}
	return line, nil
}

// readTerminalLine reads one line byte by byte, so nothing after it is consumed.
func readTerminalLine(f *os.File) (string, error) {
	var b strings.Builder
	buf := make([]byte, 1)
	for b.Len() < 1024 {
		n, err := f.Read(buf)
		if n == 1 {
			if buf[0] == '\n' || buf[0] == '\r' {
				break
			}
			b.WriteByte(buf[0])
		}
		if err != nil {
			if b.Len() > 0 {
				break
			}
			return "", fmt.Errorf("reading from the terminal: %w", err)
		}
	}
	return b.String(), nil
}

// choose lists the authenticators on stderr and reads the number of one.
func (p *cliPrompter) choose(list []sdk.Authenticator) (string, error) {
	if _, ok := p.terminal(); !ok {
		return "", errNoTerminal
	}
	fmt.Fprintln(p.s.err, "ropc token: choose the second factor:")
	for i, a := range list {
		label := a.Type
		if a.Name != "" {
			label += " " + a.Name
		} else if a.Channel != "" {
			label += " " + a.Channel
		}
		fmt.Fprintf(p.s.err, "  %d) %s\n", i+1, oneLine(label))
	}
	answer, err := p.ask("Number: ", false)
	if err != nil {
		return "", err
	}
	n, err := strconv.Atoi(answer)
	if err != nil || n < 1 || n > len(list) {
		return "", usagef("choose a number from 1 to %d", len(list))
	}
	return list[n-1].ID, nil
}
