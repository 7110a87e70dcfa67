package main

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
)

// A frame carries one request from entry.mjs to Go, or one response back, in
// a single byte array, so a request costs two crossings between JavaScript
// and WebAssembly instead of one per header, string and field:
//
//	frame = head length (4 bytes, big-endian) | head (UTF-8) | body
//
// A request's head is its method, its URL, "+" if a body follows or "-" if
// the request has none, then one "name:value" line per header field, each
// line ended by "\n". A response's head is its status code, then its
// "name:value" lines. Header names cannot hold ':' or '\n' and the Fetch API
// refuses '\n' in values (RFC 9110 §5.5), so the lines split unambiguously.

var errShortFrame = errors.New("request frame: shorter than its head length")

// parseRequestFrame reads a frame written by entry.mjs.
func parseRequestFrame(b []byte) (requestParts, error) {
	var p requestParts
	if len(b) < 4 {
		return p, errShortFrame
	}
	n := binary.BigEndian.Uint32(b)
	if uint64(n) > uint64(len(b)-4) {
		return p, errShortFrame
	}
	head, body := string(b[4:4+n]), b[4+n:]
	lines := strings.Split(head, "\n")
	if len(lines) < 4 || lines[len(lines)-1] != "" {
		return p, errors.New("request frame: want method, URL and body lines, each ended by a newline")
	}
	p.method, p.url = lines[0], lines[1]
	switch lines[2] {
	case "+":
		p.body = body
	case "-":
		if len(body) > 0 {
			return p, errors.New("request frame: bytes after a head that announces no body")
		}
	default:
		return p, fmt.Errorf("request frame: body line %q is neither + nor -", lines[2])
	}
	fields := lines[3 : len(lines)-1]
	p.headers = make([][2]string, 0, len(fields))
	for _, f := range fields {
		name, value, ok := strings.Cut(f, ":")
		if !ok || name == "" {
			return p, fmt.Errorf("request frame: header line %q has no name", f)
		}
		p.headers = append(p.headers, [2]string{name, value})
	}
	return p, nil
}

// headerText and headerName drop the bytes a header line cannot hold: as
// net/http does when it writes a header, CR and LF in a value become spaces;
// a name loses them and ':'.
var (
	headerText = strings.NewReplacer("\r", " ", "\n", " ")
	headerName = strings.NewReplacer(":", "", "\r", "", "\n", "")
)

// appendResponseFrame appends the frame of a response to dst.
func appendResponseFrame(dst []byte, status int, header http.Header, body []byte) []byte {
	start := len(dst)
	dst = append(dst, 0, 0, 0, 0)
	dst = strconv.AppendInt(dst, int64(status), 10)
	dst = append(dst, '\n')
	for name, values := range header {
		name = headerName.Replace(name)
		if name == "" {
			continue
		}
		for _, v := range values {
			dst = append(dst, name...)
			dst = append(dst, ':')
			dst = append(dst, headerText.Replace(v)...)
			dst = append(dst, '\n')
		}
	}
	binary.BigEndian.PutUint32(dst[start:], uint32(len(dst)-start-4))
	return append(dst, body...)
}
