// Command worker is the ropc mock token server on Cloudflare Workers, built
// to js/wasm and served by github.com/syumai/workers (see main_js.go).
//
// The Workers runtime starts a fresh Go instance for every request, so
// nothing may live in Go memory between requests: the configuration comes
// from a var or the built-in demo config, the signing key from a secret, and
// all protocol state (refresh families, rotation, revocations, lockouts) from
// D1 through mockserver/sqlstore. This file holds that wiring without
// build tags, so it is tested natively.
package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"

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
	// P-256) that signs access tokens. Every request runs in a new
	// instance, so a key generated per instance would make each token
	// unverifiable on the next request: the secret is required unless the
	// config carries signing_key.
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
// and the store. getenv returns "" for unset names.
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
	h, err := admin.New(srv, admin.Options{
		Enabled:     token != "",
		Token:       token,
		AllowRemote: token != "",
		Faults:      cfg.Faults,
		Logger:      logger,
	})
	if err != nil || token == "" {
		return h, err
	}
	return refuseLostAdminChanges(h), nil
}

// refuseLostAdminChanges answers 501 to the admin calls whose effect lives in
// Go memory (faults, users, clients, clock, journal): every request runs in a
// fresh instance, so the change would be gone before the next request, and a
// 2xx would tell the caller it took. Reads and /_admin/reset (which clears
// the store, D1) go through.
func refuseLostAdminChanges(next http.Handler) http.Handler {
	refused := jsonAnswer(http.StatusNotImplemented, map[string]string{"error": "not available on Workers: each " +
		"request runs in a fresh instance, so this change would be lost before the next request; put faults, users " +
		"and clients in " + envConfig + " (POST /_admin/reset works)"})
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
	return jsonAnswer(http.StatusInternalServerError, map[string]string{
		"error":             "server_error",
		"error_description": "ropc mock worker is misconfigured: " + err.Error(),
	})
}

// jsonAnswer answers every request with status and v as JSON, never cached.
func jsonAnswer(status int, v map[string]string) http.Handler {
	body, _ := json.Marshal(v) // a map of strings always encodes
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
