package mockserver

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/url"
	"os"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"time"

	"golang.org/x/crypto/bcrypt"
)

// Token formats for Config.TokenFormat.
const (
	TokenFormatJWT    = "jwt"    // RFC 9068 JWT access tokens (default)
	TokenFormatOpaque = "opaque" // random strings, looked up in the Store
)

// Config is the JSON configuration of the mock. The zero values of the
// optional fields mean the defaults documented on each field.
type Config struct {
	// Issuer is the RFC 8414 issuer identifier. Empty means "derive it from
	// each request": http(s):// plus the Host header, which is what tests on a
	// random port want.
	Issuer string `json:"issuer,omitempty"`
	// Audience is the aud claim of access tokens; empty means the issuer.
	Audience string `json:"audience,omitempty"`
	// DPoPIatWindow is how far a DPoP proof's iat may lie from the mock's
	// clock, either way (RFC 9449 §11.1); 0 means 60s.
	DPoPIatWindow Duration `json:"dpop_iat_window,omitempty"`
	// AccessTokenTTL defaults to 1h, RefreshTokenTTL to 720h.
	AccessTokenTTL  Duration `json:"access_token_ttl,omitempty"`
	RefreshTokenTTL Duration `json:"refresh_token_ttl,omitempty"`
	// TokenFormat is "jwt" (default) or "opaque".
	TokenFormat string `json:"token_format,omitempty"`
	// SigningKey is a private JWK (EC P-256 or OKP Ed25519) used to sign JWT
	// access tokens, so they stay valid across restarts. Optional.
	SigningKey SecretJSON `json:"signing_key,omitempty"`
	// Lockout configures brute-force protection (RFC 6749 §4.3.2). nil means
	// the defaults: 10 failures within 5 minutes lock the username for 1 minute.
	Lockout *Lockout `json:"lockout,omitempty"`
	// MaxTokens bounds the tokens the in-memory store keeps (refresh tokens
	// plus opaque access tokens); past it the oldest are dropped, with a
	// warning in the log. 0 means DefaultMaxTokens (a million).
	MaxTokens int      `json:"max_tokens,omitempty"`
	Clients   []Client `json:"clients"`
	Users     []User   `json:"users"`
	// Faults are interpreted by package mockserver/admin; this package only
	// carries them.
	Faults []json.RawMessage `json:"faults,omitempty"`

	// Profile makes the mock answer like one identity provider: "rfc" (the
	// default, plain RFC 6749), "keycloak", "auth0", "okta" or "entra".
	// profiles.md lists the paths and answers of each.
	Profile string `json:"profile,omitempty"`
	// Realm is the Keycloak realm (keycloak profile; default "ropc").
	Realm string `json:"realm,omitempty"`
	// Realms are the connection names Auth0's password-realm grant accepts
	// (auth0 profile; default Username-Password-Authentication).
	Realms []string `json:"realms,omitempty"`
	// Tenant is the Entra ID tenant (entra profile; default
	// ropc.onmicrosoft.com).
	Tenant string `json:"tenant,omitempty"`
	// OOBInterval is the poll interval of an out-of-band challenge (auth0
	// and okta profiles; default 5s); polling faster answers slow_down.
	OOBInterval Duration `json:"oob_interval,omitempty"`
}

// Client is a registered OAuth client (RFC 6749 §2).
type Client struct {
	ClientID     string `json:"client_id"`
	ClientSecret string `json:"client_secret,omitempty"`
	// Public clients (RFC 6749 §2.1) have no secret and identify themselves
	// with client_id in the body.
	Public bool `json:"public,omitempty"`
	// Scopes the client may be granted.
	Scopes []string `json:"scopes,omitempty"`
	// DefaultScopes are granted when the request has no scope (RFC 6749
	// §3.3); empty means all of Scopes.
	DefaultScopes []string `json:"default_scopes,omitempty"`
	// DPoP (RFC 9449) is "allowed" (default: a proof binds the tokens, none
	// gives Bearer tokens) or "required" (a token request without a proof is
	// refused with invalid_dpop_proof); "ignored" plays a server without
	// DPoP (proofs unread, Bearer tokens).
	DPoP string `json:"dpop,omitempty"`
	// DPoPNonce makes the token endpoint demand a server nonce in proofs
	// (RFC 9449 §8): use_dpop_nonce with a fresh DPoP-Nonce until one comes.
	DPoPNonce bool `json:"dpop_nonce,omitempty"`
}

