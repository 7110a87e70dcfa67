package mockserver

import (
	"crypto/rand"
	"encoding/base64"
	"io"
)

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
	// All ids are encoded into one string and handed out as substrings of
	// it: one allocation instead of one per id.
	enc := base64.RawURLEncoding
	var textBuf [192]byte
	text := textBuf[:0]
	for _, n := range sizes {
		text = enc.AppendEncode(text, raw[:n])
		raw = raw[n:]
	}
	all := string(text)
	out := make([]string, len(sizes))
	for i, n := range sizes {
		l := enc.EncodedLen(n)
		out[i], all = all[:l], all[l:]
	}
	return out, nil
}

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }
