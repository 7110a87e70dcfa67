package core_test

import (
	"errors"
	"fmt"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ropcgo/ropc/sdk/core"
)

func formOf(t *testing.T, r *core.Request) url.Values {
	t.Helper()
	v, err := url.ParseQuery(string(r.Body))
	require.NoError(t, err)
	return v
}

func TestPasswordRealmAndOTP(t *testing.T) {
	auth := core.ClientAuth{ClientID: "app", Method: core.AuthNone}
	r, err := core.NewPasswordRequest("https://t.example/oauth/token", auth, core.PasswordParams{
		Username: "u", Password: "p", Realm: "Username-Password-Authentication", OTP: "123456"})
	require.NoError(t, err)
	f := formOf(t, r)
	assert.Equal(t, core.GrantPasswordRealm, f.Get("grant_type"))
	assert.Equal(t, "Username-Password-Authentication", f.Get("realm"))
	assert.Equal(t, "123456", f.Get("otp"))
	assert.NotContains(t, fmt.Sprintf("%v %+v %#v", core.PasswordParams{OTP: "123456"}, core.PasswordParams{OTP: "123456"}, core.PasswordParams{OTP: "123456"}), "123456")

	r, err = core.NewPasswordRequest("https://t.example/token", auth, core.PasswordParams{Username: "u", Password: "p"})
	require.NoError(t, err)
	f = formOf(t, r)
	assert.Equal(t, "password", f.Get("grant_type"))
	assert.NotContains(t, f, "realm")
	assert.NotContains(t, f, "otp")

	_, err = core.NewPasswordRequest("https://t.example/token", auth, core.PasswordParams{Username: "u", Password: "p", Extra: url.Values{"otp": {"1"}}})
	var pe *core.ParamError
	require.True(t, errors.As(err, &pe))
	assert.Equal(t, "otp", pe.Key)
}

func TestMFATokenRequest(t *testing.T) {
	auth := core.ClientAuth{ClientID: "app", ClientSecret: "s3cret", Method: core.AuthClientSecretPost}
	tests := []struct {
		name string
		p    core.MFAParams
		want map[string]string
		key  string // ParamError key, when refused
	}{
		{"otp", core.MFAParams{Grant: core.GrantMFAOTP, MFAToken: "mt", OTP: "123456"}, map[string]string{"otp": "123456"}, ""},
		{"oob", core.MFAParams{Grant: core.GrantMFAOOB, MFAToken: "mt", OOBCode: "oc"}, map[string]string{"oob_code": "oc"}, ""},
		{"oob with binding", core.MFAParams{Grant: core.GrantMFAOOB, MFAToken: "mt", OOBCode: "oc", BindingCode: "42"}, map[string]string{"oob_code": "oc", "binding_code": "42"}, ""},
		{"recovery", core.MFAParams{Grant: core.GrantMFARecoveryCode, MFAToken: "mt", RecoveryCode: "RC"}, map[string]string{"recovery_code": "RC"}, ""},
		{"no token", core.MFAParams{Grant: core.GrantMFAOTP, OTP: "1"}, nil, "mfa_token"},
		{"no otp", core.MFAParams{Grant: core.GrantMFAOTP, MFAToken: "mt"}, nil, "otp"},
		{"no oob code", core.MFAParams{Grant: core.GrantMFAOOB, MFAToken: "mt"}, nil, "oob_code"},
		{"no recovery code", core.MFAParams{Grant: core.GrantMFARecoveryCode, MFAToken: "mt"}, nil, "recovery_code"},
		{"not an mfa grant", core.MFAParams{Grant: "password", MFAToken: "mt"}, nil, "grant_type"},
		{"extra may not override", core.MFAParams{Grant: core.GrantMFAOTP, MFAToken: "mt", OTP: "1", Extra: url.Values{"password": {"x"}}}, nil, "password"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := core.NewMFATokenRequest("https://t.example/oauth/token", auth, tt.p)
			if tt.key != "" {
				var pe *core.ParamError
				require.True(t, errors.As(err, &pe), "%v", err)
				assert.Equal(t, tt.key, pe.Key)
				return
			}
			require.NoError(t, err)
			f := formOf(t, r)
			assert.Equal(t, tt.p.Grant, f.Get("grant_type"))
			assert.Equal(t, "mt", f.Get("mfa_token"))
			assert.NotContains(t, f, "password", "an MFA step never carries the password")
			for k, v := range tt.want {
				assert.Equal(t, v, f.Get(k))
			}
			assert.NotContains(t, r.String(), "mt&")
			assert.NotContains(t, fmt.Sprintf("%v", tt.p), "123456")
		})
	}
}

