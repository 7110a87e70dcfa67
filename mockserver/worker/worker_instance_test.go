//go:build !js

package main

import (
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ropcgo/ropc/mockserver/conformance"
)

// workerClient talks to the worker under test (see workerTarget).
type workerClient struct {
	url, adminToken string
	hc              *http.Client
}

func newWorkerClient(url, adminToken string) *workerClient {
	return &workerClient{url: url, adminToken: adminToken, hc: &http.Client{Timeout: 20 * time.Second}}
}

// do sends one request and returns the status, the header and the JSON body.
func (c *workerClient) do(t *testing.T, method, path, form string, header map[string]string) (int, http.Header, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(method, c.url+path, strings.NewReader(form))
	require.NoError(t, err)
	if form != "" {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := c.hc.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	var body map[string]any
	if len(raw) > 0 {
		require.NoError(t, json.Unmarshal(raw, &body), "%s %s answered %d with non-JSON %q", method, path, resp.StatusCode, raw)
	}
	return resp.StatusCode, resp.Header, body
}

// instance reads (GET) or reads and opens a new max_in_flight window (POST)
// the figures of the Go instance that answers.
func (c *workerClient) instance(t *testing.T, method string) map[string]any {
	t.Helper()
	status, _, body := c.do(t, method, pathInstance, "", map[string]string{"Authorization": "Bearer " + c.adminToken})
	require.Equal(t, http.StatusOK, status, "%s %s: %v", method, pathInstance, body)
	return body
}

// grant runs the password grant for the conformance suite's user.
func (c *workerClient) grant(t *testing.T) (int, map[string]any) {
	t.Helper()
	form := url.Values{"grant_type": {"password"}, "username": {conformance.Username}, "password": {conformance.Password}}.Encode()
	status, _, body := c.do(t, http.MethodPost, "/token", form, c.basic())
	return status, body
}

func (c *workerClient) basic() map[string]string {
	// RFC 6749 §2.3.1: client_secret_basic (the demo id and secret need no form-encoding).
	return map[string]string{"Authorization": "Basic " + base64.StdEncoding.EncodeToString([]byte(conformance.ClientID+":"+conformance.ClientSecret))}
}

// TestWorkerConcurrentRequests sends password grants at once to one isolate:
// one Go instance serves them all (same id, every request counted), at least
// two of them inside it at the same time, and each gets its own tokens.
func TestWorkerConcurrentRequests(t *testing.T) {
	name, url, adminToken := workerTarget(t)
	t.Run(name, func(t *testing.T) {
		c := newWorkerClient(url, adminToken)
		before := c.instance(t, http.MethodPost)
		const n = 16
		var (
			wg       sync.WaitGroup
			start    = make(chan struct{})
			statuses [n]int
			bodies   [n]map[string]any
		)
		for i := range n {
			wg.Go(func() {
				<-start
				statuses[i], bodies[i] = c.grant(t)
			})
		}
		close(start)
		wg.Wait()
		after := c.instance(t, http.MethodGet)

		seen := map[string]bool{}
		for i := range n {
			require.Equal(t, http.StatusOK, statuses[i], "grant %d: %v", i, bodies[i])
			for _, field := range []string{"access_token", "refresh_token"} {
				tok, _ := bodies[i][field].(string)
				require.NotEmpty(t, tok, "grant %d: %s", i, field)
				assert.False(t, seen[tok], "grant %d: %s repeats another grant's", i, field)
				seen[tok] = true
			}
		}
		assert.Equal(t, before["id"], after["id"], "one instance served the whole burst")
		// The POST that opened the window, n grants, and the GET itself.
		assert.Equal(t, before["served"].(float64)+n+1, after["served"], "every request went through this instance")
		assert.GreaterOrEqual(t, after["max_in_flight"], float64(2), "the instance served requests at the same time")
	})
}

// TestWorkerPanicReplacesInstance: a request whose handler panics ends the
// Go instance; that request gets a 500 in the RFC 6749 §5.2 error format, the
// next request a new instance, and state kept in D1 survives the change.
func TestWorkerPanicReplacesInstance(t *testing.T) {
	name, url, adminToken := workerTarget(t)
	if name != "workers_runtime" {
		// Natively net/http recovers handler panics: there is no instance
		// to replace (TestInstancePanic covers the handler's side).
		t.Skipf("needs the Workers runtime (make test-worker sets %s)", envWorkerURL)
	}
	t.Run(name, func(t *testing.T) {
		c := newWorkerClient(url, adminToken)
		status, tok := c.grant(t)
		require.Equal(t, http.StatusOK, status, "%v", tok)
		rt, _ := tok["refresh_token"].(string)
		require.NotEmpty(t, rt)
		old := c.instance(t, http.MethodGet)

		status, header, body := c.do(t, http.MethodPost, pathPanic, "", map[string]string{"Authorization": "Bearer " + adminToken})
		require.Equal(t, http.StatusInternalServerError, status, "%v", body)
		assert.Equal(t, "application/json", header.Get("Content-Type"))
		assert.Equal(t, "no-store", header.Get("Cache-Control"))
		assert.Equal(t, "server_error", body["error"])
		assert.Contains(t, body["error_description"], "ended while serving this request")

		fresh := c.instance(t, http.MethodGet)
		assert.NotEqual(t, old["id"], fresh["id"], "a new instance answers after the panic")
		assert.Equal(t, float64(1), fresh["served"], "the new instance has served this request only")

		// RFC 6749 §6: the refresh token issued before the panic still works,
		// because the refresh family lives in D1, not in the instance.
		form := "grant_type=refresh_token&refresh_token=" + rt
		status, _, body = c.do(t, http.MethodPost, "/token", form, c.basic())
		assert.Equal(t, http.StatusOK, status, "refresh after the instance changed: %v", body)
	})
}
