package core_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ropcgo/ropc/sdk/core"
)

var now = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

func i64(v int64) *int64 { return &v }

func TestParseTokenResponseSuccess(t *testing.T) {
	tests := []struct {
		name        string
		status      int
		ct          string
		body        string
		wantType    string
		wantRT      string
		wantScope   string
		wantExpires *int64
	}{
		{"strict json", 200, "application/json", `{"access_token":"at","token_type":"Bearer","expires_in":3600,"refresh_token":"rt","scope":"read write"}`, "Bearer", "rt", "read write", i64(3600)},
		{"charset param", 200, "application/json; charset=utf-8", `{"access_token":"at","token_type":"Bearer","expires_in":60}`, "Bearer", "", "", i64(60)},
		{"lower-case bearer", 200, "application/json", `{"access_token":"at","token_type":"bearer"}`, "Bearer", "", "", nil},
		{"upper-case bearer", 200, "application/json", `{"access_token":"at","token_type":"BEARER"}`, "Bearer", "", "", nil},
		{"other token type kept", 200, "application/json", `{"access_token":"at","token_type":"DPoP"}`, "DPoP", "", "", nil},
		{"token_type missing (LinkedIn)", 200, "application/json", `{"access_token":"at","expires_in":5184000}`, "", "", "", i64(5184000)},
		{"expires_in numeric string (PayPal, Azure AD)", 200, "application/json", `{"access_token":"at","token_type":"Bearer","expires_in":"3599"}`, "Bearer", "", "", i64(3599)},
		{"expires_in decimal", 200, "application/json", `{"access_token":"at","expires_in":3600.9}`, "", "", "", i64(3600)},
		{"expires_in decimal string", 200, "application/json", `{"access_token":"at","expires_in":"59.5"}`, "", "", "", i64(59)},
		{"expires_in exponent", 200, "application/json", `{"access_token":"at","expires_in":3.6e3}`, "", "", "", i64(3600)},
		{"expires_in null is unknown", 200, "application/json", `{"access_token":"at","expires_in":null}`, "", "", "", nil},
		{"expires_in missing is unknown", 200, "application/json", `{"access_token":"at"}`, "", "", "", nil},
		{"expires_in empty string is unknown", 200, "application/json", `{"access_token":"at","expires_in":""}`, "", "", "", nil},
		{"expires_in zero is unknown", 200, "application/json", `{"access_token":"at","expires_in":0}`, "", "", "", nil},
		{"expires_in below a second has expired", 200, "application/json", `{"access_token":"at","expires_in":0.5}`, "", "", "", i64(0)},
		{"form-encoded (GitHub legacy)", 200, "application/x-www-form-urlencoded", `access_token=at&token_type=bearer&scope=read%20write&expires_in=7200&refresh_token=rt`, "Bearer", "rt", "read write", i64(7200)},
		{"text/plain form", 200, "text/plain; charset=utf-8", "access_token=at&token_type=bearer\n", "Bearer", "", "", nil},
		{"text/plain json", 200, "text/plain", `{"access_token":"at","token_type":"Bearer","expires_in":10}`, "Bearer", "", "", i64(10)},
		{"json labelled as form", 200, "application/x-www-form-urlencoded", `{"access_token":"at"}`, "", "", "", nil},
		{"form labelled as json", 200, "application/json", `access_token=at&expires_in=5`, "", "", "", i64(5)},
		{"no content type", 200, "", `{"access_token":"at"}`, "", "", "", nil},
		{"BOM and whitespace", 200, "application/json", "\ufeff \n{\"access_token\":\"at\"}\n", "", "", "", nil},
		{"scope as array", 200, "application/json", `{"access_token":"at","scope":["read","write"]}`, "", "", "read write", nil},
		{"null refresh token", 200, "application/json", `{"access_token":"at","refresh_token":null}`, "", "", "", nil},
		{"201 accepted", 201, "application/json", `{"access_token":"at"}`, "", "", "", nil},
		{"unknown fields kept", 200, "application/json", `{"access_token":"at","id_token":"x.y.z","ext":{"n":1}}`, "", "", "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tok, err := core.ParseTokenResponse(core.Response{Status: tt.status, ContentType: tt.ct, Body: []byte(tt.body)}, now)
			require.NoError(t, err)
			assert.Equal(t, "at", tok.AccessToken)
			assert.Equal(t, tt.wantType, tok.TokenType)
			assert.Equal(t, tt.wantRT, tok.RefreshToken)
			assert.Equal(t, tt.wantScope, tok.Scope)
			assert.Equal(t, tt.wantExpires, tok.ExpiresIn)
			if tt.wantExpires == nil {
				assert.True(t, tok.Expiry.IsZero(), "unknown expiry is the zero time")
				assert.False(t, tok.ExpiryKnown())
				assert.False(t, core.Expired(tok.Expiry, now.Add(1000*time.Hour)), "unknown expiry never means expired")
			} else {
				assert.Equal(t, now.Add(time.Duration(*tt.wantExpires)*time.Second), tok.Expiry)
				assert.True(t, tok.ExpiryKnown())
			}
			assert.Equal(t, "at", tok.Raw["access_token"], "Raw holds every field")
		})
	}
}

