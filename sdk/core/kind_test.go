package core_test

import (
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ropcgo/ropc/sdk/core"
)

// kindCases are error answers as the providers send them (PROVIDERS.md, the
// providers' docs and SDKs), each with the Kind a program should see.
var kindCases = []struct {
	name       string
	status     int
	retryAfter string
	body       string
	want       core.Kind
	wantRetry  time.Duration
}{
	// RFC 6749 §5.2
	{"rfc wrong password", 400, "", `{"error":"invalid_grant"}`, core.KindInvalidCredentials, 0},
	{"rfc invalid_client", 401, "", `{"error":"invalid_client"}`, core.KindInvalidClient, 0},
	{"rfc unauthorized_client", 400, "", `{"error":"unauthorized_client"}`, core.KindInvalidClient, 0},
	{"rfc invalid_scope", 400, "", `{"error":"invalid_scope"}`, core.KindInvalidScope, 0},
	{"rfc invalid_request", 400, "", `{"error":"invalid_request"}`, core.KindOther, 0},
	{"rfc server_error", 500, "", `{"error":"server_error"}`, core.KindServerUnavailable, 0},
	{"rfc temporarily_unavailable", 503, "", `{"error":"temporarily_unavailable"}`, core.KindServerUnavailable, 0},
	{"status 429 with seconds", 429, "7", `{"error":"invalid_request"}`, core.KindRateLimited, 7 * time.Second},
	{"status 429 with a date", 429, "Sun, 29 Nov 2026 12:00:30 GMT", `{"error":"x"}`, core.KindRateLimited, 30 * time.Second},
	{"status 503, unknown code", 503, "", `{"error":"busy"}`, core.KindServerUnavailable, 0},
	{"unknown code", 400, "", `{"error":"something_else"}`, core.KindOther, 0},
	// Keycloak: one code, the situation only in the description.
	{"keycloak wrong password, wrong or missing code, or locked", 401, "", `{"error":"invalid_grant","error_description":"Invalid user credentials"}`, core.KindInvalidCredentials, 0},
	{"keycloak setup (expired password too)", 400, "", `{"error":"invalid_grant","error_description":"Account is not fully set up"}`, core.KindAccountSetupRequired, 0},
	{"keycloak disabled", 400, "", `{"error":"invalid_grant","error_description":"Account disabled"}`, core.KindAccountDisabled, 0},
	{"keycloak temporarily disabled (old brute force)", 400, "", `{"error":"invalid_grant","error_description":"Account temporarily disabled"}`, core.KindAccountLocked, 0},
	// Auth0
	{"auth0 wrong password", 403, "", `{"error":"invalid_grant","error_description":"Wrong email or password."}`, core.KindInvalidCredentials, 0},
	{"auth0 mfa required", 403, "", `{"error":"mfa_required","error_description":"Multifactor authentication required","mfa_token":"Fe26.abc"}`, core.KindMFARequired, 0},
	{"auth0 too_many_attempts is locked, not rate limited", 429, "60", `{"error":"too_many_attempts","error_description":"Your account has been blocked after multiple consecutive login attempts."}`, core.KindAccountLocked, 60 * time.Second},
	{"auth0 blocked user", 401, "", `{"error":"unauthorized","error_description":"user is blocked"}`, core.KindAccountDisabled, 0},
	{"auth0 blocked_user", 401, "", `{"error":"blocked_user"}`, core.KindAccountDisabled, 0},
	{"auth0 password leaked", 403, "", `{"error":"password_leaked"}`, core.KindPasswordExpired, 0},
	{"auth0 mfa enrolment needed", 403, "", `{"error":"mfa_registration_required"}`, core.KindAccountSetupRequired, 0},
	{"auth0 mfa enrolment needed, with its mfa_token", 403, "", `{"error":"mfa_registration_required","mfa_token":"Fe26.x"}`, core.KindAccountSetupRequired, 0},
	{"another code with an mfa_token continues with a second factor", 403, "", `{"error":"access_denied","mfa_token":"x"}`, core.KindMFARequired, 0},
	{"an empty mfa_token is none", 400, "", `{"error":"invalid_grant","mfa_token":""}`, core.KindInvalidCredentials, 0},
	{"auth0 invalid otp (OIDC)", 403, "", `{"error":"invalid_grant","error_description":"Invalid otp_code."}`, core.KindMFAInvalidCode, 0},
	{"auth0 invalid binding code", 403, "", `{"error":"invalid_grant","error_description":"Invalid binding_code."}`, core.KindMFAInvalidCode, 0},
	{"auth0 oob rejected", 403, "", `{"error":"invalid_grant","error_description":"MFA Authorization rejected."}`, core.KindMFADenied, 0},
	{"auth0 invalid_mfa_code", 403, "", `{"error":"invalid_mfa_code"}`, core.KindMFAInvalidCode, 0},
	{"auth0 mfa_invalid_code", 403, "", `{"error":"mfa_invalid_code"}`, core.KindMFAInvalidCode, 0},
	{"auth0 slow_down", 400, "", `{"error":"slow_down"}`, core.KindRateLimited, 0},
	// Okta
	{"okta mfa required", 403, "", `{"error":"mfa_required","error_description":"Verify with an additional authenticator to complete the sign-in process.","mfa_token":"fCRU9"}`, core.KindMFARequired, 0},
	{"okta wrong password", 400, "", `{"error":"invalid_grant","error_description":"The credentials provided were invalid."}`, core.KindInvalidCredentials, 0},
	// Entra: AADSTS numbers decide, then suberror.
	{"entra wrong password", 400, "", `{"error":"invalid_grant","error_description":"AADSTS50126: Error validating credentials due to invalid username or password.","error_codes":[50126],"trace_id":"t"}`, core.KindInvalidCredentials, 0},
	{"entra mfa", 400, "", `{"error":"invalid_grant","error_description":"AADSTS50076: Due to a configuration change made by your administrator, or because you moved to a new location, you must use multi-factor authentication.","error_codes":[50076],"suberror":"basic_action","claims":"{\"access_token\":{\"capolids\":{\"essential\":true,\"values\":[\"x\"]}}}"}`, core.KindInteractionRequired, 0},
	{"entra mfa enrolment", 400, "", `{"error":"interaction_required","error_description":"AADSTS50079: Due to a configuration change ... enroll in multi-factor authentication","error_codes":[50079]}`, core.KindInteractionRequired, 0},
	{"entra locked", 400, "", `{"error":"invalid_grant","error_description":"AADSTS50053: You've tried to sign in too many times.","error_codes":[50053]}`, core.KindAccountLocked, 0},
	{"entra password expired", 400, "", `{"error":"user_password_expired","error_description":"AADSTS50055: The password is expired.","error_codes":[50055],"suberror":"user_password_expired"}`, core.KindPasswordExpired, 0},
	{"entra disabled", 400, "", `{"error":"invalid_grant","error_description":"AADSTS50057: The user account is disabled.","error_codes":[50057]}`, core.KindAccountDisabled, 0},
	{"entra consent", 400, "", `{"error":"invalid_grant","error_description":"AADSTS65001: The user or administrator has not consented","error_codes":[65001],"suberror":"consent_required"}`, core.KindConsentRequired, 0},
	{"entra code only in description", 400, "", `{"error":"invalid_grant","error_description":"AADSTS50057: The user account is disabled."}`, core.KindAccountDisabled, 0},
	{"entra suberror only", 400, "", `{"error":"invalid_grant","suberror":"user_password_expired"}`, core.KindPasswordExpired, 0},
	{"entra codes as strings", 400, "", `{"error":"invalid_grant","error_codes":["50053"]}`, core.KindAccountLocked, 0},
	{"retry delay only for the kinds that wait", 400, "30", `{"error":"invalid_grant"}`, core.KindInvalidCredentials, 0},
}

