package sdk

import (
	"context"

	"github.com/ropcgo/ropc/sdk/core"
)

// Introspect asks the server about token (RFC 7662 §2.1), authenticating as the client (§2.1
// requires the protected resource, here the client, to authenticate). An inactive, unknown or
// expired token is not an error: the result has Active false and nothing else (§2.2).
func (c *Client) Introspect(ctx context.Context, token, hint string) (*Introspection, error) {
	endpoint, err := c.endpoint(ctx, c.cfg.IntrospectionURL, func(m *Metadata) string { return m.IntrospectionEndpoint }, "introspection endpoint")
	if err != nil {
		return nil, err
	}
	req, err := core.NewIntrospectionRequest(endpoint, *c.auth, token, hint)
	if err != nil {
		return nil, err
	}
	resp, err := c.sendProof(ctx, req)
	if err != nil {
		return nil, scrub(err, token, c.cfg.ClientSecret)
	}
	in, err := core.ParseIntrospectionResponse(resp)
	return in, scrub(err, token, c.cfg.ClientSecret)
}
