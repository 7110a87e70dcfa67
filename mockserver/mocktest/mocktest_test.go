package mocktest_test

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"flag"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ropcgo/ropc/mockserver"
	"github.com/ropcgo/ropc/mockserver/mocktest"
)

// post sends a form with the server's confidential client and decodes the JSON answer.
func post(t *testing.T, s *mocktest.Server, path string, form url.Values) (int, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, s.URL+path, strings.NewReader(form.Encode()))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(s.ClientID, s.ClientSecret)
	resp, err := s.Client().Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	var m map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&m)
	return resp.StatusCode, m
}

func password(t *testing.T, s *mocktest.Server, user, pass string) (int, map[string]any) {
	t.Helper()
	return post(t, s, "/token", url.Values{"grant_type": {"password"}, "username": {user}, "password": {pass}})
}

func TestNewServesTheDemoConfig(t *testing.T) {
	s := mocktest.New(t)
	assert.True(t, strings.HasPrefix(s.URL, "http://127.0.0.1:"), s.URL)
	assert.Equal(t, s.URL+"/token", s.TokenURL)
	assert.Equal(t, s.URL+"/_admin", s.AdminURL)
	assert.Equal(t, mocktest.ClientID, s.ClientID)
	assert.Equal(t, mocktest.ClientSecret, s.ClientSecret)
	assert.Equal(t, mocktest.Username, s.Username)
	assert.Equal(t, mocktest.Password, s.Password)

	status, tok := password(t, s, s.Username, s.Password)
	require.Equal(t, http.StatusOK, status)
	assert.NotEmpty(t, tok["access_token"])
}

func TestCloseIsIdempotentAndReleasesHangs(t *testing.T) {
	s := mocktest.New(t)
	s.Fault(mocktest.Rule{Quirk: mocktest.QuirkHang})
	done := make(chan struct{})
	go func() {
		defer close(done)
		resp, err := http.Post(s.TokenURL, "application/x-www-form-urlencoded", strings.NewReader("grant_type=password"))
		if err == nil {
			resp.Body.Close()
		}
	}()
	// The journal has the request once it has reached the mock (and hangs).
	require.Eventually(t, func() bool { return s.Count("/token", "password") == 1 }, 5*time.Second, 5*time.Millisecond)
	// Unreleased, the hang would block httptest's Close for good: a bound
	// far above any load, not a speed check.
	closed := make(chan struct{})
	go func() {
		defer close(closed)
		s.Close()
		s.Close()
		<-done
	}()
	select {
	case <-closed:
	case <-time.After(15 * time.Second):
		t.Fatal("Close waited on the hanging request")
	}
}

func TestClientDoesNotFollowRedirects(t *testing.T) {
	s := mocktest.New(t)
	s.Fault(mocktest.Rule{Quirk: mocktest.QuirkRedirect, Location: s.URL + "/elsewhere"})
	status, _ := password(t, s, s.Username, s.Password)
	assert.Equal(t, http.StatusTemporaryRedirect, status)
	assert.Equal(t, 1, s.Count("", ""), "the redirect target was not requested")
}

func TestUsers(t *testing.T) {
	s := mocktest.New(t)
	s.AddUser(mockserver.User{Username: "alice", Password: "wonderland"})
	status, _ := password(t, s, "alice", "wonderland")
	assert.Equal(t, http.StatusOK, status)

	s.RemoveUser("alice")
	status, body := password(t, s, "alice", "wonderland")
	assert.Equal(t, http.StatusBadRequest, status)
	assert.Equal(t, "invalid_grant", body["error"])
}

