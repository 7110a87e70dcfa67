package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestInstanceTrack(t *testing.T) {
	in := newInstance(time.Now())
	release := make(chan struct{})
	var entered sync.WaitGroup
	h := in.track(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {
		entered.Done()
		<-release
	}))
	const n = 5
	entered.Add(n)
	var done sync.WaitGroup
	for range n {
		done.Go(func() {
			h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/healthz", nil))
		})
	}
	entered.Wait()
	assert.EqualValues(t, n, in.inFlight.Load(), "all requests are inside the handler")
	close(release)
	done.Wait()
	assert.EqualValues(t, n, in.served.Load())
	assert.EqualValues(t, 0, in.inFlight.Load())
	assert.EqualValues(t, n, in.maxInFlight.Load())
}

func TestInstanceEndpoints(t *testing.T) {
	const token = "adm1n-t0ken"
	in := newInstance(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC))
	in.maxInFlight.Store(7)
	in.served.Store(41)
	next := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusTeapot) })
	h := in.endpoints(next, token)
	tests := []struct {
		name, method, path, auth string
		want                     int
		wantMax                  float64 // max_in_flight in the answer; 0 = not checked
	}{
		{"other paths go through", http.MethodGet, "/healthz", "", http.StatusTeapot, 0},
		{"other admin paths go through", http.MethodPost, "/_admin/reset", "", http.StatusTeapot, 0},
		{"no token", http.MethodGet, pathInstance, "", http.StatusUnauthorized, 0},
		{"wrong token", http.MethodGet, pathInstance, "Bearer nope", http.StatusUnauthorized, 0},
		{"wrong scheme", http.MethodGet, pathInstance, "Basic " + token, http.StatusUnauthorized, 0},
		{"panic without token", http.MethodPost, pathPanic, "", http.StatusUnauthorized, 0},
		{"read", http.MethodGet, pathInstance, "Bearer " + token, http.StatusOK, 7},
		{"read and start a new window", http.MethodPost, pathInstance, "Bearer " + token, http.StatusOK, 1},
		{"window restarted", http.MethodGet, pathInstance, "Bearer " + token, http.StatusOK, 1},
		{"panic by GET", http.MethodGet, pathPanic, "Bearer " + token, http.StatusMethodNotAllowed, 0},
		{"instance by DELETE", http.MethodDelete, pathInstance, "Bearer " + token, http.StatusMethodNotAllowed, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest(tt.method, "http://worker.example"+tt.path, nil)
			if tt.auth != "" {
				r.Header.Set("Authorization", tt.auth)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, r)
			require.Equal(t, tt.want, rec.Code, rec.Body.String())
			assert.NotContains(t, rec.Body.String(), token)
			switch tt.want {
			case http.StatusUnauthorized:
				assert.Equal(t, `Bearer realm="ropc-mock-admin"`, rec.Header().Get("WWW-Authenticate"))
			case http.StatusMethodNotAllowed:
				assert.NotEmpty(t, rec.Header().Get("Allow"))
			case http.StatusOK:
				var got map[string]any
				require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &got))
				assert.Equal(t, in.id, got["id"])
				assert.Len(t, in.id, 16)
				assert.Equal(t, "2026-01-02T03:04:05Z", got["started"])
				assert.EqualValues(t, 41, got["served"], "endpoints does not count; track does")
				assert.Equal(t, tt.wantMax, got["max_in_flight"])
			}
		})
	}
}

// TestInstancePanic: POST /_admin/panic panics in the handler. On Workers
// nothing recovers it, so the instance ends (entry.mjs answers 500 and starts
// a new one: TestWorkerPanicReplacesInstance checks that part).
func TestInstancePanic(t *testing.T) {
	h := newInstance(time.Now()).endpoints(http.NotFoundHandler(), "t")
	r := httptest.NewRequest(http.MethodPost, "http://worker.example"+pathPanic, nil)
	r.Header.Set("Authorization", "Bearer t")
	assert.PanicsWithValue(t, "POST "+pathPanic+": deliberate panic to end this instance", func() {
		h.ServeHTTP(httptest.NewRecorder(), r)
	})
}

func TestNewInstanceIDsDiffer(t *testing.T) {
	a, b := newInstance(time.Now()), newInstance(time.Now())
	assert.NotEqual(t, a.id, b.id)
}