func TestKinds(t *testing.T) {
	restore := core.SetTimeNowForTest(time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC))
	defer restore()
	for _, tt := range kindCases {
		t.Run(tt.name, func(t *testing.T) {
			_, err := core.ParseTokenResponse(core.Response{Status: tt.status, ContentType: "application/json",
				RetryAfter: tt.retryAfter, Body: []byte(tt.body)}, time.Now())
			var oe *core.OAuthError
			require.True(t, errors.As(err, &oe), "%v", err)
			assert.Equal(t, tt.want, oe.Kind)
			assert.Equal(t, tt.wantRetry, oe.RetryAfter)
			assert.Contains(t, core.Kinds(), oe.Kind)
			// Extra holds every member but the three RFC 6749 §5.2 ones.
			var all map[string]any
			require.NoError(t, json.Unmarshal([]byte(tt.body), &all))
			assert.Len(t, oe.Extra, len(all)-countPresent(all, "error", "error_description", "error_uri"))
			for k := range all {
				if k != "error" && k != "error_description" && k != "error_uri" {
					assert.Contains(t, oe.Extra, k)
				}
			}
		})
	}
}

func countPresent(m map[string]any, keys ...string) int {
	n := 0
	for _, k := range keys {
		if _, ok := m[k]; ok {
			n++
		}
	}
	return n
}

func TestKindsListsFifteen(t *testing.T) {
	seen := map[core.Kind]bool{}
	for _, k := range core.Kinds() {
		assert.False(t, seen[k], "listed twice: %s", k)
		seen[k] = true
	}
	assert.Len(t, seen, 15)
}

