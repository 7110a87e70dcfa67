package bridge

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestJSONWriterStringsRoundTrip(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"plain", "abc", "abc"},
		{"quote and backslash", `a"b\c`, `a"b\c`},
		{"control characters", "a\nb\tc\x00\x1f", "a\nb\tc\x00\x1f"},
		{"multi-byte", "✓ é 😀", "✓ é 😀"},
		{"line separators", "a\u2028b\u2029c", "a\u2028b\u2029c"},
		{"invalid UTF-8", "a\xffb", "a\ufffdb"},
		{"empty", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var w jsonWriter
			w.open()
			w.str("k", tt.in)
			w.key("n")
			w.int(-42)
			w.key("z")
			w.null()
			w.key("o")
			w.open()
			w.key("r")
			w.raw([]byte(`[1,2]`))
			w.close()
			w.close()
			var got struct {
				K string
				N int
				Z *int
				O struct{ R []int }
			}
			require.NoError(t, json.Unmarshal([]byte(w.String()), &got), w.String())
			assert.Equal(t, tt.want, got.K)
			assert.Equal(t, -42, got.N)
			assert.Nil(t, got.Z)
			assert.Equal(t, []int{1, 2}, got.O.R)
		})
	}
}

func FuzzJSONWriterString(f *testing.F) {
	for _, s := range []string{"", "a\"b", "\x00", "\xff\xfe", "✓"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var w jsonWriter
		w.open()
		w.str("k", s)
		w.close()
		var got map[string]string
		require.NoError(t, json.Unmarshal([]byte(w.String()), &got))
		want, _ := json.Marshal(s) // encoding/json is the reference (both map invalid UTF-8 to U+FFFD)
		var ref string
		require.NoError(t, json.Unmarshal(want, &ref))
		assert.Equal(t, ref, got["k"])
	})
}

func TestJSONWriterOKEnvelope(t *testing.T) {
	tests := []struct {
		name  string
		write func(w *jsonWriter)
		want  string
	}{
		{"empty", func(*jsonWriter) {}, `{"ok":{}}`},
		{"members", func(w *jsonWriter) { w.str("a", "1"); w.key("b"); w.null() }, `{"ok":{"a":"1","b":null}}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var w jsonWriter
			w.openOK()
			tt.write(&w)
			w.closeOK()
			assert.JSONEq(t, tt.want, w.String())
		})
	}
}
