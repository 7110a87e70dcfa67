package admin

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"reflect"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ropcgo/ropc/mockserver"
)

// Rule is one fault: when a request matches, the rule delays it, answers with an
// error, or bends the real answer with a quirk. Every field is optional.
type Rule struct {
	// ID is assigned by the server; it is refused on input.
	ID    string `json:"id,omitempty"`
	Match Match  `json:"match"`
	// Times is how many matching requests the rule applies to; 0 means until removed.
	Times int `json:"times,omitempty"`
	// Delay is added before answering (Go duration syntax, "2s"); the request's
	// context cuts it short when the client gives up.
	Delay Duration `json:"delay,omitempty"`
	Quirk Quirk    `json:"quirk,omitempty"`
	// Status, Error, ErrorDescription and RetryAfter make an RFC 6749 §5.2 error answer.
	Status           int    `json:"status,omitempty"`
	Error            string `json:"error,omitempty"`
	ErrorDescription string `json:"error_description,omitempty"`
	RetryAfter       int    `json:"retry_after,omitempty"` // seconds, RFC 9110 §10.2.3
	// Location is the target of the "redirect" quirk.
	Location string `json:"location,omitempty"`
}

// Match selects requests; an empty field matches anything.
type Match struct {
	Path      string `json:"path,omitempty"`
	Username  string `json:"username,omitempty"`
	ClientID  string `json:"client_id,omitempty"`
	GrantType string `json:"grant_type,omitempty"`
}

// Duration is the mock's one duration type: a Go duration string ("2s") or a number of seconds in JSON.
type Duration = mockserver.Duration

// maxDelay bounds "delay" so a typo cannot park a request for a day.
const maxDelay = 10 * time.Minute

// FieldError is a bad admin input; Field names the offending JSON field.
type FieldError struct {
	Field  string
	Reason string
}

func (e *FieldError) Error() string {
	if e.Field == "" {
		return e.Reason
	}
	return e.Field + ": " + e.Reason
}

func fieldErr(field, format string, args ...any) error {
	return &FieldError{Field: field, Reason: fmt.Sprintf(format, args...)}
}

// ParseRule decodes and validates one rule strictly: unknown fields, unknown
// quirks, bad durations and contradictory fields are refused.
func ParseRule(data []byte) (Rule, error) {
	var r Rule
	if err := decodeStrict(data, &r); err != nil {
		return Rule{}, err
	}
	if r.ID != "" {
		return Rule{}, fieldErr("id", "is assigned by the server")
	}
	if err := r.Validate(); err != nil {
		return Rule{}, err
	}
	return r, nil
}

// decodeStrict decodes exactly one JSON object, refusing unknown fields, and
// turns decoder errors into FieldErrors that name the field.
func decodeStrict(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return jsonFieldError(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return fieldErr("", "body must hold exactly one JSON object")
	}
	return nil
}

func jsonFieldError(err error) error {
	var typeErr *json.UnmarshalTypeError
	var syntaxErr *json.SyntaxError
	switch {
	case errors.As(err, &typeErr):
		return fieldErr(typeErr.Field, "must be a JSON %s", jsonKind(typeErr.Type.Kind()))
	case errors.As(err, &syntaxErr):
		return fieldErr("", "invalid JSON at byte %d", syntaxErr.Offset)
	case errors.Is(err, io.EOF):
		return fieldErr("", "body must hold a JSON object")
	}
	msg := err.Error()
	const unknown = "json: unknown field "
	if len(msg) > len(unknown) && msg[:len(unknown)] == unknown {
		name, uerr := strconv.Unquote(msg[len(unknown):])
		if uerr != nil {
			name = msg[len(unknown):]
		}
		return fieldErr(name, "unknown field")
	}
	// encoding/json returns an UnmarshalJSON error without the field name.
	var de mockserver.DurationError
	if errors.As(err, &de) {
		return fieldErr("delay", "%s", string(de))
	}
	return fieldErr("", "%s", trimJSONPrefix(msg))
}

func jsonKind(k reflect.Kind) string {
	switch k {
	case reflect.String:
		return "string"
	case reflect.Bool:
		return "boolean"
	case reflect.Struct, reflect.Map:
		return "object"
	case reflect.Slice, reflect.Array:
		return "array"
	default:
		return "number"
	}
}

