package admin

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"mime"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
)

// Quirk names a way real token servers bend RFC 6749; the mock reproduces it so
// a client can be tested against it.
type Quirk string

// The quirks. Those marked "rewrite" run the real mock and alter its answer
// (an error answer passes unchanged); the others answer without calling the
// mock, so no token is issued and no failed login is counted.
const (
	QuirkExpiresInString    Quirk = "expires_in_string"    // rewrite: "expires_in": "3600" (PayPal, Azure AD)
	QuirkExpiresInMissing   Quirk = "expires_in_missing"   // rewrite: no expires_in (RFC 6749 §5.1 only RECOMMENDS it)
	QuirkTokenTypeMissing   Quirk = "token_type_missing"   // rewrite: no token_type (LinkedIn)
	QuirkTokenTypeLowercase Quirk = "token_type_lowercase" // rewrite: "bearer" (RFC 6749 §5.1: case-insensitive)
	QuirkFormEncoded        Quirk = "form_encoded"         // rewrite: application/x-www-form-urlencoded body
	QuirkErrorWith200       Quirk = "error_with_200"       // an RFC 6749 §5.2 error body with HTTP 200
	QuirkInvalidGrant401    Quirk = "invalid_grant_401"    // invalid_grant with 401 instead of §5.2's 400
	QuirkHTMLError          Quirk = "html_error"           // a proxy's text/html error page (status, default 502)
	QuirkMalformedJSON      Quirk = "malformed_json"       // rewrite: the body cut in half, error or not
	QuirkNoRefreshToken     Quirk = "no_refresh_token"     // rewrite: no refresh_token (RFC 6749 §5.1: OPTIONAL)
	QuirkRedirect           Quirk = "redirect"             // 307 to the rule's location
	QuirkHang               Quirk = "hang"                 // no answer until the client gives up
	QuirkOversized          Quirk = "oversized"            // an endless-looking body, streamed
)

var allQuirks = []Quirk{
	QuirkExpiresInString, QuirkExpiresInMissing, QuirkTokenTypeMissing, QuirkTokenTypeLowercase,
	QuirkFormEncoded, QuirkErrorWith200, QuirkInvalidGrant401, QuirkHTMLError, QuirkMalformedJSON,
	QuirkNoRefreshToken, QuirkRedirect, QuirkHang, QuirkOversized,
}

// Quirks lists every quirk name the admin API accepts.
func Quirks() []Quirk { return append([]Quirk(nil), allQuirks...) }

func (q Quirk) known() bool {
	for _, k := range allQuirks {
		if q == k {
			return true
		}
	}
	return false
}

func knownQuirkList() string {
	names := make([]string, len(allQuirks))
	for i, q := range allQuirks {
		names[i] = string(q)
	}
	return strings.Join(names, ", ")
}

// OversizedBytes is how much the "oversized" quirk streams: far over any sane
// client limit (the SDK's default is 1 MiB), generated on the fly.
const OversizedBytes = 16 << 20

// maxInnerBody bounds how much of the real mock's answer a rewriting quirk
// buffers; mock answers are a few KiB.
const maxInnerBody = 1 << 20

// innerRecorder buffers the real mock's answer so a quirk can rewrite it. (Not
// httptest.ResponseRecorder: importing httptest registers a flag in ropc-mock.)
type innerRecorder struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func newInnerRecorder() *innerRecorder { return &innerRecorder{header: http.Header{}} }

func (r *innerRecorder) Header() http.Header { return r.header }

func (r *innerRecorder) WriteHeader(status int) {
	if r.status == 0 {
		r.status = status
	}
}

func (r *innerRecorder) Write(p []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	if r.body.Len()+len(p) > maxInnerBody {
		return 0, fmt.Errorf("admin: mock answer over %d bytes", maxInnerBody)
	}
	return r.body.Write(p)
}

func (r *innerRecorder) code() int {
	if r.status == 0 {
		return http.StatusOK
	}
	return r.status
}

// send writes the (possibly rewritten) answer, fixing Content-Length and type.
func (r *innerRecorder) send(w http.ResponseWriter, contentType string, body []byte) {
	h := w.Header()
	for k, v := range r.header {
		h[k] = v
	}
	h.Del("Content-Length")
	if contentType != "" {
		h.Set("Content-Type", contentType)
	}
	w.WriteHeader(r.code())
	_, _ = w.Write(body)
}

func mediaType(contentType string) string {
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		return ""
	}
	return mt
}

// jsonObject decodes the recorded body as a JSON object, keeping numbers exact.
func (r *innerRecorder) jsonObject() (map[string]any, bool) {
	if mediaType(r.header.Get("Content-Type")) != "application/json" {
		return nil, false
	}
	dec := json.NewDecoder(bytes.NewReader(r.body.Bytes()))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil || m == nil {
		return nil, false
	}
	return m, true
}

// serveQuirk answers req according to rule.Quirk; inner is the real mock.
func (h *Handler) serveQuirk(w http.ResponseWriter, req *http.Request, rule Rule) {
	switch rule.Quirk {
	case QuirkErrorWith200:
		code := rule.Error
		if code == "" {
			code = "invalid_grant"
		}
		writeOAuthError(w, http.StatusOK, code, describe(rule, "an error answered with HTTP 200"), 0)
	case QuirkInvalidGrant401:
		writeOAuthError(w, http.StatusUnauthorized, "invalid_grant", describe(rule, "invalid_grant answered with HTTP 401"), 0)
	case QuirkHTMLError:
		status := rule.Status
		if status == 0 {
			status = http.StatusBadGateway
		}
		writeHTMLError(w, status, rule.RetryAfter)
	case QuirkRedirect:
		// RFC 9110 §15.4.8: 307 keeps method and body, so a client that follows
		// it would re-POST the password to Location.
		w.Header().Set("Location", rule.Location)
		w.WriteHeader(http.StatusTemporaryRedirect)
	case QuirkHang:
		h.hang(req)
	case QuirkOversized:
		streamOversized(w, req)
	default:
		h.rewrite(w, req, rule.Quirk)
	}
}

