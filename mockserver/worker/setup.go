// Command worker is the ropc mock token server on Cloudflare Workers, built
// to js/wasm, with D1 and env bindings from github.com/syumai/workers (see
// main_js.go and entry.mjs).
//
// entry.mjs starts one Go instance per isolate and hands it every request
// that isolate serves, concurrent ones included. Isolates come and go and
// several serve one deployment at once, so nothing that must survive lives
// only in Go memory: all protocol state (refresh families, rotation,
// revocations, lockouts) is in D1 through mockserver/sqlstore, and any
// isolate may serve any request. What an instance keeps is a cache of its
// environment, which stays the truth: the parsed configuration (a var or the
// built-in demo config) and the signing key (a secret). One exception lives
// in mockserver, not here: pending second-factor sign-ins of users with
// "mfa" in the config are kept in the instance (mockserver/mfa.go), so such a
// sign-in completes only if its requests reach the same isolate. This file
// holds the wiring without build tags, so it is tested natively.
package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/ropcgo/ropc/mockserver"
	"github.com/ropcgo/ropc/mockserver/admin"
)

// Names of the Worker's environment bindings (wrangler.toml, secrets).
const (
	// envConfig is a var or secret holding the mock's JSON config (the
	// format of ropc-mock -config). Empty means mockserver.DefaultConfig().
	// Users with real-looking passwords belong in a secret, not a var.
	envConfig = "ROPC_MOCK_CONFIG"
	// envSigningKey is a secret holding the private JWK (Ed25519 or EC
	// P-256) that signs access tokens. Each isolate runs its own instance,
	// so a key generated per instance would make a token unverifiable on
	// the next isolate: the secret is required unless the config carries
	// signing_key.
	envSigningKey = "SIGNING_KEY"
	// envAdminToken is a secret; when set, /_admin/ answers requests that
	// carry "Authorization: Bearer <token>". Unset: no admin API.
	envAdminToken = "ADMIN_TOKEN"
	// envLogLevel is debug, info, warn (default) or error.
	envLogLevel = "LOG_LEVEL"
	// d1Binding is the [[d1_databases]] binding name.
	d1Binding = "DB"
)

// errNoSigningKey is reported (without any value) when the key is missing.
var errNoSigningKey = errors.New("the SIGNING_KEY secret is not set (a private JWK; see README: Cloudflare Workers)")

// newHandler builds the mock for one Worker instance from its environment
// and the store. getenv returns "" for unset names. With an admin token it
// also serves the instance endpoints (pathInstance, pathPanic).
func newHandler(getenv func(string) string, store mockserver.Store, logger *slog.Logger) (http.Handler, error) {
	cfg := mockserver.DefaultConfig()
	if raw := strings.TrimSpace(getenv(envConfig)); raw != "" {
		c, err := mockserver.ParseConfig(envConfig, []byte(raw))
		if err != nil {
			return nil, err
		}
		cfg = c
	}
	if key := strings.TrimSpace(getenv(envSigningKey)); key != "" {
		if !json.Valid([]byte(key)) {
			// Never echo the value: it is a private key.
			return nil, fmt.Errorf("the %s secret is not JSON (want a private JWK)", envSigningKey)
		}
		cfg.SigningKey = mockserver.SecretJSON(key)
	}
	if len(cfg.SigningKey) == 0 {
		return nil, errNoSigningKey
	}
	srv, err := mockserver.New(cfg, mockserver.Options{Store: store, Logger: logger})
	if err != nil {
		return nil, err
	}
	token := getenv(envAdminToken)
	// The admin layer also applies the config's fault rules, so it wraps
	// the mock even when its API is off. On Workers RemoteAddr is the
	// client's address (Cf-Connecting-Ip), never loopback: with a token the
	// API must answer remote callers, and the token is what guards it.
	adm, err := admin.New(srv, admin.Options{
		Enabled:     token != "",
		Token:       token,
		AllowRemote: token != "",
		Faults:      cfg.Faults,
		Logger:      logger,
	})
	if err != nil {
		return nil, err
	}
	in := newInstance(time.Now())
	var h http.Handler = adm
	if token != "" {
		h = in.endpoints(refuseLostAdminChanges(adm), token)
	}
	return in.track(h), nil
}

// refuseLostAdminChanges answers 501 to the admin calls whose effect lives in
// Go memory (faults, users, clients, clock, journal): the change would reach
// one isolate's instance only, other isolates would not see it, and it would
// be gone when that instance is replaced, so a 2xx would tell the caller
// something false. Reads (of this instance) and /_admin/reset (which clears
// the store, D1) go through.
func refuseLostAdminChanges(next http.Handler) http.Handler {
	refused := jsonAnswer(http.StatusNotImplemented, map[string]any{"error": "not available on Workers: this change " +
		"would live in one isolate's Go instance only (other isolates would not see it, and it ends with the " +
		"instance); put faults, users and clients in " + envConfig + " (POST /_admin/reset works)"})
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case !strings.HasPrefix(r.URL.Path, "/_admin/"), r.URL.Path == "/_admin/reset",
			r.Method == http.MethodGet, r.Method == http.MethodHead, r.Method == http.MethodOptions:
			next.ServeHTTP(w, r)
		default:
			refused.ServeHTTP(w, r)
		}
	})
}

// unavailable answers every request with a 500 naming a setup problem;
// the message never contains a secret (errors above are built so).
func unavailable(err error) http.Handler {
	return jsonAnswer(http.StatusInternalServerError, map[string]any{
		"error":             "server_error",
		"error_description": "ropc mock worker is misconfigured: " + err.Error(),
	})
}

// jsonAnswer answers every request with status and v as JSON, never cached.
func jsonAnswer(status int, v map[string]any) http.Handler {
	body, err := json.Marshal(v)
	if err != nil {
		panic(err) // callers pass strings and numbers only
	}
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-store")
		w.WriteHeader(status)
		_, _ = w.Write(body)
	})
}

// newLogger logs to stderr, which the Workers runtime shows in `wrangler
// tail` and the dev console.
func newLogger(level string, w interface{ Write([]byte) (int, error) }) *slog.Logger {
	var l slog.Level
	if err := l.UnmarshalText([]byte(level)); err != nil || level == "" {
		l = slog.LevelWarn
	}
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: l}))
}
