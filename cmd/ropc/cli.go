package main

import (
	"fmt"
	"io"
	"strings"
)

// Exit codes: the contract other tools script against.
const (
	exitOK       = 0
	exitOAuth    = 1 // the server answered with an OAuth error (RFC 6749 §5.2 / RFC 6750 §3.1)
	exitUsage    = 2 // bad flags, missing input, refused configuration
	exitFailure  = 3 // network, timeout, redirect, oversized/malformed response, non-OAuth HTTP status
	secretEnvVar = "ROPC_CLIENT_SECRET"
)

// io bundles what a subcommand reads and writes, so tests can run the whole
// CLI in-process.
type stdio struct {
	in     io.Reader
	out    io.Writer
	err    io.Writer
	getenv func(string) string
}

type command struct {
	name    string
	summary string
	run     func(args []string, s stdio) int
}

var commands = []command{
	{"token", "get a token with the password grant (RFC 6749 §4.3)", runToken},
	{"refresh", "refresh a token (RFC 6749 §6)", runRefresh},
	{"revoke", "revoke a token (RFC 7009)", runRevoke},
	{"introspect", "ask whether a token is active (RFC 7662)", runIntrospect},
	{"discover", "print the authorization server's metadata (RFC 8414)", runDiscover},
	{"get", "GET a protected resource with a fresh bearer token (RFC 6750)", runGet},
	{"logout", "revoke a saved token (RFC 7009) and delete it from the store", runLogout},
}

// run is the whole program; main only wires it to the process.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer, getenv func(string) string) int {
	s := stdio{in: stdin, out: stdout, err: stderr, getenv: getenv}
	if len(args) == 0 {
		usage(stderr)
		return exitUsage
	}
	switch args[0] {
	case "-h", "--help", "-help", "help":
		usage(stdout)
		return exitOK
	case "--version", "-version", "version":
		fmt.Fprintln(stdout, "ropc", versionString())
		return exitOK
	}
	for _, c := range commands {
		if c.name == args[0] {
			return c.run(args[1:], s)
		}
	}
	fmt.Fprintf(stderr, "ropc: unknown command %q\n", args[0])
	usage(stderr)
	return exitUsage
}

func usage(w io.Writer) {
	var b strings.Builder
	b.WriteString("usage: ropc <command> [flags]\n\ncommands:\n")
	for _, c := range commands {
		fmt.Fprintf(&b, "  %-10s %s\n", c.name, c.summary)
	}
	b.WriteString("\nRun 'ropc <command> -h' for its flags. The client secret is read from $" + secretEnvVar +
		" or --client-secret-file.\nRun 'ropc --version' for the version.\nExit codes: 0 ok, 1 OAuth error (JSON on stderr), 2 usage error, 3 other failure.\n")
	_, _ = io.WriteString(w, b.String())
}
