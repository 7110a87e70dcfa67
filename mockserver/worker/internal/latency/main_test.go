package main

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestPercentile(t *testing.T) {
	ms := func(v ...int) []time.Duration {
		out := make([]time.Duration, len(v))
		for i, x := range v {
			out[i] = time.Duration(x) * time.Millisecond
		}
		return out
	}
	tests := []struct {
		name string
		in   []time.Duration
		p    int
		want time.Duration
	}{
		{"single", ms(7), 50, 7 * time.Millisecond},
		{"median of odd count, unsorted", ms(9, 1, 5), 50, 5 * time.Millisecond},
		{"median of even count is the lower middle", ms(4, 1, 3, 2), 50, 2 * time.Millisecond},
		{"p99 of 100 is the 99th", ms(func() []int {
			v := make([]int, 100)
			for i := range v {
				v[i] = 100 - i
			}
			return v
		}()...), 99, 99 * time.Millisecond},
		{"p99 of few is the max", ms(1, 2, 3), 99, 3 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, percentile(tt.in, tt.p))
		})
	}
}

func TestSend(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, secret, ok := r.BasicAuth()
		if r.URL.Path == "/token" && (!ok || id != "a%3Ab" || secret != "s") {
			w.WriteHeader(http.StatusUnauthorized)
		}
		if route := r.Header.Get(routeHeader); route != "" && route != "floor" {
			w.WriteHeader(http.StatusNotFound)
		}
	}))
	defer srv.Close()
	tests := []struct {
		name      string
		path      string
		user      string
		route     string
		wantError bool
	}{
		{"healthz", "/healthz", "", "", false},
		{"token with form-urlencoded basic credentials", "/token", "a:b", "", false},
		{"route header names the worker", "/healthz", "", "floor", false},
		{"non-200 is an error", "/token", "wrong", "", true},
		{"unknown worker is an error", "/healthz", "", "nope", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := &meter{hc: srv.Client(), base: srv.URL}
			err := m.send(target{label: "x", route: tt.route}, http.MethodPost, tt.path, "x=1", tt.user, "s")
			if tt.wantError {
				require.Error(t, err)
				return
			}
			require.NoError(t, err)
		})
	}
}

// TestRounds: every worker and endpoint gets n measured requests (after the
// warm-up), in blocks, and a CPU figure per block when a CPU reader is set.
func TestRounds(t *testing.T) {
	var mu sync.Mutex
	hits := map[string]int{}
	srv := httptest.NewServer(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		hits[r.Header.Get(routeHeader)+" "+r.URL.Path]++
	}))
	defer srv.Close()
	var reads time.Duration
	m := &meter{hc: srv.Client(), base: srv.URL, user: "u", pass: "p", cpu: func() (time.Duration, error) {
		reads += 3 * time.Millisecond // each block of 5 looks like 3 ms of CPU
		return reads, nil
	}}
	figs := m.rounds([]target{{"floor", "f"}, {"go", "g"}}, 12, 5, 2)
	assert.Equal(t, map[string]int{"f /healthz": 14, "f /token": 14, "g /healthz": 14, "g /token": 14}, hits)
	require.Len(t, figs, 4)
	for _, f := range figs {
		assert.Equal(t, 12, f.n)
		assert.Positive(t, f.wallMedian)
		assert.GreaterOrEqual(t, f.wallP99, f.wallMedian)
		// Blocks of 5, 5 and 2: 3 ms / 5 = 0.6 ms twice, 3 ms / 2 = 1.5 ms once.
		assert.Equal(t, 600*time.Microsecond, f.cpuMedian, f.String())
	}
	assert.Equal(t, "floor", figs[0].label)
	assert.Equal(t, "healthz", figs[0].endpoint)
	assert.Equal(t, "grant", figs[1].endpoint)
}

func TestWorkerFlag(t *testing.T) {
	var w workerFlag
	require.NoError(t, w.Set("floor=ropc-mock-floor"))
	assert.Equal(t, workerFlag{{"floor", "ropc-mock-floor"}}, w)
	for _, bad := range []string{"floor", "=x", "x=", ""} {
		assert.Error(t, w.Set(bad), bad)
	}
}

func TestWriteTSV(t *testing.T) {
	path := filepath.Join(t.TempDir(), "f.tsv")
	require.NoError(t, writeTSV(path, []figure{
		{label: "go", endpoint: "grant", n: 3, wallMedian: 1500 * time.Microsecond, wallP99: 2 * time.Millisecond, cpuMedian: 250 * time.Microsecond},
		{label: "mock", endpoint: "healthz", n: 1, wallMedian: time.Millisecond, wallP99: time.Millisecond, cpuMedian: -1},
	}))
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, "go\tgrant\t3\t1.50\t2.00\t0.25\nmock\thealthz\t1\t1.00\t1.00\t-1\n", string(b))
}
