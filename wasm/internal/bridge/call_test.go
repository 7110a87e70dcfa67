package bridge

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// pack is the Go twin of the packing in js/loader.js.
func pack(args ...string) []byte {
	var b []byte
	for _, a := range args {
		b = binary.LittleEndian.AppendUint32(b, uint32(len(a)))
		b = append(b, a...)
	}
	return b
}

func TestCall(t *testing.T) {
	tokenBody := `{"access_token":"at","token_type":"Bearer","expires_in":60}`
	meta := `{"issuer":"https://as.example","token_endpoint":"https://as.example/token"}`
	tests := []struct {
		name     string
		fn       int32
		in       []byte
		wantOK   string // a substring of the ok answer
		wantKind string // or the error kind
	}{
		{"password request", FnBuildSignInRequest, pack("https://as.example/token", "id", secret, "client_secret_post", "u", password, "read", "", "", ""), `"method":"POST"`, ""},
		{"refresh request", FnBuildRefreshRequest, pack("https://as.example/token", "id", secret, "", "rt", "", ""), `refresh_token=rt`, ""},
		{"revocation", FnBuildRevocation, pack("https://as.example/revoke", "id", secret, "", "tok", "access_token"), `token_type_hint=access_token`, ""},
		{"introspection", FnBuildIntrospection, pack("https://as.example/introspect", "id", secret, "", "tok", ""), `token=tok`, ""},
		{"token response", FnParseSignInResponse, pack("200", "application/json", "", tokenBody, "", "", "", "", ""), `"accessToken":"at"`, ""},
		{"token error", FnParseSignInResponse, pack("400", "application/json", "", `{"error":"invalid_grant"}`, "", "", "", "", ""), "", "oauth"},
		{"revocation response", FnParseRevocation, pack("200", "", "", ""), `true`, ""},
		{"introspection response", FnParseIntrospection, pack("200", "application/json", "", `{"active":false}`), `"active":false`, ""},
		{"metadata", FnParseMetadata, pack("200", "application/json", "", meta, "https://as.example", ""), `"tokenEndpoint":"https://as.example/token"`, ""},
		{"discovery", FnNextDiscoveryURL, pack("https://as.example", "[]"), `oauth-authorization-server`, ""},
		{"refused token", FnRefusesToken, pack(`Bearer error="invalid_token"`), `true`, ""},
		{"heap stats", FnHeapStats, nil, `"heapAlloc"`, ""},
		{"unknown function", 99, nil, "", "invalid"},
		{"retired function", 1, pack("https://as.example/token", "id", secret, "", "u", password, "", ""), "", "invalid"},
		{"wrong argument count", FnRefusesToken, pack("a", "b"), "", "invalid"},
		{"truncated length", FnRefusesToken, []byte{1, 0}, "", "invalid"},
		{"length past the end", FnRefusesToken, []byte{9, 0, 0, 0, 'a'}, "", "invalid"},
		{"bad status", FnParseSignInResponse, pack("two hundred", "", "", "", "", "", "", "", ""), "", "invalid"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Call(tt.fn, tt.in)
			o := decodeOut(t, got)
			if tt.wantKind != "" {
				require.NotNil(t, o.Error, got)
				assert.Equal(t, tt.wantKind, o.Error.Kind)
				assert.NotContains(t, o.Error.Message, secret)
				assert.NotContains(t, o.Error.Message, password)
				return
			}
			require.Nil(t, o.Error, got)
			assert.Contains(t, string(o.OK), tt.wantOK)
		})
	}
}

// Call checks the number of arguments of every function, in every group, the same way, before
// the function runs; a number no group has is unknown.
func TestCallChecksArgumentCounts(t *testing.T) {
	seen := map[int32]int{}
	for g, d := range dispatchers {
		require.NotEmpty(t, d.args)
		for fn, n := range d.args {
			if prev, dup := seen[fn]; dup {
				t.Errorf("function %d is in groups %d and %d", fn, prev, g)
			}
			seen[fn] = g
			args := make([]string, n+1)
			o := decodeOut(t, Call(fn, pack(args...)))
			if assert.NotNil(t, o.Error, "function %d with %d arguments", fn, n+1) {
				assert.Equal(t, "invalid", o.Error.Kind)
				assert.Equal(t, fmt.Sprintf("ropc: function %d takes %d arguments, got %d", fn, n, n+1), o.Error.Message)
			}
		}
	}
	for _, fn := range []int32{0, -1, 31, 100, 200, 1000} {
		if _, known := seen[fn]; known {
			continue
		}
		o := decodeOut(t, Call(fn, nil))
		if assert.NotNil(t, o.Error) {
			assert.Equal(t, fmt.Sprintf("ropc: unknown function %d", fn), o.Error.Message)
		}
	}
}

