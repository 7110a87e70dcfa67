package core

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDecodeFields(t *testing.T) {
	tests := []struct {
		name    string
		body    string
		want    map[string]any
		format  bodyFormat
		wantErr bool
	}{
		{"json object", `{"a":"b","n":1}`, map[string]any{"a": "b", "n": json.Number("1")}, formatJSON, false},
		{"json with BOM and space", "\ufeff\n {\"a\":\"b\"} \n", map[string]any{"a": "b"}, formatJSON, false},
		{"form", "a=b&c=d%20e&a=ignored", map[string]any{"a": "b", "c": "d e"}, formatForm, false},
		{"form empty value", "a=", map[string]any{"a": ""}, formatForm, false},
		{"bad percent-encoding", "a=%zz", nil, formatUnknown, true},
		{"prose", "Bad Gateway", nil, formatUnknown, true},
		{"prose with equals and spaces", "x = y", nil, formatUnknown, true},
		{"html", "<html></html>", nil, formatUnknown, true},
		{"json array", "[1]", nil, formatJSON, true},
		{"json string", `"x"`, nil, formatJSON, true},
		{"truncated json", `{"a":`, nil, formatJSON, true},
		{"two objects", `{}{}`, nil, formatJSON, true},
		{"empty", "", nil, formatUnknown, true},
		{"leading equals", "=x", nil, formatUnknown, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, format, err := decodeFields([]byte(tt.body))
			if tt.wantErr {
				var pe *ProtocolError
				require.ErrorAs(t, err, &pe)
				assert.Nil(t, got)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
			assert.Equal(t, tt.format, format)
		})
	}
}

func TestMediaType(t *testing.T) {
	assert.Equal(t, "application/json", mediaType("Application/JSON; charset=UTF-8"))
	assert.Equal(t, "text/plain", mediaType(" text/plain "))
	assert.Equal(t, "", mediaType(""))
}

func TestClassifyFailure(t *testing.T) {
	parseErr := &ProtocolError{Reason: "x"}
	assert.Equal(t, &OAuthError{Code: "e", Status: 500, Kind: KindServerUnavailable, Extra: map[string]any{}}, classifyFailure(Response{Status: 500}, map[string]any{"error": "e"}, nil))
	assert.Equal(t, &HTTPError{Status: 503, ContentType: "text/html"}, classifyFailure(Response{Status: 503, ContentType: "text/html"}, nil, parseErr))
	assert.Equal(t, parseErr, classifyFailure(Response{Status: 200}, nil, parseErr))
	assert.Equal(t, &HTTPError{Status: 400}, classifyFailure(Response{Status: 400}, map[string]any{"error": "  "}, nil), "a blank error code is no OAuth error")
}
