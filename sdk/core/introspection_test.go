package core_test

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ropcgo/ropc/sdk/core"
)

func TestParseIntrospectionResponse(t *testing.T) {
	in, err := core.ParseIntrospectionResponse(core.Response{Status: 200, ContentType: "application/json", Body: []byte(
		`{"active":true,"scope":"read write","client_id":"client_id","username":"johndoe","token_type":"bearer",
		  "exp":1767330000,"iat":1767326400,"nbf":1767326400.5,"sub":"u1","aud":"api","iss":"http://127.0.0.1:8080","jti":"j1","ext":"x"}`)})
	require.NoError(t, err)
	assert.Equal(t, core.Introspection{Active: true, Scope: "read write", ClientID: "client_id", Username: "johndoe",
		TokenType: "Bearer", Subject: "u1", Issuer: "http://127.0.0.1:8080", JTI: "j1", Audience: []string{"api"},
		ExpiresAt: 1767330000, IssuedAt: 1767326400, NotBefore: 1767326400, Raw: in.Raw}, *in)
	assert.Equal(t, "x", in.Raw["ext"])

	tests := []struct {
		name, body string
		status     int
		active     bool
		aud        []string
		errField   string
		oauthCode  string
		httpStatus int
	}{
		{name: "inactive", status: 200, body: `{"active":false}`},
		{name: "aud array", status: 200, body: `{"active":true,"aud":["a","b"]}`, active: true, aud: []string{"a", "b"}},
		{name: "active as string", status: 200, body: `{"active":"true"}`, active: true},
		{name: "form-encoded", status: 200, body: `active=true&scope=read`, active: true},
		{name: "active missing", status: 200, body: `{"scope":"x"}`, errField: "active"},
		{name: "active wrong type", status: 200, body: `{"active":1}`, errField: "active"},
		{name: "active bad string", status: 200, body: `{"active":"yes please"}`, errField: "active"},
		{name: "exp wrong type", status: 200, body: `{"active":true,"exp":"soon"}`, errField: "exp"},
		{name: "exp negative", status: 200, body: `{"active":true,"exp":-1}`, errField: "exp"},
		{name: "aud wrong type", status: 200, body: `{"active":true,"aud":3}`, errField: "aud"},
		{name: "invalid_client", status: 401, body: `{"error":"invalid_client"}`, oauthCode: "invalid_client"},
		{name: "html 500", status: 500, body: `<html/>`, httpStatus: 500},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in, err := core.ParseIntrospectionResponse(core.Response{Status: tt.status, Body: []byte(tt.body)})
			switch {
			case tt.errField != "":
				var pe *core.ProtocolError
				require.True(t, errors.As(err, &pe), "%v", err)
				assert.Equal(t, tt.errField, pe.Field)
			case tt.oauthCode != "":
				var oe *core.OAuthError
				require.True(t, errors.As(err, &oe), "%v", err)
				assert.Equal(t, tt.oauthCode, oe.Code)
			case tt.httpStatus != 0:
				var he *core.HTTPError
				require.True(t, errors.As(err, &he), "%v", err)
				assert.Equal(t, tt.httpStatus, he.Status)
			default:
				require.NoError(t, err)
				assert.Equal(t, tt.active, in.Active)
				assert.Equal(t, tt.aud, in.Audience)
			}
		})
	}
}

func FuzzParseIntrospectionResponse(f *testing.F) {
	f.Add(200, []byte(`{"active":true,"exp":1,"aud":["a"],"scope":"x"}`))
	f.Add(200, []byte(`{"active":"false"}`))
	f.Add(401, []byte(`{"error":"invalid_client"}`))
	f.Add(200, []byte(`active=1&exp=1e3`))
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		in, err := core.ParseIntrospectionResponse(core.Response{Status: status, Body: body})
		if err == nil {
			require.NotNil(t, in)
			require.GreaterOrEqual(t, in.ExpiresAt, int64(0))
		}
	})
}
