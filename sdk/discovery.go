package sdk

import (
	"context"
	"errors"
	"net/http"

	"github.com/ropcgo/ropc/sdk/core"
)

// Discover fetches the authorization server's metadata from Config.Issuer: first RFC 8414's
// /.well-known/oauth-authorization-server, then OpenID Connect's /.well-known/openid-configuration
// when the server answers the first with an error. The result is cached after the first success.
// The issuer in the document must equal Config.Issuer (RFC 8414 §3.3), which stops a server from
// impersonating another one, and every endpoint in it must pass the same https rule as Config.
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
	urls, err := core.DiscoveryURLs(c.cfg.Issuer)
	if err != nil {
		return nil, err
	}
	var errs []error
	for _, u := range urls {
		m, err := c.fetchMetadata(ctx, u)
		if err == nil {
			c.meta = m
			return m, nil
		}
		errs = append(errs, err)
		if !serverAnswered(err) {
			break // network failure, timeout, cancellation: the next URL would fare no better
		}
	}
	return nil, errors.Join(errs...)
}

func (c *Client) fetchMetadata(ctx context.Context, u string) (*Metadata, error) {
	resp, err := c.send(ctx, &core.Request{Method: http.MethodGet, URL: u})
	if err != nil {
		return nil, err
	}
	m, err := core.ParseMetadata(resp, c.cfg.Issuer)
	if err != nil {
		return nil, err
	}
	for _, e := range []struct{ field, url string }{
		{"token_endpoint", m.TokenEndpoint},
		{"revocation_endpoint", m.RevocationEndpoint},
		{"introspection_endpoint", m.IntrospectionEndpoint},
	} {
		if e.url == "" {
			continue
		}
		if err := checkEndpoint(e.field, e.url, c.cfg.AllowInsecureHTTP); err != nil {
			return nil, err
		}
	}
	return m, nil
}

// serverAnswered reports an error that came from a response, after which the fallback URL is
// worth trying.
func serverAnswered(err error) bool {
	var he *HTTPError
	var pe *ProtocolError
	var oe *OAuthError
	var re *RedirectError
	return errors.As(err, &he) || errors.As(err, &pe) || errors.As(err, &oe) || errors.As(err, &re)
}
