package main

import (
	"bytes"
	"net/http"
)

// bufferedResponse is the http.ResponseWriter of one request on Workers: the
// mock's answers are small, so the body is kept whole and handed to
// entry.mjs in one piece when the handler returns (one crossing from Go to
// JavaScript per response instead of one per written chunk).
type bufferedResponse struct {
	header http.Header
	status int // 0 until WriteHeader or the first Write
	sent   http.Header
	body   bytes.Buffer
}

func newBufferedResponse() *bufferedResponse {
	return &bufferedResponse{header: make(http.Header)}
}

func (w *bufferedResponse) Header() http.Header { return w.header }

// WriteHeader fixes the status and the header fields, as net/http does:
// later calls and later header changes are ignored.
func (w *bufferedResponse) WriteHeader(status int) {
	if w.status != 0 {
		return
	}
	if status < 100 || status > 999 {
		// net/http panics here; a bad status from the handler is answered as
		// a server fault instead of taking the instance down.
		status = http.StatusInternalServerError
	}
	w.status = status
	w.sent = w.header.Clone()
}

func (w *bufferedResponse) Write(p []byte) (int, error) {
	w.WriteHeader(http.StatusOK)
	return w.body.Write(p)
}

// Flush is a no-op: the body goes out whole when the handler returns.
func (w *bufferedResponse) Flush() {}

// result returns the status, the header fields and the body to send. A
// handler that wrote nothing answered 200 with no body, as under net/http.
func (w *bufferedResponse) result() (int, http.Header, []byte) {
	w.WriteHeader(http.StatusOK)
	return w.status, w.sent, w.body.Bytes()
}
