package sdk

import (
	"context"

	"github.com/ropcgo/ropc/sdk/core"
)

// Revoke asks the server to revoke token (RFC 7009 §2.1), authenticating as the client. hint is
// "access_token", "refresh_token" or "". Revoking a refresh token also revokes its access tokens
// where the server supports it (§2.1). A token the server does not know still succeeds (§2.2):
// the outcome the caller wanted, an unusable token, holds either way.
func (c *Client) Revoke(ctx context.Context, token, hint string) error {
	endpoint, err := c.endpoint(ctx, c.cfg.RevocationURL, func(m *Metadata) string { return m.RevocationEndpoint }, "revocation endpoint")
	if err != nil {
		return err
	}
	req, err := core.NewRevocationRequest(endpoint, *c.auth, token, hint)
	if err != nil {
		return err
	}
	resp, err := c.sendProof(ctx, req)
	if err == nil {
		err = core.ParseRevocationResponse(resp)
	}
	return scrub(err, token, c.cfg.ClientSecret)
}
