package bridge

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSavedTokenThroughCall(t *testing.T) {
	in := `{"token":{"accessToken":"at-secret","tokenType":"Bearer","refreshToken":"rt-secret","expiresIn":3600,` +
		`"expiresAt":1900000000123,"scope":"read","raw":{"id_token":"idt","other":1}},` +
		`"tokenUrl":"https://as.example/token","issuer":"","revocationUrl":"https://as.example/revoke","clientId":"app","authMethod":"none"}`
	var enc struct {
		OK    string `json:"ok"`
		Error *Error `json:"error"`
	}
	require.NoError(t, json.Unmarshal([]byte(Call(FnMarshalSavedToken, pack(in))), &enc))
	require.Nil(t, enc.Error)
	assert.NotContains(t, enc.OK, "other", "only what a session needs is kept")

	var dec struct {
		OK    SavedToken `json:"ok"`
		Error *Error     `json:"error"`
	}
	require.NoError(t, json.Unmarshal([]byte(Call(FnUnmarshalSavedToken, pack(enc.OK, "https://as.example/token", "", "app"))), &dec))
	require.Nil(t, dec.Error)
	tok := dec.OK.Token
	assert.Equal(t, "at-secret", tok.AccessToken)
	assert.Equal(t, "rt-secret", *tok.RefreshToken)
	assert.Equal(t, int64(1900000000000), *tok.ExpiresAt, "whole seconds are kept")
	assert.Equal(t, int64(3600), *tok.ExpiresIn)
	assert.Equal(t, "idt", tok.Raw["id_token"])
	assert.Equal(t, "none", dec.OK.AuthMethod)
	assert.Equal(t, "https://as.example/revoke", dec.OK.RevocationURL)

	for _, tc := range []struct {
		name string
		fn   int32
		in   []byte
		want string
	}{
		{"another client", FnUnmarshalSavedToken, pack(enc.OK, "https://as.example/token", "", "other"), `belongs to client "app"`},
		{"another server", FnUnmarshalSavedToken, pack(enc.OK, "https://evil.example/token", "", "app"), "came from token endpoint"},
		{"not a record", FnUnmarshalSavedToken, pack("hunter2", "", "", "app"), "not a ropc token record"},
		{"malformed input", FnMarshalSavedToken, pack("{"), "malformed"},
		{"no access token", FnMarshalSavedToken, pack(`{"token":{},"tokenUrl":"https://a/t","clientId":"c"}`), "no access_token"},
		{"bad name", FnCheckStoreName, pack("../x"), "may hold only letters"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := decodeOut(t, Call(tc.fn, tc.in))
			require.NotNil(t, o.Error)
			assert.Equal(t, "invalid", o.Error.Kind)
			assert.Contains(t, o.Error.Message, tc.want)
			assert.NotContains(t, o.Error.Message, "hunter2")
			assert.NotContains(t, o.Error.Message, "at-secret")
		})
	}
	assert.JSONEq(t, `{"ok":true}`, Call(FnCheckStoreName, pack("work")))
}

func TestSavedTokenArgCounts(t *testing.T) {
	o := decodeOut(t, Call(FnUnmarshalSavedToken, pack("only one")))
	require.NotNil(t, o.Error)
	assert.Contains(t, o.Error.Message, "takes 4 arguments, got 1")
}
