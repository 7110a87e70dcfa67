// Package admin turns the mock token server into a test instrument: it wraps a
// *mockserver.Server with fault and quirk injection, a request journal and,
// under /_admin/, an HTTP API to drive both plus the clock, users and clients.
//
// The wrapper applies faults always, so faults from a config file apply; the
// journal is kept and the /_admin/ routes answer only when Options.Enabled is
// set, only to loopback clients addressing the server by a loopback name (or
// the issuer's host) and, with Options.Token, only to "Authorization: Bearer".
//
// Routes (JSON bodies; a bad one gets 400 {"error": "<field>: <reason>",
// "field": "<field>"} and changes nothing):
//
//	POST   /_admin/faults             a Rule -> 201 {"id": "f1"}
//	GET    /_admin/faults             the active rules, match order, "times" = uses left
//	DELETE /_admin/faults             remove all (config-file ones too) -> 204
//	DELETE /_admin/faults/{id}        remove one -> 204, 404 if unknown
//	GET    /_admin/requests           the journal, oldest first: [Entry, ...]
//	DELETE /_admin/requests           clear it -> 204
//	GET    /_admin/clock              {"now": RFC 3339}
//	POST   /_admin/clock              {"advance": "1h"} | {"set": "2030-01-01T00:00:00Z"} | {"reset": true} -> {"now": ...}
//	POST   /_admin/users              a config user object -> 201 (replaces a user of that name)
//	DELETE /_admin/users/{username}   -> 204, 404 if unknown
//	POST   /_admin/clients            a config client object -> 201 (replaces a client of that id)
//	DELETE /_admin/clients/{client_id} -> 204, 404 if unknown
//	POST   /_admin/reset              back to the loaded config: store, clock, journal, faults -> 204
//	GET    /_admin/mfa                {"pending": ["username", ...]}: users whose out-of-band challenge waits
//	POST   /_admin/mfa/approve        {"username": "..."}: approve its pending out-of-band challenge -> 204, 404 if none
//	POST   /_admin/mfa/deny           {"username": "..."}: refuse it -> 204, 404 if none
package admin

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/ropcgo/ropc/mockserver"
)

// Prefix is where the admin API lives.
const Prefix = "/_admin/"

// Options configure the admin layer.
type Options struct {
	// Enabled serves the /_admin/ API and keeps the journal; without it only
	// the faults run.
	Enabled bool
	// Token, when set, is required as "Authorization: Bearer <Token>" on /_admin/.
	Token string
	// Faults are rule objects from the config file ("faults"), applied first and
	// restored by Reset.
	Faults []json.RawMessage
	// AllowRemote serves /_admin/ to non-loopback clients too. Hosts where
	// RemoteAddr is never loopback (Cloudflare Workers) need it; New refuses it
	// without a Token, so a remote admin API is never open.
	AllowRemote bool
	// Logger receives admin actions; nil discards them.
	Logger *slog.Logger
}

// Handler is the mock wrapped with the admin layer. It is safe for concurrent use.
type Handler struct {
	srv     *mockserver.Server
	inner   http.Handler
	enabled bool
	remote  bool
	token   [sha256.Size]byte
	hasTok  bool
	logger  *slog.Logger
	api     *http.ServeMux

	rules   ruleSet
	journal journal

	mu          sync.Mutex // guards configRules
	configRules []Rule

	closeOnce sync.Once
	closing   chan struct{}
}

// New wraps srv. A bad rule in opts.Faults is refused with its index and field.
func New(srv *mockserver.Server, opts Options) (*Handler, error) {
	if srv == nil {
		return nil, errors.New("admin: nil mock server")
	}
	if opts.AllowRemote && opts.Token == "" {
		return nil, errors.New("admin: AllowRemote needs a Token: a remote admin API must require Authorization: Bearer")
	}
	rules, err := parseConfigFaults(opts.Faults)
	if err != nil {
		return nil, err
	}
	logger := opts.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	h := &Handler{
		srv:         srv,
		inner:       srv,
		enabled:     opts.Enabled,
		remote:      opts.AllowRemote,
		logger:      logger,
		configRules: rules,
		closing:     make(chan struct{}),
	}
	if opts.Token != "" {
		// Comparing fixed-size digests keeps the comparison constant-time even
		// in the token's length.
		h.token = sha256.Sum256([]byte(opts.Token))
		h.hasTok = true
	}
	h.rules.replaceConfig(rules, false)
	h.api = h.routes()
	return h, nil
}

// Close releases requests parked by the "hang" quirk (their connections are
// aborted). The handler keeps serving other requests.
func (h *Handler) Close() {
	h.closeOnce.Do(func() { close(h.closing) })
}

