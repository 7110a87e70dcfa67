package core

import (
	"net/netip"
	"net/url"
	"strings"
)

// InsecureURLError reports a URL that would carry credentials or tokens over
// plain http to a host that may be another machine (RFC 6749 §3.2 and §10.9:
// TLS at the token endpoint; RFC 6750 §5.3: bearer tokens only over TLS).
type InsecureURLError struct {
	Field string // which setting or metadata field, e.g. "token endpoint" or "token_endpoint"
	URL   string // the URL without user info, query or fragment
}

func (e *InsecureURLError) Error() string {
	return "ropc: " + e.Field + " " + e.URL + " must use https: plain http is allowed only for loopback hosts " +
		"(127.0.0.0/8, ::1, localhost) or when insecure http is allowed explicitly (AllowInsecureHTTP, allowInsecureHttp)"
}

// CheckTransportSecurity refuses a plain http URL unless its host is a
// loopback host or allowInsecure is set; https is always accepted.
//
// Shared rule "plain_http": loopback means an IP literal in 127.0.0.0/8 or
// ::1 (IPv4-mapped forms included), or the name "localhost" in any case.
// Subdomains of localhost ("app.localhost") are NOT loopback here. RFC 6761
// §6.3 only asks name resolution libraries to answer loopback for them
// (SHOULD), and WHATWG Secure Contexts §3.1 counts "*.localhost" as
// potentially trustworthy only for a user agent that follows
// let-localhost-be-localhost. Go's resolver and Node's (getaddrinfo) do not
// promise that: a subdomain missing from the hosts file goes to DNS, which can
// answer with any address, and the password would cross the network in clear
// text. "localhost" itself is in the hosts file on every system the SDK runs
// on. Other names that merely resolve to loopback are refused for the same
// reason.
func CheckTransportSecurity(field, rawURL string, allowInsecure bool) error {
	u, err := url.Parse(rawURL)
	if err != nil {
		return &ParamError{Key: field, Reason: "not a valid URL"}
	}
	if !strings.EqualFold(u.Scheme, "http") || allowInsecure || isLoopbackHost(u.Hostname()) {
		return nil
	}
	return &InsecureURLError{Field: field, URL: safeURL(u)}
}

// CheckSecureEndpoint is CheckEndpointURL (absolute, no fragment, no user
// info) followed by CheckTransportSecurity: what every configured or
// discovered endpoint must pass.
func CheckSecureEndpoint(field, rawURL string, allowInsecure bool) error {
	if err := CheckEndpointURL(field, rawURL); err != nil {
		return err
	}
	return CheckTransportSecurity(field, rawURL, allowInsecure)
}

// isLoopbackHost reports whether host (a URL's Hostname, brackets removed)
// names this machine without asking a resolver.
func isLoopbackHost(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	addr, err := netip.ParseAddr(host)
	return err == nil && addr.Zone() == "" && addr.Unmap().IsLoopback()
}

// safeURL is scheme, host and path: what an error message may show.
func safeURL(u *url.URL) string {
	v := *u
	v.User, v.RawQuery, v.Fragment, v.RawFragment, v.ForceQuery = nil, "", "", "", false
	return v.String()
}
