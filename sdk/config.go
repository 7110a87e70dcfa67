package sdk

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
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
	// endpoint is discovered on first use (RFC 8414).
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

	ClientID     string
	ClientSecret string
	// AuthMethod defaults to client_secret_basic, or none when ClientSecret is empty.
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
	// the password and client secret would cross the network in clear text.
	AllowInsecureHTTP bool
	// Now is the clock for expiry computations; nil means time.Now.
	Now func() time.Time
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

// checkEndpoint validates an endpoint URL: the shape rules of core.CheckEndpointURL (absolute,
// no fragment, no user info), then TLS. RFC 6749 §3.2 and §10.9 require TLS at the token
// endpoint; loopback is exempt because traffic never leaves the machine (RFC 8252 §8.3 makes the
// same exception for native-app redirects).
func checkEndpoint(field, raw string, allowInsecure bool) error {
	if err := core.CheckEndpointURL(field, raw); err != nil {
		return err
	}
	u, _ := url.Parse(raw) // CheckEndpointURL has parsed it already
	if u.Scheme == "http" && !allowInsecure && !IsLoopbackHost(u.Hostname()) {
		return &InsecureURLError{Field: field, URL: raw}
	}
	return nil
}

// IsLoopbackHost reports whether host (a URL's Hostname) names this machine: 127.0.0.0/8, ::1 or
// localhost, the hosts for which plain http is accepted without AllowInsecureHTTP. Names that
// merely resolve to loopback are not trusted, since DNS could change the answer.
func IsLoopbackHost(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func (c *Config) validate() error {
	// A client that only revokes or introspects needs no token endpoint.
	if c.TokenURL == "" && c.Issuer == "" && c.RevocationURL == "" && c.IntrospectionURL == "" {
		return errors.New("ropc: Config needs TokenURL or Issuer (or RevocationURL/IntrospectionURL for a client that only revokes or introspects)")
	}
	if c.ClientID == "" {
		return errors.New("ropc: Config needs ClientID")
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
	switch c.AuthMethod {
	case "":
	case AuthClientSecretBasic, AuthClientSecretPost:
		if c.ClientSecret == "" {
			return fmt.Errorf("ropc: AuthMethod %s needs ClientSecret", c.AuthMethod)
		}
	case AuthNone:
		if c.ClientSecret != "" {
			return errors.New("ropc: AuthMethod none must not have a ClientSecret")
		}
	default:
		return fmt.Errorf("ropc: unknown AuthMethod %q", string(c.AuthMethod))
	}
	if c.MaxResponseBytes < 0 {
		return errors.New("ropc: MaxResponseBytes must not be negative")
	}
	return nil
}
