package sdk

import (
	"errors"
	"fmt"
	"strconv"

	"github.com/ropcgo/ropc/sdk/core"
)

// Re-exported protocol types, so callers need only this package.
type (
	// Token is an access token response (RFC 6749 §5.1). Its String and GoString redact the tokens.
	// A *Token returned by this package is shared: treat it as read-only.
	Token = core.Token
	// OAuthError is an error response from the server (RFC 6749 §5.2): Code is e.g. "invalid_grant".
	OAuthError = core.OAuthError
	// HTTPError is a failure that is not an OAuth error response, e.g. an HTML 502 from a proxy.
	HTTPError = core.HTTPError
	// ProtocolError is a response that breaks the protocol, e.g. a 200 without access_token.
	ProtocolError = core.ProtocolError
	// ParamError is a request parameter the caller passed that cannot be sent, e.g. a scope with a space.
	ParamError = core.ParamError
	// AuthMethod selects how the client authenticates at the token endpoint (RFC 6749 §2.3).
	AuthMethod = core.AuthMethod
	// Introspection is a token introspection response (RFC 7662 §2.2).
	Introspection = core.Introspection
	// Metadata is authorization server metadata (RFC 8414 §2).
	Metadata = core.Metadata
	// InsecureURLError reports a URL that would carry credentials or tokens over plain HTTP to a
	// host that is not loopback (RFC 6749 §3.2 and §10.9, RFC 6750 §5.3); see AllowInsecureHTTP.
	InsecureURLError = core.InsecureURLError
	// DiscoveryError reports that no metadata URL gave usable metadata; it names each URL tried
	// and what it answered (RFC 8414 §3, OpenID Connect Discovery 1.0 §4).
	DiscoveryError = core.DiscoveryError
	// DiscoveryAttempt is one metadata URL tried and its answer.
	DiscoveryAttempt = core.DiscoveryAttempt
)

// Client authentication methods; exactly one is used per request, never a retry in another.
const (
	AuthClientSecretBasic = core.AuthClientSecretBasic
	AuthClientSecretPost  = core.AuthClientSecretPost
	AuthNone              = core.AuthNone
)

// ErrSignInAgain reports that the token source cannot get a usable token without the user's
// credentials: the refresh token was rejected (RFC 6749 §5.2 invalid_grant), or there is no refresh
// token and the access token expired. Test with errors.Is; when the server rejected the refresh
// token, errors.As also yields the *OAuthError.
var ErrSignInAgain = errors.New("ropc: sign in again")

// ErrNoEndpoint reports that an operation needs an endpoint the Config neither names nor can discover.
var ErrNoEndpoint = errors.New("ropc: endpoint not configured")

// RedirectError reports that an endpoint answered with a redirect. Token, revocation and
// introspection requests carry the password, client secret or a token in the body, and Go's
// http.Client would re-send that body on 307/308, even to another origin, so redirects are refused.
type RedirectError struct {
	Status   int
	Location string // the Location header as sent, for diagnosis; may be empty
}

func (e *RedirectError) Error() string {
	msg := "ropc: endpoint responded with redirect " + strconv.Itoa(e.Status)
	if e.Location != "" {
		msg += " to " + strconv.Quote(e.Location)
	}
	return msg + "; redirects are refused for requests that carry credentials or tokens"
}

// ResponseTooLargeError reports a response body larger than Config.MaxResponseBytes. The body is
// rejected rather than truncated, since a truncated JSON document could still parse.
type ResponseTooLargeError struct {
	Limit  int64
	Status int // the HTTP status of the oversized answer
}

func (e *ResponseTooLargeError) Error() string {
	return "ropc: response body exceeds the limit of " + strconv.FormatInt(e.Limit, 10) + " bytes"
}

// signInAgain wraps cause so that errors.Is(err, ErrSignInAgain) holds and errors.As still
// reaches cause (e.g. the *OAuthError with invalid_grant).
func signInAgain(reason string, cause error) error {
	if cause == nil {
		return fmt.Errorf("%w: %s", ErrSignInAgain, reason)
	}
	return fmt.Errorf("%w: %s: %w", ErrSignInAgain, reason, cause)
}
