package mockserver

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/crypto/bcrypt"
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

	mu     sync.Mutex // serialises writers of state
	state  atomic.Pointer[state]
	loaded *Config // for Reset
}

// state is an immutable snapshot of the configuration; writers build a new
// one and swap it, so requests read it without locking.
type state struct {
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
	// dummyBcrypt is compared for unknown usernames when users have bcrypt
	// hashes, so both cost the same time.
	dummyBcrypt []byte
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
	maxBodyBytes            = 64 << 10
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
	st.dummyBcrypt = dummyBcryptFor(cfg.Users)
	key, err := s.resolveKey(cfg, prev)
	if err != nil {
		return nil, err
	}
	st.key = key
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

// randReader returns a reader safe for concurrent use.
func (s *Server) randReader() io.Reader {
	if s.rand == nil {
		return rand.Reader
	}
	return lockedReader{s}
}

type lockedReader struct{ s *Server }

func (l lockedReader) Read(p []byte) (int, error) {
	l.s.randMu.Lock()
	defer l.s.randMu.Unlock()
	return io.ReadFull(l.s.rand, p)
}

// randomBytes fills p from the server's random source.
func (s *Server) randomBytes(p []byte) error {
	if s.rand == nil {
		_, err := rand.Read(p)
		return err
	}
	_, err := lockedReader{s}.Read(p)
	return err
}

// randomIDs returns one base64url id per size (in bytes), from a single read.
func (s *Server) randomIDs(sizes ...int) ([]string, error) {
	total := 0
	for _, n := range sizes {
		total += n
	}
	var buf [128]byte
	raw := buf[:0]
	if total > len(buf) {
		raw = make([]byte, 0, total)
	}
	raw = raw[:total]
	if err := s.randomBytes(raw); err != nil {
		return nil, err
	}
	out := make([]string, len(sizes))
	for i, n := range sizes {
		out[i] = b64(raw[:n])
		raw = raw[n:]
	}
	return out, nil
}

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

// Clock returns the server's clock.
func (s *Server) Clock() *Clock { return s.clock }

// Store returns the server's store.
func (s *Server) Store() Store { return s.store }

// Logger returns the server's logger (never nil).
func (s *Server) Logger() *slog.Logger { return s.log }

// Config returns a copy of the current configuration (including users and
// clients added at run time).
func (s *Server) Config() *Config { return s.state.Load().cfg.clone() }

// update applies f to a copy of the current config and swaps in the result.
func (s *Server) update(f func(c *Config) error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	cur := s.state.Load()
	cfg := cur.cfg.clone()
	if err := f(cfg); err != nil {
		return err
	}
	if err := cfg.Validate(); err != nil {
		return err
	}
	st, err := s.buildState(cfg, cur)
	if err != nil {
		return err
	}
	s.state.Store(st)
	return nil
}

// AddUser adds a user, or replaces the user with the same username.
func (s *Server) AddUser(u User) error {
	return s.update(func(c *Config) error {
		c.Users = upsert(c.Users, u, func(x User) bool { return x.Username == u.Username })
		return nil
	})
}

// RemoveUser removes a user; its tokens stop working at the next refresh
// and at /userinfo. ErrNotFound if there is no such user.
func (s *Server) RemoveUser(username string) error {
	return s.update(func(c *Config) error {
		var ok bool
		if c.Users, ok = remove(c.Users, func(x User) bool { return x.Username == username }); !ok {
			return fmt.Errorf("user %q: %w", username, ErrNotFound)
		}
		return nil
	})
}

// AddClient adds a client, or replaces the client with the same client_id.
func (s *Server) AddClient(cl Client) error {
	return s.update(func(c *Config) error {
		c.Clients = upsert(c.Clients, cl, func(x Client) bool { return x.ClientID == cl.ClientID })
		return nil
	})
}

// RemoveClient removes a client. ErrNotFound if there is no such client.
func (s *Server) RemoveClient(clientID string) error {
	return s.update(func(c *Config) error {
		var ok bool
		if c.Clients, ok = remove(c.Clients, func(x Client) bool { return x.ClientID == clientID }); !ok {
			return fmt.Errorf("client %q: %w", clientID, ErrNotFound)
		}
		return nil
	})
}

// upsert replaces the element that is the same as v, or appends v.
func upsert[T any](list []T, v T, same func(T) bool) []T {
	if i := slices.IndexFunc(list, same); i >= 0 {
		list[i] = v
		return list
	}
	return append(list, v)
}

// remove deletes the element that match selects and reports whether there was one.
func remove[T any](list []T, match func(T) bool) ([]T, bool) {
	i := slices.IndexFunc(list, match)
	if i < 0 {
		return list, false
	}
	return slices.Delete(list, i, i+1), true
}

// Reload swaps in a new configuration (users, clients, TTLs, lockout, token
// format) and keeps the store, so issued tokens stay valid. The signing key
// changes only if cfg names a different one. It also becomes the config
// Reset returns to.
func (s *Server) Reload(cfg *Config) error {
	if cfg == nil {
		return errors.New("mockserver: Reload: nil config")
	}
	if err := cfg.Validate(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	st, err := s.buildState(cfg.clone(), s.state.Load())
	if err != nil {
		return err
	}
	s.loaded = cfg.clone()
	s.state.Store(st)
	s.log.Info("config reloaded", "clients", len(cfg.Clients), "users", len(cfg.Users))
	return nil
}

// Reset returns to the loaded (or last reloaded) config, clears the store
// and resets the clock to real time.
func (s *Server) Reset() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	st, err := s.buildState(s.loaded.clone(), s.state.Load())
	if err != nil {
		return err
	}
	if err := s.store.Clear(context.Background()); err != nil {
		return err
	}
	s.clock.Reset()
	s.state.Store(st)
	return nil
}

// verifyPassword checks the password in constant time. For an unknown user
// it still does the work a real user would cost — a digest compare, or a
// bcrypt compare at the configured cost when the config has bcrypt users —
// so response time does not tell which usernames exist.
func verifyPassword(st *state, u *userEntry, password string) bool {
	if u == nil {
		if st.dummyBcrypt != nil {
			_ = bcrypt.CompareHashAndPassword(st.dummyBcrypt, []byte(password))
			return false
		}
		d := sha256.Sum256([]byte(password))
		_ = constantTimeEq(d[:], dummyDigest[:])
		return false
	}
	if u.bcrypt != nil {
		return bcrypt.CompareHashAndPassword(u.bcrypt, []byte(password)) == nil
	}
	d := sha256.Sum256([]byte(password))
	return constantTimeEq(d[:], u.pwHash[:])
}

// dummyBcryptFor returns a bcrypt hash at the cost of the config's first
// bcrypt user (nil if there is none), made once per cost.
func dummyBcryptFor(users []User) []byte {
	for _, u := range users {
		if u.PasswordBcrypt == "" {
			continue
		}
		cost, err := bcrypt.Cost([]byte(u.PasswordBcrypt))
		if err != nil {
			return nil
		}
		dummyMu.Lock()
		defer dummyMu.Unlock()
		if h, ok := dummyHashes[cost]; ok {
			return h
		}
		h, err := bcrypt.GenerateFromPassword([]byte("ropc-mock: no such user"), cost)
		if err != nil {
			return nil
		}
		dummyHashes[cost] = h
		return h
	}
	return nil
}

var (
	dummyMu     sync.Mutex
	dummyHashes = map[int][]byte{}
)

var dummyDigest = sha256.Sum256([]byte("ropc-mock: no such user"))

func dedupe(scopes []string) []string {
	out := make([]string, 0, len(scopes))
	for _, s := range scopes {
		if !contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}
