// Package mocktest starts the ropc mock token server for one test, in the
// spirit of net/http/httptest: one constructor, a URL, cleanup registered on t.
//
//	srv := mocktest.New(t)
//	srv.Fault(mocktest.Rule{Match: mocktest.Match{GrantType: "password"}, Times: 1, Status: 503})
//	tok, err := client.PasswordToken(ctx, srv.Username, srv.Password) // gets the 503
//	srv.Advance(2 * time.Hour)                                        // the token is now expired
//	require.Equal(t, 1, srv.Count("/token", "password"))              // the journal
//
// A provider profile with demo users for each sign-in situation:
//
//	srv := mocktest.New(t, mocktest.WithProfile("auth0"))
//	// srv.TokenURL is .../oauth/token; mocktest.TOTPUser needs srv.TOTP(),
//	// mocktest.OOBUser waits for srv.ApproveMFA(mocktest.OOBUser);
//	// srv.Count("/token", "password") still counts the password grants.
//
// Every method fails the test (t.Fatal) on error, so a test never checks one.
// The same controls are reachable over HTTP under AdminURL for other languages.
package mocktest

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/binary"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/ropcgo/ropc/mockserver"
	"github.com/ropcgo/ropc/mockserver/admin"
)

// The demo credentials of mockserver.DefaultConfig (mockserver/demo.json), which New uses
// unless WithConfig says otherwise.
var (
	demo           = mockserver.DemoCredentials()
	ClientID       = demo.ClientID
	ClientSecret   = demo.ClientSecret
	PublicClientID = demo.PublicClientID
	Username       = demo.Username
	Password       = demo.Password
)

// The demo users WithProfile adds (when the profile can have them), all with
// Password. TOTPUser has the TOTP factor TOTPSecret and the recovery codes
// RecoveryCodes (used by the auth0 profile); OOBUser has an out-of-band
// factor (not under keycloak); TwoFactorUser has both, TOTP with
// TOTPSecret and out-of-band (not under keycloak), so a client picks one;
// the others are in the account state their name says.
const (
	TOTPUser      = "totp-user"
	OOBUser       = "oob-user"
	TwoFactorUser = "two-factor-user"
	LockedUser    = "locked-user"
	DisabledUser  = "disabled-user"
	ExpiredUser   = "expired-user"
	SetupUser     = "setup-user"
	// TOTPSecret is TOTPUser's base32 RFC 6238 key (160 bits).
	TOTPSecret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
)

// RecoveryCodes are TOTPUser's recovery codes.
var RecoveryCodes = []string{"RC7KQ2M4XW9TB3VN5HJ8LP6D", "RC2F8G4H6J3K9M5N7P2Q4R6S"}

// Aliases so a test needs only this package.
type (
	Rule  = admin.Rule
	Match = admin.Match
	Entry = admin.Entry
	Quirk = admin.Quirk
	// Duration is Rule.Delay's type: Delay: mocktest.Duration(2 * time.Second).
	Duration = admin.Duration
)

// The quirks, re-exported from package admin.
const (
	QuirkExpiresInString    = admin.QuirkExpiresInString
	QuirkExpiresInMissing   = admin.QuirkExpiresInMissing
	QuirkTokenTypeMissing   = admin.QuirkTokenTypeMissing
	QuirkTokenTypeLowercase = admin.QuirkTokenTypeLowercase
	QuirkFormEncoded        = admin.QuirkFormEncoded
	QuirkErrorWith200       = admin.QuirkErrorWith200
	QuirkInvalidGrant401    = admin.QuirkInvalidGrant401
	QuirkHTMLError          = admin.QuirkHTMLError
	QuirkMalformedJSON      = admin.QuirkMalformedJSON
	QuirkNoRefreshToken     = admin.QuirkNoRefreshToken
	QuirkRedirect           = admin.QuirkRedirect
	QuirkHang               = admin.QuirkHang
	QuirkOversized          = admin.QuirkOversized
)

// DeterministicEpoch is where WithDeterministic pins the mock's clock.
var DeterministicEpoch = time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)