func TestParseMFATokenResponseRefinesKind(t *testing.T) {
	tests := []struct {
		grant, body string
		want        core.Kind
	}{
		{core.GrantMFAOTP, `{"error":"invalid_grant","error_description":"Invalid credentials"}`, core.KindMFAInvalidCode},
		{core.GrantMFARecoveryCode, `{"error":"invalid_grant"}`, core.KindMFAInvalidCode},
		{core.GrantMFAOOB, `{"error":"invalid_grant"}`, core.KindMFADenied},
		{core.GrantMFAOOB, `{"error":"access_denied"}`, core.KindMFADenied},
		{core.GrantMFAOOB, `{"error":"authorization_pending"}`, core.KindOther},
		{core.GrantMFAOOB, `{"error":"slow_down"}`, core.KindRateLimited},
		{core.GrantMFAOTP, `{"error":"invalid_grant","error_description":"Account disabled"}`, core.KindAccountDisabled},
		{core.GrantMFAOTP, `{"error":"too_many_attempts"}`, core.KindAccountLocked},
	}
	for _, tt := range tests {
		_, err := core.ParseMFATokenResponse(core.Response{Status: 400, Body: []byte(tt.body)}, time.Now(), tt.grant)
		var oe *core.OAuthError
		require.True(t, errors.As(err, &oe))
		assert.Equal(t, tt.want, oe.Kind, "%s %s", tt.grant, tt.body)
	}
	tok, err := core.ParseMFATokenResponse(core.Response{Status: 200, Body: []byte(`{"access_token":"a","token_type":"Bearer","recovery_code":"NEW"}`)}, time.Now(), core.GrantMFARecoveryCode)
	require.NoError(t, err)
	assert.Equal(t, "NEW", tok.Raw["recovery_code"])
}

func TestOOBPoll(t *testing.T) {
	pending := &core.OAuthError{Code: "authorization_pending"}
	slow := &core.OAuthError{Code: "slow_down"}
	next, again := core.OOBPoll(pending, 0)
	assert.True(t, again)
	assert.Equal(t, 5*time.Second, next, "RFC 8628 §3.2 default")
	next, again = core.OOBPoll(slow, 2*time.Second)
	assert.True(t, again)
	assert.Equal(t, 7*time.Second, next, "RFC 8628 §3.5: five seconds more")
	_, again = core.OOBPoll(&core.OAuthError{Code: "invalid_grant"}, time.Second)
	assert.False(t, again)
	_, again = core.OOBPoll(errors.New("network"), time.Second)
	assert.False(t, again)
}

func TestMFAToken(t *testing.T) {
	_, err := core.ParseTokenResponse(core.Response{Status: 403, Body: []byte(`{"error":"mfa_required","mfa_token":"MT"}`)}, time.Now())
	assert.Equal(t, "MT", core.MFAToken(err))
	_, err = core.ParseTokenResponse(core.Response{Status: 403, Body: []byte(`{"error":"mfa_registration_required","mfa_token":"MT"}`)}, time.Now())
	assert.Equal(t, "", core.MFAToken(err), "only an mfa_required answer continues: enrolment is account setup")
	assert.Equal(t, "", core.MFAToken(nil))
}

