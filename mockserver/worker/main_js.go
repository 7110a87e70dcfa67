//go:build js && wasm

package main

import (
	"database/sql"
	"fmt"
	"net/http"
	"os"

	"github.com/syumai/workers/cloudflare"
	"github.com/syumai/workers/cloudflare/d1"

	"github.com/ropcgo/ropc/mockserver/sqlstore"
)

// main runs once per instance, and entry.mjs starts one instance per isolate:
// it reads the environment, opens D1 and builds the handler, then serves
// every request the isolate receives until the instance ends.
func main() {
	logger := newLogger(cloudflare.Getenv(envLogLevel), os.Stderr)
	var h http.Handler
	connector, err := d1.OpenConnector(d1Binding)
	if err != nil {
		err = fmt.Errorf("D1 binding %q (wrangler.toml [[d1_databases]]): %w", d1Binding, err)
	} else {
		h, err = newHandler(cloudflare.Getenv, sqlstore.New(sql.OpenDB(connector)), logger)
	}
	if err != nil {
		logger.Error("worker setup failed", "err", err)
		h = unavailable(err)
	}
	serveRequests(h)
}