// Server is a running mock. Its exported fields are read-only.
type Server struct {
	// URL is the base URL, http://127.0.0.1:<port>, with no trailing slash.
	URL string
	// TokenURL is the token endpoint (RFC 6749 §3.2), at the profile's path.
	TokenURL string
	// Profile is the provider profile ("rfc" unless WithProfile says
	// otherwise); Issuer the iss of its tokens (under the configured issuer,
	// if the config has one); DiscoveryURL its
	// {issuer}/.well-known/openid-configuration; ChallengeURL its MFA
	// challenge endpoint ("" when the provider has none).
	Profile, Issuer, DiscoveryURL, ChallengeURL string
	// AdminURL is the admin API root, URL + "/_admin".
	AdminURL string
	// The demo client and user (or the first client and user of WithConfig's config).
	ClientID, ClientSecret, Username, Password string
	// Mock is the mock itself, Admin the fault/journal layer around it.
	Mock  *mockserver.Server
	Admin *admin.Handler

	t             testing.TB
	http          *httptest.Server
	deterministic bool
}

type settings struct {
	profile    string
	cfg        *mockserver.Config
	adminToken string
	seed       *uint64
	opts       mockserver.Options
}

// Option configures New.
type Option func(*settings)

// WithConfig starts the mock on cfg instead of mockserver.DefaultConfig();
// cfg.Faults are installed like a config file's.
func WithConfig(cfg *mockserver.Config) Option { return func(s *settings) { s.cfg = cfg } }

// WithProfile starts the mock as a provider profile ("keycloak", "auth0",
// "okta", "entra" or "rfc") and adds the demo users TOTPUser, OOBUser,
// TwoFactorUser, LockedUser, DisabledUser, ExpiredUser and SetupUser where the profile can
// have them and the config has no user of that name. See
// mockserver/profiles.md for what each profile answers.
func WithProfile(profile string) Option { return func(s *settings) { s.profile = profile } }

// WithAdminToken requires "Authorization: Bearer <token>" on AdminURL.
func WithAdminToken(token string) Option { return func(s *settings) { s.adminToken = token } }

// WithDeterministic makes tokens reproducible for golden files: a signing key
// derived from seed, a token generator seeded with it, and the clock pinned at
// DeterministicEpoch (move it with Advance). The port is random, so give a
// fixed Issuer with WithConfig too (it is in every JWT), and send requests one
// at a time for the output to be stable.
func WithDeterministic(seed uint64) Option { return func(s *settings) { s.seed = &seed } }

// WithOptions passes extra mockserver.Options (e.g. a Store); New sets Clock,
// Key and Rand itself only where they are unset.
func WithOptions(o mockserver.Options) Option { return func(s *settings) { s.opts = o } }

// New starts a mock with the admin API on a random 127.0.0.1 port and
// registers Close with t.Cleanup.
func New(t testing.TB, opts ...Option) *Server {
	t.Helper()
	st := settings{}
	for _, o := range opts {
		o(&st)
	}
	cfg := st.cfg
	if cfg == nil {
		cfg = mockserver.DefaultConfig()
	}
	if st.profile != "" {
		cfg = withProfile(cfg, st.profile)
	}
	mo := st.opts
	if st.seed != nil {
		if mo.Key == nil {
			mo.Key = DeterministicKey(*st.seed)
		}
		if mo.Rand == nil {
			mo.Rand = seededReader(*st.seed)
		}
	}
	mock, err := mockserver.New(cfg, mo)
	if err != nil {
		t.Fatalf("mocktest: start mock: %v", err)
	}
	if st.seed != nil {
		mock.Clock().Set(DeterministicEpoch)
	}
	deterministic := st.seed != nil
	h, err := admin.New(mock, admin.Options{Enabled: true, Token: st.adminToken, Faults: cfg.Faults})
	if err != nil {
		t.Fatalf("mocktest: admin layer: %v", err)
	}
	hs := httptest.NewServer(h)
	// An issuer with a path (https://host/tenant) serves its endpoints under it.
	base := hs.URL
	if u, err := url.Parse(cfg.Issuer); err == nil && cfg.Issuer != "" {
		base += strings.TrimSuffix(u.Path, "/")
	}
	urls := cfg.URLs(base)
	issuer := urls.Issuer
	if cfg.Issuer != "" {
		// Tokens and documents name the configured issuer, while requests
		// go to the random port.
		issuer = cfg.URLs(cfg.Issuer).Issuer
	}
	profile := cfg.Profile
	if profile == "" {
		profile = mockserver.ProfileRFC
	}
	s := &Server{
		URL:          hs.URL,
		TokenURL:     urls.Token,
		Profile:      profile,
		Issuer:       issuer,
		DiscoveryURL: urls.Discovery,
		ChallengeURL: urls.Challenge,
		AdminURL:     hs.URL + "/_admin",
		Mock:         mock,
		Admin:        h,
		t:            t,
		http:         hs,

		deterministic: deterministic,
	}
	for _, c := range cfg.Clients {
		if !c.Public {
			s.ClientID, s.ClientSecret = c.ClientID, c.ClientSecret
			break
		}
	}
	for _, u := range cfg.Users {
		if u.Password != "" {
			s.Username, s.Password = u.Username, u.Password
			break
		}
	}
	t.Cleanup(s.Close)
	return s
}

