package core

import (
	"fmt"
)

// AuthMethod is how the client authenticates to the token, revocation and
// introspection endpoints. Names follow the RFC 7591 §2 registry values used
// in token_endpoint_auth_methods_supported (RFC 8414 §2).
type AuthMethod string

const (
	// AuthClientSecretBasic sends HTTP Basic credentials. RFC 6749 §2.3.1:
	// the client id and secret are application/x-www-form-urlencoded before
	// being joined with ":" and base64-encoded.
	AuthClientSecretBasic AuthMethod = "client_secret_basic"
	// AuthClientSecretPost sends client_id and client_secret in the form
	// body (RFC 6749 §2.3.1, "NOT RECOMMENDED" but the interop escape hatch
	// for servers that do not decode Basic credentials).
	AuthClientSecretPost AuthMethod = "client_secret_post"
	// AuthNone is a public client (RFC 6749 §2.1): no secret, client_id in
	// the body so the server knows which client asks (RFC 6749 §3.2.1).
	AuthNone AuthMethod = "none"
)

// ClientAuth identifies and authenticates the client. Exactly one method is
// used per request: the SDK never probes a second style, because a retry
// would send the user's password twice and double lockout counts.
type ClientAuth struct {
	ClientID     string
	ClientSecret string
	Method       AuthMethod // "" means AuthClientSecretBasic, RFC 6749 §2.3.1's MUST-support method
}

// EffectiveMethod is Method with the default applied.
func (a ClientAuth) EffectiveMethod() AuthMethod {
	if a.Method == "" {
		return AuthClientSecretBasic
	}
	return a.Method
}

// Validate reports a ClientAuth that cannot produce a request.
func (a ClientAuth) Validate() error {
	// Shared rule "client_config": every method sends a client id, "none" too (RFC 6749 §3.2.1).
	if a.ClientID == "" {
		return &ParamError{Key: "client_id", Reason: "required for " + string(a.EffectiveMethod()) + " (RFC 6749 §2.2, §3.2.1)"}
	}
	switch a.EffectiveMethod() {
	case AuthClientSecretBasic, AuthClientSecretPost:
	case AuthNone:
		if a.ClientSecret != "" {
			// A secret with method none is almost certainly a
			// misconfiguration; silently dropping it would hide that.
			return &ParamError{Key: "client_secret", Reason: `set, but the auth method is "none"`}
		}
	default:
		return &ParamError{Key: "auth_method", Reason: "unknown client authentication method " + fmt.Sprintf("%q", sanitizeForMessage(string(a.Method), 40))}
	}
	return nil
}

// apply adds the client credentials to a request under construction: a
// header for Basic, body parameters otherwise, never both.
func (a ClientAuth) apply(header map[string]string, form *formParams) {
	switch a.EffectiveMethod() {
	case AuthClientSecretBasic:
		header["Authorization"] = basicAuthorization(a.ClientID, a.ClientSecret)
	case AuthClientSecretPost:
		form.Set("client_id", a.ClientID)
		// RFC 6749 §2.3.1: the client MAY omit client_secret when it is empty.
		if a.ClientSecret != "" {
			form.Set("client_secret", a.ClientSecret)
		}
	case AuthNone:
		form.Set("client_id", a.ClientID)
	}
}

// String never shows the client secret.
func (a ClientAuth) String() string {
	return fmt.Sprintf("ClientAuth{ClientID:%q ClientSecret:%s Method:%s}", a.ClientID, redacted(a.ClientSecret), a.EffectiveMethod())
}

// GoString never shows the client secret.
func (a ClientAuth) GoString() string {
	return fmt.Sprintf("core.ClientAuth{ClientID:%q, ClientSecret:%q, Method:%q}", a.ClientID, redacted(a.ClientSecret), a.Method)
}

// Format routes every verb through String/GoString so no verb prints the secret.
func (a ClientAuth) Format(f fmt.State, verb rune) { formatRedacted(f, verb, a.String(), a.GoString()) }

// ResolveAuthMethod applies the default client authentication method and
// checks it against the secret, once, when a client is configured.
//
// Shared rule "default_auth_method": with no method given, a client with a
// secret uses client_secret_basic (RFC 6749 §2.3.1: servers MUST support it)
// and a client without one is a public client, "none" (RFC 6749 §2.1,
// RFC 7591 §2), which sends client_id in the body (RFC 6749 §3.2.1) instead of
// Basic credentials with an empty password. client_secret_basic and
// client_secret_post without a secret, and "none" with one, are refused: each
// is a misconfiguration that would otherwise surface as invalid_client.
func ResolveAuthMethod(method AuthMethod, clientSecret string) (AuthMethod, error) {
	switch method {
	case "":
		if clientSecret == "" {
			return AuthNone, nil
		}
		return AuthClientSecretBasic, nil
	case AuthClientSecretBasic, AuthClientSecretPost:
		if clientSecret == "" {
			return "", &ParamError{Key: "client_secret", Reason: "required for " + string(method) + `; a public client uses auth method "none"`}
		}
	case AuthNone:
		if clientSecret != "" {
			return "", &ParamError{Key: "client_secret", Reason: `set, but the auth method is "none" (a public client has no secret)`}
		}
	default:
		return "", &ParamError{Key: "auth_method", Reason: "unknown client authentication method " + fmt.Sprintf("%q", sanitizeForMessage(string(method), 40)) +
			" (known: client_secret_basic, client_secret_post, none)"}
	}
	return method, nil
}