// User is a resource owner.
type User struct {
	Username string `json:"username"`
	// Exactly one of Password and PasswordBcrypt is set.
	Password       string `json:"password,omitempty"`
	PasswordBcrypt string `json:"password_bcrypt,omitempty"`
	// Claims are returned by /userinfo and added to introspection answers.
	Claims map[string]any `json:"claims,omitempty"`
	// MFA is the user's second factor (profiles other than rfc).
	MFA *MFA `json:"mfa,omitempty"`
	// RecoveryCodes are one-time codes that stand in for the second factor
	// (auth0 profile; other profiles ignore them). Each works once.
	RecoveryCodes []string `json:"recovery_codes,omitempty"`
	// State is the account state: "active" (default), "locked", "disabled",
	// "password_expired" or "setup_required".
	State string `json:"state,omitempty"`
}

// Lockout is the brute-force policy per username.
type Lockout struct {
	Disabled    bool     `json:"disabled,omitempty"`
	MaxFailures int      `json:"max_failures,omitempty"` // default 10
	Window      Duration `json:"window,omitempty"`       // default 5m
	Duration    Duration `json:"duration,omitempty"`     // default 1m
}

// String redacts the secret.
func (c Client) String() string {
	return fmt.Sprintf("Client{ClientID:%q Public:%t Scopes:%q secret:%s}", c.ClientID, c.Public, c.Scopes, redacted(c.ClientSecret))
}

// GoString redacts the secret.
func (c Client) GoString() string { return "mockserver." + c.String() }

// String redacts the password.
func (u User) String() string {
	pw := redacted(u.Password)
	if u.PasswordBcrypt != "" {
		pw = "bcrypt:[REDACTED]"
	}
	extra := ""
	if u.MFA != nil {
		extra += " mfa:" + u.MFA.Type
	}
	if len(u.RecoveryCodes) > 0 {
		extra += fmt.Sprintf(" recovery_codes:%d", len(u.RecoveryCodes))
	}
	if u.State != "" {
		extra += " state:" + u.State
	}
	return fmt.Sprintf("User{Username:%q password:%s claims:%d%s}", u.Username, pw, len(u.Claims), extra)
}

// GoString redacts the password.
func (u User) GoString() string { return "mockserver." + u.String() }

func redacted(s string) string {
	if s == "" {
		return `""`
	}
	return "[REDACTED]"
}

// SecretJSON is raw JSON that holds a secret (a private key). It marshals
// as-is but never prints.
type SecretJSON []byte

// MarshalJSON returns the raw JSON.
func (s SecretJSON) MarshalJSON() ([]byte, error) {
	if len(s) == 0 {
		return []byte("null"), nil
	}
	return s, nil
}

// UnmarshalJSON keeps a copy of the raw JSON.
func (s *SecretJSON) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*s = nil
		return nil
	}
	*s = append((*s)[:0], b...)
	return nil
}

// Format redacts the value for every verb.
func (s SecretJSON) Format(f fmt.State, _ rune) {
	if len(s) == 0 {
		_, _ = io.WriteString(f, "<none>")
		return
	}
	_, _ = io.WriteString(f, "[REDACTED]")
}

// String redacts.
func (s SecretJSON) String() string { return fmt.Sprint(s) }

// GoString redacts.
func (s SecretJSON) GoString() string { return fmt.Sprint(s) }

// Duration is a time.Duration that reads JSON as a Go duration string
// ("90s", "1h") or a number of seconds; it writes a Go duration string. The
// config file and the admin API's fault rules share it.
type Duration time.Duration

// MarshalJSON writes a Go duration string.
func (d Duration) MarshalJSON() ([]byte, error) { return json.Marshal(time.Duration(d).String()) }