func TestClients(t *testing.T) {
	s := mocktest.New(t)
	s.AddClient(mockserver.Client{ClientID: "cli", ClientSecret: "cli-secret", Scopes: []string{"read"}})
	grant := func() int {
		req, _ := http.NewRequest(http.MethodPost, s.TokenURL, strings.NewReader("grant_type=password&username=johndoe&password=A3ddj3w"))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.SetBasicAuth("cli", "cli-secret")
		resp, err := s.Client().Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		return resp.StatusCode
	}
	assert.Equal(t, http.StatusOK, grant())
	s.RemoveClient("cli")
	assert.Equal(t, http.StatusUnauthorized, grant())
	assert.Equal(t, "cli", s.Requests()[1].ClientID)
}

func TestFaults(t *testing.T) {
	s := mocktest.New(t)
	id := s.Fault(mocktest.Rule{Match: mocktest.Match{GrantType: "password"}, Status: 503, RetryAfter: 1})
	assert.NotEmpty(t, id)
	status, body := password(t, s, s.Username, s.Password)
	assert.Equal(t, http.StatusServiceUnavailable, status)
	assert.Equal(t, "temporarily_unavailable", body["error"])

	s.RemoveFault(id)
	status, _ = password(t, s, s.Username, s.Password)
	assert.Equal(t, http.StatusOK, status)

	s.Fault(mocktest.Rule{Status: 500})
	s.Fault(mocktest.Rule{Quirk: mocktest.QuirkHTMLError})
	s.ClearFaults()
	status, _ = password(t, s, s.Username, s.Password)
	assert.Equal(t, http.StatusOK, status)
	assert.Empty(t, s.Admin.Faults())
}

func TestRequestsAndCount(t *testing.T) {
	s := mocktest.New(t)
	password(t, s, s.Username, s.Password)
	password(t, s, s.Username, "wrong")
	got := s.Requests()
	require.Len(t, got, 2)
	assert.Equal(t, mocktest.Entry{Time: got[0].Time, Method: "POST", Path: "/token", GrantType: "password",
		ClientID: s.ClientID, ClientAuth: "basic", Username: s.Username, Status: 200}, got[0])
	assert.Equal(t, "invalid_grant", got[1].Error)
	assert.Equal(t, 2, s.Count("/token", "password"))
	assert.Equal(t, 0, s.Count("/token", "refresh_token"))
	assert.Equal(t, 0, s.Count("/revoke", ""))

	s.ClearRequests()
	assert.Empty(t, s.Requests())
}

// TestCountFollowsTheTokenEndpoint: Count("/token", ...) counts requests to
// the token endpoint at whatever path the profile (or an issuer's path)
// puts it, as a fault rule's "/token" does; other paths, the profile's own
// token path included, are compared exactly.
func TestCountFollowsTheTokenEndpoint(t *testing.T) {
	withIssuerPath := mockserver.DefaultConfig()
	withIssuerPath.Issuer = "https://idp.test/tenant-a"
	for _, tc := range []struct {
		name, tokenPath string
		opts            []mocktest.Option
		rootServed      bool // the router also answers token requests at /token
	}{
		{"rfc", "/token", nil, true},
		{"rfc under an issuer path", "/tenant-a/token", []mocktest.Option{mocktest.WithConfig(withIssuerPath)}, true},
		{"auth0", "/oauth/token", []mocktest.Option{mocktest.WithProfile(mockserver.ProfileAuth0)}, false},
		{"okta", "/oauth2/default/v1/token", []mocktest.Option{mocktest.WithProfile(mockserver.ProfileOkta)}, false},
		{"entra", "/ropc.onmicrosoft.com/oauth2/v2.0/token", []mocktest.Option{mocktest.WithProfile(mockserver.ProfileEntra)}, false},
		{"keycloak", "/realms/ropc/protocol/openid-connect/token", []mocktest.Option{mocktest.WithProfile(mockserver.ProfileKeycloak)}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := mocktest.New(t, tc.opts...)
			require.Equal(t, s.URL+tc.tokenPath, s.TokenURL)
			status, m := post(t, s, tc.tokenPath, url.Values{"grant_type": {"password"}, "username": {s.Username}, "password": {s.Password}})
			require.Equal(t, http.StatusOK, status, "%v", m)
			status, _ = post(t, s, tc.tokenPath, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {m["refresh_token"].(string)}})
			require.Equal(t, http.StatusOK, status)
			assert.Equal(t, 1, s.Count("/token", "password"))
			assert.Equal(t, 1, s.Count("/token", "refresh_token"))
			assert.Equal(t, 2, s.Count("/token", ""))
			assert.Equal(t, 1, s.Count(tc.tokenPath, "password"), "the exact path still counts")
			assert.Equal(t, 0, s.Count(tc.tokenPath+"/", ""), "other paths are compared exactly")
			assert.Equal(t, 2, s.Count("", ""))

			if tc.tokenPath != "/token" {
				status, _ = password(t, s, s.Username, s.Password)
				if tc.rootServed {
					assert.Equal(t, http.StatusOK, status, "the root path answers too")
					assert.Equal(t, 2, s.Count("/token", "password"), "and is counted as the token endpoint")
				} else {
					assert.Equal(t, http.StatusNotFound, status, "/token itself is not the token endpoint here")
					assert.Equal(t, 1, s.Count("/token", "password"), "a 404 at /token is no token request")
				}
				assert.Equal(t, 3, s.Count("", ""))
			}
		})
	}
}