// ServeHTTP serves /_admin/ (when enabled) and passes everything else to the
// mock through the fault rules, recording it in the journal.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if h.enabled && (r.URL.Path == strings.TrimSuffix(Prefix, "/") || strings.HasPrefix(r.URL.Path, Prefix)) {
		h.serveAdmin(w, r)
		return
	}
	h.serveMock(w, r)
}

func (h *Handler) serveMock(w http.ResponseWriter, r *http.Request) {
	// Without the admin API nobody can read the journal, so it is not kept,
	// and a body is looked at only when a fault rule matches on its fields:
	// the common case costs one atomic load.
	formRules, anyRules := h.rules.needs()
	if !h.enabled && !anyRules {
		h.inner.ServeHTTP(w, r)
		return
	}
	p := parseRequest(r, h.enabled || formRules)
	var cw *captureWriter
	if h.enabled {
		seq := h.journal.add(Entry{
			Time: h.srv.Clock().Now(), Method: p.method, Path: p.path, GrantType: p.grantType,
			ClientID: p.clientID, ClientAuth: p.auth, Username: p.username, Scope: p.scope, DPoP: p.dpop,
		})
		cw = &captureWriter{ResponseWriter: w, j: &h.journal, seq: seq}
		// Deferred so the error code of an answer cut short (a hang aborted by
		// Close) is recorded too. Answers small enough to be buffered (all but
		// "oversized") reach the client only after this has run.
		defer func() {
			code := cw.errorCode()
			if code != "" {
				h.journal.update(seq, cw.status, code)
			}
			if reason := cw.dpopFailureReason(code); reason != "" {
				h.journal.modify(seq, func(e *Entry) { e.DPoPError = reason })
			}
		}()
	} else {
		cw = &captureWriter{ResponseWriter: w}
	}

	// A CORS preflight is the browser asking, not the client under test:
	// it must not use up a rule meant for the request that follows it.
	var rule Rule
	ok := false
	if r.Method != http.MethodOptions {
		rule, ok = h.rules.take(p)
	}
	if !ok {
		h.inner.ServeHTTP(cw, r)
		return
	}
	if d := time.Duration(rule.Delay); d > 0 {
		// The delay is the server's, not the client's: it must not use up the
		// time the client has to send its body (mockserver.ReadTimeout), or a
		// long delay would turn into a failed body read.
		_ = http.NewResponseController(w).SetReadDeadline(time.Now().Add(d + mockserver.ReadTimeout))
		t := time.NewTimer(d)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			return
		case <-h.closing:
			t.Stop()
			panic(http.ErrAbortHandler)
		}
	}
	// Fault answers reach browser clients on other origins like real ones.
	mockserver.SetCORS(cw.Header())
	switch {
	case rule.Quirk != "":
		h.serveQuirk(cw, r, rule)
	case rule.Status != 0 || rule.Error != "":
		status, code := rule.Status, rule.Error
		if status == 0 {
			status = http.StatusBadRequest // RFC 6749 §5.2
		}
		if code == "" {
			code = defaultErrorCode(status)
		}
		status = dpopFault(cw.Header(), h.srv, p.path, code, rule.ErrorDescription, rule.Status)
		if status == 0 {
			status = http.StatusBadRequest // RFC 6749 §5.2
		}
		writeOAuthError(cw, status, code, rule.ErrorDescription, rule.RetryAfter)
	default: // delay only
		h.inner.ServeHTTP(cw, r)
	}
}

// AddFault validates and installs rule, returning its id.
func (h *Handler) AddFault(rule Rule) (string, error) {
	if rule.ID != "" {
		return "", fieldErr("id", "is assigned by the server")
	}
	if err := rule.Validate(); err != nil {
		return "", err
	}
	id := h.rules.add(rule, false)
	h.logger.Info("admin: fault added", "id", id, "quirk", string(rule.Quirk), "status", rule.Status, "error", rule.Error)
	return id, nil
}

// RemoveFault removes one rule; false if there is none with that id.
func (h *Handler) RemoveFault(id string) bool { return h.rules.remove(id) }

// ClearFaults removes every rule, including those from the config file.
func (h *Handler) ClearFaults() { h.rules.clear() }

// Faults lists the active rules in match order; Times shows what is left.
func (h *Handler) Faults() []Rule { return h.rules.list() }

// Requests returns the journal, oldest first.
func (h *Handler) Requests() []Entry { return h.journal.list() }

// ClearRequests empties the journal.
func (h *Handler) ClearRequests() { h.journal.clear() }