func TestParseTokenResponseRawKeepsExtensionFields(t *testing.T) {
	tok, err := core.ParseTokenResponse(core.Response{Status: 200, Body: []byte(`{"access_token":"at","id_token":"x.y.z","big":12345678901234567890,"ext":{"n":1}}`)}, now)
	require.NoError(t, err)
	assert.Equal(t, "x.y.z", tok.Raw["id_token"])
	assert.Equal(t, json.Number("12345678901234567890"), tok.Raw["big"], "numbers keep their precision")
	assert.Equal(t, map[string]any{"n": json.Number("1")}, tok.Raw["ext"])
}

func TestParseTokenResponseErrors(t *testing.T) {
	type want struct {
		oauthCode  string
		httpStatus int
		protoField string
		proto      bool
	}
	tests := []struct {
		name   string
		status int
		ct     string
		body   string
		want   want
	}{
		{"invalid_grant 400", 400, "application/json", `{"error":"invalid_grant","error_description":"Invalid username or password"}`, want{oauthCode: "invalid_grant"}},
		{"invalid_client 401", 401, "application/json", `{"error":"invalid_client"}`, want{oauthCode: "invalid_client"}},
		{"error with HTTP 200", 200, "application/json", `{"error":"invalid_grant"}`, want{oauthCode: "invalid_grant"}},
		{"error with 200 form", 200, "application/x-www-form-urlencoded", `error=bad_verification_code&error_description=The+code+is+wrong`, want{oauthCode: "bad_verification_code"}},
		{"error with access_token too", 200, "application/json", `{"error":"invalid_scope","access_token":"at"}`, want{oauthCode: "invalid_scope"}},
		{"error as text/plain", 400, "text/plain", `{"error":"unsupported_grant_type"}`, want{oauthCode: "unsupported_grant_type"}},
		{"server_error 500 json", 500, "application/json", `{"error":"server_error"}`, want{oauthCode: "server_error"}},
		{"HTML 502", 502, "text/html", `<html><body>Bad Gateway</body></html>`, want{httpStatus: 502}},
		{"plain text 503", 503, "text/plain", `Service Unavailable`, want{httpStatus: 503}},
		{"empty 500", 500, "", ``, want{httpStatus: 500}},
		{"404 json without error", 404, "application/json", `{"message":"not found"}`, want{httpStatus: 404}},
		{"error object is not OAuth", 400, "application/json", `{"error":{"code":400}}`, want{httpStatus: 400}},
		{"redirect", 302, "text/html", `<a href="x">moved</a>`, want{httpStatus: 302}},
		{"missing access_token", 200, "application/json", `{"token_type":"Bearer"}`, want{proto: true, protoField: "access_token"}},
		{"empty access_token", 200, "application/json", `{"access_token":""}`, want{proto: true, protoField: "access_token"}},
		{"access_token not a string", 200, "application/json", `{"access_token":12}`, want{proto: true, protoField: "access_token"}},
		{"negative expires_in", 200, "application/json", `{"access_token":"at","expires_in":-1}`, want{proto: true, protoField: "expires_in"}},
		{"negative expires_in string", 200, "application/json", `{"access_token":"at","expires_in":"-3600"}`, want{proto: true, protoField: "expires_in"}},
		{"expires_in over ten years", 200, "application/json", `{"access_token":"at","expires_in":12345678901}`, want{proto: true, protoField: "expires_in"}},
		{"absurd expires_in", 200, "application/json", `{"access_token":"at","expires_in":1e300}`, want{proto: true, protoField: "expires_in"}},
		{"expires_in hex", 200, "application/json", `{"access_token":"at","expires_in":"0x10"}`, want{proto: true, protoField: "expires_in"}},
		{"expires_in NaN", 200, "application/json", `{"access_token":"at","expires_in":"NaN"}`, want{proto: true, protoField: "expires_in"}},
		{"expires_in word", 200, "application/json", `{"access_token":"at","expires_in":"one hour"}`, want{proto: true, protoField: "expires_in"}},
		{"expires_in bool", 200, "application/json", `{"access_token":"at","expires_in":true}`, want{proto: true, protoField: "expires_in"}},
		{"token_type not a string", 200, "application/json", `{"access_token":"at","token_type":1}`, want{proto: true, protoField: "token_type"}},
		{"refresh_token not a string", 200, "application/json", `{"access_token":"at","refresh_token":{}}`, want{proto: true, protoField: "refresh_token"}},
		{"scope not a string", 200, "application/json", `{"access_token":"at","scope":7}`, want{proto: true, protoField: "scope"}},
		{"malformed json", 200, "application/json", `{"access_token":"at"`, want{proto: true}},
		{"trailing garbage", 200, "application/json", `{"access_token":"at"}{"x":1}`, want{proto: true}},
		{"json array", 200, "application/json", `[{"access_token":"at"}]`, want{proto: true}},
		{"html with 200", 200, "text/html", `<html>login</html>`, want{proto: true}},
		{"empty 200", 200, "application/json", ``, want{proto: true}},
		{"prose 200", 200, "text/plain", `OK`, want{proto: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tok, err := core.ParseTokenResponse(core.Response{Status: tt.status, ContentType: tt.ct, Body: []byte(tt.body)}, now)
			require.Error(t, err)
			assert.Nil(t, tok)
			var oe *core.OAuthError
			var he *core.HTTPError
			var pe *core.ProtocolError
			switch {
			case tt.want.oauthCode != "":
				require.True(t, errors.As(err, &oe), "want OAuthError, got %T %v", err, err)
				assert.Equal(t, tt.want.oauthCode, oe.Code)
				assert.Equal(t, tt.status, oe.Status)
			case tt.want.httpStatus != 0:
				require.True(t, errors.As(err, &he), "want HTTPError, got %T %v", err, err)
				assert.Equal(t, tt.want.httpStatus, he.Status)
				assert.Contains(t, err.Error(), fmt.Sprint(tt.want.httpStatus))
			default:
				require.True(t, errors.As(err, &pe), "want ProtocolError, got %T %v", err, err)
				assert.Equal(t, tt.want.protoField, pe.Field)
				if pe.Field != "" {
					assert.Contains(t, err.Error(), pe.Field)
				}
			}
			assert.NotContains(t, err.Error(), `"at"`)
		})
	}
}

