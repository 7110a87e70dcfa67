//go:build !(js && wasm)

package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"time"

	"github.com/ropcgo/ropc/mockserver/sqlstore"
)

// main off Workers serves the same wiring (env vars, SQL store) natively, to
// try a Worker configuration without the Workers runtime:
//
//	SIGNING_KEY="$(cat key.jwk)" go run ./mockserver/worker
//
// State goes to the SQLite file $ROPC_STATE (default: in memory); it listens
// on 127.0.0.1:$PORT (default 8787). The real build is GOOS=js GOARCH=wasm
// (make worker).
func main() {
	if err := runNative(); err != nil {
		fmt.Fprintln(os.Stderr, "worker:", err)
		os.Exit(1)
	}
}

func runNative() error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	statePath := os.Getenv("ROPC_STATE")
	if statePath == "" {
		statePath = ":memory:"
	}
	store, db, err := sqlstore.OpenSQLite(ctx, statePath)
	if err != nil {
		return err
	}
	defer db.Close()
	h, err := newHandler(os.Getenv, store, newLogger(os.Getenv(envLogLevel), os.Stderr))
	if err != nil {
		return err
	}
	port := os.Getenv("PORT")
	if port == "" {
		port = "8787"
	}
	ln, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", port))
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	fmt.Printf("worker (native): serving http://%s\n", ln.Addr())
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(shutdown)
	}()
	if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