// withProfile returns a copy of cfg under profile, with the demo users the
// profile can have added.
func withProfile(cfg *mockserver.Config, profile string) *mockserver.Config {
	c := *cfg
	c.Profile = profile
	c.Users = append([]mockserver.User(nil), cfg.Users...)
	taken := map[string]bool{}
	for _, u := range c.Users {
		taken[u.Username] = true
	}
	add := func(u mockserver.User) {
		if !taken[u.Username] {
			u.Password = Password
			c.Users = append(c.Users, u)
		}
	}
	if profile != mockserver.ProfileRFC {
		add(mockserver.User{Username: TOTPUser, MFA: &mockserver.MFA{Type: mockserver.MFATypeTOTP, Secret: TOTPSecret},
			RecoveryCodes: append([]string(nil), RecoveryCodes...)})
		if profile != mockserver.ProfileKeycloak {
			add(mockserver.User{Username: OOBUser, MFA: &mockserver.MFA{Type: mockserver.MFATypeOOB}})
			add(mockserver.User{Username: TwoFactorUser, MFA: &mockserver.MFA{Type: mockserver.MFATypeTOTP, Secret: TOTPSecret, OOB: true}})
		}
	}
	add(mockserver.User{Username: LockedUser, State: mockserver.StateLocked})
	add(mockserver.User{Username: DisabledUser, State: mockserver.StateDisabled})
	add(mockserver.User{Username: ExpiredUser, State: mockserver.StatePasswordExpired})
	add(mockserver.User{Username: SetupUser, State: mockserver.StateSetupRequired})
	return &c
}

// TOTP is TOTPUser's current one-time code, on the mock's clock.
func (s *Server) TOTP() string { return s.TOTPFor(TOTPSecret) }

// TOTPFor is the current one-time code of a base32 secret, on the mock's
// clock.
func (s *Server) TOTPFor(secret string) string {
	s.t.Helper()
	code, err := mockserver.TOTP(secret, s.Now())
	if err != nil {
		s.t.Fatalf("mocktest: TOTP: %v", err)
	}
	return code
}

// PendingMFA lists the users whose out-of-band challenge waits for
// ApproveMFA or DenyMFA.
func (s *Server) PendingMFA() []string { return s.Mock.PendingMFA() }

// ApproveMFA approves the pending out-of-band challenge of username.
func (s *Server) ApproveMFA(username string) {
	s.t.Helper()
	if err := s.Mock.ApproveMFA(username); err != nil {
		s.t.Fatalf("mocktest: ApproveMFA: %v", err)
	}
}

// DenyMFA refuses the pending out-of-band challenge of username.
func (s *Server) DenyMFA(username string) {
	s.t.Helper()
	if err := s.Mock.DenyMFA(username); err != nil {
		s.t.Fatalf("mocktest: DenyMFA: %v", err)
	}
}

// Close releases hanging requests and shuts the server down. It is safe to
// call more than once.
func (s *Server) Close() {
	s.Admin.Close()
	s.http.Close()
}

// Client returns an *http.Client for the server (no redirects followed, like
// any client of a token endpoint should be).
func (s *Server) Client() *http.Client {
	c := *s.http.Client()
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &c
}

// AddUser adds or replaces a resource owner.
func (s *Server) AddUser(u mockserver.User) {
	s.t.Helper()
	if err := s.Mock.AddUser(u); err != nil {
		s.t.Fatalf("mocktest: AddUser %q: %v", u.Username, err)
	}
}

// RemoveUser removes a resource owner.
func (s *Server) RemoveUser(username string) {
	s.t.Helper()
	if err := s.Mock.RemoveUser(username); err != nil {
		s.t.Fatalf("mocktest: RemoveUser %q: %v", username, err)
	}
}

