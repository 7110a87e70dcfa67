package sdk

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ropcgo/ropc/mockserver/admin"
	"github.com/ropcgo/ropc/mockserver/mocktest"
	"github.com/ropcgo/ropc/sdk/core"
)

// The shared rule table (sdk/core/testdata/rules.json) through this package's public API, against
// the real mock where a case says so; js/test/rules.test.mjs runs the same table through the
// JavaScript package. A section this runner does not know fails, so a new rule needs a Go host
// check here as well as cases.
func TestRulesGoHost(t *testing.T) {
	b, err := os.ReadFile("core/testdata/rules.json")
	require.NoError(t, err)
	var sections map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(b, &sections))
	delete(sections, "$comment")
	runners := map[string]func(*testing.T, json.RawMessage){
		"client_config":       ruleClientConfig,
		"plain_http":          rulePlainHTTP,
		"default_auth_method": ruleDefaultAuthMethod,
		"refresh_margin":      ruleRefreshMargin,
		"expiry":              ruleExpiry,
		"discovery_order":     ruleDiscoveryOrder,
		"discovery_fallback":  ruleDiscoveryFallback,
		"discovery_timing":    ruleDiscoveryTiming,
		"sign_in_again":       ruleSignInAgain,
		"refresh_scope":       ruleRefreshScope,
		"mfa_code_grant":      ruleMFACodeGrant,
		"resource_scheme":     ruleResourceScheme,
		"refused_token":       ruleRefusedToken,
		"sign_in_step":        ruleSignInStep,
	}
	for name, raw := range sections {
		run, ok := runners[name]
		if !assert.True(t, ok, "the Go host has no runner for rule %q", name) {
			continue
		}
		t.Run(name, func(t *testing.T) { run(t, raw) })
	}
	for name := range runners {
		assert.Contains(t, sections, name, "runner for a rule the table does not have")
	}
}

func decodeCases[T any](t *testing.T, raw json.RawMessage) []T {
	t.Helper()
	var cases []T
	dec := json.NewDecoder(strings.NewReader(string(raw)))
	dec.DisallowUnknownFields() // a misspelt field would silently test nothing
	require.NoError(t, dec.Decode(&cases))
	require.NotEmpty(t, cases)
	return cases
}

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return c
}

func installFaults(t *testing.T, m *mocktest.Server, faults []json.RawMessage) {
	t.Helper()
	for _, f := range faults {
		r, err := admin.ParseRule(f)
		require.NoError(t, err)
		m.Fault(r)
	}
}

func ruleClientConfig(t *testing.T, raw json.RawMessage) {
	m := mocktest.New(t)
	// The tokens to revoke or introspect, issued to the same (public) client: the mock, like
	// RFC 7009 §2.1, revokes only a token issued to the client asking.
	issuer, err := NewClient(Config{TokenURL: m.URL + "/token", ClientID: mocktest.PublicClientID})
	require.NoError(t, err)
	for _, c := range decodeCases[struct {
		Name, Secret, Error string
		ClientID            string  `json:"client_id"`
		TokenURL            *string `json:"token_url"`
		Issuer              *string `json:"issuer"`
		RevocationURL       *string `json:"revocation_url"`
		IntrospectionURL    *string `json:"introspection_url"`
		ChallengeURL        *string `json:"challenge_url"`
		OK                  bool
	}](t, raw) {
		t.Run(c.Name, func(t *testing.T) {
			at := func(p *string) string { // paths are relative to the mock
				if p == nil {
					return ""
				}
				return m.URL + *p
			}
			cfg := Config{TokenURL: at(c.TokenURL), Issuer: at(c.Issuer), RevocationURL: at(c.RevocationURL),
				IntrospectionURL: at(c.IntrospectionURL), ChallengeURL: at(c.ChallengeURL)}
			if c.Secret != "" {
				cfg.ClientSecret = mocktest.ClientSecret
			}
			if c.ClientID != "" { // the mock's clients: confidential with a secret, else public
				cfg.ClientID = mocktest.PublicClientID
				if c.Secret != "" {
					cfg.ClientID = mocktest.ClientID
				}
			}
			cl, err := NewClient(cfg)
			if !c.OK {
				var pe *core.ParamError
				require.ErrorAs(t, err, &pe)
				assert.Equal(t, c.Error, pe.Key)
				// The core names the parameter; the message names this package's field for it.
				assert.ErrorContains(t, err, "ropc: Config needs "+configFields[c.Error]+": ")
				return
			}
			require.NoError(t, err)
			if cfg.TokenURL != "" || cfg.Issuer != "" {
				tok, err := cl.PasswordToken(ctx(t), mocktest.Username, mocktest.Password)
				require.NoError(t, err)
				assert.NotEmpty(t, tok.AccessToken)
				return
			}
			// A client that only revokes or introspects does that, and says why it cannot sign in.
			_, err = cl.PasswordToken(ctx(t), mocktest.Username, mocktest.Password)
			require.ErrorIs(t, err, ErrNoEndpoint)
			assert.ErrorContains(t, err, "token endpoint")
			tok, err := issuer.PasswordToken(ctx(t), mocktest.Username, mocktest.Password)
			require.NoError(t, err)
			if cfg.IntrospectionURL != "" {
				in, err := cl.Introspect(ctx(t), tok.AccessToken, "")
				require.NoError(t, err)
				assert.True(t, in.Active)
			}
			if cfg.RevocationURL != "" {
				require.NoError(t, cl.Revoke(ctx(t), tok.RefreshToken, "refresh_token"))
				_, err := issuer.Refresh(ctx(t), tok.RefreshToken)
				var oe *OAuthError
				require.ErrorAs(t, err, &oe, "the revoked refresh token is refused")
				assert.Equal(t, "invalid_grant", oe.Code)
			}
		})
	}
}

