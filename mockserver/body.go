package mockserver

import (
	"errors"
	"io"
	"net/http"
)

// MaxBodyBytes bounds every request body the mock reads: forms at /token,
// /introspect, /revoke and /userinfo, and the admin layer's look at a form
// for its journal. A body that declares more is refused before any of it is
// read, so a client that sends part of a large body and stalls holds no more
// server memory than this.
const MaxBodyBytes = 64 << 10

// errBodyTooLarge is the answer to a body over MaxBodyBytes.
func errBodyTooLarge() *oauthError {
	return &oauthError{status: http.StatusRequestEntityTooLarge, code: "invalid_request", description: "request body larger than 64 KiB"}
}

// errBodyLimit is what ReadBody returns for a body over the limit.
var errBodyLimit = errors.New("request body larger than 64 KiB")

// ReadBody reads a request body of at most limit bytes. A Content-Length
// over limit is refused before a byte is read; a declared length is read
// into a buffer of exactly that size, and a body of unknown length
// (chunked) into one that never grows past limit+1 bytes. Either way a
// stalled body costs at most limit bytes of memory. On error the bytes
// read so far come back too (at most limit+1), so a caller that only peeks
// can put them back.
func ReadBody(body io.Reader, contentLength int64, limit int) ([]byte, error) {
	if body == nil || body == http.NoBody {
		return nil, nil
	}
	if contentLength > int64(limit) {
		return nil, errBodyLimit
	}
	if contentLength >= 0 {
		buf := make([]byte, contentLength)
		n, err := io.ReadFull(body, buf)
		return buf[:n], err
	}
	buf := make([]byte, 0, min(limit+1, 4096))
	for {
		if len(buf) == cap(buf) {
			if len(buf) > limit {
				return buf, errBodyLimit
			}
			grown := make([]byte, len(buf), min(limit+1, 2*cap(buf)))
			copy(grown, buf)
			buf = grown
		}
		n, err := body.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if errors.Is(err, io.EOF) {
			if len(buf) > limit {
				return buf, errBodyLimit
			}
			return buf, nil
		}
		if err != nil {
			return buf, err
		}
	}
}

// readBody reads r's body under MaxBodyBytes and maps failures to RFC 6749
// §5.2 answers (413 for a body too large).
func readBody(r *http.Request) ([]byte, *oauthError) {
	b, err := ReadBody(r.Body, r.ContentLength, MaxBodyBytes)
	if errors.Is(err, errBodyLimit) {
		return nil, errBodyTooLarge()
	}
	if err != nil {
		return nil, errInvalidRequest("could not read the request body")
	}
	return b, nil
}