func describe(rule Rule, def string) string {
	if rule.ErrorDescription != "" {
		return rule.ErrorDescription
	}
	return "injected by the mock: " + def
}

// rewrite runs the real mock and bends its answer. An answer the quirk does not
// apply to (e.g. an error for expires_in_string) goes out unchanged.
func (h *Handler) rewrite(w http.ResponseWriter, req *http.Request, q Quirk) {
	rec := newInnerRecorder()
	h.inner.ServeHTTP(rec, req)
	body := rec.body.Bytes()
	if q == QuirkMalformedJSON {
		cut := body[:len(body)/2]
		if len(cut) == 0 {
			cut = []byte(`{"access_token":`)
		}
		rec.send(w, "", cut)
		return
	}
	m, ok := rec.jsonObject()
	if !ok {
		rec.send(w, "", body)
		return
	}
	success := rec.code() == http.StatusOK && m["access_token"] != nil
	switch q {
	case QuirkFormEncoded:
		rec.send(w, "application/x-www-form-urlencoded", []byte(formEncode(m)))
		return
	case QuirkExpiresInString:
		if n, ok := m["expires_in"].(json.Number); ok && success {
			m["expires_in"] = n.String()
		}
	case QuirkExpiresInMissing:
		if success {
			delete(m, "expires_in")
		}
	case QuirkTokenTypeMissing:
		if success {
			delete(m, "token_type")
		}
	case QuirkTokenTypeLowercase:
		if tt, ok := m["token_type"].(string); ok && success {
			m["token_type"] = strings.ToLower(tt)
		}
	case QuirkNoRefreshToken:
		if success {
			delete(m, "refresh_token")
		}
	}
	out, err := json.Marshal(m)
	if err != nil {
		rec.send(w, "", body)
		return
	}
	rec.send(w, "", out)
}

// formEncode turns a JSON object into a form body: strings and numbers as
// written, anything else as its JSON text. Keys are sorted for stable output.
func formEncode(m map[string]any) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for _, k := range keys {
		var v string
		switch x := m[k].(type) {
		case string:
			v = x
		case json.Number:
			v = x.String()
		case nil:
			continue
		default:
			j, _ := json.Marshal(x)
			v = string(j)
		}
		if b.Len() > 0 {
			b.WriteByte('&')
		}
		b.WriteString(url.QueryEscape(k))
		b.WriteByte('=')
		b.WriteString(url.QueryEscape(v))
	}
	return b.String()
}

// hang parks the request until the client gives up or the handler closes; on
// close it aborts the connection so a test server's Close does not wait.
func (h *Handler) hang(req *http.Request) {
	select {
	case <-req.Context().Done():
	case <-h.closing:
		panic(http.ErrAbortHandler)
	}
}

// streamOversized writes OversizedBytes of a JSON-looking body in chunks, so
// nothing near that size is ever held in memory.
func streamOversized(w http.ResponseWriter, req *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(OversizedBytes))
	w.WriteHeader(http.StatusOK)
	head := []byte(`{"access_token":"`)
	tail := []byte(`"}`)
	chunk := bytes.Repeat([]byte("A"), 32<<10)
	if _, err := w.Write(head); err != nil {
		return
	}
	left := OversizedBytes - len(head) - len(tail)
	for left > 0 {
		if req.Context().Err() != nil {
			return
		}
		n := min(left, len(chunk))
		if _, err := w.Write(chunk[:n]); err != nil {
			return
		}
		left -= n
	}
	_, _ = w.Write(tail)
}

// writeOAuthError answers with an RFC 6749 §5.2 error body.
func writeOAuthError(w http.ResponseWriter, status int, code, description string, retryAfter int) {
	h := w.Header()
	h.Set("Content-Type", "application/json;charset=UTF-8")
	// RFC 6749 §5.1 asks for no-store on token answers; errors get it too so
	// no cache replays an injected failure.
	h.Set("Cache-Control", "no-store")
	h.Set("Pragma", "no-cache")
	if retryAfter > 0 {
		h.Set("Retry-After", strconv.Itoa(retryAfter))
	}
	if status == http.StatusUnauthorized && code == "invalid_client" {
		// RFC 6749 §5.2: a 401 invalid_client carries WWW-Authenticate.
		h.Set("WWW-Authenticate", `Basic realm="ropc-mock"`)
	}
	body := map[string]string{"error": code}
	if description != "" {
		body["error_description"] = description
	}
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(body)
}

// defaultErrorCode picks the RFC 6749 §5.2 code a fault with only a status gets.
func defaultErrorCode(status int) string {
	switch {
	case status == http.StatusServiceUnavailable:
		return "temporarily_unavailable"
	case status >= 500:
		return "server_error"
	case status == http.StatusUnauthorized:
		return "invalid_client"
	default:
		return "invalid_request"
	}
}

func writeHTMLError(w http.ResponseWriter, status, retryAfter int) {
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	if retryAfter > 0 {
		h.Set("Retry-After", strconv.Itoa(retryAfter))
	}
	w.WriteHeader(status)
	text := html.EscapeString(fmt.Sprintf("%d %s", status, http.StatusText(status)))
	_, _ = io.WriteString(w, "<!DOCTYPE html>\n<html><head><title>"+text+"</title></head>\n<body><h1>"+text+
		"</h1><hr><p>ropc-mock (injected html_error)</p></body></html>\n")
}