func rulePlainHTTP(t *testing.T, raw json.RawMessage) {
	for _, c := range decodeCases[struct {
		Name, URL     string
		AllowInsecure bool `json:"allow_insecure"`
		OK            bool
	}](t, raw) {
		t.Run(c.Name, func(t *testing.T) {
			for _, cfg := range []Config{
				{TokenURL: c.URL, ClientID: "c", AllowInsecureHTTP: c.AllowInsecure},
				{Issuer: strings.TrimSuffix(c.URL, "/token"), ClientID: "c", AllowInsecureHTTP: c.AllowInsecure},
			} {
				_, err := NewClient(cfg)
				if c.OK {
					assert.NoError(t, err)
					continue
				}
				var ie *InsecureURLError
				assert.ErrorAs(t, err, &ie)
			}
		})
	}
}

func ruleDefaultAuthMethod(t *testing.T, raw json.RawMessage) {
	m := mocktest.New(t)
	for _, c := range decodeCases[struct {
		Name, Method, Secret, Want, Error string
		ClientAuth                        string `json:"client_auth"`
	}](t, raw) {
		t.Run(c.Name, func(t *testing.T) {
			clientID, secret := mocktest.ClientID, ""
			if c.Secret != "" {
				secret = mocktest.ClientSecret
			}
			if c.Want == "none" {
				clientID = mocktest.PublicClientID
			}
			cl, err := NewClient(Config{TokenURL: m.URL + "/token", ClientID: clientID, ClientSecret: secret, AuthMethod: AuthMethod(c.Method)})
			if c.Error != "" {
				var pe *ParamError
				require.ErrorAs(t, err, &pe)
				assert.Equal(t, c.Error, pe.Key)
				return
			}
			require.NoError(t, err)
			m.ClearRequests()
			_, err = cl.PasswordToken(ctx(t), mocktest.Username, mocktest.Password)
			require.NoError(t, err)
			reqs := m.Requests()
			require.Len(t, reqs, 1)
			assert.Equal(t, c.ClientAuth, reqs[0].ClientAuth, "what the server saw")
		})
	}
}

// holder is a token source on a real token from the mock, its expiry moved to the case's.
func holder(t *testing.T, m *mocktest.Server, cl *Client, remaining *float64, expiresIn *int64, withRefresh bool, opts ...TokenSourceOption) (*TokenSource, *Token) {
	t.Helper()
	tok, err := cl.PasswordToken(ctx(t), mocktest.Username, mocktest.Password)
	require.NoError(t, err)
	held := *tok
	held.ExpiresIn = expiresIn
	held.Expiry = time.Time{}
	if remaining != nil {
		held.Expiry = time.Now().Add(time.Duration(*remaining * float64(time.Second)))
	}
	if !withRefresh {
		held.RefreshToken = ""
	}
	return cl.TokenSource(&held, opts...), &held
}

