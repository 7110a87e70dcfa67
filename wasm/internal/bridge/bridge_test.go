package bridge

import (
	"encoding/base64"
	"encoding/json"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type out struct {
	OK    json.RawMessage `json:"ok"`
	Error *Error          `json:"error"`
}

func decodeOut(t *testing.T, s string) out {
	t.Helper()
	var o out
	require.NoError(t, json.Unmarshal([]byte(s), &o), s)
	return o
}

const (
	secret   = "s3cr3t-client-secret"
	password = "pa55-w0rd-value"
)

func TestBuildRequests(t *testing.T) {
	basic := Client{ClientID: "client_id", ClientSecret: secret, AuthMethod: "client_secret_basic"}
	post := Client{ClientID: "client_id", ClientSecret: secret, AuthMethod: "client_secret_post"}
	tests := []struct {
		name      string
		call      func() string
		wantBody  []string // substrings of the form body
		notInBody []string
		basicAuth bool
		wantErr   bool
	}{
		{name: "password basic",
			call: func() string {
				return BuildSignInRequest("https://as.example/token", basic, "johndoe", password, "read write", "audience=api", "", "")
			},
			wantBody: []string{"grant_type=password", "username=johndoe", "password=" + password, "scope=read+write", "audience=api"}, notInBody: []string{"client_secret"}, basicAuth: true},
		{name: "password post",
			call: func() string {
				return BuildSignInRequest("https://as.example/token", post, "johndoe", password, "", "", "", "")
			},
			wantBody: []string{"client_id=client_id", "client_secret="}, notInBody: []string{"scope="}},
		{name: "password without username", wantErr: true,
			call: func() string {
				return BuildSignInRequest("https://as.example/token", basic, "", password, "", "", "", "")
			}},
		{name: "extra parameter overriding grant_type", wantErr: true,
			call: func() string {
				return BuildSignInRequest("https://as.example/token", basic, "u", password, "", "grant_type=x", "", "")
			}},
		{name: "malformed extra parameters", wantErr: true,
			call: func() string {
				return BuildSignInRequest("https://as.example/token", basic, "u", password, "", "a=%zz", "", "")
			}},
		{name: "scope with a forbidden character", wantErr: true,
			call: func() string {
				return BuildSignInRequest("https://as.example/token", basic, "u", password, `re"ad`, "", "", "")
			}},
		{name: "refresh",
			call:     func() string { return BuildRefreshRequest("https://as.example/token", basic, "rt-1", "read", "") },
			wantBody: []string{"grant_type=refresh_token", "refresh_token=rt-1", "scope=read"}, basicAuth: true},
		{name: "revocation",
			call:     func() string { return BuildRevocation("https://as.example/revoke", basic, "tok", "refresh_token") },
			wantBody: []string{"token=tok", "token_type_hint=refresh_token"}, basicAuth: true},
		{name: "introspection",
			call:     func() string { return BuildIntrospection("https://as.example/introspect", basic, "tok", "") },
			wantBody: []string{"token=tok"}, basicAuth: true},
		{name: "endpoint with fragment", wantErr: true,
			call: func() string { return BuildIntrospection("https://as.example/introspect#x", basic, "tok", "") }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := decodeOut(t, tt.call())
			if tt.wantErr {
				require.NotNil(t, o.Error)
				assert.Equal(t, "invalid", o.Error.Kind)
				assert.NotContains(t, o.Error.Message, password)
				assert.NotContains(t, o.Error.Message, secret)
				return
			}
			require.Nil(t, o.Error)
			var r struct {
				Method, URL, Body string
				Headers           map[string]string
			}
			require.NoError(t, json.Unmarshal(o.OK, &r))
			assert.Equal(t, "POST", r.Method)
			assert.Equal(t, "application/x-www-form-urlencoded", r.Headers["Content-Type"])
			for _, s := range tt.wantBody {
				assert.Contains(t, r.Body, s)
			}
			for _, s := range tt.notInBody {
				assert.NotContains(t, r.Body, s)
			}
			auth, hasAuth := r.Headers["Authorization"]
			assert.Equal(t, tt.basicAuth, hasAuth)
			if tt.basicAuth {
				// RFC 6749 §2.3.1: id and secret form-urlencoded, then base64.
				want := "Basic " + base64.StdEncoding.EncodeToString([]byte("client_id:"+url.QueryEscape(secret)))
				assert.Equal(t, want, auth)
			}
		})
	}
}

type jsToken struct {
	AccessToken  string         `json:"accessToken"`
	TokenType    string         `json:"tokenType"`
	ExpiresIn    *int64         `json:"expiresIn"`
	ExpiresAt    *int64         `json:"expiresAt"`
	RefreshToken *string        `json:"refreshToken"`
	Scope        string         `json:"scope"`
	Raw          map[string]any `json:"raw"`
}

