package main

import (
	"encoding/binary"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// requestFrame builds a frame the way entry.mjs does.
func requestFrame(head string, body []byte) []byte {
	b := binary.BigEndian.AppendUint32(nil, uint32(len(head)))
	return append(append(b, head...), body...)
}

func TestParseRequestFrame(t *testing.T) {
	tests := []struct {
		name    string
		frame   []byte
		want    requestParts
		wantErr string
	}{
		{
			name:  "POST with body and repeated header",
			frame: requestFrame("POST\nhttps://m.example/token\n+\ncontent-type:application/x-www-form-urlencoded\naccept:a\naccept:b\nx-colon:a:b\n", []byte("grant_type=password")),
			want: requestParts{method: "POST", url: "https://m.example/token", body: []byte("grant_type=password"), headers: [][2]string{
				{"content-type", "application/x-www-form-urlencoded"}, {"accept", "a"}, {"accept", "b"}, {"x-colon", "a:b"},
			}},
		},
		{
			name:  "GET without body or headers",
			frame: requestFrame("GET\nhttp://127.0.0.1/healthz\n-\n", nil),
			want:  requestParts{method: "GET", url: "http://127.0.0.1/healthz", headers: [][2]string{}},
		},
		{
			name:  "empty body is a body",
			frame: requestFrame("POST\nhttp://m.example/token\n+\n", nil),
			want:  requestParts{method: "POST", url: "http://m.example/token", body: []byte{}, headers: [][2]string{}},
		},
		{name: "too short for a length", frame: []byte{0, 0}, wantErr: "shorter"},
		{name: "length past the end", frame: []byte{0, 0, 0, 9, 'G'}, wantErr: "shorter"},
		{name: "too few lines", frame: requestFrame("GET\nhttp://m.example/\n", nil), wantErr: "want method"},
		{name: "no final newline", frame: requestFrame("GET\nhttp://m.example/\n-", nil), wantErr: "want method"},
		{name: "bad body line", frame: requestFrame("GET\nhttp://m.example/\n?\n", nil), wantErr: "neither"},
		{name: "bytes after a bodiless head", frame: requestFrame("GET\nhttp://m.example/\n-\n", []byte("x")), wantErr: "no body"},
		{name: "header without colon", frame: requestFrame("GET\nhttp://m.example/\n-\naccept\n", nil), wantErr: "no name"},
		{name: "header without name", frame: requestFrame("GET\nhttp://m.example/\n-\n:x\n", nil), wantErr: "no name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseRequestFrame(tt.frame)
			if tt.wantErr != "" {
				require.ErrorContains(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestAppendResponseFrame(t *testing.T) {
	h := http.Header{
		"Content-Type":     {"application/json"},
		"Www-Authenticate": {`Bearer error="invalid_token"`},
		"Vary":             {"Origin", "Accept"},
		"X-Bad":            {"a\r\nInjected: yes"},
		"Bad:Name\n":       {"v"},
		":":                {"dropped"},
	}
	frame := appendResponseFrame([]byte("keep"), 401, h, []byte(`{"error":"invalid_token"}`))
	require.Equal(t, "keep", string(frame[:4]), "appends to dst")
	frame = frame[4:]
	n := binary.BigEndian.Uint32(frame)
	head, body := string(frame[4:4+n]), string(frame[4+n:])
	assert.Equal(t, `{"error":"invalid_token"}`, body)
	lines := strings.Split(head, "\n")
	assert.Equal(t, "401", lines[0])
	assert.Empty(t, lines[len(lines)-1], "every line ends with a newline")
	assert.ElementsMatch(t, []string{
		"Content-Type:application/json",
		`Www-Authenticate:Bearer error="invalid_token"`,
		"Vary:Origin",
		"Vary:Accept",
		"X-Bad:a  Injected: yes",
		"BadName:v",
	}, lines[1:len(lines)-1])
}

// FuzzParseRequestFrame: any bytes parse or fail without panicking, and a
// parsed frame gives back its own fields.
func FuzzParseRequestFrame(f *testing.F) {
	f.Add(requestFrame("POST\nhttps://m.example/token\n+\ncontent-type:application/x-www-form-urlencoded\n", []byte("a=b")))
	f.Add(requestFrame("GET\nhttp://m.example/\n-\n", nil))
	f.Add([]byte{0, 0, 0, 0})
	f.Add([]byte{0xff, 0xff, 0xff, 0xff, 'x'})
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := parseRequestFrame(b)
		if err != nil {
			return
		}
		assert.NotContains(t, p.method, "\n")
		assert.NotContains(t, p.url, "\n")
		for _, h := range p.headers {
			assert.NotEmpty(t, h[0])
			assert.NotContains(t, h[0], ":")
		}
		_, _ = newRequest(p) // must not panic
	})
}