func mockClient(t *testing.T, m *mocktest.Server, tweak ...func(*Config)) *Client {
	t.Helper()
	cfg := Config{TokenURL: m.URL + "/token", ClientID: mocktest.ClientID, ClientSecret: mocktest.ClientSecret}
	for _, f := range tweak {
		f(&cfg)
	}
	cl, err := NewClient(cfg)
	require.NoError(t, err)
	return cl
}

func ruleRefreshMargin(t *testing.T, raw json.RawMessage) {
	m := mocktest.New(t)
	cl := mockClient(t, m)
	for _, c := range decodeCases[struct {
		Name      string
		ExpiresIn *int64 `json:"expires_in"`
		Remaining *float64
		Margin    *float64
		Want      string
		Error     string
	}](t, raw) {
		t.Run(c.Name, func(t *testing.T) {
			var opts []TokenSourceOption
			if c.Margin != nil {
				opts = append(opts, WithRefreshMargin(time.Duration(*c.Margin*float64(time.Second))))
			}
			ts, held := holder(t, m, cl, c.Remaining, c.ExpiresIn, true, opts...)
			before := m.Count("/token", "refresh_token")
			got, err := ts.Token(ctx(t))
			switch c.Want {
			case "error":
				var pe *ParamError
				require.ErrorAs(t, err, &pe)
				assert.Equal(t, c.Error, pe.Key)
			case "use":
				require.NoError(t, err)
				assert.Equal(t, held.AccessToken, got.AccessToken)
				assert.Equal(t, before, m.Count("/token", "refresh_token"))
			case "refresh":
				require.NoError(t, err)
				assert.NotEqual(t, held.AccessToken, got.AccessToken)
				assert.Equal(t, before+1, m.Count("/token", "refresh_token"))
			default:
				t.Fatalf("unknown want %q", c.Want)
			}
		})
	}
}

func ruleExpiry(t *testing.T, raw json.RawMessage) {
	// The Go host parses every token answer with core.ParseTokenResponse (sdk/core/rules_test.go
	// runs the cases on it); here the mock's own expires_in goes through a Client.
	m := mocktest.New(t)
	cl := mockClient(t, m)
	decodeCases[map[string]any](t, raw)
	before := time.Now()
	tok, err := cl.PasswordToken(ctx(t), mocktest.Username, mocktest.Password)
	require.NoError(t, err)
	require.NotNil(t, tok.ExpiresIn)
	want := time.Duration(*tok.ExpiresIn) * time.Second
	assert.WithinRange(t, tok.Expiry, before.Add(want), time.Now().Add(want))
}

func ruleDiscoveryOrder(t *testing.T, raw json.RawMessage) {
	m := mocktest.New(t)
	for _, c := range decodeCases[struct {
		Name, Issuer, Error string
		Want                []string
	}](t, raw) {
		t.Run(c.Name, func(t *testing.T) {
			// The case's origin becomes the mock's, and every URL of the case answers 404, so the
			// client walks the whole list and its DiscoveryError shows the order.
			issuer := strings.Replace(c.Issuer, "https://as.example", m.URL, 1)
			cl, err := NewClient(Config{Issuer: issuer, ClientID: "c"})
			if c.Error != "" {
				require.Error(t, err)
				assert.Contains(t, strings.ToLower(err.Error()), c.Error)
				return
			}
			require.NoError(t, err)
			m.ClearFaults()
			m.ClearRequests()
			for _, u := range c.Want {
				m.Fault(mocktest.Rule{Match: mocktest.Match{Path: strings.TrimPrefix(u, "https://as.example")}, Quirk: mocktest.QuirkHTMLError, Status: http.StatusNotFound})
			}
			_, err = cl.Discover(ctx(t))
			var de *DiscoveryError
			require.ErrorAs(t, err, &de)
			var got, journal []string
			for _, a := range de.Attempts {
				got = append(got, strings.Replace(a.URL, m.URL, "https://as.example", 1))
				assert.Equal(t, http.StatusNotFound, a.Status)
			}
			for _, e := range m.Requests() {
				journal = append(journal, "https://as.example"+e.Path)
			}
			assert.Equal(t, c.Want, got, "the error's attempts")
			assert.Equal(t, c.Want, journal, "what the server saw")
		})
	}
}

type triedURL struct {
	Path   string
	Status int
}