// AddClient adds or replaces a client.
func (s *Server) AddClient(c mockserver.Client) {
	s.t.Helper()
	if err := s.Mock.AddClient(c); err != nil {
		s.t.Fatalf("mocktest: AddClient %q: %v", c.ClientID, err)
	}
}

// RemoveClient removes a client.
func (s *Server) RemoveClient(clientID string) {
	s.t.Helper()
	if err := s.Mock.RemoveClient(clientID); err != nil {
		s.t.Fatalf("mocktest: RemoveClient %q: %v", clientID, err)
	}
}

// Fault installs a fault rule and returns its id.
func (s *Server) Fault(r Rule) string {
	s.t.Helper()
	id, err := s.Admin.AddFault(r)
	if err != nil {
		s.t.Fatalf("mocktest: Fault: %v", err)
	}
	return id
}

// RemoveFault removes one fault rule.
func (s *Server) RemoveFault(id string) {
	s.t.Helper()
	if !s.Admin.RemoveFault(id) {
		s.t.Fatalf("mocktest: RemoveFault: no fault %q", id)
	}
}

// ClearFaults removes every fault rule.
func (s *Server) ClearFaults() { s.Admin.ClearFaults() }

// Requests returns the journal, oldest first. A request is in it from the
// moment it reaches the mock, so once a client call has returned (even one
// that stopped reading the answer) its requests can be counted without
// waiting.
func (s *Server) Requests() []Entry { return s.Admin.Requests() }

// ClearRequests empties the journal.
func (s *Server) ClearRequests() { s.Admin.ClearRequests() }

// Count returns how many journal entries have the given path and grant type
// ("" matches any), e.g. Count("/token", "password"). As in a fault Rule's
// Match, "/token" means the token endpoint (RFC 6749 §3.2) wherever the
// config serves it — a profile's path (/oauth/token,
// /oauth2/default/v1/token, /{tenant}/oauth2/v2.0/token,
// /realms/{realm}/protocol/openid-connect/token) or below the issuer's path
// — so one count works under every profile; any other path is compared as
// it is.
func (s *Server) Count(path, grantType string) int {
	n := 0
	for _, e := range s.Requests() {
		if s.pathMatches(path, e.Path) && (grantType == "" || e.GrantType == grantType) {
			n++
		}
	}
	return n
}

func (s *Server) pathMatches(want, got string) bool {
	if want == mockserver.PathToken {
		return s.Mock.IsTokenEndpoint(got)
	}
	return want == "" || want == got
}

// Now is the mock's current time.
func (s *Server) Now() time.Time { return s.Mock.Clock().Now() }

// Advance moves the mock's clock forward, e.g. past a token's expiry.
func (s *Server) Advance(d time.Duration) {
	s.t.Helper()
	if d <= 0 {
		s.t.Fatalf("mocktest: Advance(%s): want a positive duration", d)
	}
	s.Mock.Clock().Advance(d)
}

// SetTime pins the mock's clock at t.
func (s *Server) SetTime(t time.Time) { s.Mock.Clock().Set(t) }

// ResetClock returns the mock's clock to real time.
func (s *Server) ResetClock() { s.Mock.Clock().Reset() }

// Reset returns the mock to its starting config: store, clock (back at
// DeterministicEpoch under WithDeterministic), journal and faults.
func (s *Server) Reset() {
	s.t.Helper()
	if err := s.Admin.Reset(); err != nil {
		s.t.Fatalf("mocktest: Reset: %v", err)
	}
	if s.deterministic {
		s.Mock.Clock().Set(DeterministicEpoch)
	}
}

// DeterministicKey is the Ed25519 signing key WithDeterministic uses for seed.
// Ed25519 signatures are deterministic (RFC 8032 §5.1.6), so equal claims give
// byte-identical JWTs.
func DeterministicKey(seed uint64) ed25519.PrivateKey {
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], seed)
	sum := sha256.Sum256(append([]byte("ropc mocktest signing key "), b[:]...))
	return ed25519.NewKeyFromSeed(sum[:])
}

// seededReader is a ChaCha8 stream from seed (the mock serialises reads).
func seededReader(seed uint64) io.Reader {
	var key [32]byte
	binary.BigEndian.PutUint64(key[:], seed)
	return rand.NewChaCha8(key)
}