func trimJSONPrefix(s string) string {
	const p = "json: "
	if len(s) > len(p) && s[:len(p)] == p {
		return s[len(p):]
	}
	return s
}

// Validate checks the rule's fields against each other.
func (r Rule) Validate() error {
	if r.Times < 0 {
		return fieldErr("times", "must be 0 (until removed) or more")
	}
	d := time.Duration(r.Delay)
	if d < 0 || d > maxDelay {
		return fieldErr("delay", "must be between 0s and %s", maxDelay)
	}
	if r.Quirk != "" && !r.Quirk.known() {
		return fieldErr("quirk", "unknown quirk %q (known: %s)", string(r.Quirk), knownQuirkList())
	}
	if r.Status != 0 && (r.Status < 200 || r.Status > 599) {
		return fieldErr("status", "must be an HTTP status between 200 and 599")
	}
	if r.RetryAfter < 0 {
		return fieldErr("retry_after", "must be 0 or more seconds")
	}
	if err := checkErrorChars("error", r.Error); err != nil {
		return err
	}
	if err := checkErrorChars("error_description", r.ErrorDescription); err != nil {
		return err
	}
	if r.ErrorDescription != "" && r.Error == "" && r.Status == 0 && r.Quirk != QuirkErrorWith200 && r.Quirk != QuirkInvalidGrant401 {
		return fieldErr("error_description", "needs error or status (or quirk error_with_200 / invalid_grant_401)")
	}
	if r.Location != "" && r.Quirk != QuirkRedirect {
		return fieldErr("location", "is only used with quirk redirect")
	}
	switch r.Quirk {
	case QuirkRedirect:
		u, err := url.Parse(r.Location)
		if r.Location == "" || err != nil || !u.IsAbs() {
			return fieldErr("location", "quirk redirect needs an absolute URL")
		}
	case QuirkHTMLError:
		if r.Status != 0 && r.Status < 400 {
			return fieldErr("status", "quirk html_error needs a status of 400 or more")
		}
		if r.Error != "" {
			return fieldErr("error", "is not used with quirk html_error")
		}
	case QuirkErrorWith200:
		if r.Status != 0 && r.Status != 200 {
			return fieldErr("status", "quirk error_with_200 always answers 200")
		}
	case QuirkInvalidGrant401:
		if r.Status != 0 && r.Status != 401 {
			return fieldErr("status", "quirk invalid_grant_401 always answers 401")
		}
		if r.Error != "" && r.Error != "invalid_grant" {
			return fieldErr("error", "quirk invalid_grant_401 always answers invalid_grant")
		}
	case "":
		if r.Status != 0 && r.Status < 400 && r.Error == "" {
			return fieldErr("status", "an error answer needs a status of 400 or more (or an error code)")
		}
	default:
		if r.Status != 0 {
			return fieldErr("status", "is not used with quirk %s", r.Quirk)
		}
		if r.Error != "" {
			return fieldErr("error", "is not used with quirk %s", r.Quirk)
		}
	}
	if r.RetryAfter != 0 && !r.answersError() {
		return fieldErr("retry_after", "needs status or error (or quirk html_error)")
	}
	if d == 0 && r.Quirk == "" && r.Status == 0 && r.Error == "" {
		return fieldErr("", "rule does nothing: set delay, quirk, status or error")
	}
	return nil
}

// answersError reports whether the rule replaces the answer with a plain error.
func (r Rule) answersError() bool {
	return r.Quirk == "" && (r.Status != 0 || r.Error != "") || r.Quirk == QuirkHTMLError
}

// checkErrorChars enforces RFC 6749 §5.2: error and error_description use
// %x20-21 / %x23-5B / %x5D-7E only (no '"' nor '\').
func checkErrorChars(field, s string) error {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c > 0x7e || c == '"' || c == '\\' {
			return fieldErr(field, "RFC 6749 §5.2 allows only printable ASCII without '\"' and '\\'")
		}
	}
	if field == "error" && len(s) > 0 && bytes.IndexByte([]byte(s), ' ') >= 0 {
		return fieldErr(field, "an error code has no spaces")
	}
	return nil
}

