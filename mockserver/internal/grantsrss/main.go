// Command grantsrss issues many password grants to an in-process ropc-mock
// (the real handler and memory store, no network) and prints the process's
// resident memory afterwards: the figure behind max_tokens. Run by
// scripts/bench-mock.sh with -n 1000000.
package main

import (
	"flag"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/ropcgo/ropc/mockserver"
)

func main() {
	n := flag.Int("n", 1_000_000, "grants to issue")
	format := flag.String("format", mockserver.TokenFormatJWT, "token_format: jwt or opaque")
	flag.Parse()
	cfg := mockserver.DefaultConfig()
	cfg.TokenFormat = *format
	srv, err := mockserver.New(cfg, mockserver.Options{})
	if err != nil {
		fail(err)
	}
	demo := mockserver.DemoCredentials()
	body := url.Values{"grant_type": {"password"}, "username": {demo.Username}, "password": {demo.Password}, "scope": {"read"}}.Encode()
	start := time.Now()
	workers := runtime.GOMAXPROCS(0)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < *n; i += workers {
				req := httptest.NewRequest(http.MethodPost, "/token", strings.NewReader(body))
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				req.SetBasicAuth(demo.ClientID, demo.ClientSecret)
				rec := httptest.NewRecorder()
				srv.ServeHTTP(rec, req)
				if rec.Code != http.StatusOK {
					fail(fmt.Errorf("grant %d: status %d", i, rec.Code))
				}
			}
		}()
	}
	wg.Wait()
	took := time.Since(start)
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	fmt.Printf("grantsrss: %d %s grants in %.1fs: RSS %.0f MB, live heap %.0f MB (%.0f bytes per grant), max_tokens %d\n",
		*n, *format, took.Seconds(), float64(rss())/1e6, float64(ms.HeapAlloc)/1e6, float64(ms.HeapAlloc)/float64(*n), mockserver.DefaultMaxTokens)
	runtime.KeepAlive(srv) // the store is what is measured
}

// rss reads VmRSS from /proc (Linux); 0 elsewhere.
func rss() int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for line := range strings.Lines(string(b)) {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			var kb int64
			fmt.Sscanf(strings.TrimSpace(v), "%d", &kb)
			return kb << 10
		}
	}
	return 0
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "grantsrss:", err)
	os.Exit(1)
}
