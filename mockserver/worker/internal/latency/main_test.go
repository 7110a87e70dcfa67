package main

import (
	"net/http"
	"net/http/httptest"
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
	}))
	defer srv.Close()
	tests := []struct {
		name      string
		path      string
		user      string
		wantError bool
	}{
		{"healthz", "/healthz", "", false},
		{"token with form-urlencoded basic credentials", "/token", "a:b", false},
		{"non-200 is an error", "/token", "wrong", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := send(srv.Client(), http.MethodPost, srv.URL+tt.path, "x=1", tt.user, "s")
			if tt.wantError {
				require.Error(t, err)
				return
			}
			require.NoError(t, err)
		})
	}
}
