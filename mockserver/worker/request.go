package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
)

// requestParts is one request as entry.mjs hands it over (in a frame, see
// frame.go): the method, the absolute URL, the header fields in order (the
// Fetch API joins repeated fields with ", ", as RFC 9110 §5.3 allows), and
// the whole body (nil when the request has none). The JavaScript side reads
// the body once, so the Go side needs no callbacks into a ReadableStream.
type requestParts struct {
	method  string
	url     string
	headers [][2]string
	body    []byte
}

var errNoMethod = errors.New("request without a method")

// newRequest builds the *http.Request the mock's handler serves. The client
// address comes from Cf-Connecting-Ip, which the Workers runtime sets on
// every request it receives (the admin API decides on loopback callers with
// it, and Workers callers are never loopback).
func newRequest(p requestParts) (*http.Request, error) {
	if p.method == "" {
		return nil, errNoMethod
	}
	u, err := url.Parse(p.url)
	if err != nil {
		return nil, fmt.Errorf("request URL: %w", err)
	}
	if !u.IsAbs() {
		return nil, fmt.Errorf("request URL %q is not absolute", u.Redacted())
	}
	header := make(http.Header, len(p.headers))
	for _, kv := range p.headers {
		header.Add(kv[0], kv[1])
	}
	r := &http.Request{
		Method:     p.method,
		URL:        u,
		Proto:      "HTTP/1.1",
		ProtoMajor: 1,
		ProtoMinor: 1,
		Header:     header,
		Host:       u.Host,
		RemoteAddr: header.Get("Cf-Connecting-Ip"),
		RequestURI: u.RequestURI(),
		Body:       http.NoBody,
	}
	if p.body != nil {
		r.Body = io.NopCloser(bytes.NewReader(p.body))
		r.ContentLength = int64(len(p.body))
		r.Header.Set("Content-Length", strconv.Itoa(len(p.body)))
	}
	return r, nil
}
