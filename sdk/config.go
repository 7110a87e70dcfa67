package sdk

import (
	"crypto"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/ropcgo/ropc/sdk/core"
)

// Defaults applied by NewClient when the Config leaves a field zero.
const (
	DefaultTimeout          = 30 * time.Second
	DefaultMaxResponseBytes = 1 << 20 // 1 MiB
)

// Config describes one OAuth client of one authorization server.
type Config struct {
	// TokenURL is the token endpoint (RFC 6749 §3.2). If empty, Issuer is required and the
	// endpoint is discovered on first use (RFC 8414), except for a client that only revokes or
	// introspects (a resource server checking the tokens it is handed, RFC 7662 §2.1): for it
	// RevocationURL or IntrospectionURL alone is enough (core.CheckClientConfig, the rule the
	// JavaScript package applies too), and asking it for a token fails with ErrNoEndpoint.
	TokenURL string
	// Issuer is the authorization server's issuer identifier, used for discovery (RFC 8414 §3).
	Issuer string
	// RevocationURL (RFC 7009) and IntrospectionURL (RFC 7662); discovered from Issuer if empty.
	RevocationURL    string
	IntrospectionURL string
	// ChallengeURL is the MFA challenge endpoint (Auth0 /mfa/challenge, Okta
	// /oauth2/{server}/v1/challenge). Empty means derived from the token
	// endpoint, which works for Auth0's and Okta's own paths.
	ChallengeURL string

	// ClientID is required, a public client's too: a client always identifies itself at the
	// token endpoint (RFC 6749 §2.2, §3.2.1).
	ClientID     string
	ClientSecret string
	// AuthMethod defaults to client_secret_basic, or none when ClientSecret is empty
	// (core.ResolveAuthMethod, the rule the JavaScript package applies too).
	AuthMethod AuthMethod

	// HTTPClient is used for every request. Its Transport, Jar and Timeout are honoured; its
	// CheckRedirect is not, because redirects are never followed (see RedirectError).
	// Nil means a client on a clone of http.DefaultTransport, which takes proxies from the
	// environment (HTTPS_PROXY, NO_PROXY).
	HTTPClient *http.Client
	// Timeout bounds each request, on top of the caller's context. Zero means DefaultTimeout; a
	// negative value means no timeout beyond the context. A non-zero HTTPClient.Timeout wins.
	Timeout time.Duration
	// MaxResponseBytes bounds response bodies. Zero means DefaultMaxResponseBytes.
	MaxResponseBytes int64
	// AllowInsecureHTTP permits plain http:// endpoints on non-loopback hosts. For tests only:
	// the password and client secret would cross the network in clear text. Loopback is an IP
	// literal in 127.0.0.0/8 or ::1, or "localhost"; not "*.localhost" (core.CheckTransportSecurity
	// says why).
	AllowInsecureHTTP bool
	// Now is the clock for expiry computations and DPoP proofs' iat; nil means time.Now.
	Now func() time.Time

	// DPoP, when set, binds tokens to this key (RFC 9449): an *ecdsa.PrivateKey on P-256
	// (proofs signed ES256) or an ed25519.PrivateKey (EdDSA), or any crypto.Signer over such a
	// key (a hardware key). Every token, refresh, revocation and introspection request then
	// carries a proof, and Transport sends DPoP tokens with the DPoP scheme and a proof.
	DPoP crypto.Signer
	// DPoPAllowBearer accepts a Bearer token from a server asked for a DPoP one. By default such
	// an answer is a *TokenTypeError: a silent downgrade would give up the key's protection.
	DPoPAllowBearer bool
}

// String redacts the client secret; the other fields are not secret.
func (c Config) String() string {
	secret := ""
	if c.ClientSecret != "" {
		secret = "[redacted]"
	}
	return fmt.Sprintf("sdk.Config{TokenURL:%q Issuer:%q ClientID:%q ClientSecret:%q AuthMethod:%q AllowInsecureHTTP:%t}",
		c.TokenURL, c.Issuer, c.ClientID, secret, string(c.AuthMethod), c.AllowInsecureHTTP)
}

// GoString makes %#v redact like %v.
func (c Config) GoString() string { return c.String() }

// Format makes every verb (%v, %+v, %#v, %s, %q, %x, %d) go through String, so no verb
// bypasses redaction.
func (c Config) Format(f fmt.State, verb rune) { formatAs(f, verb, c.String()) }

// formatAs writes s for any verb, quoted for %q: the Format method of the types that hold a
// secret, so that fmt never walks their fields.
func formatAs(f fmt.State, verb rune, s string) {
	if verb == 'q' {
		s = strconv.Quote(s)
	}
	_, _ = f.Write([]byte(s))
}

// checkEndpoint is core.CheckSecureEndpoint, the one rule for every configured or discovered
// endpoint: absolute, no fragment or user info, https unless loopback or AllowInsecureHTTP.
func checkEndpoint(field, raw string, allowInsecure bool) error {
	return core.CheckSecureEndpoint(field, raw, allowInsecure)
}

func (c *Config) validate() error {
	// core.CheckClientConfig: a client id, and a token endpoint or an issuer (or, for a client
	// that only revokes or introspects, one of those endpoints), as the JavaScript package checks.
	if err := core.CheckClientConfig(core.ClientConfig{ClientID: c.ClientID, TokenURL: c.TokenURL, Issuer: c.Issuer,
		RevocationURL: c.RevocationURL, IntrospectionURL: c.IntrospectionURL, ChallengeURL: c.ChallengeURL}); err != nil {
		return configNeeds(err)
	}
	for _, e := range []struct{ field, url string }{
		{"TokenURL", c.TokenURL}, {"Issuer", c.Issuer},
		{"RevocationURL", c.RevocationURL}, {"IntrospectionURL", c.IntrospectionURL}, {"ChallengeURL", c.ChallengeURL},
	} {
		if e.url == "" {
			continue
		}
		if err := checkEndpoint(e.field, e.url, c.AllowInsecureHTTP); err != nil {
			return err
		}
	}
	if c.Issuer != "" {
		// RFC 8414 §2: no query or fragment; the same check discovery makes later.
		if _, err := core.DiscoveryURLs(c.Issuer); err != nil {
			return err
		}
	}
	if _, err := core.ResolveAuthMethod(c.AuthMethod, c.ClientSecret); err != nil {
		return err
	}
	if c.MaxResponseBytes < 0 {
		return errors.New("ropc: MaxResponseBytes must not be negative")
	}
	return nil
}

// configFields names the Config fields for what core.CheckClientConfig finds missing.
var configFields = map[string]string{core.ParamClientID: "ClientID", core.ParamTokenEndpoint: "TokenURL or Issuer"}

// configNeeds words a core.CheckClientConfig error with this package's field names.
func configNeeds(err error) error {
	var pe *core.ParamError
	if !errors.As(err, &pe) || configFields[pe.Key] == "" {
		return err
	}
	return &configError{field: configFields[pe.Key], err: pe}
}

// configError is a missing Config field; errors.As finds the *core.ParamError behind it.
type configError struct {
	field string
	err   *core.ParamError
}

func (e *configError) Error() string { return "ropc: Config needs " + e.field + ": " + e.err.Reason }
func (e *configError) Unwrap() error { return e.err }
