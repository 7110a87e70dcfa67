package core_test

import (
	"encoding/json"
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ropcgo/ropc/sdk/core"
)

// dpopCases is testdata/dpop-cases.json, which js/test/dpop-cases.test.mjs
// runs through the wasm bridge too: both hosts decide the same way.
type dpopCases struct {
	Nonce []struct {
		Name, URL, Body, WWWAuthenticate, DPoPNonce, Origin, Nonce string
		Status                                                     int
		Retry                                                      bool
	} `json:"nonce"`
	TokenType []struct {
		Name, TokenType, Scheme, Error string
		DPoP, AllowBearer              bool
	} `json:"tokenType"`
}

func TestDPoPSharedCases(t *testing.T) {
	b, err := os.ReadFile("testdata/dpop-cases.json")
	require.NoError(t, err)
	var cases dpopCases
	require.NoError(t, json.Unmarshal(b, &cases))
	require.NotEmpty(t, cases.Nonce)
	require.NotEmpty(t, cases.TokenType)
	for _, c := range cases.Nonce {
		t.Run(c.Name, func(t *testing.T) {
			r := core.Response{Status: c.Status, Body: []byte(c.Body), WWWAuthenticate: c.WWWAuthenticate, DPoPNonce: c.DPoPNonce}
			assert.Equal(t, c.Origin, core.DPoPNonceOrigin(c.URL))
			assert.Equal(t, c.Nonce, core.DPoPNonceFrom(r))
			assert.Equal(t, c.Retry, core.NeedsDPoPNonce(r))
		})
	}
	for _, c := range cases.TokenType {
		t.Run(c.Name, func(t *testing.T) {
			err := core.CheckTokenType(c.TokenType, c.DPoP, c.AllowBearer)
			if c.Error != "" {
				var te *core.TokenTypeError
				require.ErrorAs(t, err, &te)
				assert.Equal(t, c.Error, te.Want)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, c.Scheme, core.AuthorizationScheme(c.TokenType))
		})
	}
}
