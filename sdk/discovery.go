package sdk

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"github.com/ropcgo/ropc/sdk/core"
)

// Discover fetches the authorization server's metadata from Config.Issuer, trying the URLs of
// core.DiscoveryURLs in order (RFC 8414 §3.1 inserted form, then OpenID Connect's appended
// openid-configuration, then the appended oauth-authorization-server) and moving on after any
// answer that is not usable metadata; core.NextDiscoveryURL decides, as it does for the
// JavaScript package. The result is cached after the first success; a failure is a
// *DiscoveryError naming each URL tried and what it answered. The issuer in the document must
// equal Config.Issuer (RFC 8414 §3.3), which stops a server from impersonating another one, and
// every endpoint in it must pass the same https rule as Config.
func (c *Client) Discover(ctx context.Context) (*Metadata, error) {
	if c.cfg.Issuer == "" {
		return nil, &endpointError{name: "metadata", discovered: false}
	}
	return c.metadata(ctx)
}

func (c *Client) metadata(ctx context.Context) (*Metadata, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.meta != nil {
		return c.meta, nil
	}
	var tried []core.DiscoveryAttempt
	var last error // the last attempt's error
	for {
		u, err := core.NextDiscoveryURL(c.cfg.Issuer, tried)
		if err != nil {
			var de *core.DiscoveryError
			if errors.As(err, &de) && len(de.Attempts) > 0 && de.Attempts[len(de.Attempts)-1].Status == 0 {
				// No answer: keep the cause (a timeout, a cancelled context) reachable with errors.Is.
				return nil, &discoveryFailure{DiscoveryError: de, cause: last}
			}
			return nil, err
		}
		m, status, err := c.fetchMetadata(ctx, u)
		if err == nil {
			c.meta = m
			return m, nil
		}
		last = err
		tried = append(tried, core.DiscoveryAttempt{URL: u, Status: status, Problem: strings.TrimPrefix(err.Error(), "ropc: ")})
	}
}

// discoveryFailure is a *DiscoveryError whose last attempt got no answer, with that attempt's
// error as the cause.
type discoveryFailure struct {
	*core.DiscoveryError
	cause error
}

func (e *discoveryFailure) Unwrap() []error { return []error{e.DiscoveryError, e.cause} }

// fetchMetadata fetches and checks one metadata document. status is the HTTP status of the
// answer, 0 when there was none.
func (c *Client) fetchMetadata(ctx context.Context, u string) (*Metadata, int, error) {
	resp, err := c.send(ctx, &core.Request{Method: http.MethodGet, URL: u})
	if err != nil {
		return nil, answeredStatus(err), err
	}
	m, err := core.ParseMetadata(resp, c.cfg.Issuer)
	if err == nil {
		err = core.CheckMetadataEndpoints(m, c.cfg.AllowInsecureHTTP)
	}
	if err != nil {
		return nil, resp.Status, err
	}
	return m, resp.Status, nil
}

// answeredStatus is the HTTP status carried by a send error that came from an answer (a refused
// redirect, an oversized body), 0 for a network failure, timeout or cancellation.
func answeredStatus(err error) int {
	var re *RedirectError
	var le *ResponseTooLargeError
	switch {
	case errors.As(err, &re):
		return re.Status
	case errors.As(err, &le):
		return le.Status
	}
	return 0
}