func ruleDiscoveryFallback(t *testing.T, raw json.RawMessage) {
	for _, c := range decodeCases[struct {
		Name       string
		Mock       bool
		IssuerPath string `json:"issuer_path"`
		TimeoutMS  int    `json:"timeout_ms"`
		Faults     []json.RawMessage
		OK         bool
		Tried      []triedURL
	}](t, raw) {
		t.Run(c.Name, func(t *testing.T) {
			m := mocktest.New(t)
			installFaults(t, m, c.Faults)
			cl := mockClient(t, m, func(cfg *Config) {
				cfg.TokenURL, cfg.Issuer = "", m.URL+c.IssuerPath
				if c.TimeoutMS > 0 {
					cfg.Timeout = time.Duration(c.TimeoutMS) * time.Millisecond
				}
			})
			_, err := cl.Discover(ctx(t))
			var seen []triedURL
			for _, e := range m.Requests() {
				seen = append(seen, triedURL{Path: e.Path, Status: e.Status})
			}
			assert.Equal(t, c.Tried, seen, "the mock's journal")
			if c.OK {
				require.NoError(t, err)
				return
			}
			var de *DiscoveryError
			require.ErrorAs(t, err, &de)
			var named []triedURL
			for i, a := range de.Attempts {
				named = append(named, triedURL{Path: strings.TrimPrefix(a.URL, m.URL), Status: a.Status})
				assert.Contains(t, err.Error(), a.URL, "the message names attempt %d", i+1)
			}
			assert.Equal(t, c.Tried, named, "the error's attempts")
			assert.NotContains(t, err.Error(), "\n", "one line, each URL beside its answer")
			if c.TimeoutMS > 0 {
				assert.True(t, errors.Is(err, context.DeadlineExceeded), "the timeout stays reachable: %v", err)
			}
		})
	}
}

func ruleDiscoveryTiming(t *testing.T, raw json.RawMessage) {
	for _, c := range decodeCases[struct {
		Name     string
		Mock     bool
		TokenURL bool `json:"token_url"`
		Faults   []json.RawMessage
		Steps    []struct {
			Do               string
			OK               *bool
			MetadataRequests int `json:"metadata_requests"`
		}
	}](t, raw) {
		t.Run(c.Name, func(t *testing.T) {
			m := mocktest.New(t)
			installFaults(t, m, c.Faults)
			var cl *Client
			for i, s := range c.Steps {
				switch s.Do {
				case "create":
					cl = mockClient(t, m, func(cfg *Config) {
						cfg.Issuer = m.URL
						if !c.TokenURL {
							cfg.TokenURL = ""
						}
					})
				case "password_grant":
					_, err := cl.PasswordToken(ctx(t), mocktest.Username, mocktest.Password)
					assert.Equal(t, *s.OK, err == nil, "step %d: %v", i, err)
				default:
					t.Fatalf("unknown step %q", s.Do)
				}
				n := 0
				for _, e := range m.Requests() {
					if strings.HasPrefix(e.Path, "/.well-known/") {
						n++
					}
				}
				assert.Equal(t, s.MetadataRequests, n, "metadata requests after step %d (%s)", i, s.Do)
			}
		})
	}
}

func ruleSignInAgain(t *testing.T, raw json.RawMessage) {
	for _, c := range decodeCases[struct {
		Name            string
		Mock            bool
		RefreshToken    bool `json:"refresh_token"`
		Remaining       float64
		Rejected        bool
		Faults          []json.RawMessage
		Want, Then      string
		RefreshRequests int `json:"refresh_requests"`
	}](t, raw) {
		t.Run(c.Name, func(t *testing.T) {
			m := mocktest.New(t)
			cl := mockClient(t, m)
			exp := int64(3600)
			ts, held := holder(t, m, cl, &c.Remaining, &exp, c.RefreshToken)
			installFaults(t, m, c.Faults)
			if c.Rejected {
				held.AccessToken = "refused-by-the-resource-server"
				ts.SetToken(held)
				resp, err := ts.Client(nil).Get(m.URL + "/userinfo")
				require.NoError(t, err)
				defer resp.Body.Close()
				switch c.Want {
				case "hand_back":
					assert.Equal(t, http.StatusUnauthorized, resp.StatusCode)
					assert.Contains(t, resp.Header.Get("Www-Authenticate"), "invalid_token")
				case "refresh":
					assert.Equal(t, http.StatusOK, resp.StatusCode)
				default:
					t.Fatalf("unknown want %q", c.Want)
				}
			} else {
				check := func(want string) {
					got, err := ts.Token(ctx(t))
					switch want {
					case "use":
						require.NoError(t, err)
						assert.Equal(t, held.AccessToken, got.AccessToken)
					case "refresh":
						require.NoError(t, err)
						assert.NotEqual(t, held.AccessToken, got.AccessToken)
					case "sign_in_again":
						assert.ErrorIs(t, err, ErrSignInAgain)
					case "error":
						require.Error(t, err)
						assert.NotErrorIs(t, err, ErrSignInAgain)
					default:
						t.Fatalf("unknown want %q", want)
					}
				}
				check(c.Want)
				if c.Then != "" {
					check(c.Then)
				}
			}
			assert.Equal(t, c.RefreshRequests, m.Count("/token", "refresh_token"))
		})
	}
}

