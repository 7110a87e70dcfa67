package bridge

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// The rule functions' JSON shapes and error kinds; the rules themselves are tested on core and,
// through this bridge, by js/test/rules.test.mjs.
func TestRuleCalls(t *testing.T) {
	tests := []struct {
		name     string
		fn       int32
		args     []string
		wantOK   string
		wantKind string
	}{
		{"client config", FnCheckClientConfig, []string{"app", "https://as.example/token", "", "", "", ""}, `true`, ""},
		{"client config without a client id", FnCheckClientConfig, []string{"", "https://as.example/token", "", "", "", ""}, "", "invalid"},
		{"refused token", FnRefusesToken, []string{`Basic realm="x", DPoP error="invalid_token"`}, `true`, ""},
		{"not a refused token", FnRefusesToken, []string{`Bearer error="insufficient_scope"`}, `false`, ""},
		{"https endpoint", FnCheckEndpoint, []string{"token endpoint", "https://as.example/token", ""}, `"https://as.example/token"`, ""},
		{"plain http elsewhere", FnCheckEndpoint, []string{"token endpoint", "http://as.example/token", ""}, "", "insecure"},
		{"plain http allowed", FnCheckEndpoint, []string{"token endpoint", "http://as.example/token", "1"}, `"http://as.example/token"`, ""},
		{"issuer with a query", FnCheckIssuer, []string{"https://as.example/?a=b", ""}, "", "invalid"},
		{"default method without secret", FnResolveAuthMethod, []string{"", ""}, `"none"`, ""},
		{"default margin", FnRefreshMargin, []string{""}, `60000`, ""},
		{"negative margin", FnRefreshMargin, []string{"-1"}, "", "invalid"},
		{"margin past time.Duration", FnRefreshMargin, []string{"1e308"}, "", "invalid"},
		{"margin not a number", FnRefreshMargin, []string{"NaN"}, "", "invalid"},
		{"fresh token", FnTokenStep, []string{"1", "1", "1", "", "100000", "3600", "60000", "", "1000"}, `"step":"use","reason":"","refreshAt":40000`, ""},
		{"short-lived token: half its lifetime", FnTokenStep, []string{"1", "1", "1", "", "100000", "60", "60000", "", "1000"}, `"refreshAt":70000`, ""},
		{"unknown expiry: never due", FnTokenStep, []string{"1", "1", "1", "", "", "", "60000", "", "1000"}, `"step":"use","reason":"","refreshAt":null`, ""},
		{"due token", FnTokenStep, []string{"1", "1", "1", "", "100000", "3600", "60000", "", "50000"}, `"step":"refresh"`, ""},
		{"retry time wins", FnTokenStep, []string{"1", "1", "1", "", "100000", "3600", "60000", "60000", "50000"}, `"step":"use"`, ""},
		{"bad time", FnTokenStep, []string{"1", "1", "1", "", "soon", "", "0", "", "1"}, "", "invalid"},
		{"invalid_grant", FnRefreshFailure, []string{"invalid_grant", "", "1", "100000", "1000"}, `"step":"sign_in_again"`, ""},
		{"transient, still valid", FnRefreshFailure, []string{"", "", "1", "100000", "1000"}, `"retryAt":3000`, ""},
		{"first discovery URL", FnNextDiscoveryURL, []string{"https://as.example", "[]"}, `"https://as.example/.well-known/oauth-authorization-server"`, ""},
		{"discovery over", FnNextDiscoveryURL, []string{"https://as.example", `[{"url":"https://as.example/x","status":0,"problem":"timeout"}]`}, "", "discovery"},
		{"malformed attempts", FnNextDiscoveryURL, []string{"https://as.example", "[1"}, "", "invalid"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := decodeOut(t, Call(tt.fn, pack(tt.args...)))
			if tt.wantKind != "" {
				if assert.NotNil(t, o.Error) {
					assert.Equal(t, tt.wantKind, o.Error.Kind, o.Error.Message)
				}
				return
			}
			assert.Nil(t, o.Error)
			assert.Contains(t, string(o.OK), tt.wantOK)
		})
	}
	o := decodeOut(t, Call(FnCheckClientConfig, pack("", "", "", "", "https://as.example/introspect", "")))
	if assert.NotNil(t, o.Error) {
		assert.Equal(t, "client_id", o.Error.Param, "JavaScript names its own option for the parameter")
		assert.Contains(t, o.Error.Reason, "RFC 6749 §3.2.1")
	}
	o = decodeOut(t, Call(FnNextDiscoveryURL, pack("https://as.example", `[{"url":"https://as.example/x","status":0,"problem":"timeout"}]`)))
	assert.Len(t, o.Error.Attempts, 1, "the attempts travel with the error")
}
