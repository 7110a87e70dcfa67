package mockserver

import (
	"crypto"
	"crypto/sha256"
	"io"
	"log/slog"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Options are the host-side settings of a Server (things that are not in the
// JSON config).
type Options struct {
	// Store keeps mutable protocol state; nil means NewMemoryStore().
	Store Store
	// Clock is the server's time; nil means NewClock() (real time).
	Clock *Clock
	// Key signs JWT access tokens (ed25519.PrivateKey or *ecdsa.PrivateKey on
	// P-256). It wins over Config.SigningKey and KeyFile.
	Key crypto.Signer
	// KeyFile holds the private JWK; it is generated (mode 0600) if missing.
	// Used when neither Key nor Config.SigningKey is set. Empty and no other
	// key: a fresh key per Server (tokens do not survive a restart).
	KeyFile string
	// Rand is the source of token bytes and of a generated key. nil means
	// crypto/rand. A seeded reader plus a pinned Clock gives byte-identical
	// tokens (deterministic mode, for golden tests); never use it for
	// anything but tests.
	Rand io.Reader
	// Logger receives structured logs (never secrets); nil discards them.
	Logger *slog.Logger
}

// Server is the mock authorization server. It is an http.Handler.
type Server struct {
	store  Store
	clock  *Clock
	log    *slog.Logger
	rand   io.Reader
	randMu sync.Mutex // guards rand when it is not crypto/rand

	optKey  crypto.Signer
	keyFile string
	// overlapIO runs independent store calls of one request concurrently:
	// worth it for a networked store, pure overhead for the memory store.
	overlapIO bool
	// dpopReplay remembers the jti of accepted DPoP proofs (RFC 9449 §11.1).
	dpopReplay jtiCache

	evicted atomic.Uint64 // tokens the store dropped at the max_tokens limit
	// selfContainedRefresh: a grant's first refresh token carries its own
	// facts instead of being stored (refreshtoken.go); with the in-memory
	// store only. refreshEpoch is named by every such token; a new one (at
	// Reset) ends those issued before.
	selfContainedRefresh bool
	refreshEpoch         atomic.Uint64

	mu     sync.Mutex // serialises writers of state
	state  atomic.Pointer[state]
	loaded *Config // for Reset
}

// state is an immutable snapshot of the configuration; writers build a new
// one and swap it, so requests read it without locking.
type state struct {
	// profileState is the provider profile, if any (profile.go).
	profileState

	cfg        *Config
	issuerPath string // path of cfg.Issuer without a trailing "/": endpoints live under it
	clients    map[string]*clientEntry
	users      map[string]*userEntry
	key        *signingKey
	accessTTL  time.Duration
	refreshTTL time.Duration
	opaque     bool
	lockout    bool
	policy     LockoutPolicy
	scopes     []string // union of client scopes, sorted (scopes_supported)
	maxTokens  int
	// pwCost makes unknown usernames, plain and bcrypt passwords cost the
	// same time to check (password.go).
	pwCost *passwordCost
}

type clientEntry struct {
	Client
	secretHash [32]byte
	defaults   string // space-joined default scope
}

type userEntry struct {
	User
	pwHash [32]byte // SHA-256 of a plain password
	bcrypt []byte
}

// Defaults applied to zero config values.
const (
	DefaultAccessTokenTTL   = time.Hour
	DefaultRefreshTokenTTL  = 720 * time.Hour
	DefaultLockoutFailures  = 10
	DefaultLockoutWindow    = 5 * time.Minute
	DefaultLockoutDuration  = time.Minute
	defaultRealm            = "ropc-mock"
	refreshTokenRandomBytes = 32
)

// New builds a Server from cfg (validated; nil means DefaultConfig()).
func New(cfg *Config, opts Options) (*Server, error) {
	if cfg == nil {
		cfg = DefaultConfig()
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	s := &Server{
		store:   opts.Store,
		clock:   opts.Clock,
		log:     opts.Logger,
		rand:    opts.Rand,
		optKey:  opts.Key,
		keyFile: opts.KeyFile,
	}
	if s.store == nil {
		s.store = NewMemoryStore()
	}
	_, inMemory := s.store.(*memoryStore)
	s.overlapIO = !inMemory
	if s.selfContainedRefresh = inMemory; inMemory {
		if err := s.newRefreshEpoch(); err != nil {
			return nil, err
		}
	}
	if s.clock == nil {
		s.clock = NewClock()
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	st, err := s.buildState(cfg.clone(), nil)
	if err != nil {
		return nil, err
	}
	s.loaded = cfg.clone()
	s.state.Store(st)
	s.limitStore()
	return s, nil
}

// buildState resolves cfg into a snapshot. prev (may be nil) provides the
// key to keep when cfg does not name one.
func (s *Server) buildState(cfg *Config, prev *state) (*state, error) {
	st := &state{
		cfg:        cfg,
		issuerPath: issuerPath(cfg.Issuer),
		clients:    make(map[string]*clientEntry, len(cfg.Clients)),
		users:      make(map[string]*userEntry, len(cfg.Users)),
		accessTTL:  time.Duration(cfg.AccessTokenTTL),
		refreshTTL: time.Duration(cfg.RefreshTokenTTL),
		opaque:     cfg.TokenFormat == TokenFormatOpaque,
		lockout:    true,
		policy: LockoutPolicy{
			MaxFailures: DefaultLockoutFailures,
			Window:      DefaultLockoutWindow,
			Duration:    DefaultLockoutDuration,
		},
	}
	if st.accessTTL == 0 {
		st.accessTTL = DefaultAccessTokenTTL
	}
	if st.refreshTTL == 0 {
		st.refreshTTL = DefaultRefreshTokenTTL
	}
	st.maxTokens = cfg.MaxTokens
	if st.maxTokens == 0 {
		st.maxTokens = DefaultMaxTokens
	}
	if l := cfg.Lockout; l != nil {
		st.lockout = !l.Disabled && l.MaxFailures >= 0
		if l.MaxFailures > 0 {
			st.policy.MaxFailures = l.MaxFailures
		}
		if l.Window > 0 {
			st.policy.Window = time.Duration(l.Window)
		}
		if l.Duration > 0 {
			st.policy.Duration = time.Duration(l.Duration)
		}
	}
	seen := map[string]bool{}
	for _, c := range cfg.Clients {
		e := &clientEntry{Client: c, secretHash: sha256.Sum256([]byte(c.ClientSecret))}
		def := c.DefaultScopes
		if len(def) == 0 {
			def = c.Scopes
		}
		e.defaults = strings.Join(dedupe(def), " ")
		st.clients[c.ClientID] = e
		for _, sc := range c.Scopes {
			seen[sc] = true
		}
	}
	for sc := range seen {
		st.scopes = append(st.scopes, sc)
	}
	sort.Strings(st.scopes)
	for _, u := range cfg.Users {
		st.users[u.Username] = newUserEntry(u)
	}
	st.pwCost = newPasswordCost(cfg.Users)
	key, err := s.resolveKey(cfg, prev)
	if err != nil {
		return nil, err
	}
	st.key = key
	st.profileState = newProfileState(cfg)
	return st, nil
}

func newUserEntry(u User) *userEntry {
	e := &userEntry{User: u}
	if u.PasswordBcrypt != "" {
		e.bcrypt = []byte(u.PasswordBcrypt)
	} else {
		// Plain passwords are compared as SHA-256 digests with
		// subtle.ConstantTimeCompare: equal length, so no length leak, and
		// far cheaper than bcrypt on the hot path.
		e.pwHash = sha256.Sum256([]byte(u.Password))
	}
	return e
}

func (s *Server) resolveKey(cfg *Config, prev *state) (*signingKey, error) {
	var key crypto.Signer
	switch {
	case s.optKey != nil:
		key = s.optKey
	case len(cfg.SigningKey) > 0:
		k, err := parseSigningJWK(cfg.SigningKey)
		if err != nil {
			return nil, &ConfigError{Key: "signing_key", Problem: err.Error()}
		}
		key = k
	case prev != nil:
		return prev.key, nil
	case s.keyFile != "":
		k, err := LoadOrCreateKeyFile(s.keyFile, s.rand)
		if err != nil {
			return nil, err
		}
		key = k
	default:
		k, err := GenerateSigningKey(s.randReader())
		if err != nil {
			return nil, err
		}
		key = k
	}
	if prev != nil && keyFingerprint(prev.key.signer) == keyFingerprint(key) {
		return prev.key, nil
	}
	return newSigningKey(key)
}

// Clock returns the server's clock.
func (s *Server) Clock() *Clock { return s.clock }

// Store returns the server's store.
func (s *Server) Store() Store { return s.store }

// Logger returns the server's logger (never nil).
func (s *Server) Logger() *slog.Logger { return s.log }

func dedupe(scopes []string) []string {
	out := make([]string, 0, len(scopes))
	for _, s := range scopes {
		if !contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}