// UnmarshalJSON accepts "1h30m" or 5400. A bad value is a DurationError.
func (d *Duration) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return DurationError(`must be a duration string such as "2s" or a number of seconds`)
		}
		v, err := time.ParseDuration(s)
		if err != nil {
			return DurationError(fmt.Sprintf("%q is not a duration (use e.g. \"500ms\", \"90s\", \"1h\")", s))
		}
		*d = Duration(v)
		return nil
	}
	n, err := strconv.ParseFloat(string(b), 64)
	if err != nil || n != n || n > float64(math.MaxInt64)/float64(time.Second) || n < float64(math.MinInt64)/float64(time.Second) {
		return DurationError(fmt.Sprintf("not a duration (want a string like \"1h\" or a number of seconds): %.40s", b))
	}
	*d = Duration(n * float64(time.Second))
	return nil
}

// DurationError is a JSON value that is not a duration. encoding/json drops
// the field name from an UnmarshalJSON error, so callers that know the field
// (the admin API's "delay") can find it with errors.As.
type DurationError string

func (e DurationError) Error() string { return string(e) }

// DefaultConfig is the built-in demo configuration: a confidential client
// (scopes read, write), a public client (read, write) and two users, with the
// credentials of demo.json (DemoCredentials).
func DefaultConfig() *Config {
	d := DemoCredentials()
	return &Config{
		Clients: []Client{
			{ClientID: d.ClientID, ClientSecret: d.ClientSecret, Scopes: []string{"read", "write"}},
			{ClientID: d.PublicClientID, Public: true, Scopes: []string{"read", "write"}},
		},
		Users: []User{
			{Username: d.Username, Password: d.Password, Claims: map[string]any{
				"name": "John Doe", "email": "johndoe@example.com", "email_verified": true,
			}},
			{Username: d.SecondUsername, Password: d.SecondPassword, Claims: map[string]any{
				"name": "Jane Doe", "email": "janedoe@example.com", "email_verified": true,
			}},
		},
	}
}

// ConfigError reports a bad configuration: the file, the JSON key path and
// what is wrong with it. It never contains a secret value.
type ConfigError struct {
	File    string // name given to ParseConfig / path of LoadConfig
	Key     string // e.g. "users[1].password"
	Problem string
}

func (e *ConfigError) Error() string {
	var b strings.Builder
	if e.File != "" {
		b.WriteString(e.File)
		b.WriteString(": ")
	}
	if e.Key != "" {
		b.WriteString(e.Key)
		b.WriteString(": ")
	}
	b.WriteString(e.Problem)
	return b.String()
}

// LoadConfig reads and validates a JSON config file.
func LoadConfig(path string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, &ConfigError{File: path, Problem: "cannot read: " + errors.Unwrap(err).Error()}
	}
	return ParseConfig(path, data)
}

// ParseConfig parses and validates JSON config; name is used in errors.
// Unknown keys are refused so that a typo does not silently fall back to a
// default.
func ParseConfig(name string, data []byte) (*Config, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var c Config
	if err := dec.Decode(&c); err != nil {
		return nil, &ConfigError{File: name, Key: jsonErrorKey(data, err), Problem: jsonErrorProblem(data, err)}
	}
	if dec.More() {
		return nil, &ConfigError{File: name, Problem: "trailing data after the JSON object"}
	}
	if err := c.Validate(); err != nil {
		var ce *ConfigError
		if errors.As(err, &ce) {
			ce.File = name
		}
		return nil, err
	}
	return &c, nil
}

func jsonErrorKey(data []byte, err error) string {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return te.Field
	}
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return "" // the problem gives line and column
	}
	// encoding/json names no path for an unknown field or a bad Duration:
	// find it by walking the document against Config's JSON shape.
	var doc any
	if json.Unmarshal(data, &doc) != nil {
		return ""
	}
	var bad []string
	badKeys(doc, reflect.TypeFor[Config](), "", &bad)
	if len(bad) == 0 {
		return ""
	}
	if name, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		name, _ = strconv.Unquote(name)
		for _, k := range bad {
			if k == name || strings.HasSuffix(k, "."+name) {
				return k
			}
		}
	}
	return bad[0]
}

