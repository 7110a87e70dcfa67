package main

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"net/http"
	"strings"
	"sync/atomic"
	"time"
)

// Paths of the instance endpoints, served with the admin API's bearer token.
const (
	// pathInstance (GET) describes the Go instance that answers: its id,
	// start time, requests served and the most it served at once since it
	// started or since the last POST, which answers the same and starts a
	// new max_in_flight window. Tests use it to see that concurrent requests
	// share one instance and that a panicking instance is replaced.
	pathInstance = "/_admin/instance"
	// pathPanic (POST) panics in the handler, which ends the instance: the
	// caller gets the entry module's 500 and the next request a new instance.
	pathPanic = "/_admin/panic"
)

// instance counts the requests one Go instance serves. On Workers an
// instance lives as long as its isolate (entry.mjs starts one per isolate),
// so these figures cover many requests, and concurrent ones.
type instance struct {
	id          string
	started     time.Time
	served      atomic.Int64
	inFlight    atomic.Int64
	maxInFlight atomic.Int64
}

func newInstance(now time.Time) *instance {
	var b [8]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails (Go 1.24+)
	return &instance{id: hex.EncodeToString(b[:]), started: now}
}

// track counts each request through next.
func (in *instance) track(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		in.served.Add(1)
		n := in.inFlight.Add(1)
		defer in.inFlight.Add(-1)
		for {
			m := in.maxInFlight.Load()
			if n <= m || in.maxInFlight.CompareAndSwap(m, n) {
				break
			}
		}
		next.ServeHTTP(w, r)
	})
}

// endpoints serves pathInstance and pathPanic to callers with the admin
// token and passes every other request to next.
func (in *instance) endpoints(next http.Handler, adminToken string) http.Handler {
	want := sha256.Sum256([]byte(adminToken))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != pathInstance && r.URL.Path != pathPanic {
			next.ServeHTTP(w, r)
			return
		}
		got, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		sum := sha256.Sum256([]byte(strings.TrimSpace(got)))
		if !ok || subtle.ConstantTimeCompare(sum[:], want[:]) != 1 {
			// RFC 6750 §3: a bearer challenge on the 401.
			w.Header().Set("WWW-Authenticate", `Bearer realm="ropc-mock-admin"`)
			jsonAnswer(http.StatusUnauthorized, map[string]any{"error": "the admin API needs Authorization: Bearer <admin token>"}).ServeHTTP(w, r)
			return
		}
		switch {
		case r.URL.Path == pathInstance && (r.Method == http.MethodGet || r.Method == http.MethodHead || r.Method == http.MethodPost):
			if r.Method == http.MethodPost {
				// This request is the only one sure to be in flight.
				in.maxInFlight.Store(1)
			}
			jsonAnswer(http.StatusOK, map[string]any{
				"id":            in.id,
				"started":       in.started.UTC().Format(time.RFC3339Nano),
				"served":        in.served.Load(),
				"in_flight":     in.inFlight.Load(),
				"max_in_flight": in.maxInFlight.Load(),
			}).ServeHTTP(w, r)
		case r.URL.Path == pathPanic && r.Method == http.MethodPost:
			panic("POST " + pathPanic + ": deliberate panic to end this instance")
		default:
			w.Header().Set("Allow", map[string]string{pathInstance: "GET, HEAD, POST", pathPanic: "POST"}[r.URL.Path])
			jsonAnswer(http.StatusMethodNotAllowed, map[string]any{"error": r.Method + " is not allowed on " + r.URL.Path}).ServeHTTP(w, r)
		}
	})
}