func ruleRefreshScope(t *testing.T, raw json.RawMessage) {
	m := mocktest.New(t)
	cl := mockClient(t, m)
	for _, c := range decodeCases[struct {
		Name, Response, Requested, Previous, Want string
		Mock                                      bool
		HasRefresh                                *bool  `json:"refresh_answer_has_refresh_token"`
		WantRefresh                               string `json:"want_refresh_token"`
	}](t, raw) {
		if !c.Mock {
			continue // a pure case: sdk/core/rules_test.go runs it on the core
		}
		t.Run(c.Name, func(t *testing.T) {
			tok, err := cl.PasswordToken(ctx(t), mocktest.Username, mocktest.Password)
			require.NoError(t, err)
			if !*c.HasRefresh {
				m.Fault(mocktest.Rule{Match: mocktest.Match{Path: "/token", GrantType: "refresh_token"}, Times: 1, Quirk: mocktest.QuirkNoRefreshToken})
			}
			got, err := cl.Refresh(ctx(t), tok.RefreshToken)
			require.NoError(t, err)
			if c.WantRefresh == "old" {
				assert.Equal(t, tok.RefreshToken, got.RefreshToken)
			} else {
				assert.NotEqual(t, tok.RefreshToken, got.RefreshToken)
				assert.NotEmpty(t, got.RefreshToken)
			}
		})
	}
}

// mfaCodeGrantCase is a row of the "mfa_code_grant" section: a challenge answer and what the
// user is asked and which grant carries the typed code ("otp", "oob" or "" for none).
type mfaCodeGrantCase struct {
	Name       string
	Answer     json.RawMessage
	WantPrompt string `json:"want_prompt"`
	WantGrant  string `json:"want_grant"`
}

func ruleMFACodeGrant(t *testing.T, raw json.RawMessage) {
	// The mock's users each have one factor and no SMS, so these run on the challenge answers
	// themselves: the request SignIn sends for a typed code is core.MFAChallenge.CodeParams.
	grants := map[string]string{"otp": core.GrantMFAOTP, "oob": core.GrantMFAOOB}
	for _, c := range decodeCases[mfaCodeGrantCase](t, raw) {
		t.Run(c.Name, func(t *testing.T) {
			ch, err := core.ParseChallengeResponse(core.Response{Status: 200, ContentType: "application/json", Body: c.Answer})
			require.NoError(t, err)
			assert.Equal(t, c.WantPrompt, ch.PromptType())
			if c.WantGrant == "" {
				assert.Empty(t, ch.CodeGrant())
				return
			}
			req, err := core.NewMFATokenRequest("https://as.example/token", core.ClientAuth{ClientID: "app", Method: core.AuthNone},
				ch.CodeParams("mt", "123456"))
			require.NoError(t, err)
			form, err := url.ParseQuery(string(req.Body))
			require.NoError(t, err)
			assert.Equal(t, grants[c.WantGrant], form.Get("grant_type"))
			if c.WantGrant == "oob" {
				assert.Equal(t, "123456", form.Get("binding_code"))
				assert.Equal(t, "oc", form.Get("oob_code"))
				assert.False(t, form.Has("otp"))
			} else {
				assert.Equal(t, "123456", form.Get("otp"))
				assert.False(t, form.Has("binding_code"))
			}
		})
	}
}

