// Package sdk is a client for the OAuth 2.0 Resource Owner Password Credentials grant
// (RFC 6749 §4.3, "password grant"), with refresh (§6), a token source that refreshes ahead of
// expiry, an http.RoundTripper that adds the bearer token (RFC 6750), revocation (RFC 7009),
// introspection (RFC 7662) and authorization server discovery (RFC 8414).
//
// # Should you use this grant?
//
// Usually not. RFC 9700 (OAuth 2.0 Security Best Current Practice, 2025) §2.4 says the resource
// owner password credentials grant MUST NOT be used. The reasons are structural: the app sees the
// user's password, so a compromised or malicious client gets the credential itself rather than a
// scoped, revocable token; the user is trained to type the password into places other than the
// authorization server; and the grant cannot carry multi-factor authentication, WebAuthn/passkeys
// or federated login, because the server never talks to the user. The OAuth 2.1 draft
// (draft-ietf-oauth-v2-1) omits the grant altogether.
//
// Prefer, in this order:
//   - the authorization code grant with PKCE (RFC 7636) in the system browser, for native and
//     desktop apps (RFC 8252);
//   - the device authorization grant (RFC 8628) for command-line tools and devices without a
//     browser or keyboard;
//   - the client credentials grant (RFC 6749 §4.4) when no user is involved at all.
//
// RFC 9700 makes no exception: using the grant anyway is a deliberate deviation from current best
// practice. Projects accept it, as the least bad option, when:
//   - migrating a legacy app that already collects passwords to tokens, as a step towards one of
//     the flows above (RFC 6749 §4.3 names exactly this use);
//   - the client is first-party and highly trusted (RFC 6749 §1.3.3: "a high degree of trust",
//     e.g. part of the device operating system) and the server allows the grant only for that
//     client;
//   - no browser can be opened at all (some headless test harnesses and CI), and the device grant
//     is not available.
//
// If you use it, limit the damage: ask for the narrowest scope, never store the password (store
// the refresh token in the OS keychain: WithStore with sdk/keychain, LoadTokenSource to resume), keep TLS on (this package refuses plain http to
// non-loopback hosts), let the server rate-limit and lock out, and plan the move to a
// redirect-based flow.
//
// # What this package does differently from golang.org/x/oauth2
//
// It never follows redirects on requests that carry the password, a client secret or a token
// (Go's http.Client would re-POST the body on 307/308, even to another origin): a redirect fails
// with *RedirectError. It sends each request once, with one client authentication method, so a
// wrong password counts once against lockout. It rejects response bodies over
// Config.MaxResponseBytes with *ResponseTooLargeError instead of truncating them. Every call takes
// a context, and Config.Timeout bounds it. TokenSource.Token takes a context, shares one refresh
// among concurrent callers (rotating refresh tokens are single-use), reports a rejected refresh
// token as ErrSignInAgain, and tells the app about new tokens so it can persist them. The
// sdk/oauth2adapter package bridges a TokenSource to oauth2.TokenSource.
//
// # DPoP
//
// With Config.DPoP set to a private key (ECDSA P-256 for ES256, Ed25519 for EdDSA, or any
// crypto.Signer over one), the client proves possession of the key on every token, refresh,
// revocation and introspection request (RFC 9449), and the server binds its tokens to the key:
// a copied refresh token is useless without it. Transport then sends DPoP tokens as
// "Authorization: DPoP" with a proof for each request, retries once when a server demands a nonce
// (use_dpop_nonce), and keeps each server's newest nonce. A Bearer token answered to a DPoP
// request is a *TokenTypeError unless Config.DPoPAllowBearer accepts the downgrade.
//
// # Multi-factor sign-in
//
// SignIn performs the password grant and finishes a sign-in that needs a second factor through a
// Prompter: Auth0 and Okta answer mfa_required with an mfa_token, then a one-time code
// (mfa-otp grant), an out-of-band approval polled at the token endpoint (mfa-oob) or a recovery
// code (mfa-recovery-code) completes it. Keycloak takes the code with the password (WithOTP);
// Entra cannot do MFA in this grant (KindInteractionRequired). WithRealm selects an Auth0
// connection. The steps are also callable one by one: MFAChallenge, MFAToken, PollOOB,
// MFAAuthenticators.
//
// # Errors
//
// Use errors.As to branch: *OAuthError is the server's answer. Its Kind names the situation the
// same way for every provider (KindInvalidCredentials, KindMFARequired, KindAccountLocked, ...;
// see Kind), Extra keeps every other member of the error body (mfa_token, Entra's error_codes,
// suberror and claims), and RetryAfter the server's delay for KindRateLimited and
// KindAccountLocked. Code is the RFC 6749 §5.2 code ("invalid_grant" is a wrong username or
// password on the password grant, or a dead refresh token; "invalid_client" is a misconfigured
// client); *HTTPError is a non-OAuth HTTP failure such as a proxy's 502;
// *ProtocolError is a malformed response; *RedirectError, *ResponseTooLargeError and
// *InsecureURLError are refusals of this package; *DiscoveryError names each metadata URL
// tried and what it answered; ErrSignInAgain (errors.Is) means only the user's credentials can
// produce a token; anything else is a network error or the context's. No error message contains
// a password, client secret or token.
//
// The protocol itself, building requests and parsing responses without net/http, lives in
// sdk/core, which the WebAssembly build reuses. So do the rules this package and the JavaScript
// package both apply (plain http only to loopback, the default auth method, the refresh margin
// and its cap, expiry, discovery order, fallback and timing, "sign in again", scope on refresh):
// sdk/core/testdata/rules.json holds their cases, run by go test here and by node --test there.
package sdk
