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
// protected resource) and GET /healthz — under the rfc profile; provider
// profiles move them to the provider's paths. Every endpoint answers CORS
// requests from any origin.
//
// # Configuration
//
// The JSON config (ParseConfig, LoadConfig; unknown keys are refused):
//
//	{
//	  "issuer": "http://127.0.0.1:8080",      // default: derived from each request
//	  "audience": "https://api.example",      // aud of access tokens; default: the issuer
//	  "access_token_ttl": "1h",               // default 1h; "90s" or a number of seconds
//	  "refresh_token_ttl": "720h",            // default 720h
//	  "token_format": "jwt",                  // "jwt" (RFC 9068, default) or "opaque"
//	  "signing_key": {"kty": "OKP", ...},     // private JWK (Ed25519 or P-256); optional
//	  "lockout": {"max_failures": 10, "window": "5m", "duration": "1m", "disabled": false},
//	  "max_tokens": 1000000,                  // stored tokens kept at most; the oldest go first
//	  "clients": [{"client_id": "app", "client_secret": "s", "scopes": ["read", "write"],
//	               "default_scopes": ["read"]},
//	              {"client_id": "spa", "public": true, "scopes": ["read"]}],
//	  "users": [{"username": "alice", "password": "pw", "claims": {"email": "a@example.com"}},
//	            {"username": "bob", "password_bcrypt": "$2a$10$..."}],
//	  "faults": [],                           // interpreted by package mockserver/admin
//	  "profile": "rfc"                        // or keycloak, auth0, okta, entra (see below)
//	}
//
// # Provider profiles
//
// "profile" makes the mock answer like an identity provider; profiles.md
// lists every path and answer. The issuer (or the request's origin) stays
// the base URL and the profile derives the provider's issuer and paths
// from it:
//
//	keycloak  {base}/realms/{realm}      token .../protocol/openid-connect/token   "realm" (default ropc)
//	auth0     {base}/                    token {base}/oauth/token, /mfa/challenge  "realms" (password-realm connections)
//	okta      {base}/oauth2/default      token .../v1/token, .../v1/challenge
//	entra     {base}/{tenant}/v2.0       token {base}/{tenant}/oauth2/v2.0/token   "tenant" (default ropc.onmicrosoft.com)
//
// Each serves {issuer}/.well-known/openid-configuration (Okta also
// .../oauth-authorization-server). Users gain a second factor, recovery
// codes and an account state:
//
//	{"username": "ann", "password": "pw",
//	 "mfa": {"type": "totp", "secret": "<base32, >= 128 bits>"},  // or {"type": "oob"}; "oob": true adds a push factor to totp
//	 "recovery_codes": ["..."],                                     // auth0 only; each works once
//	 "state": "active"}                                             // locked, disabled, password_expired, setup_required
//
// TOTP is RFC 6238 (SHA-1, 30 s steps, 6 digits, one step of skew either
// way, a step's code accepted once) on the server's Clock. An out-of-band
// challenge stays pending until Server.ApproveMFA or Server.DenyMFA
// (POST /_admin/mfa/approve and /deny); polling sooner than
// "oob_interval" (default 5s) answers slow_down. Keycloak takes the code
// with the password as "otp" and has no out-of-band factor (an oob user is
// refused at load); Auth0 and Okta answer mfa_required with an mfa_token,
// then their challenge endpoint (JSON or form body) and the grants
// GrantMFAOTP, GrantMFAOOB and (Auth0) GrantMFARecoveryCode; Entra cannot
// do MFA in this grant and answers interaction_required with AADSTS50076 and
// a claims challenge. Where a provider documents no distinct answer for a
// situation, the mock sends its generic wrong-credentials answer. Under the
// rfc profile a second factor is refused at load and a state other than
// active is invalid_grant naming it, given only after the right password.
//
// Pending MFA sign-ins live in the Store (MFAStore) like tokens: on a host
// that runs requests in separate instances (Workers) each step of a sign-in
// may reach another instance, and with package sqlstore a sign-in survives
// a restart.
//
// # Tokens
//
// Access tokens are RFC 9068 JWTs (typ at+jwt; iss, sub, aud, client_id,
// scope, iat, exp, jti, and sid naming the refresh-token family) signed
// with EdDSA (or ES256 for a P-256 key) and verifiable with /jwks, or random
// opaque strings. Refresh tokens rotate on every use, are bound to their
// client, may narrow but never widen scope, and a reused rotated token
// revokes its whole family (RFC 9700 §4.14.2). Revoking a refresh token
// also invalidates the access tokens of its family. With the in-memory
// store a grant's first refresh token is self-contained (its facts under a
// MAC keyed from the signing key), so a password grant stores nothing; its
// first use is recorded, and every later token is random and stored by
// hash. A restart or Reset ends them all, as before.
//
// The signing key comes from Options.Key, else the config's signing_key,
// else Options.KeyFile (created once, mode 0600), else a fresh key per
// Server. With Options.Rand seeded, a fixed key and a pinned Clock, every
// response is byte-identical from run to run (deterministic mode).
//
// # State
//
// All mutable protocol state (refresh-token families, revocations, lockout
// counters, and the second-factor sign-ins of provider profiles: pending
// mfa_tokens, out-of-band approvals, used TOTP steps and recovery codes)
// lives behind the Store interface, keyed by SHA-256 hashes of
// tokens, so that a stateless host such as Cloudflare Workers can keep it
// in SQL; NewMemoryStore is the in-process implementation. Package
// mockserver/conformance checks a Store (RunStore) and a running server
// (Run) against the documented behaviour.
//
// # Bounds
//
// State stays bounded however long the mock runs and whatever clients send:
// a request body is capped at MaxBodyBytes before anything reads it (a
// larger declared length is refused unread); Serve adds read and idle
// timeouts to the header timeout (kept to within 100 ms, without a timer
// per request); revocations, and the records of used first refresh tokens,
// are forgotten once the tokens they concern have expired; a refresh-token
// family's rotated tokens go when it is revoked, reused or expires; lockout bookkeeping costs the same per
// request however many usernames have failed, and forgets them after the
// window; pending second-factor sign-ins are forgotten a while after their
// mfa_token expires; and "max_tokens" caps the stored tokens (and, apart,
// the pending sign-ins), the oldest dropped first with a warning in the
// log. Checking a password costs the same for an unknown username, a plain
// password and a bcrypt one in every config.
package mockserver
