package sdk

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"

	"github.com/ropcgo/ropc/sdk/core"
)

// Transport is an http.RoundTripper that sends requests with the source's access token
// (RFC 6750 §2.1). On a 401 whose challenge says error="invalid_token" (RFC 6750 §3.1) it
// refreshes once and retries, if the request body can be replayed.
type Transport struct {
	Source *TokenSource
	// Base sends the requests; nil means http.DefaultTransport.
	Base http.RoundTripper
}

// Client returns an *http.Client that authorizes its requests with ts. base supplies the
// transport and other settings and is not modified; nil means http.DefaultClient's settings.
func (ts *TokenSource) Client(base *http.Client) *http.Client {
	var hc http.Client
	if base != nil {
		hc = *base
	}
	hc.Transport = &Transport{Source: ts, Base: hc.Transport}
	return &hc
}

// RoundTrip implements http.RoundTripper. Like any RoundTripper it does not modify req: it
// adds the header to a clone.
func (t *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	bodyClosed := false
	if req.Body != nil {
		// http.RoundTripper must close the body even on error.
		defer func() {
			if !bodyClosed {
				req.Body.Close()
			}
		}()
	}
	if t.Source == nil {
		return nil, errors.New("ropc: Transport has no Source")
	}
	// RFC 6750 §5.3: bearer tokens only over TLS, with the same loopback exception as Config.
	if err := core.CheckTransportSecurity("request URL", req.URL.String(), t.Source.c.cfg.AllowInsecureHTTP); err != nil {
		return nil, err
	}
	if crossOriginRedirect(req) {
		// Like net/http for its own sensitive headers: a redirect that leaves the origin of the
		// first request does not get the token (RFC 6750 §5.3: don't leak bearer tokens).
		bodyClosed = true
		return t.base().RoundTrip(req)
	}
	ctx := req.Context()
	tok, err := t.Source.Token(ctx)
	if err != nil {
		return nil, err
	}
	bodyClosed = true // the base RoundTripper closes it from here on
	resp, err := t.sendAuthorized(req, tok)
	if err != nil || resp.StatusCode != http.StatusUnauthorized || !invalidTokenChallenge(resp.Header) {
		return resp, err
	}
	if step, _ := core.NextTokenStep(core.TokenState{HasToken: true, HasAccessToken: true,
		HasRefreshToken: tok.RefreshToken != "", Rejected: true}); step == core.StepHandBack {
		// Nothing to refresh with: the caller gets the 401 and its RFC 6750 challenge as sent.
		return resp, nil
	}
	retry, ok := replay(req)
	if !ok {
		return resp, nil
	}
	// RFC 6750 §3.1 invalid_token: expired, revoked or malformed. Refresh once (shared with
	// concurrent callers) and retry once; a second 401 goes to the caller.
	fresh, err := t.Source.refreshRejected(ctx, tok)
	if err != nil {
		if retry.Body != nil {
			retry.Body.Close()
		}
		drain(resp)
		return nil, err
	}
	drain(resp)
	return t.sendAuthorized(retry, fresh)
}

func (t *Transport) base() http.RoundTripper {
	if t.Base != nil {
		return t.Base
	}
	return http.DefaultTransport
}

// crossOriginRedirect reports whether req is a redirect hop (http.Client sets req.Response)
// whose scheme or host differs from the first request of the chain.
func crossOriginRedirect(req *http.Request) bool {
	if req.Response == nil || req.Response.Request == nil {
		return false
	}
	first := req.Response.Request
	for first.Response != nil && first.Response.Request != nil {
		first = first.Response.Request
	}
	return !strings.EqualFold(first.URL.Scheme, req.URL.Scheme) || !strings.EqualFold(first.URL.Host, req.URL.Host)
}

// authorize clones req and sets the Authorization header on the clone.
func authorize(req *http.Request, tok *Token) (*http.Request, error) {
	r := req.Clone(req.Context())
	r.Header.Set("Authorization", "Bearer "+tok.AccessToken)
	return r, nil
}

// replay returns a copy of req with a fresh body, if the body can be produced again.
func replay(req *http.Request) (*http.Request, bool) {
	if req.Body == nil || req.Body == http.NoBody {
		return req, true
	}
	if req.GetBody == nil {
		return nil, false
	}
	body, err := req.GetBody()
	if err != nil {
		return nil, false
	}
	r := req.Clone(req.Context()) // Clone leaves the body shared; replace it
	r.Body = body
	return r, true
}

// invalidTokenChallenge reports a 401 that refused the token itself (core.RefusesToken: a Bearer
// or DPoP challenge with error="invalid_token", on any WWW-Authenticate line).
func invalidTokenChallenge(h http.Header) bool { return core.RefusesToken(wwwAuthenticate(h)) }

// drain reads a little of the body so the connection can be reused, then closes it.
func drain(resp *http.Response) {
	_, _ = io.CopyN(io.Discard, resp.Body, 4<<10)
	resp.Body.Close()
}

// refreshRejected refreshes after a resource server rejected stale; if another caller already
// replaced stale, its token is used without a second refresh.
func (ts *TokenSource) refreshRejected(ctx context.Context, stale *Token) (*Token, error) {
	return ts.slow(ctx, stale)
}