// matches reports whether the rule selects the request.
func (m Match) matches(p *parsedRequest) bool {
	return (m.Path == "" || m.Path == p.path) &&
		(m.Username == "" || m.Username == p.username) &&
		(m.ClientID == "" || m.ClientID == p.clientID) &&
		(m.GrantType == "" || m.GrantType == p.grantType)
}

// activeRule is a rule with its remaining count and where it came from.
type activeRule struct {
	Rule
	left       int  // remaining applications when Times > 0
	fromConfig bool // config rules come back on Reset and are swapped on Reload
}

// ruleSet holds rules in order; the first match wins.
type ruleSet struct {
	mu    sync.Mutex
	rules []*activeRule
	seq   int
	// counts summarises rules for the lock-free fast path: the number of
	// rules in the low 32 bits, of rules matching on form fields above.
	counts atomic.Uint64
}

// needs reports whether any rule matches on a form field (so the body must
// be read) and whether there is any rule at all.
func (s *ruleSet) needs() (form, any bool) {
	c := s.counts.Load()
	return c>>32 != 0, c&(1<<32-1) != 0
}

// recount refreshes counts; callers hold mu.
func (s *ruleSet) recount() {
	var form uint64
	for _, r := range s.rules {
		if r.Match.Username != "" || r.Match.ClientID != "" || r.Match.GrantType != "" {
			form++
		}
	}
	s.counts.Store(form<<32 | uint64(len(s.rules)))
}

func (s *ruleSet) nextID() string {
	s.seq++
	return "f" + strconv.Itoa(s.seq)
}

func (s *ruleSet) add(r Rule, fromConfig bool) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	r.ID = s.nextID()
	s.rules = append(s.rules, &activeRule{Rule: r, left: r.Times, fromConfig: fromConfig})
	s.recount()
	return r.ID
}

// replaceConfig swaps the config rules for rules, keeping rules added at run time
// after them; with keepRuntime false, run-time rules are dropped too (Reset).
func (s *ruleSet) replaceConfig(rules []Rule, keepRuntime bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	next := make([]*activeRule, 0, len(rules)+len(s.rules))
	for _, r := range rules {
		r.ID = s.nextID()
		next = append(next, &activeRule{Rule: r, left: r.Times, fromConfig: true})
	}
	if keepRuntime {
		for _, r := range s.rules {
			if !r.fromConfig {
				next = append(next, r)
			}
		}
	}
	s.rules = next
	s.recount()
}

func (s *ruleSet) remove(id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, r := range s.rules {
		if r.ID == id {
			s.rules = append(s.rules[:i:i], s.rules[i+1:]...)
			s.recount()
			return true
		}
	}
	return false
}

func (s *ruleSet) clear() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rules = nil
	s.recount()
}

// list returns copies of the rules, with Times showing what is left.
func (s *ruleSet) list() []Rule {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Rule, 0, len(s.rules))
	for _, r := range s.rules {
		c := r.Rule
		c.Times = r.left
		out = append(out, c)
	}
	return out
}

// take finds the first matching rule and uses up one application of it, under
// one lock so concurrent requests never share a "times: 1" rule.
func (s *ruleSet) take(p *parsedRequest) (Rule, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, r := range s.rules {
		if !r.Match.matches(p) {
			continue
		}
		if r.Times > 0 {
			r.left--
			if r.left <= 0 {
				s.rules = append(s.rules[:i:i], s.rules[i+1:]...)
				s.recount()
			}
		}
		return r.Rule, true
	}
	return Rule{}, false
}

// parseConfigFaults parses the config file's "faults" entries, naming the index
// of a bad one.
func parseConfigFaults(raw []json.RawMessage) ([]Rule, error) {
	rules := make([]Rule, 0, len(raw))
	for i, m := range raw {
		r, err := ParseRule(m)
		if err != nil {
			var fe *FieldError
			if errors.As(err, &fe) {
				name := fmt.Sprintf("faults[%d]", i)
				if fe.Field != "" {
					name += "." + fe.Field
				}
				return nil, &FieldError{Field: name, Reason: fe.Reason}
			}
			return nil, fmt.Errorf("faults[%d]: %w", i, err)
		}
		rules = append(rules, r)
	}
	return rules, nil
}
