package core

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// decodeWithEncodingJSON is the reference decodeFlatJSON must agree with.
func decodeWithEncodingJSON(b []byte) (map[string]any, bool) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil || dec.More() || m == nil {
		return nil, false
	}
	return m, true
}

var flatJSONSeeds = []string{
	`{}`, ` { } `, `{"a":1}`, `{"a":"x","b":-1.5e+3,"c":true,"d":false,"e":null}`, `{"a":"\u00e9"}`, `{"a":"é"}`,
	`{"a":[1]}`, `{"a":{}}`, `{"a":1,}`, `{"a" 1}`, `{"a":01}`, `{"a":1.}`, `{"a":-}`, `{"a":1e}`, `{"a":tru}`,
	`{"a":1}x`, `{"a":1} {}`, `{"a":1,"a":2}`, `{"access_token":"x","token_type":"Bearer","expires_in":3600}`,
	"{\"a\":\"\x01\"}", `{"a":"\"q"}`, "{\"a\":\"\xff\"}", `{"a":"x"`, `{`, ``, `[]`, `{"a":nul}`, `{"a":1 , "b" : "c" }`,
	`{"token_type":"bearer","scope":"read write","expires_in":"3600"}`, `{"a":truex}`, `{"a":-0.0E-0}`, `{"a":1}}`,
	`{"error":"invalid_grant","error_description":"Bad credentials"}`, "{\"a\"\t:\r\n1}", `{"":""}`,
}

func checkFlatJSON(t *testing.T, in []byte) {
	got, ok := decodeFlatJSON(in)
	if !ok {
		return // the caller falls back to encoding/json itself
	}
	want, wok := decodeWithEncodingJSON(in)
	require.True(t, wok, "%q: fast path accepted what encoding/json rejects", in)
	require.Equal(t, want, got, "%q", in)
}

func TestDecodeFlatJSONAgreesWithEncodingJSON(t *testing.T) {
	for _, s := range flatJSONSeeds {
		checkFlatJSON(t, []byte(s))
	}
}

func TestDecodeFlatJSONTakesTheCommonShape(t *testing.T) {
	for _, s := range []string{
		`{"access_token":"x","token_type":"Bearer","expires_in":3600,"refresh_token":"r","scope":"a b"}`,
		`{"error":"invalid_grant","error_description":"Bad credentials"}`,
		`{"active":false}`,
	} {
		_, ok := decodeFlatJSON([]byte(s))
		assert.True(t, ok, s)
	}
}

func FuzzDecodeFlatJSON(f *testing.F) {
	for _, s := range flatJSONSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) { checkFlatJSON(t, in) })
}

func TestFormParamsEncodeMatchesURLValues(t *testing.T) {
	tests := [][][2]string{
		{{"grant_type", "password"}, {"username", "johndoe"}, {"password", "A3ddj3w"}},
		{{"b", "x y"}, {"a", "&=+/?#%"}, {"c", "é\x00~-_."}, {"", ""}},
		{{"scope", "read write"}, {"scope", "read"}},
		{},
	}
	for _, params := range tests {
		f := newFormParams()
		v := url.Values{}
		for _, kv := range params {
			f.Set(kv[0], kv[1])
			v.Set(kv[0], kv[1])
		}
		assert.Equal(t, v.Encode(), string(f.encode()))
	}
}

func TestBasicAuthorizationEscapes(t *testing.T) {
	for _, c := range [][2]string{{"client_id", "client_secret"}, {"a:b", "é s%"}, {"", ""}, {strings.Repeat("x", 300), "y"}} {
		raw := url.QueryEscape(c[0]) + ":" + url.QueryEscape(c[1])
		assert.Equal(t, "Basic "+base64.StdEncoding.EncodeToString([]byte(raw)), BasicAuthorization(c[0], c[1]))
	}
}