func TestClockExpiresTokensWithoutSleeping(t *testing.T) {
	s := mocktest.New(t)
	_, tok := password(t, s, s.Username, s.Password)
	at := tok["access_token"].(string)
	active := func() bool {
		_, m := post(t, s, "/introspect", url.Values{"token": {at}})
		return m["active"] == true
	}
	require.True(t, active())

	before := s.Now()
	s.Advance(2 * time.Hour)
	assert.WithinDuration(t, before.Add(2*time.Hour), s.Now(), time.Minute)
	assert.False(t, active(), "RFC 7662: an expired token is inactive")

	s.ResetClock()
	assert.True(t, active())

	at2030 := time.Date(2030, 6, 1, 12, 0, 0, 0, time.UTC)
	s.SetTime(at2030)
	assert.Equal(t, at2030, s.Now().UTC())
	assert.False(t, active())
}

func TestReset(t *testing.T) {
	s := mocktest.New(t)
	s.AddUser(mockserver.User{Username: "alice", Password: "wonderland"})
	s.Fault(mocktest.Rule{Status: 500, Match: mocktest.Match{Path: "/introspect"}})
	s.Advance(48 * time.Hour)
	password(t, s, s.Username, s.Password)

	s.Reset()
	assert.Empty(t, s.Requests())
	assert.Empty(t, s.Admin.Faults())
	assert.WithinDuration(t, time.Now(), s.Now(), time.Minute)
	status, _ := password(t, s, "alice", "wonderland")
	assert.Equal(t, http.StatusBadRequest, status, "run-time user gone")
}

func TestWithConfig(t *testing.T) {
	cfg := &mockserver.Config{
		Clients: []mockserver.Client{{ClientID: "pub", Public: true}, {ClientID: "conf", ClientSecret: "conf-secret"}},
		Users:   []mockserver.User{{Username: "bob", Password: "bob-pass"}},
		Faults:  []json.RawMessage{json.RawMessage(`{"times": 1, "status": 503}`)},
	}
	s := mocktest.New(t, mocktest.WithConfig(cfg))
	assert.Equal(t, "conf", s.ClientID, "the first confidential client")
	assert.Equal(t, "conf-secret", s.ClientSecret)
	assert.Equal(t, "bob", s.Username)
	assert.Equal(t, "bob-pass", s.Password)
	status, _ := password(t, s, s.Username, s.Password)
	assert.Equal(t, http.StatusServiceUnavailable, status, "config fault")
	status, _ = password(t, s, s.Username, s.Password)
	assert.Equal(t, http.StatusOK, status)
}

