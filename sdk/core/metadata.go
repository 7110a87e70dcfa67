package core

import (
	"strings"
)

// Metadata is authorization server metadata (RFC 8414 §2), also served by
// OpenID Connect providers at /.well-known/openid-configuration.
type Metadata struct {
	Issuer                            string
	TokenEndpoint                     string
	RevocationEndpoint                string
	IntrospectionEndpoint             string
	UserinfoEndpoint                  string
	JWKSURI                           string
	GrantTypesSupported               []string
	ScopesSupported                   []string
	TokenEndpointAuthMethodsSupported []string
	Raw                               map[string]any
}

// ParseMetadata parses a metadata document fetched for issuer. RFC 8414 §3.3:
// the issuer in the document MUST be identical to the one used to build the
// URL, otherwise an attacker-controlled document could redirect credentials
// (mix-up); only a trailing "/" difference is tolerated. token_endpoint is
// required here because the password grant needs it.
func ParseMetadata(r Response, issuer string) (*Metadata, error) {
	fields, format, err := decodeObject(r)
	if err != nil {
		return nil, err
	}
	if format != formatJSON {
		return nil, &ProtocolError{Reason: "metadata is not a JSON object (RFC 8414 §3.2)"}
	}
	m := &Metadata{Raw: fields}
	for _, f := range []struct {
		name string
		dst  *string
		url  bool
	}{
		{"issuer", &m.Issuer, false},
		{"token_endpoint", &m.TokenEndpoint, true},
		{"revocation_endpoint", &m.RevocationEndpoint, true},
		{"introspection_endpoint", &m.IntrospectionEndpoint, true},
		{"userinfo_endpoint", &m.UserinfoEndpoint, true},
		{"jwks_uri", &m.JWKSURI, true},
	} {
		if *f.dst, err = stringField(fields, f.name); err != nil {
			return nil, err
		}
		if f.url && *f.dst != "" {
			if CheckEndpointURL(f.name, *f.dst) != nil {
				return nil, &ProtocolError{Field: f.name, Reason: f.name + " is not an absolute http(s) URL without fragment"}
			}
		}
	}
	if m.Issuer == "" {
		return nil, &ProtocolError{Field: "issuer", Reason: "metadata has no issuer (RFC 8414 §2)"}
	}
	if strings.TrimSuffix(m.Issuer, "/") != strings.TrimSuffix(issuer, "/") {
		return nil, &ProtocolError{Field: "issuer", Reason: "metadata issuer does not match the requested issuer (RFC 8414 §3.3)"}
	}
	if m.TokenEndpoint == "" {
		return nil, &ProtocolError{Field: "token_endpoint", Reason: "metadata has no token_endpoint"}
	}
	for _, f := range []struct {
		name string
		dst  *[]string
	}{
		{"grant_types_supported", &m.GrantTypesSupported},
		{"scopes_supported", &m.ScopesSupported},
		{"token_endpoint_auth_methods_supported", &m.TokenEndpointAuthMethodsSupported},
	} {
		if *f.dst, err = stringArrayField(fields, f.name); err != nil {
			return nil, err
		}
	}
	return m, nil
}

func stringArrayField(fields map[string]any, name string) ([]string, error) {
	switch v := fields[name].(type) {
	case nil:
		return nil, nil
	case []any:
		return stringArray(name, v)
	default:
		return nil, &ProtocolError{Field: name, Reason: name + " is not an array"}
	}
}
