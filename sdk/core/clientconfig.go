package core

// ClientConfig is what a host's client configuration says about who the client is and where it
// sends requests, as the host was given it (before discovery).
type ClientConfig struct {
	ClientID         string
	TokenURL         string // RFC 6749 §3.2
	Issuer           string // RFC 8414 §2, for discovery
	RevocationURL    string // RFC 7009 §2
	IntrospectionURL string // RFC 7662 §2
	ChallengeURL     string // the MFA challenge endpoint (Auth0, Okta)
}

// CheckClientConfig reports the first thing a client configuration lacks, or nil. Each host
// calls it once, when a client is made (package sdk's NewClient, JavaScript's createClient).
//
// Shared rule "client_config": a client always identifies itself, whatever its authentication
// method: RFC 6749 §2.2 issues every client an identifier and §3.2.1 has even a public client
// send it at the token endpoint (RFC 7009 §2.1 and RFC 7662 §2.1 take it the same way), so an
// empty client id is refused here instead of surfacing as the server's invalid_client.
// A client needs a token endpoint or an issuer to discover one (RFC 8414 §3), except a client
// that only revokes or introspects: a revocation or introspection endpoint alone is enough, as
// for a resource server that checks the tokens it is handed (RFC 7662 §2.1) or a back end that
// revokes them (RFC 7009 §2). Such a client fails with a clear error when asked for a token. A
// challenge endpoint alone is not: a challenge needs the mfa_token a token endpoint answers.
func CheckClientConfig(c ClientConfig) error {
	if c.TokenURL == "" && c.Issuer == "" && c.RevocationURL == "" && c.IntrospectionURL == "" {
		reason := "a client sends its requests to a token endpoint, or to the one an issuer's metadata names " +
			"(RFC 8414); a client that only revokes or introspects tokens may give just that endpoint (RFC 7009, RFC 7662)"
		if c.ChallengeURL != "" {
			reason += "; a challenge endpoint alone is not enough: the mfa_token it needs comes from the token endpoint"
		}
		return &ParamError{Key: ParamTokenEndpoint, Reason: reason}
	}
	if c.ClientID == "" {
		return &ParamError{Key: ParamClientID, Reason: "a client always identifies itself: every client is issued a client id " +
			"(RFC 6749 §2.2) and sends it at the token endpoint, a public client too (RFC 6749 §3.2.1)"}
	}
	return nil
}

// The ParamError keys CheckClientConfig reports; each host names its own option for them.
const (
	ParamClientID      = "client_id"
	ParamTokenEndpoint = "token endpoint"
)
