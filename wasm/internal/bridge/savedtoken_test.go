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
	require.NoError(t, json.Unmarshal([]byte(Call(FnUnmarshalSavedToken, pack(enc.OK, "https://as.example/token", "", "app", ""))), &dec))
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
		{"another client", FnUnmarshalSavedToken, pack(enc.OK, "https://as.example/token", "", "other", ""), `belongs to client "app"`},
		{"another server", FnUnmarshalSavedToken, pack(enc.OK, "https://evil.example/token", "", "app", ""), "came from token endpoint"},
		{"not a record", FnUnmarshalSavedToken, pack("hunter2", "", "", "app", ""), "not a ropc token record"},
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
	assert.Contains(t, o.Error.Message, "takes 5 arguments, got 1")
}

// rfc7515A3 is the P-256 key of RFC 7515 Appendix A.3 (a published test key) and its RFC 7638
// thumbprint.
const (
	rfc7515A3 = `{"kty":"EC","crv":"P-256","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU",` +
		`"y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0","d":"jpsQnnGQmL-YBIffH1136cLSG7Tnc7h1Fp3WF2HHoqc"}`
	rfc7515A3JKT = "oKIywvGUpTVTyxMQ3bwIIeQUudfr_CkLMjCE19ECD-U"
	otherJKT     = "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs" // RFC 7638 §3.1's example
)

// TestSavedDPoPTokenThroughCall: JavaScript saves a DPoP token with its key's thumbprint, and
// resumes it only with the same key; a private key a Go host saved is never handed to JavaScript.
func TestSavedDPoPTokenThroughCall(t *testing.T) {
	in := `{"token":{"accessToken":"at-secret","tokenType":"DPoP","refreshToken":"rt-secret"},` +
		`"tokenUrl":"https://as.example/token","clientId":"app","authMethod":"none","dpopJkt":"` + rfc7515A3JKT + `"}`
	var enc struct {
		OK    string `json:"ok"`
		Error *Error `json:"error"`
	}
	require.NoError(t, json.Unmarshal([]byte(Call(FnMarshalSavedToken, pack(in))), &enc))
	require.Nil(t, enc.Error)
	assert.Contains(t, enc.OK, `"dpop_jkt":"`+rfc7515A3JKT+`"`)
	assert.NotContains(t, enc.OK, "dpop_jwk")

	goRecord := `{"v":1,"access_token":"at-secret","token_type":"DPoP","client_id":"app","token_url":"https://as.example/token",` +
		`"dpop_jwk":` + rfc7515A3 + `}`
	for _, tc := range []struct {
		name, record, jkt, want string
	}{
		{"same key", enc.OK, rfc7515A3JKT, ""},
		{"same key, record from Go with the private key", goRecord, rfc7515A3JKT, ""},
		{"another key", enc.OK, otherJKT, "bound to DPoP key " + rfc7515A3JKT + ", not to this client's key " + otherJKT},
		{"no key", enc.OK, "", "this client has no DPoP key"},
		{"no key, record from Go", goRecord, "", "this client has no DPoP key"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := Call(FnUnmarshalSavedToken, pack(tc.record, "https://as.example/token", "", "app", tc.jkt))
			assert.NotContains(t, out, "jpsQnnGQmL", "the private key never reaches JavaScript")
			o := decodeOut(t, out)
			if tc.want != "" {
				require.NotNil(t, o.Error)
				assert.Contains(t, o.Error.Message, tc.want)
				return
			}
			require.Nil(t, o.Error)
			var dec struct {
				OK SavedToken `json:"ok"`
			}
			require.NoError(t, json.Unmarshal([]byte(out), &dec))
			assert.Equal(t, rfc7515A3JKT, dec.OK.DPoPJKT)
		})
	}
}