func ruleResourceScheme(t *testing.T, raw json.RawMessage) {
	// Transport asks core.ResourceScheme before each request; a refused type sends nothing
	// (TestTransportRefusesUnknownTokenType), an accepted one sets that scheme.
	for _, c := range decodeCases[struct {
		Name      string
		TokenType string `json:"token_type"`
		DPoP      bool
		Want      string
		Error     string
	}](t, raw) {
		t.Run(c.Name, func(t *testing.T) {
			got, err := core.ResourceScheme(c.TokenType, c.DPoP)
			if c.Error != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), c.Error)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, c.Want, got)
		})
	}
}

func ruleRefusedToken(t *testing.T, raw json.RawMessage) {
	// The Transport's decision to refresh and retry, on the header lines as net/http holds them.
	for _, c := range decodeCases[struct {
		Name    string
		Lines   []string
		Refused bool
	}](t, raw) {
		t.Run(c.Name, func(t *testing.T) {
			h := http.Header{}
			for _, l := range c.Lines {
				h.Add("WWW-Authenticate", l)
			}
			assert.Equal(t, c.Refused, invalidTokenChallenge(h))
		})
	}
}

func ruleSignInStep(t *testing.T, raw json.RawMessage) {
	// SignIn against the mock's auth0 profile, which answers TOTPUser's password with
	// mfa_required; the step taken shows in what the Prompter is asked and what the mock sees.
	errStop := errors.New("the test's prompter stops here")
	for _, c := range decodeCases[struct {
		Name, Answer, Want      string
		Prompter, OTP, Recovery bool
	}](t, raw) {
		t.Run(c.Name, func(t *testing.T) {
			m := mocktest.New(t, mocktest.WithProfile("auth0"))
			cl, err := NewClient(Config{TokenURL: m.TokenURL, ClientID: mocktest.ClientID, ClientSecret: mocktest.ClientSecret})
			require.NoError(t, err)
			user, password := mocktest.TOTPUser, mocktest.Password
			switch c.Answer {
			case "token":
				user = mocktest.Username
			case "invalid_grant":
				password = "wrong-password"
			}
			var opts []RequestOption
			if c.OTP {
				opts = append(opts, WithOTP(m.TOTP()))
			}
			if c.Recovery {
				opts = append(opts, WithRecoveryCode())
			}
			var prompts []ChallengeType
			var prompter Prompter
			if c.Prompter {
				prompter = PrompterFunc(func(_ context.Context, ch Challenge) (string, error) {
					prompts = append(prompts, ch.Type)
					return "", errStop
				})
			}
			tok, err := cl.SignIn(ctx(t), user, password, prompter, opts...)
			mfaGrants, mfaCalls := 0, 0
			for _, e := range m.Requests() {
				if strings.Contains(e.GrantType, "mfa-") {
					mfaGrants++
				}
				if strings.HasPrefix(e.Path, "/mfa/") {
					mfaCalls++ // the authenticator list and the challenge
				}
			}
			switch c.Want {
			case "done":
				require.NoError(t, err)
				assert.NotEmpty(t, tok.AccessToken)
				assert.Empty(t, prompts)
			case "fail":
				var oe *OAuthError
				require.ErrorAs(t, err, &oe)
				assert.Equal(t, map[string]Kind{"invalid_grant": KindInvalidCredentials, "mfa_required": KindMFARequired}[c.Answer], oe.Kind)
				assert.NotErrorIs(t, err, errStop)
				assert.Empty(t, prompts)
				assert.Zero(t, mfaGrants+mfaCalls, "nothing sent after the password grant")
			case "otp":
				require.NoError(t, err, "the code in hand is TOTPUser's current one")
				assert.Empty(t, prompts, "nobody asked")
				assert.Equal(t, 1, m.Count(tokenPathOf(m), core.GrantMFAOTP))
				assert.Zero(t, mfaCalls)
			case "recovery_code":
				assert.ErrorIs(t, err, errStop)
				assert.Equal(t, []ChallengeType{ChallengeRecoveryCode}, prompts)
				assert.Zero(t, mfaGrants+mfaCalls)
			case "challenge":
				assert.ErrorIs(t, err, errStop)
				assert.Equal(t, []ChallengeType{ChallengeOTP}, prompts, "TOTPUser's one factor: no choice, a code")
				assert.Positive(t, mfaCalls, "a challenge was started")
				assert.Zero(t, mfaGrants)
			default:
				t.Fatalf("unknown step %q", c.Want)
			}
		})
	}
}

func tokenPathOf(m *mocktest.Server) string { return strings.TrimPrefix(m.TokenURL, m.URL) }
