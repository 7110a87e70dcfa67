package bridge

import (
	"encoding/json"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ropcgo/ropc/sdk/core"
)

type answer struct {
	OK    json.RawMessage `json:"ok"`
	Error *Error          `json:"error"`
}

func callAnswer(t *testing.T, fn int32, args ...string) answer {
	t.Helper()
	var a answer
	require.NoError(t, json.Unmarshal([]byte(Call(fn, pack(args...))), &a))
	return a
}

func TestSignInFunctions(t *testing.T) {
	a := callAnswer(t, FnBuildSignInRequest, "https://t.example/oauth/token", "id", "", "none", "u", "pw", "openid", "", "conn", "123456")
	require.Nil(t, a.Error)
	var req struct{ Body string }
	require.NoError(t, json.Unmarshal(a.OK, &req))
	form, err := url.ParseQuery(req.Body)
	require.NoError(t, err)
	assert.Equal(t, core.GrantPasswordRealm, form.Get("grant_type"))
	assert.Equal(t, "conn", form.Get("realm"))
	assert.Equal(t, "123456", form.Get("otp"))

	a = callAnswer(t, FnBuildMFATokenRequest, "https://t.example/oauth/token", "id", "", "none", "oob", "mt", "", "oc", "", "", "", "")
	require.Nil(t, a.Error)
	require.NoError(t, json.Unmarshal(a.OK, &req))
	assert.Contains(t, req.Body, "oob_code=oc")
	assert.Contains(t, req.Body, url.QueryEscape(core.GrantMFAOOB), "the short name maps to the grant type")

	// An error keeps its kind, every other member and the retry delay.
	a = callAnswer(t, FnParseSignInResponse, "429", "application/json", "", `{"error":"too_many_attempts","mfa_token":"x","n":[1]}`, "30", "", "", "", "")
	require.NotNil(t, a.Error)
	assert.Equal(t, "oauth", a.Error.Kind)
	assert.Equal(t, "account_locked", a.Error.OAuthKind)
	assert.Equal(t, int64(30), a.Error.RetryAfter)
	assert.Equal(t, map[string]any{"mfa_token": "x", "n": []any{float64(1)}}, a.Error.Extra)

	// The grant refines the kind.
	a = callAnswer(t, FnParseSignInResponse, "403", "application/json", "", `{"error":"invalid_grant"}`, "", "oob", "", "", "")
	assert.Equal(t, "mfa_denied", a.Error.OAuthKind)
	a = callAnswer(t, FnParseSignInResponse, "200", "application/json", "", `{"access_token":"at","token_type":"bearer"}`, "", core.GrantMFAOTP, "openid", "", "")
	require.Nil(t, a.Error)
	assert.Contains(t, string(a.OK), `"accessToken":"at"`)
	assert.Contains(t, string(a.OK), `"scope":"openid"`, "core.GrantedScope: an omitted scope is the requested one")

	a = callAnswer(t, FnChallengeEndpoint, "https://t.example/oauth/token", "")
	assert.JSONEq(t, `"https://t.example/mfa/challenge"`, string(a.OK))
	a = callAnswer(t, FnChallengeEndpoint, "https://kc.example/token", `{"mfa_challenge_endpoint":"https://kc.example/ch"}`)
	assert.JSONEq(t, `"https://kc.example/ch"`, string(a.OK))
	a = callAnswer(t, FnChallengeEndpoint, "https://kc.example/token", "")
	require.NotNil(t, a.Error)

	a = callAnswer(t, FnBuildChallengeRequest, "https://x.okta.com/oauth2/default/v1/challenge", "id", "", "none", "mt", "oob", "")
	require.Nil(t, a.Error)
	require.NoError(t, json.Unmarshal(a.OK, &req))
	assert.Contains(t, req.Body, "challenge_types_supported=")

	a = callAnswer(t, FnParseChallengeResponse, "200", "application/json", "",
		`{"challenge_type":"http://auth0.com/oauth/grant-type/mfa-oob","oob_code":"oc","interval":5,"binding_method":"transfer","binding_code":"42"}`, "")
	require.Nil(t, a.Error)
	assert.JSONEq(t, `{"type":"oob","promptType":"oob","oobCode":"oc","bindingCode":"42","interval":5,"expiresIn":0}`, string(a.OK))

	a = callAnswer(t, FnBuildAuthenticatorsRequest, "https://t.example/mfa/challenge", "mt")
	require.Nil(t, a.Error)
	assert.Contains(t, string(a.OK), `"Bearer mt"`)
	a = callAnswer(t, FnBuildAuthenticatorsRequest, "https://x.okta.com/oauth2/default/v1/challenge", "mt")
	assert.Equal(t, "false", string(a.OK))

	a = callAnswer(t, FnParseAuthenticators, "200", "application/json", "",
		`[{"id":"totp|1","authenticator_type":"otp","active":true},{"id":"recovery-code|1","authenticator_type":"recovery-code","active":true}]`, "")
	require.Nil(t, a.Error)
	assert.JSONEq(t, `[{"id":"totp|1","type":"otp"}]`, string(a.OK))

	a = callAnswer(t, FnOOBPoll, "slow_down", "5")
	assert.JSONEq(t, `{"again":true,"next":10}`, string(a.OK))
	a = callAnswer(t, FnOOBPoll, "invalid_grant", "5")
	assert.JSONEq(t, `{"again":false,"next":0}`, string(a.OK))

	a = callAnswer(t, FnOOBPoll, "only one argument")
	require.NotNil(t, a.Error)
	assert.Contains(t, a.Error.Message, "takes 2 arguments")
}

// SignInStep carries the password grant's answer as JavaScript holds it to core.NextSignInStep;
// the rule itself is tested on core and through each host (rules.json "sign_in_step").
func TestSignInStepCall(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"a token", []string{"", "", "", "1", "", ""}, `"done"`},
		{"mfa_required, a prompter", []string{"1", "mfa_required", "mt", "1", "", ""}, `"challenge"`},
		{"mfa_required, a code in hand", []string{"1", "mfa_required", "mt", "", "1", ""}, `"otp"`},
		{"mfa_required, recovery", []string{"1", "mfa_required", "mt", "1", "", "1"}, `"recovery_code"`},
		{"mfa_required without an mfa_token", []string{"1", "mfa_required", "", "1", "1", ""}, `"fail"`},
		{"an mfa_token on another kind", []string{"1", "invalid_credentials", "mt", "1", "1", ""}, `"fail"`},
		{"not an OAuth error", []string{"1", "", "", "1", "1", ""}, `"fail"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := decodeOut(t, Call(FnSignInStep, pack(tc.args...)))
			require.Nil(t, o.Error)
			assert.JSONEq(t, tc.want, string(o.OK))
		})
	}
}
