// Package mockserver is a strict OAuth 2.0 authorization server for the
// resource owner password credentials grant (RFC 6749 §4.3), meant for
// offline development and tests. It is an http.Handler built from a Config:
//
//	srv, err := mockserver.New(mockserver.DefaultConfig(), mockserver.Options{})
//	ts := httptest.NewServer(srv)
//
// Endpoints: POST /token (grant types password and refresh_token),
// GET /.well-known/oauth-authorization-server (RFC 8414),
// GET /.well-known/openid-configuration, GET /jwks, POST /introspect
// (RFC 7662), POST /revoke (RFC 7009), GET|POST /userinfo (RFC 6750
// protected resource) and GET /healthz.
//
// All mutable protocol state (refresh-token families, revocations, lockout
// counters) lives behind the Store interface so that a stateless host such
// as Cloudflare Workers can keep it in SQL; NewMemoryStore is the in-process
// implementation.
package mockserver
