package bridge

import (
	"encoding/binary"
	"errors"
	"fmt"
	"runtime"
	"strconv"

	"github.com/ropcgo/ropc/sdk/core"
)

// Function numbers of Call, shared with js/loader.js (keep the two in step).
// Retired numbers stay unused: 1 (a plain password request: the package builds
// every password grant with FnBuildSignInRequest), 5 (a token answer: it parses
// every one with FnParseSignInResponse), 9 (the discovery URL list: it walks
// them with FnNextDiscoveryURL) and 10 (the Bearer challenge: FnRefusesToken
// answers what the package asked of it).
const (
	_ = 1 + iota // 1, retired
	FnBuildRefreshRequest
	FnBuildRevocation
	FnBuildIntrospection
	_ // 5, retired
	FnParseRevocation
	FnParseIntrospection
	FnParseMetadata
	_ // 9, retired
	_ // 10, retired
	FnHeapStats
	FnCheckEndpoint
	FnCheckIssuer
	FnResolveAuthMethod
	FnRefreshMargin
	FnTokenStep
	FnRefreshFailure
	FnNextDiscoveryURL
	FnCheckClientConfig
	FnRefusesToken
)

// argCount is the number of arguments of each function of callRules, by number.
var argCount = map[int32]int{
	FnBuildRefreshRequest: 7, FnBuildRevocation: 6, FnBuildIntrospection: 6,
	FnParseRevocation: 4, FnParseIntrospection: 4, FnParseMetadata: 6, FnHeapStats: 0,
	FnCheckEndpoint: 3, FnCheckIssuer: 2, FnResolveAuthMethod: 2, FnRefreshMargin: 1,
	FnTokenStep: 9, FnRefreshFailure: 5, FnNextDiscoveryURL: 2, FnCheckClientConfig: 6, FnRefusesToken: 1,
}

// dispatch is one group of functions: the number of arguments of each, by function number,
// and what runs them once Call has checked that number.
type dispatch struct {
	args map[int32]int
	run  func(fn int32, args [][]byte) string
}

// dispatchers are every function Call knows, in groups numbered apart (from 1 here, 32 for
// sign-in, 101 for DPoP, 201 for saved tokens) so that groups grow without renumbering.
var dispatchers = []dispatch{
	{argCount, callRules},
	{signInArgCount, callSignIn},
	{dpopArgCount, callDPoP},
	{savedTokenArgCount, callSavedToken},
}

// ProtocolVersion is what the module reports when ready; js/loader.js refuses
// a module that speaks another version (a stale ropc.wasm beside new JS). It
// changes whenever a function is added, retired or takes other arguments
// (3: DPoP, saved tokens, the client_config, refused_token and sign_in_step rules; numbers
// 1, 5, 9, 10 and 106 retired). TestLoaderSpeaksThisProtocol keeps js/loader.js
// in step.
const ProtocolVersion = 3

// Call runs function fn on arguments packed by js/loader.js: each argument is
// a little-endian uint32 byte length followed by that many bytes (UTF-8 for
// strings, raw for a body). It returns the function's JSON answer.
//
// One packed buffer per call, through go:wasmexport (wasm/exports.go), costs
// well under a microsecond; a syscall/js function call costs 10-25 µs, which
// twice per grant would break the latency target (1.5x a plain fetch).
func Call(fn int32, in []byte) string {
	args, err := unpack(in)
	if err != nil {
		return fail(err)
	}
	for _, d := range dispatchers {
		if n, known := d.args[fn]; known {
			if len(args) != n {
				return fail(fmt.Errorf("ropc: function %d takes %d arguments, got %d", fn, n, len(args)))
			}
			return d.run(fn, args)
		}
	}
	return fail(fmt.Errorf("ropc: unknown function %d", fn))
}