func TestOAuthErrorFields(t *testing.T) {
	_, err := core.ParseTokenResponse(core.Response{Status: 400, ContentType: "application/json",
		Body: []byte(`{"error":"invalid_grant","error_description":"bad \"creds\"\nnext\u00e9","error_uri":"https://as.example/e"}`)}, now)
	var oe *core.OAuthError
	require.True(t, errors.As(err, &oe))
	assert.Equal(t, core.OAuthError{Code: "invalid_grant", Description: "bad ?creds??next??", URI: "https://as.example/e", Status: 400,
		Kind: core.KindInvalidCredentials, Extra: map[string]any{}}, *oe)
	assert.Equal(t, `ropc: server returned OAuth error "invalid_grant" (HTTP 400): bad ?creds??next?? [https://as.example/e]`, err.Error())
	assert.NotContains(t, err.Error(), "\n", "one line, no injected control characters")

	long := strings.Repeat("x", 5000)
	_, err = core.ParseTokenResponse(core.Response{Status: 400, Body: []byte(`{"error":"e","error_description":"` + long + `"}`)}, now)
	require.True(t, errors.As(err, &oe))
	assert.Less(t, len(oe.Description), 600, "descriptions are bounded")
}

func TestParseTokenResponseNeverLeaksTokensInErrors(t *testing.T) {
	for _, body := range []string{
		`{"access_token":"` + secretAccess + `","expires_in":-5}`,
		`{"access_token":"` + secretAccess + `","refresh_token":5}`,
		`{"access_token":"` + secretAccess + `","token_type":[]}`,
		`{"access_token":"` + secretAccess + `"`,
	} {
		_, err := core.ParseTokenResponse(core.Response{Status: 200, ContentType: "application/json", Body: []byte(body)}, now)
		require.Error(t, err)
		for _, verb := range formatVerbs {
			assert.NotContains(t, fmt.Sprintf(verb, err), secretAccess)
		}
	}
}

func TestTokenExpiryKnown(t *testing.T) {
	assert.True(t, (&core.Token{AccessToken: "at", Expiry: now.Add(time.Hour)}).ExpiryKnown())
	assert.False(t, (&core.Token{AccessToken: "at"}).ExpiryKnown())
	var nilTok *core.Token
	assert.False(t, nilTok.ExpiryKnown())
}

