package main

import (
	"os"
	"testing"

	"github.com/ropcgo/ropc/mockserver/conformance"
)

// envWorkerURL names the running worker to test. scripts/test-worker.sh (make
// test) builds the worker, serves it with `wrangler dev` on a loopback port
// and sets this; it also sets envWorkerRequired so a missing URL fails
// instead of skipping.
const (
	envWorkerURL      = "ROPC_WORKER_URL"
	envWorkerRequired = "ROPC_WORKER_REQUIRED"
)

// TestWorkerConformance runs the mock's HTTP conformance suite against the
// Workers build, where each request is a fresh Go instance: refresh
// rotation and reuse, revocation and lockout only pass if the state really
// lives in D1.
func TestWorkerConformance(t *testing.T) {
	url := os.Getenv(envWorkerURL)
	if url == "" {
		if os.Getenv(envWorkerRequired) != "" {
			t.Fatalf("%s is not set", envWorkerURL)
		}
		t.Skipf("%s is not set: run scripts/test-worker.sh (make test) to test the worker on the local Workers runtime", envWorkerURL)
	}
	conformance.Run(t, conformance.Target{BaseURL: url})
}
