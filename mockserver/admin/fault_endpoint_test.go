package admin

import (
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ropcgo/ropc/mockserver"
)

// TestTokenPathRuleFollowsTheConfig: a rule for "/token" (RFC 6749's name
// for the token endpoint) hits the token endpoint wherever the config
// serves it — a provider profile's path, or below an issuer's path — and
// nothing else; a rule naming the provider's own path works too.
func TestTokenPathRuleFollowsTheConfig(t *testing.T) {
	tests := []struct {
		name, profile, issuer string
		rulePath              string
		requestPath           string
		hit                   bool
	}{
		{"rfc", "", "", "/token", "/token", true},
		{"rfc, issuer with a path", "", "http://127.0.0.1/tenant", "/token", "/tenant/token", true},
		{"rfc, other endpoint", "", "", "/token", "/revoke", false},
		{"auth0", mockserver.ProfileAuth0, "", "/token", "/oauth/token", true},
		{"auth0, the provider's path", mockserver.ProfileAuth0, "", "/oauth/token", "/oauth/token", true},
		{"auth0, challenge endpoint", mockserver.ProfileAuth0, "", "/token", "/mfa/challenge", false},
		{"auth0, revocation endpoint", mockserver.ProfileAuth0, "", "/token", "/oauth/revoke", false},
		{"keycloak", mockserver.ProfileKeycloak, "", "/token", "/realms/ropc/protocol/openid-connect/token", true},
		{"keycloak, introspection", mockserver.ProfileKeycloak, "", "/token", "/realms/ropc/protocol/openid-connect/token/introspect", false},
		{"okta", mockserver.ProfileOkta, "", "/token", "/oauth2/default/v1/token", true},
		{"entra", mockserver.ProfileEntra, "", "/token", "/ropc.onmicrosoft.com/oauth2/v2.0/token", true},
		{"entra, issuer with a path", mockserver.ProfileEntra, "http://127.0.0.1/base", "/token", "/base/ropc.onmicrosoft.com/oauth2/v2.0/token", true},
		{"other rule path is exact", mockserver.ProfileAuth0, "", "/revoke", "/oauth/revoke", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := mockserver.DefaultConfig()
			cfg.Profile, cfg.Issuer = tt.profile, tt.issuer
			f := newFixtureConfig(t, cfg, Options{Enabled: true})
			f.addFault("http", Rule{Match: Match{Path: tt.rulePath}, Status: 418, Error: "fault_rule_hit"})
			status, body := f.do(http.MethodPost, tt.requestPath, "grant_type=password", "Content-Type", "application/x-www-form-urlencoded")
			if tt.hit {
				assert.Equal(t, 418, status, "%s", body)
				assert.Contains(t, string(body), "fault_rule_hit")
			} else {
				assert.NotEqual(t, 418, status, "%s", body)
				assert.False(t, strings.Contains(string(body), "fault_rule_hit"), "%s", body)
			}
		})
	}
}

// TestTokenPathRuleFollowsAReload: after a reload to a profile, the same
// "/token" rule hits the profile's token path.
func TestTokenPathRuleFollowsAReload(t *testing.T) {
	f := newFixture(t, Options{Enabled: true})
	f.addFault("in-process", Rule{Match: Match{Path: "/token"}, Status: 418, Error: "fault_rule_hit"})
	cfg := mockserver.DefaultConfig()
	cfg.Profile = mockserver.ProfileAuth0
	require.NoError(t, f.mock.Reload(cfg))
	status, body := f.do(http.MethodPost, "/oauth/token", "grant_type=password", "Content-Type", "application/x-www-form-urlencoded")
	assert.Equal(t, 418, status, "%s", body)
}