// Reset puts the mock back to its loaded config: store and clock reset,
// journal cleared, faults back to the config file's.
func (h *Handler) Reset() error {
	if err := h.srv.Reset(); err != nil {
		return err
	}
	h.srv.Clock().Reset()
	h.journal.clear()
	h.mu.Lock()
	rules := h.configRules
	h.mu.Unlock()
	h.rules.replaceConfig(rules, false)
	return nil
}

// Reload swaps in a new config (SIGHUP): its faults are validated first, then
// the mock reloads users, clients and TTLs keeping issued tokens, then the
// config faults are replaced (faults added at run time stay). On any error
// nothing has changed.
func (h *Handler) Reload(cfg *mockserver.Config) error {
	if cfg == nil {
		return errors.New("admin: nil config")
	}
	rules, err := parseConfigFaults(cfg.Faults)
	if err != nil {
		return err
	}
	if err := h.srv.Reload(cfg); err != nil {
		return err
	}
	h.mu.Lock()
	h.configRules = rules
	h.mu.Unlock()
	h.rules.replaceConfig(rules, true)
	return nil
}

// authorize enforces loopback-only access and the optional bearer token.
func (h *Handler) authorize(w http.ResponseWriter, r *http.Request) bool {
	if !h.remote && !isLoopback(r.RemoteAddr) {
		h.logger.Warn("admin: refused non-loopback client", "remote", r.RemoteAddr)
		writeAdminError(w, http.StatusForbidden, "", "the admin API answers loopback clients only")
		return false
	}
	// DNS rebinding: a page on evil.example whose name is re-pointed at
	// 127.0.0.1 reaches this server from loopback with its own Origin, or none
	// on a same-origin GET. The Host header still names evil.example, so
	// only loopback names and the issuer's host are answered. A remote admin
	// API (AllowRemote) is guarded by its token instead.
	if !h.remote && !h.allowedHost(r.Host) {
		h.logger.Warn("admin: refused request for a foreign Host", "host", sanitizeHost(r.Host))
		h.journal.add(Entry{
			Time: h.srv.Clock().Now(), Method: r.Method, Path: r.URL.Path, ClientAuth: "none",
			Status: http.StatusForbidden, Error: "host_not_allowed",
		})
		writeAdminError(w, http.StatusForbidden, "", "the admin API answers only requests addressed to a loopback name or the issuer's host")
		return false
	}
	// RemoteAddr is loopback for a browser on this machine too: a web page the
	// developer visits (or one DNS-rebound to 127.0.0.1) could POST here.
	// Browsers send Origin on such requests; curl and test code do not.
	if origin := r.Header.Get("Origin"); origin != "" && !isLoopbackOrigin(origin) {
		h.logger.Warn("admin: refused cross-origin request", "origin", origin)
		writeAdminError(w, http.StatusForbidden, "", "the admin API refuses requests from web pages of other origins")
		return false
	}
	if !h.hasTok {
		return true
	}
	got, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	sum := sha256.Sum256([]byte(strings.TrimSpace(got)))
	if !ok || subtle.ConstantTimeCompare(sum[:], h.token[:]) != 1 {
		// RFC 6750 §3: a bearer challenge on the 401.
		w.Header().Set("WWW-Authenticate", `Bearer realm="ropc-mock-admin"`)
		writeAdminError(w, http.StatusUnauthorized, "", "the admin API needs Authorization: Bearer <admin token>")
		return false
	}
	return true
}

// allowedHost reports whether a request's Host names this server by a
// loopback literal, localhost (RFC 6761 §6.3: never sent to DNS) or the
// configured issuer's host.
func (h *Handler) allowedHost(hostport string) bool {
	host := hostport
	if hh, _, err := net.SplitHostPort(hostport); err == nil {
		host = hh
	}
	host = strings.ToLower(strings.TrimSuffix(strings.TrimPrefix(strings.TrimSuffix(host, "."), "["), "]"))
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return true
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return true
	}
	if iss := h.srv.Config().Issuer; iss != "" {
		if u, err := url.Parse(iss); err == nil && u.Hostname() != "" && strings.EqualFold(u.Hostname(), host) {
			return true
		}
	}
	return false
}

// sanitizeHost keeps a logged Host header short and printable.
func sanitizeHost(h string) string {
	if len(h) > 100 {
		h = h[:100]
	}
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return '?'
		}
		return r
	}, h)
}

func isLoopbackOrigin(origin string) bool {
	u, err := url.Parse(origin)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") {
		return false
	}
	host := u.Hostname()
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func isLoopback(remoteAddr string) bool {
	host, _, err := net.SplitHostPort(remoteAddr)
	if err != nil {
		host = remoteAddr
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
