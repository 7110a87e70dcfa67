// Command latency measures one-at-a-time request latency of running mocks:
// GET /healthz and the password grant, wall time and (with -cpu-pid) the CPU
// time the serving process spends per request. scripts/bench-worker.sh runs
// it against the workers of one `wrangler dev` session (each named by the
// Miniflare route header) and against the native ropc-mock.
//
// Requests go in blocks of -block to one worker and endpoint; blocks of all
// workers and endpoints take turns, so every worker sees the same machine
// conditions, and each block's CPU time is divided by its requests (work the
// runtime finishes after a response lands in the same block).
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"
)

// routeHeader names the worker of a Miniflare session that serves a request
// sent to the runtime's own socket.
const routeHeader = "MF-Route-Override"

type workerFlag []target

type target struct{ label, route string }

func (w *workerFlag) String() string { return fmt.Sprint(*w) }

func (w *workerFlag) Set(v string) error {
	label, route, ok := strings.Cut(v, "=")
	if !ok || label == "" || route == "" {
		return fmt.Errorf("want LABEL=WORKER_NAME, got %q", v)
	}
	*w = append(*w, target{label, route})
	return nil
}

func main() {
	base := flag.String("url", "", "base URL of the mock (issuer)")
	var workers workerFlag
	flag.Var(&workers, "worker", "LABEL=WORKER_NAME: measure this worker of the session (sent as "+routeHeader+"); repeatable. None: the mock at -url itself")
	n := flag.Int("n", 200, "requests per worker and endpoint")
	block := flag.Int("block", 10, "requests in a row to one worker and endpoint")
	warmup := flag.Int("warmup", 10, "unmeasured requests per worker and endpoint first")
	cpuPID := flag.Int("cpu-pid", 0, "process whose CPU time (all threads) is read around each block; 0: wall time only")
	first := flag.String("first", "", "healthz or grant: measure only the first request to each worker (a cold start), no warm-up")
	label := flag.String("label", "", "first words of each output line; without -worker, the name of the mock at -url")
	tsv := flag.String("tsv", "", "also write the figures to this file, one tab-separated line each")
	clientID := flag.String("client-id", "client_id", "client id (Basic auth)")
	clientSecret := flag.String("client-secret", "client_secret", "client secret (Basic auth)")
	username := flag.String("username", "johndoe", "resource owner")
	password := flag.String("password", "A3ddj3w", "resource owner's password")
	flag.Parse()
	if *base == "" || *n < 1 || *block < 1 || (*first != "" && *first != "healthz" && *first != "grant") {
		fmt.Fprintln(os.Stderr, "latency: -url is required, -n and -block must be positive, -first is healthz or grant")
		os.Exit(2)
	}
	prefix := *label
	if len(workers) == 0 {
		// The mock at -url itself, named by -label.
		workers, prefix = workerFlag{{label: *label}}, ""
	}
	var cpu func() (time.Duration, error)
	if *cpuPID != 0 {
		pid := *cpuPID
		cpu = func() (time.Duration, error) { return processCPU(pid) }
		if _, err := cpu(); err != nil {
			fail("CPU time", err)
		}
	}
	form := url.Values{"grant_type": {"password"}, "username": {*username}, "password": {*password}}.Encode()
	m := &meter{
		hc:   &http.Client{Timeout: 30 * time.Second},
		base: strings.TrimSuffix(*base, "/"),
		form: form, user: *clientID, pass: *clientSecret,
		cpu: cpu,
	}
	var out []figure
	if *first != "" {
		for _, w := range workers {
			s, err := m.run(w, *first, 1)
			if err != nil {
				fail(w.label+" "+*first, err)
			}
			out = append(out, s.figure(w.label, "first "+*first))
		}
	} else {
		out = m.rounds(workers, *n, *block, *warmup)
	}
	for _, f := range out {
		fmt.Println(strings.TrimSpace(prefix + " " + f.String()))
	}
	if *tsv != "" {
		if err := writeTSV(*tsv, out); err != nil {
			fail("writing "+*tsv, err)
		}
	}
}

// meter sends requests and times them.
type meter struct {
	hc         *http.Client
	base, form string
	user, pass string
	cpu        func() (time.Duration, error) // nil: no CPU figures
}

// samples are the wall times of single requests and the CPU time per
// request of each block.
type samples struct {
	wall, cpu []time.Duration
}

var endpoints = []string{"healthz", "grant"}

// rounds runs warmup requests, then n requests per worker and endpoint in
// blocks that take turns.
func (m *meter) rounds(workers []target, n, block, warmup int) []figure {
	all := make(map[[2]int]*samples)
	for wi, w := range workers {
		for ei, e := range endpoints {
			if _, err := m.run(w, e, warmup); err != nil {
				fail(w.label+" "+e+" (warm-up)", err)
			}
			all[[2]int{wi, ei}] = &samples{}
		}
	}
	for done := 0; done < n; done += block {
		size := min(block, n-done)
		// Endpoint by endpoint, so a worker's healthz block follows other
		// workers' healthz blocks, not the leftovers of a grant's D1 write.
		for ei, e := range endpoints {
			for wi, w := range workers {
				s, err := m.run(w, e, size)
				if err != nil {
					fail(w.label+" "+e, err)
				}
				acc := all[[2]int{wi, ei}]
				acc.wall = append(acc.wall, s.wall...)
				acc.cpu = append(acc.cpu, s.cpu...)
			}
		}
	}
	var out []figure
	for wi, w := range workers {
		for ei, e := range endpoints {
			out = append(out, all[[2]int{wi, ei}].figure(w.label, e))
		}
	}
	return out
}

// run sends count requests in a row to one worker and endpoint.
func (m *meter) run(w target, endpoint string, count int) (samples, error) {
	var s samples
	if count == 0 {
		return s, nil
	}
	var cpu0 time.Duration
	if m.cpu != nil {
		var err error
		if cpu0, err = m.cpu(); err != nil {
			return s, err
		}
	}
	for range count {
		start := time.Now()
		var err error
		if endpoint == "healthz" {
			err = m.send(w, http.MethodGet, "/healthz", "", "", "")
		} else {
			err = m.send(w, http.MethodPost, "/token", m.form, m.user, m.pass)
		}
		if err != nil {
			return s, err
		}
		s.wall = append(s.wall, time.Since(start))
	}
	if m.cpu != nil {
		cpu1, err := m.cpu()
		if err != nil {
			return s, err
		}
		s.cpu = append(s.cpu, (cpu1-cpu0)/time.Duration(count))
	}
	return s, nil
}

// send makes one request and requires a 200; the body is drained so the
// connection is reused.
func (m *meter) send(w target, method, path, body, user, pass string) error {
	req, err := http.NewRequest(method, m.base+path, strings.NewReader(body))
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
	if w.route != "" {
		req.Header.Set(routeHeader, w.route)
	}
	resp, err := m.hc.Do(req)
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

func fail(what string, err error) {
	// The error is a status, a transport or a /proc error: it holds no credentials.
	fmt.Fprintf(os.Stderr, "latency: %s: %v\n", what, err)
	os.Exit(1)
}