func TestTokenJSONRoundTrip(t *testing.T) {
	tok, err := core.ParseTokenResponse(core.Response{Status: 200, Body: []byte(`{"access_token":"at","token_type":"bearer","expires_in":60,"refresh_token":"rt"}`)}, now)
	require.NoError(t, err)
	b, err := json.Marshal(tok)
	require.NoError(t, err)
	var back core.Token
	require.NoError(t, json.Unmarshal(b, &back))
	assert.Equal(t, tok.AccessToken, back.AccessToken)
	assert.Equal(t, tok.RefreshToken, back.RefreshToken)
	assert.Equal(t, *tok.ExpiresIn, *back.ExpiresIn)
	assert.True(t, tok.Expiry.Equal(back.Expiry))

	unknown, err := core.ParseTokenResponse(core.Response{Status: 200, Body: []byte(`{"access_token":"at"}`)}, now)
	require.NoError(t, err)
	b, err = json.Marshal(unknown)
	require.NoError(t, err)
	assert.NotContains(t, string(b), "expiry", "unknown expiry is omitted, not 0001-01-01")
	assert.NotContains(t, string(b), "expires_in")
}

func FuzzParseTokenResponse(f *testing.F) {
	seeds := []struct {
		status int
		ct     string
		body   string
	}{
		{200, "application/json", `{"access_token":"at","token_type":"bearer","expires_in":"3600","refresh_token":"rt","scope":"a b"}`},
		{200, "application/x-www-form-urlencoded", `access_token=at&expires_in=1.5&token_type=Bearer`},
		{200, "text/plain", `access_token=%zz`},
		{400, "application/json", `{"error":"invalid_grant","error_description":"x"}`},
		{400, "application/json", `{"error":"invalid_grant","error_description":"AADSTS50076: x","error_codes":[50076,"1"],"suberror":"basic_action","claims":"{}"}`},
		{403, "application/json", `{"error":"mfa_required","mfa_token":"m","mfa_requirements":{"challenge":[{"type":"otp"}]}}`},
		{200, "application/json", `{"error":5}`},
		{502, "text/html", `<html>`},
		{200, "", `{"access_token":"at","expires_in":1e400}`},
		{200, "", `{"access_token":"at","expires_in":-0}`},
		{200, "", "\ufeff{\"access_token\":\"\\u0000\"}"},
		{200, "", `{"access_token":"at","scope":[1]}`},
		{0, "", ``},
	}
	for _, s := range seeds {
		f.Add(s.status, s.ct, []byte(s.body))
	}
	f.Fuzz(func(t *testing.T, status int, ct string, body []byte) {
		tok, err := core.ParseTokenResponse(core.Response{Status: status, ContentType: ct, Body: body}, now)
		if err != nil {
			require.Nil(t, tok)
			var oe *core.OAuthError
			var he *core.HTTPError
			var pe *core.ProtocolError
			require.True(t, errors.As(err, &oe) || errors.As(err, &he) || errors.As(err, &pe), "untyped error %T", err)
			require.NotContains(t, err.Error(), "\n")
			if oe != nil {
				require.Contains(t, core.Kinds(), oe.Kind, "every OAuth error has one of the kinds")
				require.NotNil(t, oe.Extra)
				require.NotContains(t, oe.Extra, "error")
			}
			return
		}
		require.NotEmpty(t, tok.AccessToken)
		require.True(t, status >= 200 && status <= 299)
		require.Equal(t, tok.ExpiresIn == nil, tok.Expiry.IsZero(), "ExpiresIn and Expiry agree on unknown")
		if tok.ExpiresIn != nil {
			require.GreaterOrEqual(t, *tok.ExpiresIn, int64(0))
			require.False(t, tok.Expiry.Before(now))
		}
		if len(tok.AccessToken) >= 24 {
			require.NotContains(t, fmt.Sprintf("%+v %#v %d", tok, tok, tok), tok.AccessToken)
		}
	})
}

func BenchmarkParseTokenResponse(b *testing.B) {
	body := []byte(`{"access_token":"eyJhbGciOiJFZERTQSJ9.eyJzdWIiOiJqb2huZG9lIn0.c2ln","token_type":"Bearer","expires_in":3600,"refresh_token":"PBBVKW23bCxgud-yoMtrYUtN6YJuNZdTtwfHQnAnZl0","scope":"read write"}`)
	r := core.Response{Status: 200, ContentType: "application/json", Body: body}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := core.ParseTokenResponse(r, now); err != nil {
			b.Fatal(err)
		}
	}
}