func TestWithConfigIssuerPath(t *testing.T) {
	cfg := mockserver.DefaultConfig()
	cfg.Issuer = "http://127.0.0.1/tenant"
	s := mocktest.New(t, mocktest.WithConfig(cfg))
	assert.Equal(t, s.URL+"/tenant/token", s.TokenURL)
	req, _ := http.NewRequest(http.MethodPost, s.TokenURL, strings.NewReader("grant_type=password&username=johndoe&password=A3ddj3w"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(s.ClientID, s.ClientSecret)
	resp, err := s.Client().Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)
}

// TestWithOptions: host options reach the mock, e.g. a Store the test can
// inspect (here: a grant's first refresh token is not stored, the one its
// refresh issues is stored as its hash).
func TestWithOptions(t *testing.T) {
	store := mockserver.NewMemoryStore()
	s := mocktest.New(t, mocktest.WithOptions(mockserver.Options{Store: store}), mocktest.WithDeterministic(1))
	require.Same(t, store, s.Mock.Store())
	status, tok := password(t, s, s.Username, s.Password)
	require.Equal(t, http.StatusOK, status)
	first := tok["refresh_token"].(string)
	_, err := store.GetRefreshToken(t.Context(), mockserver.TokenHash(first))
	require.ErrorIs(t, err, mockserver.ErrNotFound, "the first refresh token is self-contained")
	status, tok = post(t, s, "/token", url.Values{"grant_type": {"refresh_token"}, "refresh_token": {first}})
	require.Equal(t, http.StatusOK, status)
	rt, err := store.GetRefreshToken(t.Context(), mockserver.TokenHash(tok["refresh_token"].(string)))
	require.NoError(t, err)
	assert.Equal(t, s.Username, rt.Subject)
	assert.Equal(t, mocktest.DeterministicEpoch, rt.IssuedAt.UTC(), "WithDeterministic still pins the clock")
}

func TestWithAdminToken(t *testing.T) {
	s := mocktest.New(t, mocktest.WithAdminToken("adm"))
	get := func(token string) int {
		req, _ := http.NewRequest(http.MethodGet, s.AdminURL+"/requests", nil)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := s.Client().Do(req)
		require.NoError(t, err)
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp.StatusCode
	}
	assert.Equal(t, http.StatusUnauthorized, get(""))
	assert.Equal(t, http.StatusOK, get("adm"))
}

// TestAdminOverHTTP drives the same controls through AdminURL, as a
// non-Go test would.
func TestAdminOverHTTP(t *testing.T) {
	s := mocktest.New(t)
	resp, err := s.Client().Post(s.AdminURL+"/faults", "application/json",
		strings.NewReader(`{"match": {"grant_type": "password"}, "times": 1, "quirk": "invalid_grant_401"}`))
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusCreated, resp.StatusCode)
	status, body := password(t, s, s.Username, s.Password)
	assert.Equal(t, http.StatusUnauthorized, status)
	assert.Equal(t, "invalid_grant", body["error"])
	assert.Equal(t, 401, s.Requests()[0].Status)
}

func TestWithDeterministic(t *testing.T) {
	issue := func() (string, string, time.Time) {
		// The port is random, so golden tokens need a fixed issuer too.
		cfg := mockserver.DefaultConfig()
		cfg.Issuer = "https://mock.example"
		s := mocktest.New(t, mocktest.WithDeterministic(42), mocktest.WithConfig(cfg))
		assert.Equal(t, mocktest.DeterministicEpoch, s.Now().UTC())
		_, tok := password(t, s, s.Username, s.Password)
		return tok["access_token"].(string), tok["refresh_token"].(string), s.Now()
	}
	at1, rt1, now1 := issue()
	at2, rt2, now2 := issue()
	assert.Equal(t, at1, at2, "same seed, same JWT bytes")
	assert.Equal(t, rt1, rt2)
	assert.Equal(t, now1, now2)

	other := mocktest.New(t, mocktest.WithDeterministic(43))
	_, tok := password(t, other, other.Username, other.Password)
	assert.NotEqual(t, at1, tok["access_token"])

	s := mocktest.New(t, mocktest.WithDeterministic(42))
	s.Advance(time.Hour)
	s.Reset()
	assert.Equal(t, mocktest.DeterministicEpoch, s.Now().UTC(), "Reset re-pins the epoch")
	assert.Equal(t, mocktest.DeterministicKey(42), mocktest.DeterministicKey(42), "a key from the seed alone")
	assert.NotEqual(t, mocktest.DeterministicKey(42), mocktest.DeterministicKey(43), "and from the seed")
}