// badKeys appends the path (as Validate writes it: "clients[0].scopes") of
// every key of doc that t does not have and of every value a Duration
// refuses.
func badKeys(doc any, t reflect.Type, path string, bad *[]string) {
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch {
	case t == reflect.TypeFor[Duration]():
		b, _ := json.Marshal(doc)
		var d Duration
		if d.UnmarshalJSON(b) != nil {
			*bad = append(*bad, path)
		}
	case t.Kind() == reflect.Struct:
		obj, _ := doc.(map[string]any)
		fields := make(map[string]reflect.Type, t.NumField())
		for i := range t.NumField() {
			name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
			fields[name] = t.Field(i).Type
		}
		keys := make([]string, 0, len(obj))
		for k := range obj {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			p := k
			if path != "" {
				p = path + "." + k
			}
			ft, ok := fields[k]
			if !ok {
				*bad = append(*bad, p)
				continue
			}
			badKeys(obj[k], ft, p, bad)
		}
	case t.Kind() == reflect.Slice && t.Elem().Kind() == reflect.Struct:
		arr, _ := doc.([]any)
		for i, el := range arr {
			badKeys(el, t.Elem(), fmt.Sprintf("%s[%d]", path, i), bad)
		}
	}
}

func jsonErrorProblem(data []byte, err error) string {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		line, col := lineCol(data, se.Offset)
		return fmt.Sprintf("invalid JSON at line %d column %d: %s", line, col, se.Error())
	}
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return fmt.Sprintf("wrong type: got JSON %s, want %s", te.Value, te.Type)
	}
	msg := err.Error()
	// encoding/json: `json: unknown field "x"` — keep it, it names the key.
	return strings.TrimPrefix(msg, "json: ")
}

func lineCol(data []byte, off int64) (int, int) {
	if off > int64(len(data)) {
		off = int64(len(data))
	}
	line, col := 1, 1
	for _, c := range data[:off] {
		if c == '\n' {
			line++
			col = 1
		} else {
			col++
		}
	}
	return line, col
}

// Validate checks the configuration. The returned error is a *ConfigError.
func (c *Config) Validate() error {
	bad := func(key, format string, args ...any) error {
		return &ConfigError{Key: key, Problem: fmt.Sprintf(format, args...)}
	}
	if c.Issuer != "" {
		u, err := url.Parse(c.Issuer)
		// RFC 8414 §2: https URL with no query or fragment; http allowed here
		// because the mock runs on loopback.
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
			return bad("issuer", "must be an http(s) URL with a host and no query or fragment")
		}
	}
	if c.AccessTokenTTL < 0 {
		return bad("access_token_ttl", "must not be negative")
	}
	if c.RefreshTokenTTL < 0 {
		return bad("refresh_token_ttl", "must not be negative")
	}
	if c.MaxTokens < 0 {
		return bad("max_tokens", "must not be negative (0 means the default, %d)", DefaultMaxTokens)
	}
	switch c.TokenFormat {
	case "", TokenFormatJWT, TokenFormatOpaque:
	default:
		return bad("token_format", "must be %q or %q", TokenFormatJWT, TokenFormatOpaque)
	}
	if len(c.SigningKey) > 0 {
		if _, err := parseSigningJWK(c.SigningKey); err != nil {
			return bad("signing_key", "%s", err.Error())
		}
	}
	if l := c.Lockout; l != nil && !l.Disabled {
		if l.MaxFailures < 0 {
			return bad("lockout.max_failures", "must not be negative")
		}
		if l.Window < 0 || l.Duration < 0 {
			return bad("lockout", "window and duration must not be negative")
		}
	}
	if c.DPoPIatWindow < 0 {
		return bad("dpop_iat_window", "must not be negative")
	}
	if len(c.Clients) == 0 {
		return bad("clients", "at least one client is required")
	}
	ids := map[string]bool{}
	for i, cl := range c.Clients {
		if err := validateClient(cl); err != nil {
			err.Key = fmt.Sprintf("clients[%d]%s", i, err.Key)
			return err
		}
		if ids[cl.ClientID] {
			return bad(fmt.Sprintf("clients[%d].client_id", i), "duplicate client_id %q", cl.ClientID)
		}
		ids[cl.ClientID] = true
	}
	names := map[string]bool{}
	for i, u := range c.Users {
		if err := validateUser(u); err != nil {
			err.Key = fmt.Sprintf("users[%d]%s", i, err.Key)
			return err
		}
		if names[u.Username] {
			return bad(fmt.Sprintf("users[%d].username", i), "duplicate username %q", u.Username)
		}
		names[u.Username] = true
	}
	return c.validateProfile()
}

