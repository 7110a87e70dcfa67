package core_test

import (
	"encoding/json"
	"errors"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ropcgo/ropc/sdk/core"
)

// kindCases are error answers as the providers send them (PROVIDERS.md, the
// providers' docs and SDKs), each with the Kind a program should see.
// kindCase is one entry of testdata/kinds.json: an error answer as a provider sends it, and the
// kind every host must report. The same file runs through the WebAssembly core in
// js/test/kinds.test.mjs, so Go and JavaScript cannot drift apart.
type kindCase struct {
	Name              string `json:"name"`
	Status            int    `json:"status"`
	RetryAfter        string `json:"retry_after"`
	Body              string `json:"body"`
	Kind              string `json:"kind"`
	RetryAfterSeconds int64  `json:"retry_after_seconds"`
}

func loadKindCases(t *testing.T) []kindCase {
	t.Helper()
	b, err := os.ReadFile("testdata/kinds.json")
	require.NoError(t, err)
	var file struct {
		Cases []kindCase `json:"cases"`
	}
	require.NoError(t, json.Unmarshal(b, &file))
	require.NotEmpty(t, file.Cases)
	return file.Cases
}

func TestKinds(t *testing.T) {
	restore := core.SetTimeNowForTest(time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC))
	defer restore()
	cases := loadKindCases(t)
	// An HTTP-date Retry-After needs a fixed clock, which only Go's test has.
	cases = append(cases, kindCase{Name: "status 429 with a date", Status: 429, RetryAfter: "Sun, 29 Nov 2026 12:00:30 GMT",
		Body: `{"error":"x"}`, Kind: "rate_limited", RetryAfterSeconds: 30})
	for _, tt := range cases {
		t.Run(tt.Name, func(t *testing.T) {
			_, err := core.ParseTokenResponse(core.Response{Status: tt.Status, ContentType: "application/json",
				RetryAfter: tt.RetryAfter, Body: []byte(tt.Body)}, time.Now())
			var oe *core.OAuthError
			require.True(t, errors.As(err, &oe), "%v", err)
			assert.Equal(t, core.Kind(tt.Kind), oe.Kind)
			assert.Equal(t, time.Duration(tt.RetryAfterSeconds)*time.Second, oe.RetryAfter)
			assert.Contains(t, core.Kinds(), oe.Kind)
			// Extra holds every member but the three RFC 6749 §5.2 ones.
			var all map[string]any
			require.NoError(t, json.Unmarshal([]byte(tt.Body), &all))
			assert.Len(t, oe.Extra, len(all)-countPresent(all, "error", "error_description", "error_uri"))
			for k := range all {
				if k != "error" && k != "error_description" && k != "error_uri" {
					assert.Contains(t, oe.Extra, k)
				}
			}
		})
	}
}

// Every kind appears in the shared table at least once.
func TestKindTableCoversEveryKind(t *testing.T) {
	seen := map[string]bool{}
	for _, c := range loadKindCases(t) {
		seen[c.Kind] = true
	}
	for _, k := range core.Kinds() {
		assert.True(t, seen[string(k)], "no case for %s", k)
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
