package sdk

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
	"sync"
	"time"

	"github.com/ropcgo/ropc/sdk/core"
)

// refuseRedirects makes http.Client hand back the 3xx response instead of following it: on
// 307/308 Go re-sends the POST body (password, client secret, token), even across origins.
func refuseRedirects(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

var (
	defaultTransportOnce sync.Once
	defaultTransport     http.RoundTripper
)

// sharedTransport is one clone of http.DefaultTransport for all clients built without an
// HTTPClient: it keeps ProxyFromEnvironment and pools connections, and nobody else can mutate it.
func sharedTransport() http.RoundTripper {
	defaultTransportOnce.Do(func() {
		if t, ok := http.DefaultTransport.(*http.Transport); ok {
			defaultTransport = t.Clone()
		} else {
			defaultTransport = http.DefaultTransport
		}
	})
	return defaultTransport
}

// newHTTPClient copies the caller's client (never mutating it) and replaces its redirect policy.
func newHTTPClient(cfg *Config) *http.Client {
	var hc http.Client
	if cfg.HTTPClient != nil {
		hc = *cfg.HTTPClient
	} else {
		hc.Transport = sharedTransport()
	}
	hc.CheckRedirect = refuseRedirects
	if hc.Timeout == 0 && cfg.Timeout >= 0 {
		hc.Timeout = cfg.Timeout
		if hc.Timeout == 0 {
			hc.Timeout = DefaultTimeout
		}
	}
	return &hc
}

// Header values shared by every request; net/http only reads them.
var (
	formContentType = []string{"application/x-www-form-urlencoded"}
	acceptJSON      = []string{"application/json"}
)

// parsedURL returns the parsed form of raw, cached for the last endpoint used: the same few
// endpoint URLs repeat for the client's lifetime. net/http treats req.URL as read-only, so the
// cached value is shared between requests.
func (c *Client) parsedURL(raw string) (*url.URL, error) {
	if e := c.lastURL.Load(); e != nil && e.raw == raw {
		return e.u, nil
	}
	u, err := url.Parse(raw)
	if err != nil {
		return nil, errors.New("ropc: invalid endpoint URL")
	}
	c.lastURL.Store(&cachedURL{raw: raw, u: u})
	return u, nil
}

type cachedURL struct {
	raw string
	u   *url.URL
}

// send performs one request built by the core and returns the raw response for the core to parse.
// It is the only place in the package that touches the network.
func (c *Client) send(ctx context.Context, r *core.Request) (core.Response, error) {
	u, err := c.parsedURL(r.URL)
	if err != nil {
		return core.Response{}, err
	}
	ctx, cancel := c.withTimeout(ctx)
	if cancel != nil {
		defer cancel()
	}
	req := (&http.Request{
		Method:     r.Method,
		URL:        u,
		Proto:      "HTTP/1.1",
		ProtoMajor: 1,
		ProtoMinor: 1,
		Header:     make(http.Header, len(r.Header)+1),
		Host:       u.Host,
	}).WithContext(ctx)
	if r.Body != nil {
		body := r.Body
		// A *bytes.Reader (also behind NopCloser) is one net/http knows to be in memory, so it
		// writes headers and body in one packet instead of flushing the headers first.
		req.Body = io.NopCloser(bytes.NewReader(body))
		req.ContentLength = int64(len(body))
		// net/http uses GetBody only to re-send on a dead keep-alive connection when nothing was
		// written yet, so the server never sees the password twice; redirects, its other user,
		// are refused.
		req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
	}
	req.Header["Accept"] = acceptJSON
	for k, v := range r.Header {
		k = http.CanonicalHeaderKey(k)
		switch {
		case k == "Content-Type" && v == formContentType[0]:
			req.Header[k] = formContentType
		case k == "Accept" && v == acceptJSON[0]:
			req.Header[k] = acceptJSON
		default:
			req.Header[k] = []string{v}
		}
	}

	resp, err := c.roundTrip(req)
	if err != nil {
		return core.Response{}, err
	}
	defer resp.Body.Close()
	switch resp.StatusCode {
	case http.StatusMovedPermanently, http.StatusFound, http.StatusSeeOther,
		http.StatusTemporaryRedirect, http.StatusPermanentRedirect:
		return core.Response{}, &RedirectError{Status: resp.StatusCode, Location: redactLocation(resp.Header.Get("Location"))}
	}
	data, err := readLimited(resp.Body, resp.ContentLength, c.maxBytes)
	if err != nil {
		if le, ok := err.(*ResponseTooLargeError); ok {
			le.Status = resp.StatusCode
		}
		return core.Response{}, err
	}
	return core.Response{
		Status:          resp.StatusCode,
		ContentType:     resp.Header.Get("Content-Type"),
		WWWAuthenticate: wwwAuthenticate(resp.Header),
		RetryAfter:      resp.Header.Get("Retry-After"),
		Body:            data,
		DPoPNonce:       resp.Header.Get("Dpop-Nonce"),
	}, nil
}

// wwwAuthenticate is every WWW-Authenticate line of h as the one value core's challenge parser
// reads (core.ChallengeHeader, RFC 9110 §5.3): token endpoint answers and resource answers alike.
func wwwAuthenticate(h http.Header) string { return core.ChallengeHeader(h.Values("Www-Authenticate")) }

// roundTrip sends req once. Without a cookie jar it calls the transport directly: a
// RoundTripper never follows redirects, and http.Client's redirect bookkeeping (a header copy
// per request) would be wasted on requests whose redirects are refused anyway. With a jar it goes
// through the caller's http.Client (whose CheckRedirect was replaced) so cookies work; that
// client applies its Timeout itself.
func (c *Client) roundTrip(req *http.Request) (*http.Response, error) {
	if c.hc.Jar != nil {
		return c.hc.Do(req)
	}
	rt := c.hc.Transport
	if rt == nil {
		rt = http.DefaultTransport
	}
	resp, err := rt.RoundTrip(req)
	if err != nil {
		// The same shape http.Client returns, so callers can errors.As a *url.Error.
		return nil, &url.Error{Op: req.Method, URL: redactURL(req.URL), Err: err}
	}
	return resp, nil
}

// withTimeout bounds a request by Config.Timeout unless ctx already ends sooner. send reads
// the whole body before returning, so the deadline covers the body too.
func (c *Client) withTimeout(ctx context.Context) (context.Context, context.CancelFunc) {
	if c.hc.Jar != nil || c.hc.Timeout <= 0 {
		return ctx, nil
	}
	if d, ok := ctx.Deadline(); ok && time.Until(d) <= c.hc.Timeout {
		return ctx, nil
	}
	return context.WithTimeout(ctx, c.hc.Timeout)
}

func redactURL(u *url.URL) string { return u.Redacted() }

// redactLocation drops user info and query from a redirect target: a hostile server could put
// anything there, and the error message may be logged.
func redactLocation(loc string) string {
	u, err := url.Parse(loc)
	if err != nil {
		return ""
	}
	u.User = nil
	u.RawQuery = ""
	u.Fragment = ""
	return u.String()
}

// readLimited reads the whole body, failing with ResponseTooLargeError past limit instead of
// truncating. With a known Content-Length it allocates once, sized so that the read taking the
// last byte also sees io.EOF, which lets net/http reuse the connection.
func readLimited(r io.Reader, contentLength, limit int64) ([]byte, error) {
	if contentLength > limit {
		return nil, &ResponseTooLargeError{Limit: limit}
	}
	size := int64(512)
	if contentLength >= 0 {
		size = contentLength + 1
	}
	if size > limit+1 {
		size = limit + 1
	}
	buf := make([]byte, 0, size)
	for {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		n, err := r.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if int64(len(buf)) > limit {
			return nil, &ResponseTooLargeError{Limit: limit}
		}
		if err == io.EOF {
			return buf, nil
		}
		if err != nil {
			return nil, err
		}
	}
}
