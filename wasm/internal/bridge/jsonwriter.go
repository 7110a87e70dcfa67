package bridge

import (
	"strconv"
	"unicode/utf8"
)

// jsonWriter writes the few fixed-shape JSON objects of the hot path (built
// requests, parsed tokens) without reflection. Objects only; commas are
// placed automatically.
type jsonWriter struct {
	b     []byte
	first bool // no member written yet in the innermost object
}

func (w *jsonWriter) open() {
	w.b = append(w.b, '{')
	w.first = true
}

func (w *jsonWriter) close() {
	w.b = append(w.b, '}')
	w.first = false
}

// openOK starts the {"ok": {...}} answer of a call that succeeded; closeOK ends it.
func (w *jsonWriter) openOK() {
	w.open()
	w.key("ok")
	w.open()
}

func (w *jsonWriter) closeOK() {
	w.close()
	w.close()
}

func (w *jsonWriter) key(k string) {
	if !w.first {
		w.b = append(w.b, ',')
	}
	w.first = false
	w.string(k)
	w.b = append(w.b, ':')
}

func (w *jsonWriter) str(k, v string) {
	w.key(k)
	w.string(v)
}

func (w *jsonWriter) int(n int64)  { w.b = strconv.AppendInt(w.b, n, 10) }
func (w *jsonWriter) null()        { w.b = append(w.b, "null"...) }
func (w *jsonWriter) raw(j []byte) { w.b = append(w.b, j...) }

const hex = "0123456789abcdef"

// string writes s as a JSON string (RFC 8259 §7); invalid UTF-8 becomes U+FFFD,
// as encoding/json does.
func (w *jsonWriter) string(s string) {
	w.b = append(w.b, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\':
				w.b = append(w.b, '\\', c)
			case c < 0x20:
				w.b = append(w.b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			default:
				w.b = append(w.b, c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			w.b = append(w.b, `\ufffd`...)
		} else {
			w.b = append(w.b, s[i:i+size]...)
		}
		i += size
	}
	w.b = append(w.b, '"')
}

func (w *jsonWriter) String() string { return string(w.b) }
