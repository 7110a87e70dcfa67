package bridge

import (
	"testing"
	"github.com/ropcgo/ropc/sdk/core"
	"time"
)

var inp = `{"clientId":"client_id","clientSecret":"client_secret","authMethod":"client_secret_basic","endpoint":"http://127.0.0.1:1/token","username":"johndoe","password":"A3ddj3w","scope":[],"params":{}}`

func BenchmarkBuild(b *testing.B) { for i := 0; i < b.N; i++ { BuildPasswordRequest(inp) } }
func BenchmarkCoreBuild(b *testing.B) {
	for i := 0; i < b.N; i++ {
		core.NewPasswordRequest("http://127.0.0.1:1/token", core.ClientAuth{ClientID: "client_id", ClientSecret: "client_secret"}, core.PasswordParams{Username: "johndoe", Password: "A3ddj3w"})
	}
}
var body = []byte(`{"access_token":"eyJaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa","token_type":"Bearer","expires_in":3600,"refresh_token":"rrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrr","scope":"read write"}`)
func BenchmarkParse(b *testing.B) { for i := 0; i < b.N; i++ { ParseTokenResponse(`{"status":200,"contentType":"application/json"}`, body) } }
func BenchmarkCoreParse(b *testing.B) {
	for i := 0; i < b.N; i++ { core.ParseTokenResponse(core.Response{Status: 200, ContentType: "application/json", Body: body}, time.Now()) }
}
