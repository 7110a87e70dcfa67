// Package core is the transport-free protocol core of the ropc SDK: it turns
// parameters into plain request values and response bytes into tokens or
// typed errors for the OAuth 2.0 Resource Owner Password Credentials grant
// (RFC 6749 §4.3), refresh (RFC 6749 §6), revocation (RFC 7009),
// introspection (RFC 7662) and authorization server metadata (RFC 8414).
//
// The package never touches the network and does not import net/http, so the
// WebAssembly build can reuse it without paying for the net/http client. A
// host (package sdk, the wasm bridge, a Workers script) sends the [Request]
// however it likes and hands the status, content type, WWW-Authenticate header
// and body back as a [Response].
//
// Parsing is deliberately lenient about what real servers send (form-encoded
// or text/plain bodies, expires_in as a string, lower-case token_type, error
// bodies with HTTP 200) and strict about what would be unsafe to guess (a
// missing access_token, a negative lifetime). Values holding secrets redact
// themselves in every fmt verb, and no error message built here contains a
// password, client secret or token. Server-supplied text (error_description,
// a Content-Type) can still echo what the request carried: hosts pass each
// error through [Scrub] with the secrets they sent, as package sdk does.
package core