func TestChallengeEndpoint(t *testing.T) {
	tests := []struct{ token, want string }{
		{"https://tenant.auth0.com/oauth/token", "https://tenant.auth0.com/mfa/challenge"},
		{"http://127.0.0.1:8080/base/oauth/token", "http://127.0.0.1:8080/base/mfa/challenge"},
		{"https://x.okta.com/oauth2/default/v1/token", "https://x.okta.com/oauth2/default/v1/challenge"},
		{"https://x.okta.com/oauth2/v1/token", "https://x.okta.com/oauth2/v1/challenge"},
	}
	for _, tt := range tests {
		got, err := core.ChallengeEndpoint(tt.token)
		require.NoError(t, err)
		assert.Equal(t, tt.want, got)
	}
	_, err := core.ChallengeEndpoint("https://kc.example/realms/r/protocol/openid-connect/token")
	var pe *core.ParamError
	require.True(t, errors.As(err, &pe))
}

func TestChallengeRequest(t *testing.T) {
	auth := core.ClientAuth{ClientID: "app", ClientSecret: "s", Method: core.AuthClientSecretBasic}
	r, err := core.NewChallengeRequest("https://t.example/mfa/challenge", auth, core.ChallengeParams{MFAToken: "mt"})
	require.NoError(t, err)
	f := formOf(t, r)
	assert.Equal(t, "otp oob", f.Get("challenge_type"))
	assert.Equal(t, "mt", f.Get("mfa_token"))
	assert.Equal(t, "app", f.Get("client_id"))
	assert.NotEmpty(t, r.Header["Authorization"])

	r, err = core.NewChallengeRequest("https://x.okta.com/oauth2/default/v1/challenge", core.ClientAuth{ClientID: "app", Method: core.AuthNone},
		core.ChallengeParams{MFAToken: "mt", Types: []string{"oob"}, AuthenticatorID: "a1"})
	require.NoError(t, err)
	f = formOf(t, r)
	assert.Equal(t, core.GrantMFAOOB, f.Get("challenge_types_supported"))
	assert.Empty(t, f.Get("challenge_type"))
	assert.Equal(t, "a1", f.Get("authenticator_id"))

	_, err = core.NewChallengeRequest("https://t.example/mfa/challenge", auth, core.ChallengeParams{MFAToken: "mt", Types: []string{"sms"}})
	assert.Error(t, err)
	_, err = core.NewChallengeRequest("https://t.example/mfa/challenge", auth, core.ChallengeParams{})
	assert.Error(t, err)
}

func TestParseChallengeResponse(t *testing.T) {
	tests := []struct {
		name, body         string
		typ, prompt, shown string
		interval           time.Duration
	}{
		{"auth0 otp", `{"challenge_type":"otp"}`, "otp", "otp", "", 0},
		{"auth0 oob push", `{"challenge_type":"oob","oob_code":"oc"}`, "oob", "oob", "", 0},
		{"auth0 oob sms", `{"challenge_type":"oob","oob_code":"oc","binding_method":"prompt"}`, "oob", "otp", "", 0},
		{"okta push", `{"challenge_type":"http://auth0.com/oauth/grant-type/mfa-oob","oob_code":"oc","expires_in":300,"interval":5,"channel":"push","binding_method":"none"}`, "oob", "oob", "", 5 * time.Second},
		{"okta number challenge", `{"challenge_type":"http://auth0.com/oauth/grant-type/mfa-oob","oob_code":"oc","binding_method":"transfer","binding_code":"42"}`, "oob", "oob", "42", 0},
		{"okta otp", `{"challenge_type":"http://auth0.com/oauth/grant-type/mfa-otp"}`, "otp", "otp", "", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := core.ParseChallengeResponse(core.Response{Status: 200, Body: []byte(tt.body)})
			require.NoError(t, err)
			assert.Equal(t, tt.typ, c.Type)
			assert.Equal(t, tt.prompt, c.PromptType())
			assert.Equal(t, tt.shown, c.ShownBindingCode())
			assert.Equal(t, tt.interval, c.Interval)
			assert.NotContains(t, fmt.Sprintf("%v %+v %#v", *c, *c, *c), `oc`)
		})
	}
	for _, bad := range []string{`{"challenge_type":"sms"}`, `{}`, `{"challenge_type":"oob"}`, `{"challenge_type":"otp","interval":-1}`} {
		_, err := core.ParseChallengeResponse(core.Response{Status: 200, Body: []byte(bad)})
		var pe *core.ProtocolError
		assert.True(t, errors.As(err, &pe), bad)
	}
	_, err := core.ParseChallengeResponse(core.Response{Status: 401, Body: []byte(`{"error":"invalid_grant","error_description":"Invalid mfa_token"}`)})
	var oe *core.OAuthError
	require.True(t, errors.As(err, &oe))
}