func TestParseSignInResponse(t *testing.T) {
	fixed := time.UnixMilli(1_700_000_000_000)
	now = func() time.Time { return fixed }
	t.Cleanup(func() { now = time.Now })
	nowMs := fixed.UnixMilli()
	tests := []struct {
		name        string
		status      int
		contentType string
		body        string
		check       func(t *testing.T, tok jsToken)
		wantKind    string
		wantCode    string
	}{
		{name: "full JSON", status: 200, contentType: "application/json",
			body: `{"access_token":"at","token_type":"bearer","expires_in":3600,"refresh_token":"rt","scope":"read write","extra":1}`,
			check: func(t *testing.T, tok jsToken) {
				assert.Equal(t, "at", tok.AccessToken)
				assert.Equal(t, "Bearer", tok.TokenType)
				require.NotNil(t, tok.ExpiresIn)
				assert.EqualValues(t, 3600, *tok.ExpiresIn)
				require.NotNil(t, tok.ExpiresAt)
				assert.Equal(t, nowMs+3_600_000, *tok.ExpiresAt)
				require.NotNil(t, tok.RefreshToken)
				assert.Equal(t, "rt", *tok.RefreshToken)
				assert.Equal(t, "read write", tok.Scope)
				assert.Nil(t, tok.Raw, "JavaScript parses a JSON body itself")
			}},
		{name: "expires_in missing means unknown", status: 200, contentType: "application/json",
			body: `{"access_token":"at","token_type":"Bearer"}`,
			check: func(t *testing.T, tok jsToken) {
				assert.Nil(t, tok.ExpiresIn)
				assert.Nil(t, tok.ExpiresAt)
				assert.Nil(t, tok.RefreshToken)
			}},
		{name: "expires_in as string", status: 200, contentType: "application/json",
			body: `{"access_token":"at","token_type":"Bearer","expires_in":"60"}`,
			check: func(t *testing.T, tok jsToken) {
				require.NotNil(t, tok.ExpiresAt)
				assert.Equal(t, nowMs+60_000, *tok.ExpiresAt)
			}},
		{name: "form encoded: raw comes from Go", status: 200, contentType: "application/x-www-form-urlencoded",
			body: `access_token=a%22t&token_type=bearer&expires_in=60&x=%E2%9C%93`,
			check: func(t *testing.T, tok jsToken) {
				assert.Equal(t, `a"t`, tok.AccessToken)
				require.NotNil(t, tok.Raw)
				assert.Equal(t, `a"t`, tok.Raw["access_token"])
				assert.Equal(t, "✓", tok.Raw["x"])
			}},
		{name: "OAuth error", status: 400, contentType: "application/json",
			body: `{"error":"invalid_grant","error_description":"bad credentials"}`, wantKind: "oauth", wantCode: "invalid_grant"},
		{name: "HTML 502", status: 502, contentType: "text/html", body: `<html>bad gateway</html>`, wantKind: "http"},
		{name: "malformed JSON", status: 200, contentType: "application/json", body: `{"access_token":`, wantKind: "protocol"},
		{name: "missing access_token", status: 200, contentType: "application/json", body: `{"token_type":"Bearer"}`, wantKind: "protocol"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := decodeOut(t, ParseSignInResponse(SignInResponse{Response: Response{Status: tt.status, ContentType: tt.contentType}}, []byte(tt.body), "", "", ""))
			if tt.wantKind != "" {
				require.NotNil(t, o.Error)
				assert.Equal(t, tt.wantKind, o.Error.Kind)
				assert.Equal(t, tt.wantCode, o.Error.Code)
				assert.NotEmpty(t, o.Error.Message)
				if tt.wantKind == "oauth" || tt.wantKind == "http" {
					assert.Equal(t, tt.status, o.Error.Status)
				}
				return
			}
			require.Nil(t, o.Error)
			var tok jsToken
			require.NoError(t, json.Unmarshal(o.OK, &tok))
			tt.check(t, tok)
		})
	}
}

func TestParseRevocationAndIntrospection(t *testing.T) {
	in := Response{Status: 200, ContentType: "application/json"}
	o := decodeOut(t, ParseRevocation(in, nil))
	require.Nil(t, o.Error)
	assert.JSONEq(t, `true`, string(o.OK))

	o = decodeOut(t, ParseIntrospection(in, []byte(`{"active":true,"scope":"read","client_id":"c","aud":"api","exp":10}`)))
	require.Nil(t, o.Error)
	var i Introspection
	require.NoError(t, json.Unmarshal(o.OK, &i))
	assert.True(t, i.Active)
	assert.Equal(t, "read", i.Scope)
	assert.Equal(t, "c", i.ClientID)
	assert.Equal(t, []string{"api"}, i.Audience)
	assert.EqualValues(t, 10, i.ExpiresAt)

	bad := Response{Status: 401, ContentType: "application/json"}
	o = decodeOut(t, ParseIntrospection(bad, []byte(`{"error":"invalid_client"}`)))
	require.NotNil(t, o.Error)
	assert.Equal(t, "invalid_client", o.Error.Code)
}

func TestMetadata(t *testing.T) {
	body := `{"issuer":"https://as.example","token_endpoint":"https://as.example/token","revocation_endpoint":"https://as.example/revoke"}`
	o := decodeOut(t, ParseMetadata(Response{Status: 200, ContentType: "application/json"}, []byte(body), "https://as.example", false))
	require.Nil(t, o.Error)
	var m Metadata
	require.NoError(t, json.Unmarshal(o.OK, &m))
	assert.Equal(t, "https://as.example/token", m.TokenEndpoint)
	assert.Equal(t, "https://as.example/revoke", m.RevocationEndpoint)

	// RFC 8414 §3.3: metadata for another issuer must be refused.
	o = decodeOut(t, ParseMetadata(Response{Status: 200, ContentType: "application/json"}, []byte(body), "https://other.example", false))
	require.NotNil(t, o.Error)
}
