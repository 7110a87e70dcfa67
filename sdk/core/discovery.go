package core

import (
	"net/url"
	"strconv"
	"strings"
)

// DiscoveryURLs returns the metadata URLs to try for issuer, in order.
//
// Shared rule "discovery_order": first RFC 8414 §3.1's URL (the well-known
// segment inserted between host and path), then OpenID Connect Discovery 1.0
// §4's (openid-configuration appended to the issuer), then the RFC 8414
// segment appended to the issuer, the form deployments that predate RFC 8414
// serve (Okta's custom authorization servers:
// /oauth2/{server}/.well-known/oauth-authorization-server). For an issuer
// without a path the first and the last are the same URL, tried once. RFC 8414 §2: the issuer is an https URL with no query or
// fragment; plain http is accepted here and left to CheckTransportSecurity.
func DiscoveryURLs(issuer string) ([]string, error) {
	u, err := url.Parse(issuer)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, &ParamError{Key: "issuer", Reason: "must be an absolute https URL"}
	}
	if u.RawQuery != "" || u.Fragment != "" || strings.ContainsAny(issuer, "?#") {
		return nil, &ParamError{Key: "issuer", Reason: "must not contain a query or fragment (RFC 8414 §2)"}
	}
	if u.User != nil {
		return nil, &ParamError{Key: "issuer", Reason: "must not contain user info"}
	}
	path := strings.TrimSuffix(u.EscapedPath(), "/")
	origin := u.Scheme + "://" + u.Host
	urls := []string{
		origin + "/.well-known/oauth-authorization-server" + path,
		origin + path + "/.well-known/openid-configuration",
	}
	if path != "" {
		urls = append(urls, origin+path+"/.well-known/oauth-authorization-server")
	}
	return urls, nil
}

// DiscoveryAttempt is one metadata URL tried and what it answered.
type DiscoveryAttempt struct {
	URL string `json:"url"`
	// Status is the HTTP status of the answer; 0 means there was none
	// (network failure, timeout, cancellation).
	Status int `json:"status"`
	// Problem says, for people, why the answer was not usable metadata or why
	// there was none. It holds no secret: discovery sends none.
	Problem string `json:"problem"`
}

// DiscoveryError reports a discovery that found no usable metadata. It names
// every URL tried, in order, with what each answered.
type DiscoveryError struct {
	Issuer   string
	Attempts []DiscoveryAttempt
}

func (e *DiscoveryError) Error() string {
	var b strings.Builder
	b.WriteString("ropc: discovery found no usable metadata for issuer ")
	b.WriteString(e.Issuer)
	b.WriteString(":")
	for i, a := range e.Attempts {
		if i > 0 {
			b.WriteString(";")
		}
		b.WriteString(" ")
		b.WriteString(strconv.Itoa(i + 1))
		b.WriteString(". ")
		b.WriteString(a.URL)
		if a.Status != 0 {
			b.WriteString(" answered HTTP ")
			b.WriteString(strconv.Itoa(a.Status))
		} else {
			b.WriteString(" gave no answer")
		}
		if a.Problem != "" {
			b.WriteString(" (")
			b.WriteString(sanitizeForMessage(strings.TrimPrefix(a.Problem, "ropc: "), 300))
			b.WriteString(")")
		}
	}
	return b.String()
}

// NextDiscoveryURL returns the next metadata URL to try after the attempts
// so far (none yet: the first), or a *DiscoveryError when discovery is over.
//
// Shared rule "discovery_fallback": after any answer that is not usable
// metadata (any HTTP status, a malformed document, a mismatched issuer, an
// endpoint refused by CheckTransportSecurity) the next URL of DiscoveryURLs is
// tried; after no answer at all (network failure, timeout) discovery stops,
// since the next URL on the same host would fare no better. The hosts call
// this before every request, so discovery order and stopping are decided here.
func NextDiscoveryURL(issuer string, tried []DiscoveryAttempt) (string, error) {
	urls, err := DiscoveryURLs(issuer)
	if err != nil {
		return "", err
	}
	if n := len(tried); n > 0 && tried[n-1].Status == 0 {
		return "", &DiscoveryError{Issuer: issuer, Attempts: tried}
	}
	if len(tried) < len(urls) {
		return urls[len(tried)], nil
	}
	return "", &DiscoveryError{Issuer: issuer, Attempts: tried}
}

// NeedsDiscovery reports whether a call needs discovery first: the endpoint
// it needs is not configured, an issuer is, and no metadata is held yet.
//
// Shared rule "discovery_timing": discovery happens on the first call that
// needs an endpoint the configuration does not name, never when the client
// is created (so creating one does no I/O); the first metadata found is kept,
// a failure is not (the next call tries again).
func NeedsDiscovery(configured, issuer string, haveMetadata bool) bool {
	return configured == "" && issuer != "" && !haveMetadata
}

// CheckMetadataEndpoints applies CheckTransportSecurity to the endpoints a
// metadata document names: a document must not turn an https issuer into
// plain http token requests.
func CheckMetadataEndpoints(m *Metadata, allowInsecure bool) error {
	for _, e := range []struct{ field, url string }{
		{"token_endpoint", m.TokenEndpoint},
		{"revocation_endpoint", m.RevocationEndpoint},
		{"introspection_endpoint", m.IntrospectionEndpoint},
	} {
		if e.url == "" {
			continue
		}
		if err := CheckTransportSecurity(e.field, e.url, allowInsecure); err != nil {
			return err
		}
	}
	return nil
}