// callRules runs the build, parse and rule functions numbered from 1.
func callRules(fn int32, args [][]byte) string {
	s := func(i int) string { return string(args[i]) }
	client := func() Client { return Client{ClientID: s(1), ClientSecret: s(2), AuthMethod: s(3)} }
	switch fn {
	case FnBuildRefreshRequest: // endpoint, clientId, clientSecret, authMethod, refreshToken, scope, params
		return BuildRefreshRequest(s(0), client(), s(4), s(5), s(6))
	case FnBuildRevocation: // endpoint, clientId, clientSecret, authMethod, token, hint
		return BuildRevocation(s(0), client(), s(4), s(5))
	case FnBuildIntrospection:
		return BuildIntrospection(s(0), client(), s(4), s(5))
	case FnHeapStats:
		return heapStats()
	case FnCheckEndpoint: // field, url, allowInsecure
		return CheckEndpoint(s(0), s(1), flag(s(2)))
	case FnCheckIssuer: // issuer, allowInsecure
		return CheckIssuer(s(0), flag(s(1)))
	case FnResolveAuthMethod: // method, secret
		return ResolveAuthMethod(s(0), s(1))
	case FnRefreshMargin: // marginMs
		return RefreshMargin(s(0))
	case FnTokenStep: // hasToken, hasAccessToken, hasRefreshToken, rejected, expiresAtMs, expiresIn, marginMs, retryAtMs, nowMs
		return TokenStep(TokenStepInput{HasToken: flag(s(0)), HasAccessToken: flag(s(1)), HasRefreshToken: flag(s(2)),
			Rejected: flag(s(3)), ExpiresAtMS: s(4), ExpiresIn: s(5), MarginMS: s(6), RetryAtMS: s(7), NowMS: s(8)})
	case FnRefreshFailure: // oauthCode, forced, hasAccessToken, expiresAtMs, nowMs
		return RefreshFailure(s(0), flag(s(1)), flag(s(2)), s(3), s(4))
	case FnNextDiscoveryURL: // issuer, triedJSON
		return NextDiscoveryURL(s(0), s(1))
	case FnRefusesToken: // wwwAuthenticate
		return RefusesToken(s(0))
	case FnCheckClientConfig: // clientId, tokenUrl, issuer, revocationUrl, introspectionUrl, challengeUrl
		return CheckClientConfig(core.ClientConfig{ClientID: s(0), TokenURL: s(1), Issuer: s(2),
			RevocationURL: s(3), IntrospectionURL: s(4), ChallengeURL: s(5)})
	}
	// Parsers: status, contentType, wwwAuthenticate, body[, issuer]
	status, err := strconv.Atoi(s(0))
	if err != nil {
		return fail(errors.New("ropc: malformed HTTP status from the JavaScript layer"))
	}
	r := Response{Status: status, ContentType: s(1), WWWAuthenticate: s(2)}
	body := append([]byte(nil), args[3]...) // args alias the reused input buffer
	switch fn {
	case FnParseRevocation:
		return ParseRevocation(r, body)
	case FnParseIntrospection:
		return ParseIntrospection(r, body)
	default: // FnParseMetadata: ..., issuer, allowInsecure
		return ParseMetadata(r, body, s(4), flag(s(5)))
	}
}

func unpack(in []byte) ([][]byte, error) {
	var args [][]byte
	for len(in) > 0 {
		if len(in) < 4 {
			return nil, errors.New("ropc: malformed call from the JavaScript layer")
		}
		n := binary.LittleEndian.Uint32(in)
		in = in[4:]
		if uint64(n) > uint64(len(in)) {
			return nil, errors.New("ropc: malformed call from the JavaScript layer")
		}
		args = append(args, in[:n])
		in = in[n:]
	}
	return args, nil
}

// heapStats is for the heap benchmark (scripts/bench-js.sh): Go's own heap,
// which JavaScript's heap figures do not include.
func heapStats() string {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return fmt.Sprintf(`{"ok":{"heapAlloc":%d,"heapSys":%d,"numGC":%d}}`, m.HeapAlloc, m.HeapSys, m.NumGC)
}
