package admin

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/ropcgo/ropc/mockserver"
)

// Entry is one request the mock answered, as GET /_admin/requests shows it. It
// holds no password, client secret or token: only who asked for what and the
// answer's status and RFC 6749 §5.2 error code.
//
// A request is journaled when it arrives, before any byte of its answer can
// reach the client: a test that has seen an answer (or gave up on one) finds
// the request in the journal without waiting. Status is set when the answer
// starts, Error when it is complete.
type Entry struct {
	Time       time.Time `json:"time"` // the mock's clock (see /_admin/clock)
	Method     string    `json:"method"`
	Path       string    `json:"path"`
	GrantType  string    `json:"grant_type"`
	ClientID   string    `json:"client_id"`
	ClientAuth string    `json:"client_auth"` // "basic", "post" or "none"
	Username   string    `json:"username"`
	Scope      string    `json:"scope"`
	Status     int       `json:"status"` // 0 until the answer starts, or when the client left before one
	Error      string    `json:"error"`
	// DPoP says whether the request carried a DPoP proof (RFC 9449 §4.1);
	// DPoPError why the mock refused it ("invalid_dpop_proof: DPoP proof
	// htu does not match the request URL"). The proof itself is never kept.
	DPoP      bool   `json:"dpop"`
	DPoPError string `json:"dpop_error,omitempty"`
}

// MaxJournal bounds the journal; the oldest entries go first.
const MaxJournal = 10000

// journal is a ring buffer of the last MaxJournal entries.
type journal struct {
	mu    sync.Mutex
	slots []slot // grows to MaxJournal, then wraps
	next  int    // where the next entry goes once full
	seq   uint64 // sequence number of the newest entry; never reset
}

type slot struct {
	seq   uint64
	entry Entry
}

// add appends e and returns its sequence number for update.
func (j *journal) add(e Entry) uint64 {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.seq++
	if len(j.slots) < MaxJournal {
		j.slots = append(j.slots, slot{j.seq, e})
		return j.seq
	}
	j.slots[j.next] = slot{j.seq, e}
	j.next = (j.next + 1) % MaxJournal
	return j.seq
}

// update sets the outcome of entry seq, unless it has since been cleared or
// pushed out of the ring.
func (j *journal) update(seq uint64, status int, errCode string) {
	j.modify(seq, func(e *Entry) { e.Status, e.Error = status, errCode })
}

// modify changes entry seq under the lock, unless it has since been cleared
// or pushed out of the ring.
func (j *journal) modify(seq uint64, change func(*Entry)) {
	j.mu.Lock()
	defer j.mu.Unlock()
	n := uint64(len(j.slots))
	if seq > j.seq || j.seq-seq >= n {
		return
	}
	newest := (j.next + len(j.slots) - 1) % len(j.slots)
	i := (uint64(newest) + n - (j.seq - seq)) % n
	if s := &j.slots[i]; s.seq == seq {
		change(&s.entry)
	}
}

// list returns the entries oldest first.
func (j *journal) list() []Entry {
	j.mu.Lock()
	defer j.mu.Unlock()
	out := make([]Entry, 0, len(j.slots))
	for _, s := range j.slots[j.next:] {
		out = append(out, s.entry)
	}
	for _, s := range j.slots[:j.next] {
		out = append(out, s.entry)
	}
	return out
}

func (j *journal) clear() {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.slots = nil
	j.next = 0
}

// parsedRequest is what fault matching and the journal need from a request.
type parsedRequest struct {
	method, path              string
	grantType, clientID, auth string
	username, scope           string
	dpop                      bool // a DPoP header came (RFC 9449 §4.1)
}

// parseRequest reads what fault matching and the journal need. With
// readForm it also reads the form fields from the body — at most
// mockserver.MaxBodyBytes of it, the limit the mock itself applies, and
// nothing of a body that declares more — and puts the body back for the mock
// to read.
func parseRequest(r *http.Request, readForm bool) *parsedRequest {
	p := &parsedRequest{method: r.Method, path: r.URL.Path, auth: "none", dpop: len(r.Header.Values("DPoP")) > 0}
	var form url.Values
	if readForm && r.Body != nil && r.Body != http.NoBody && r.ContentLength <= mockserver.MaxBodyBytes &&
		mediaType(r.Header.Get("Content-Type")) == "application/x-www-form-urlencoded" {
		buf, err := mockserver.ReadBody(r.Body, r.ContentLength, mockserver.MaxBodyBytes)
		r.Body = struct {
			io.Reader
			io.Closer
		}{io.MultiReader(bytes.NewReader(buf), r.Body), r.Body}
		if err == nil {
			form, _ = url.ParseQuery(string(buf))
		}
	}
	p.grantType = form.Get("grant_type")
	p.username = form.Get("username")
	p.scope = form.Get("scope")
	p.clientID = form.Get("client_id")
	if form.Get("client_secret") != "" {
		p.auth = "post"
	}
	if id, _, ok := r.BasicAuth(); ok {
		// RFC 6749 §2.3.1: the id is form-urlencoded before Basic encoding.
		if dec, err := url.QueryUnescape(id); err == nil {
			id = dec
		}
		p.clientID = id
		p.auth = "basic"
	}
	return p
}

// captureWriter passes the answer through while noting its status and the
// start of its body (for the journal's error code). With a journal it records
// the status in entry seq before the status line can reach the client.
type captureWriter struct {
	http.ResponseWriter
	status int
	head   bytes.Buffer
	j      *journal
	seq    uint64
}

const maxCaptured = 64 << 10

func (c *captureWriter) WriteHeader(status int) {
	c.noteStatus(status)
	c.ResponseWriter.WriteHeader(status)
}

func (c *captureWriter) Write(p []byte) (int, error) {
	c.noteStatus(http.StatusOK)
	if room := maxCaptured - c.head.Len(); room > 0 {
		c.head.Write(p[:min(room, len(p))])
	}
	return c.ResponseWriter.Write(p)
}

func (c *captureWriter) noteStatus(status int) {
	if c.status != 0 {
		return
	}
	c.status = status
	if c.j != nil {
		c.j.update(c.seq, status, "")
	}
}

func (c *captureWriter) Flush() {
	if f, ok := c.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// Unwrap lets http.ResponseController reach the connection's writer.
func (c *captureWriter) Unwrap() http.ResponseWriter { return c.ResponseWriter }

// errorCode reads the RFC 6749 §5.2 "error" from the captured body, JSON or form.
func (c *captureWriter) errorCode() string {
	if c.head.Len() == 0 {
		return ""
	}
	// Hot path: a success answer is decoded only when it could hold an error
	// (the error_with_200 quirk, sloppy servers).
	if c.status < 400 && !bytes.Contains(c.head.Bytes(), []byte("error")) {
		return ""
	}
	switch mediaType(c.Header().Get("Content-Type")) {
	case "application/json":
		var body struct {
			Error any `json:"error"`
		}
		if json.Unmarshal(c.head.Bytes(), &body) == nil {
			if s, ok := body.Error.(string); ok {
				return s
			}
		}
	case "application/x-www-form-urlencoded":
		if v, err := url.ParseQuery(strings.TrimSpace(c.head.String())); err == nil {
			return v.Get("error")
		}
	}
	return ""
}