func validateClient(cl Client) *ConfigError {
	bad := func(key, format string, args ...any) *ConfigError {
		return &ConfigError{Key: key, Problem: fmt.Sprintf(format, args...)}
	}
	if cl.ClientID == "" {
		return bad(".client_id", "is required")
	}
	if !isVSCHAR(cl.ClientID) {
		return bad(".client_id", "must be printable ASCII (RFC 6749 Appendix A.1)")
	}
	if cl.Public && cl.ClientSecret != "" {
		return bad(".client_secret", "a public client has no secret")
	}
	if !cl.Public && cl.ClientSecret == "" {
		return bad(".client_secret", "is required for a confidential client (or set \"public\": true)")
	}
	if cl.ClientSecret != "" && !isVSCHAR(cl.ClientSecret) {
		return bad(".client_secret", "must be printable ASCII (RFC 6749 Appendix A.2)")
	}
	for j, s := range cl.Scopes {
		if !isScopeToken(s) {
			return bad(fmt.Sprintf(".scopes[%d]", j), "%q is not a scope token (RFC 6749 §3.3)", s)
		}
	}
	for j, s := range cl.DefaultScopes {
		if !contains(cl.Scopes, s) {
			return bad(fmt.Sprintf(".default_scopes[%d]", j), "%q is not in scopes", s)
		}
	}
	return validateClientDPoP(cl)
}

func validateUser(u User) *ConfigError {
	bad := func(key, format string, args ...any) *ConfigError {
		return &ConfigError{Key: key, Problem: fmt.Sprintf(format, args...)}
	}
	if u.Username == "" {
		return bad(".username", "is required")
	}
	switch {
	case u.Password == "" && u.PasswordBcrypt == "":
		return bad(".password", "one of password or password_bcrypt is required")
	case u.Password != "" && u.PasswordBcrypt != "":
		return bad(".password_bcrypt", "give either password or password_bcrypt, not both")
	case u.PasswordBcrypt != "":
		if _, err := bcrypt.Cost([]byte(u.PasswordBcrypt)); err != nil {
			return bad(".password_bcrypt", "not a bcrypt hash")
		}
	}
	if _, ok := u.Claims["sub"]; ok {
		return bad(".claims.sub", "sub is the username and cannot be overridden")
	}
	return nil
}

// isVSCHAR: RFC 6749 Appendix A: %x20-7E.
func isVSCHAR(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] > 0x7e {
			return false
		}
	}
	return true
}

// isScopeToken: RFC 6749 §3.3 scope-token = 1*( %x21 / %x23-5B / %x5D-7E ).
func isScopeToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x21 || c > 0x7e || c == '"' || c == '\\' {
			return false
		}
	}
	return true
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// clone returns a deep copy (claims maps copied one level, which is what
// callers mutate).
func (c *Config) clone() *Config {
	if c == nil {
		return nil
	}
	n := *c
	n.SigningKey = append(SecretJSON(nil), c.SigningKey...)
	if c.Lockout != nil {
		l := *c.Lockout
		n.Lockout = &l
	}
	n.Clients = make([]Client, len(c.Clients))
	for i, cl := range c.Clients {
		cl.Scopes = append([]string(nil), cl.Scopes...)
		cl.DefaultScopes = append([]string(nil), cl.DefaultScopes...)
		n.Clients[i] = cl
	}
	n.Users = make([]User, len(c.Users))
	for i, u := range c.Users {
		u.Claims = cloneClaims(u.Claims)
		if u.MFA != nil {
			m := *u.MFA
			u.MFA = &m
		}
		u.RecoveryCodes = append([]string(nil), u.RecoveryCodes...)
		n.Users[i] = u
	}
	n.Faults = append([]json.RawMessage(nil), c.Faults...)
	n.Realms = append([]string(nil), c.Realms...)
	return &n
}

func cloneClaims(m map[string]any) map[string]any {
	if m == nil {
		return nil
	}
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}
