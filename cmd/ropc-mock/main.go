// Command ropc-mock runs the mock OAuth 2.0 password-grant server on
// loopback:
//
//	ropc-mock [-addr 127.0.0.1:8080] [-config FILE] [-issuer URL] [-key-file PATH]
//	          [-state FILE] [-admin] [-admin-token T] [-log-level LEVEL]
//
// With no -config it serves the built-in demo config (client client_id /
// client_secret, user johndoe / A3ddj3w). The first line on stdout is
// "ropc-mock: serving <issuer>", so scripts started with -addr
// 127.0.0.1:0 can learn the port. SIGINT/SIGTERM shut down gracefully;
// SIGHUP reloads the -config file (issued tokens stay valid). -admin serves
// the admin API (package mockserver/admin) under /_admin/.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/pprof"
	"syscall"

	"github.com/ropcgo/ropc/mockserver"
	"github.com/ropcgo/ropc/mockserver/sqlstore"
)

func main() {
	tuneGC(os.Getenv)
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// options are the command-line flags.
type options struct {
	addr, config, issuer, keyFile, stateFile, logLevel, cpuProfile string
	version                                                        bool
}

func defaultKeyFile() string {
	dir, err := os.UserConfigDir()
	if err != nil {
		return ""
	}
	return filepath.Join(dir, "ropc-mock", "signing-key.jwk")
}

// parseFlags reads the command line; the defaults are the issue's:
// 127.0.0.1:8080, the built-in demo config, an issuer derived from the
// listen address.
func parseFlags(args []string, stderr io.Writer) (options, *adminFlags, error) {
	var o options
	fs := flag.NewFlagSet("ropc-mock", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.addr, "addr", "127.0.0.1:8080", "listen address (port 0 picks a free port)")
	fs.StringVar(&o.config, "config", "", "JSON config file (default: built-in demo config)")
	fs.StringVar(&o.issuer, "issuer", "", "issuer URL (default: http:// plus the listen address)")
	fs.StringVar(&o.keyFile, "key-file", defaultKeyFile(), "private JWK signing key, created if missing; empty: a new key per start")
	fs.StringVar(&o.stateFile, "state", "", "SQLite file keeping refresh tokens, revocations, lockouts and pending MFA sign-ins across restarts (default: in memory)")
	fs.StringVar(&o.logLevel, "log-level", "info", "debug, info, warn or error")
	af := registerAdminFlags(fs)
	fs.StringVar(&o.cpuProfile, "cpuprofile", "", "write a CPU profile to this file until shutdown (for scripts/bench-mock.sh)")
	fs.BoolVar(&o.version, "version", false, "print the version and exit")
	err := fs.Parse(args)
	return o, af, err
}

func run(args []string, stdout, stderr io.Writer) int {
	o, af, err := parseFlags(args, stderr)
	if err != nil {
		return 2
	}
	if o.version {
		fmt.Fprintln(stdout, "ropc-mock", versionString())
		return 0
	}
	if o.cpuProfile != "" {
		stopProfile, err := startCPUProfile(o.cpuProfile)
		if err != nil {
			fmt.Fprintf(stderr, "ropc-mock: -cpuprofile: %v\n", err)
			return 1
		}
		defer stopProfile()
	}
	var level slog.Level
	if err := level.UnmarshalText([]byte(o.logLevel)); err != nil {
		fmt.Fprintf(stderr, "ropc-mock: -log-level: %v\n", err)
		return 2
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))

	cfg := mockserver.DefaultConfig()
	if o.config != "" {
		c, err := mockserver.LoadConfig(o.config)
		if err != nil {
			fmt.Fprintf(stderr, "ropc-mock: %v\n", err)
			return 1
		}
		cfg = c
	}
	ln, err := net.Listen("tcp", o.addr)
	if err != nil {
		fmt.Fprintf(stderr, "ropc-mock: %v\n", err)
		return 1
	}
	switch {
	case o.issuer != "":
		cfg.Issuer = o.issuer
	case cfg.Issuer == "":
		cfg.Issuer = "http://" + ln.Addr().String() // the resolved port when -addr ends in :0
	}
	opts := mockserver.Options{KeyFile: o.keyFile, Logger: log}
	if o.stateFile != "" {
		// With the key file this lets a client's refresh token, not only its
		// access token, outlive a restart of the mock.
		st, db, err := sqlstore.OpenSQLite(context.Background(), o.stateFile)
		if err != nil {
			ln.Close()
			fmt.Fprintf(stderr, "ropc-mock: -state %s: %v\n", o.stateFile, err)
			return 1
		}
		defer db.Close()
		opts.Store = st
	}
	srv, err := mockserver.New(cfg, opts)
	if err != nil {
		ln.Close()
		fmt.Fprintf(stderr, "ropc-mock: %v\n", err)
		return 1
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	handler, err := af.wrap(ctx, srv, cfg, o.config, o.issuer, log)
	if err != nil {
		ln.Close()
		fmt.Fprintf(stderr, "ropc-mock: %v\n", err)
		return 1
	}
	fmt.Fprintf(stdout, "ropc-mock: serving %s\n", cfg.Issuer)
	if cfg.Profile != "" && cfg.Profile != mockserver.ProfileRFC {
		u := cfg.URLs(cfg.Issuer)
		fmt.Fprintf(stdout, "ropc-mock: profile %s: issuer %s, token endpoint %s\n", cfg.Profile, u.Issuer, u.Token)
	}
	log.Info("listening", "addr", ln.Addr().String(), "issuer", cfg.Issuer, "clients", len(cfg.Clients), "users", len(cfg.Users))
	if err := mockserver.Serve(ctx, ln, handler, log); err != nil {
		fmt.Fprintf(stderr, "ropc-mock: %v\n", err)
		return 1
	}
	return 0
}

func startCPUProfile(path string) (stop func(), err error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, err
	}
	return func() { pprof.StopCPUProfile(); f.Close() }, nil
}
