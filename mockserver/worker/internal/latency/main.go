// Command latency measures one-at-a-time request latency of a running mock:
// GET /healthz and the password grant, interleaved so both see the same
// conditions. scripts/bench-worker.sh runs it against the Workers runtime
// and the native ropc-mock.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strings"
	"time"
)

func main() {
	base := flag.String("url", "", "base URL of the mock (issuer)")
	n := flag.Int("n", 200, "requests per endpoint")
	warmup := flag.Int("warmup", 10, "unmeasured requests per endpoint first")
	clientID := flag.String("client-id", "client_id", "client id (Basic auth)")
	clientSecret := flag.String("client-secret", "client_secret", "client secret (Basic auth)")
	username := flag.String("username", "johndoe", "resource owner")
	password := flag.String("password", "A3ddj3w", "resource owner's password")
	label := flag.String("label", "", "prefix of each output line")
	flag.Parse()
	if *base == "" || *n < 1 {
		fmt.Fprintln(os.Stderr, "latency: -url is required and -n must be positive")
		os.Exit(2)
	}
	target := strings.TrimSuffix(*base, "/")
	hc := &http.Client{Timeout: 30 * time.Second}
	form := url.Values{"grant_type": {"password"}, "username": {*username}, "password": {*password}}.Encode()

	healthz := func() error { return send(hc, http.MethodGet, target+"/healthz", "", "", "") }
	grant := func() error {
		return send(hc, http.MethodPost, target+"/token", form, *clientID, *clientSecret)
	}
	var hs, gs []time.Duration
	for i := range *warmup + *n {
		h, err := timed(healthz)
		if err != nil {
			fail("GET /healthz", err)
		}
		g, err := timed(grant)
		if err != nil {
			fail("password grant", err)
		}
		if i >= *warmup {
			hs, gs = append(hs, h), append(gs, g)
		}
	}
	hm, gm := percentile(hs, 50), percentile(gs, 50)
	fmt.Printf("%shealthz: median %s p99 %s (n=%d)\n", *label, ms(hm), ms(percentile(hs, 99)), len(hs))
	fmt.Printf("%spassword grant: median %s p99 %s (n=%d)\n", *label, ms(gm), ms(percentile(gs, 99)), len(gs))
	fmt.Printf("%sgrant/healthz median ratio: %.2f\n", *label, float64(gm)/float64(hm))
}

func timed(f func() error) (time.Duration, error) {
	start := time.Now()
	err := f()
	return time.Since(start), err
}

// send makes one request and requires a 200; the body is drained so the
// connection is reused.
func send(hc *http.Client, method, u, body, user, pass string) error {
	req, err := http.NewRequest(method, u, strings.NewReader(body))
	if err != nil {
		return err
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if user != "" {
		// RFC 6749 §2.3.1: form-urlencode before Basic.
		req.SetBasicAuth(url.QueryEscape(user), url.QueryEscape(pass))
	}
	resp, err := hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if _, err := io.Copy(io.Discard, resp.Body); err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return errors.New(resp.Status)
	}
	return nil
}

// percentile is the nearest-rank percentile.
func percentile(ds []time.Duration, p int) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	i := (p*len(s)+99)/100 - 1
	return s[max(0, min(i, len(s)-1))]
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2f ms", float64(d.Microseconds())/1000) }

func fail(what string, err error) {
	// The error is a status or a transport error: it holds no credentials.
	fmt.Fprintf(os.Stderr, "latency: %s: %v\n", what, err)
	os.Exit(1)
}