func TestExtraKeepsShapes(t *testing.T) {
	_, err := core.ParseTokenResponse(core.Response{Status: 400, Body: []byte(
		`{"error":"invalid_grant","error_codes":[50076],"timestamp":"2026-11-29 12:00:00Z","claims":"{}","nested":{"a":[1,"b"]},"flag":true,"nothing":null}`)}, time.Now())
	var oe *core.OAuthError
	require.True(t, errors.As(err, &oe))
	assert.Equal(t, []any{json.Number("50076")}, oe.Extra["error_codes"])
	assert.Equal(t, map[string]any{"a": []any{json.Number("1"), "b"}}, oe.Extra["nested"])
	assert.Equal(t, true, oe.Extra["flag"])
	assert.Contains(t, oe.Extra, "nothing")
}

func TestScrubExtra(t *testing.T) {
	const pw = "Pa55word"
	_, err := core.ParseTokenResponse(core.Response{Status: 400, Body: []byte(
		`{"error":"invalid_grant","echo":"you sent Pa55word","deep":{"list":["x","Pa55word"]},"mfa_token":"keep"}`)}, time.Now())
	var oe *core.OAuthError
	require.True(t, errors.As(core.Scrub(err, pw), &oe))
	assert.Equal(t, "[redacted]", oe.Extra["echo"])
	assert.Equal(t, map[string]any{"list": []any{"x", "[redacted]"}}, oe.Extra["deep"])
	assert.Equal(t, "keep", oe.Extra["mfa_token"], "the mfa_token is needed to continue and is not a secret the request carried")
	assert.NotContains(t, oe.GoString(), "keep", "%#v does not show the mfa_token")
	assert.Contains(t, oe.GoString(), `"mfa_token"`)
}

// BenchmarkParseErrorResponse prints what keeping Extra and deciding the Kind cost per error
// answer; "success" is the same-run baseline of a token answer.
func BenchmarkParseErrorResponse(b *testing.B) {
	bodies := []struct{ name, body string }{
		{"success", `{"access_token":"2YotnFZFEjr1zCsicMWpAA","token_type":"Bearer","expires_in":3600,"refresh_token":"tGzv3JOkF0XG5Qx2TlKWIA","scope":"read write"}`},
		{"rfc", `{"error":"invalid_grant","error_description":"The provided authorization grant is invalid"}`},
		{"auth0_mfa", `{"error":"mfa_required","error_description":"Multifactor authentication required","mfa_token":"Fe26.2**0123456789abcdef"}`},
		{"entra", `{"error":"invalid_grant","error_description":"AADSTS50076: Due to a configuration change made by your administrator, or because you moved to a new location, you must use multi-factor authentication.","error_codes":[50076],"timestamp":"2026-11-29 12:00:00Z","trace_id":"0000aaaa-11bb-cccc-dd22-eeeeee333333","correlation_id":"aaaa0000-bb11-2222-33cc-444444dddddd","error_uri":"https://login.microsoftonline.com/error?code=50076","suberror":"basic_action","claims":"{\"access_token\":{\"capolids\":{\"essential\":true,\"values\":[\"1\"]}}}"}`},
	}
	now := time.Now()
	for _, bb := range bodies {
		r := core.Response{Status: 400, ContentType: "application/json", Body: []byte(bb.body)}
		if bb.name == "success" {
			r.Status = 200
		}
		b.Run(bb.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				_, _ = core.ParseTokenResponse(r, now)
			}
		})
	}
}

func TestRetryAfterDates(t *testing.T) {
	now := time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC)
	restore := core.SetTimeNowForTest(now)
	defer restore()
	for _, tt := range []struct {
		header string
		want   time.Duration
	}{
		{"120", 2 * time.Minute},
		{"0", 0},
		{"-5", 0},
		{"Sun, 29 Nov 2026 12:01:00 GMT", time.Minute},
		{"Tue, 01 Dec 2026 00:00:00 GMT", 36 * time.Hour},
		{"Thu, 29 Feb 2028 12:00:00 GMT", (365 + 92) * 24 * time.Hour},
		{"Sun, 29 Nov 2026 11:00:00 GMT", 0},  // in the past
		{"Sunday, 29-Nov-26 12:01:00 GMT", 0}, // obsolete RFC 850 form: not sent by servers today
		{"Sun, 29 Foo 2026 12:01:00 GMT", 0},
		{"Sun, 29 Nov 2026 25:01:00 GMT", 0},
		{"soon", 0},
	} {
		_, err := core.ParseTokenResponse(core.Response{Status: 429, RetryAfter: tt.header, Body: []byte(`{"error":"slow_down"}`)}, now)
		var oe *core.OAuthError
		require.True(t, errors.As(err, &oe))
		assert.Equal(t, tt.want, oe.RetryAfter, tt.header)
	}
}