func FuzzParseChallengeResponse(f *testing.F) {
	f.Add(200, []byte(`{"challenge_type":"oob","oob_code":"x","interval":"5"}`))
	f.Add(403, []byte(`{"error":"mfa_required","mfa_token":"x","error_codes":[1,2]}`))
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		c, err := core.ParseChallengeResponse(core.Response{Status: status, Body: body})
		if err == nil && c.Type != "otp" && c.Type != "oob" {
			t.Fatalf("type %q", c.Type)
		}
		var oe *core.OAuthError
		if errors.As(err, &oe) && oe.Kind == "" {
			t.Fatal("an OAuth error without a kind")
		}
	})
}

func TestParseAuthenticators(t *testing.T) {
	list, err := core.ParseAuthenticators(core.Response{Status: 200, Body: []byte(
		`[{"id":"totp|dev_1","authenticator_type":"otp","active":true},{"id":"recovery-code|dev_2","authenticator_type":"recovery-code","active":true},` +
			`{"id":"sms|dev_3","authenticator_type":"oob","oob_channel":"sms","name":"+1 555","active":true},{"id":"old","authenticator_type":"otp","active":false}]`)})
	require.NoError(t, err)
	require.Len(t, list, 4)
	sel := core.SelectableAuthenticators(list)
	require.Len(t, sel, 2, "recovery codes and inactive factors are not offered")
	assert.Equal(t, "totp|dev_1", sel[0].ID)
	assert.Equal(t, "sms", sel[1].Channel)

	_, err = core.ParseAuthenticators(core.Response{Status: 401, Body: []byte(`{"error":"invalid_token","error_description":"expired mfa_token"}`)})
	var oe *core.OAuthError
	require.True(t, errors.As(err, &oe))
	_, err = core.ParseAuthenticators(core.Response{Status: 200, Body: []byte(`{"authenticators":[]}`)})
	var pe *core.ProtocolError
	require.True(t, errors.As(err, &pe))
	_, err = core.ParseAuthenticators(core.Response{Status: 200, Body: []byte(`[1,2]`)})
	require.True(t, errors.As(err, &pe))

	ep, ok := core.AuthenticatorsEndpoint("https://t.example/mfa/challenge")
	assert.True(t, ok)
	assert.Equal(t, "https://t.example/mfa/authenticators", ep)
	_, ok = core.AuthenticatorsEndpoint("https://x.okta.com/oauth2/default/v1/challenge")
	assert.False(t, ok)
	r, err := core.NewAuthenticatorsRequest(ep, "mt")
	require.NoError(t, err)
	assert.Equal(t, "GET", r.Method)
	assert.Equal(t, "Bearer mt", r.Header["Authorization"])
	assert.NotContains(t, r.String(), "mt\"")
}

func FuzzParseAuthenticators(f *testing.F) {
	f.Add(200, []byte(`[{"id":"a","authenticator_type":"otp","active":true}]`))
	f.Add(401, []byte(`{"error":"invalid_token"}`))
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		list, err := core.ParseAuthenticators(core.Response{Status: status, Body: body})
		if err != nil && list != nil {
			t.Fatal("a list with an error")
		}
		for _, a := range core.SelectableAuthenticators(list) {
			if !a.Active || a.ID == "" || a.Type == "recovery-code" {
				t.Fatalf("offered %+v", a)
			}
		}
	})
}