var update = flag.Bool("update", false, "rewrite testdata/*.golden files")

// goldenToken is what the golden file pins of one token answer: every field
// but the tokens themselves, which appear as SHA-256 digests (a golden file
// holds no credential, even a test one), and the JWT's decoded header and
// claims.
type goldenToken struct {
	TokenType          string         `json:"token_type"`
	ExpiresIn          any            `json:"expires_in"`
	Scope              any            `json:"scope"`
	AccessTokenSHA256  string         `json:"access_token_sha256"`
	RefreshTokenSHA256 string         `json:"refresh_token_sha256"`
	JWTHeader          map[string]any `json:"jwt_header"`
	JWTClaims          map[string]any `json:"jwt_claims"`
}

func digest(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

func toGolden(t *testing.T, m map[string]any) goldenToken {
	t.Helper()
	at, _ := m["access_token"].(string)
	rt, _ := m["refresh_token"].(string)
	parts := strings.Split(at, ".")
	require.Len(t, parts, 3, "a compact JWS")
	g := goldenToken{
		TokenType: m["token_type"].(string), ExpiresIn: m["expires_in"], Scope: m["scope"],
		AccessTokenSHA256: digest(at), RefreshTokenSHA256: digest(rt),
	}
	for i, dst := range []*map[string]any{&g.JWTHeader, &g.JWTClaims} {
		raw, err := base64.RawURLEncoding.DecodeString(parts[i])
		require.NoError(t, err)
		require.NoError(t, json.Unmarshal(raw, dst))
	}
	return g
}

// TestDeterministicGolden pins what WithDeterministic produces (its
// promise for tests): a fixed issuer, seed and clock give the
// same token answers, byte for byte, on every run and machine. A change to
// claims, header, key derivation or the token generator shows up here; if
// it is intended, run: go test ./mockserver/mocktest -run Golden -update
func TestDeterministicGolden(t *testing.T) {
	cfg := mockserver.DefaultConfig()
	cfg.Issuer = "https://mock.example"
	s := mocktest.New(t, mocktest.WithDeterministic(7), mocktest.WithConfig(cfg))

	status, first := password(t, s, s.Username, s.Password)
	require.Equal(t, http.StatusOK, status, "%v", first)
	s.Advance(10 * time.Minute)
	status, second := post(t, s, "/token", url.Values{"grant_type": {"refresh_token"},
		"refresh_token": {first["refresh_token"].(string)}, "scope": {"read"}})
	require.Equal(t, http.StatusOK, status, "%v", second)

	got, err := json.MarshalIndent(map[string]goldenToken{
		"1 password grant": toGolden(t, first),
		"2 refresh, 10 minutes later, narrowed to read": toGolden(t, second),
	}, "", "  ")
	require.NoError(t, err)
	got = append(got, '\n')
	require.NotContains(t, string(got), s.Password)
	require.NotContains(t, string(got), s.ClientSecret)

	path := filepath.Join("testdata", "deterministic-token.golden.json")
	if *update {
		require.NoError(t, os.WriteFile(path, got, 0o644))
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "run with -update to create it")
	require.JSONEq(t, string(want), string(got))
	require.Equal(t, string(want), string(got), "byte-identical")
}

func TestWithProfile(t *testing.T) {
	for _, tc := range []struct {
		profile, tokenPath, issuerPath, challengePath string
		oob                                           bool
	}{
		{mockserver.ProfileKeycloak, "/realms/ropc/protocol/openid-connect/token", "/realms/ropc", "", false},
		{mockserver.ProfileAuth0, "/oauth/token", "/", "/mfa/challenge", true},
		{mockserver.ProfileOkta, "/oauth2/default/v1/token", "/oauth2/default", "/oauth2/default/v1/challenge", true},
		{mockserver.ProfileEntra, "/ropc.onmicrosoft.com/oauth2/v2.0/token", "/ropc.onmicrosoft.com/v2.0", "", true},
	} {
		t.Run(tc.profile, func(t *testing.T) {
			s := mocktest.New(t, mocktest.WithProfile(tc.profile))
			assert.Equal(t, tc.profile, s.Profile)
			assert.Equal(t, s.URL+tc.tokenPath, s.TokenURL)
			assert.Equal(t, s.URL+tc.issuerPath, s.Issuer)
			if tc.challengePath != "" {
				assert.Equal(t, s.URL+tc.challengePath, s.ChallengeURL)
			} else {
				assert.Empty(t, s.ChallengeURL)
			}
			assert.Equal(t, mocktest.Username, s.Username, "the demo user stays first")
			names := map[string]bool{}
			for _, u := range s.Mock.Config().Users {
				names[u.Username] = true
			}
			for _, u := range []string{mocktest.TOTPUser, mocktest.LockedUser, mocktest.DisabledUser, mocktest.ExpiredUser, mocktest.SetupUser} {
				assert.True(t, names[u], u)
			}
			assert.Equal(t, tc.oob, names[mocktest.OOBUser], "keycloak cannot have an oob user")
			assert.Equal(t, tc.oob, names[mocktest.TwoFactorUser], "nor a user with an oob factor as well")

			req, _ := http.NewRequest(http.MethodPost, s.TokenURL, strings.NewReader("grant_type=password&username=johndoe&password=A3ddj3w"))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.SetBasicAuth(s.ClientID, s.ClientSecret)
			resp, err := s.Client().Do(req)
			require.NoError(t, err)
			resp.Body.Close()
			assert.Equal(t, http.StatusOK, resp.StatusCode)
			resp, err = s.Client().Get(s.DiscoveryURL)
			require.NoError(t, err)
			var d map[string]any
			require.NoError(t, json.NewDecoder(resp.Body).Decode(&d))
			resp.Body.Close()
			assert.Equal(t, s.Issuer, d["issuer"])
		})
	}
	t.Run("rfc: state users only, TOTP on the mock's clock", func(t *testing.T) {
		s := mocktest.New(t, mocktest.WithProfile(mockserver.ProfileRFC), mocktest.WithDeterministic(1))
		for _, u := range s.Mock.Config().Users {
			assert.Nil(t, u.MFA, u.Username)
		}
		want, err := mockserver.TOTP(mocktest.TOTPSecret, mocktest.DeterministicEpoch)
		require.NoError(t, err)
		assert.Equal(t, want, s.TOTP())
		assert.Equal(t, s.URL+"/token", s.TokenURL)
	})
	t.Run("config users win over demo users of the same name", func(t *testing.T) {
		cfg := mockserver.DefaultConfig()
		cfg.Users = append(cfg.Users, mockserver.User{Username: mocktest.LockedUser, Password: "mine"})
		s := mocktest.New(t, mocktest.WithConfig(cfg), mocktest.WithProfile(mockserver.ProfileOkta))
		status, _ := post(t, s, strings.TrimPrefix(s.TokenURL, s.URL), url.Values{"grant_type": {"password"}, "username": {mocktest.LockedUser}, "password": {"mine"}})
		assert.Equal(t, http.StatusOK, status)
		assert.Nil(t, cfg.Users[0].MFA, "the caller's config is not changed")
		assert.Empty(t, cfg.Profile)
	})
}