// TestLoaderSpeaksThisProtocol reads js/loader.js, the other end of Call: its PROTOCOL_VERSION
// is ProtocolVersion, and its FUNCTIONS table names exactly the functions of the dispatchers,
// by the same numbers, each with as many arguments as its comment lists.
func TestLoaderSpeaksThisProtocol(t *testing.T) {
	b, err := os.ReadFile("../../../js/loader.js")
	require.NoError(t, err)
	src := string(b)
	v := regexp.MustCompile(`(?m)^const PROTOCOL_VERSION = (\d+);`).FindStringSubmatch(src)
	require.NotNil(t, v, "js/loader.js has a PROTOCOL_VERSION")
	assert.Equal(t, strconv.Itoa(ProtocolVersion), v[1], "js/loader.js speaks another protocol than the module")

	start := strings.Index(src, "const FUNCTIONS = {")
	end := strings.Index(src[start:], "\n};")
	require.True(t, start >= 0 && end > 0, "js/loader.js has a FUNCTIONS table")
	entry := regexp.MustCompile(`(?m)^  (\w+): (\d+),(?: // (.*))?$`)
	js := map[int32]int{}
	for _, m := range entry.FindAllStringSubmatch(src[start:start+end], -1) {
		n, err := strconv.Atoi(m[2])
		require.NoError(t, err)
		args := 0
		if list := regexp.MustCompile(` \([^)]*\)`).ReplaceAllString(m[3], ""); list != "" {
			args = len(strings.Split(list, ", "))
		}
		_, dup := js[int32(n)]
		assert.False(t, dup, "js/loader.js gives number %d twice", n)
		js[int32(n)] = args
		t.Logf("%s = %d (%d arguments)", m[1], n, args)
	}
	goFns := map[int32]int{}
	for _, d := range dispatchers {
		for fn, n := range d.args {
			goFns[fn] = n
		}
	}
	assert.Equal(t, goFns, js, "function numbers and argument counts: Go dispatchers vs js/loader.js")
}

func TestCallBodyIsCopied(t *testing.T) {
	in := pack("200", "application/x-www-form-urlencoded", "", "access_token=abc&token_type=bearer", "", "", "", "", "")
	got := Call(FnParseSignInResponse, in)
	for i := range in {
		in[i] = 'x' // the JS side reuses the buffer for the next call
	}
	var o struct {
		OK struct {
			AccessToken string         `json:"accessToken"`
			Raw         map[string]any `json:"raw"`
		} `json:"ok"`
	}
	require.NoError(t, json.Unmarshal([]byte(got), &o))
	assert.Equal(t, "abc", o.OK.AccessToken)
	assert.Equal(t, "abc", o.OK.Raw["access_token"])
}

func FuzzCall(f *testing.F) {
	f.Add(int32(FnParseSignInResponse), pack("200", "application/json", "", `{"access_token":"a"}`, "", "", "read", "rt", ""))
	f.Add(int32(FnBuildSignInRequest), pack("https://a/t", "i", "s", "", "u", "p", "", "", "", ""))
	f.Add(int32(FnRefusesToken), pack(`Basic realm="x", DPoP error="invalid_token"`))
	f.Add(int32(FnParseSignInResponse), pack("403", "application/json", "", `{"error":"mfa_required","mfa_token":"m","error_codes":[1]}`, "5", "otp", "", "", ""))
	f.Add(int32(FnBuildMFATokenRequest), pack("https://a/t", "i", "s", "", "oob", "m", "", "o", "", "", "", ""))
	f.Add(int32(FnParseChallengeResponse), pack("200", "", "", `{"challenge_type":"oob","oob_code":"o"}`, ""))
	f.Add(int32(FnBuildAuthenticatorsRequest), pack("https://a/v1/challenge", "m"))
	f.Add(int32(FnOOBPoll), pack("slow_down", "5"))
	f.Add(int32(FnParseMetadata), pack("200", "", "", "{}", "https://a", "1"))
	f.Add(int32(FnTokenStep), pack("1", "1", "1", "", "100000", "60", "60000", "", "1000"))
	f.Add(int32(FnRefreshFailure), pack("invalid_grant", "1", "1", "100000", "1000"))
	f.Add(int32(FnNextDiscoveryURL), pack("https://as.example/t", `[{"url":"u","status":404,"problem":"p"}]`))
	f.Add(int32(FnCheckEndpoint), pack("token endpoint", "http://[::ffff:127.0.0.1]/t", ""))
	f.Add(int32(FnRefreshMargin), pack("1e308"))
	f.Fuzz(func(t *testing.T, fn int32, in []byte) {
		if fn == FnHeapStats {
			return // runs a GC: slow, and takes no input
		}
		var o out
		require.NoError(t, json.Unmarshal([]byte(Call(fn, in)), &o)) // always one well-formed answer
		assert.True(t, (o.Error == nil) != (o.OK == nil))
	})
}
