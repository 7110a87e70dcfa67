package mockserver

import (
	"encoding/json"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSanitizeDescription(t *testing.T) {
	for in, want := range map[string]string{
		"plain text, fine!":   "plain text, fine!",
		`quote " and \ slash`: "quote ? and ? slash",
		"tab\tnewline\n":      "tab?newline?",
		"jörg":                "j??rg",
		"":                    "",
	} {
		assert.Equal(t, want, sanitizeDescription(in), in)
	}
}

func TestErrorBodyIsJSON(t *testing.T) {
	b := errorBody("invalid_request", "bad \"thing\" \\ here\x00")
	var m map[string]string
	require.NoError(t, json.Unmarshal(b, &m))
	assert.Equal(t, "invalid_request", m["error"])
	assert.Equal(t, "bad ?thing? ? here?", m["error_description"])
	assert.JSONEq(t, `{"error":"x"}`, string(errorBody("x", "")))
}

func TestWriteOAuthError(t *testing.T) {
	w := httptest.NewRecorder()
	writeOAuthError(w, errInvalidClient("client authentication failed"))
	assert.Equal(t, 401, w.Code)
	assert.Equal(t, `Basic realm="ropc-mock", charset="UTF-8"`, w.Header().Get("WWW-Authenticate"))
	assert.Equal(t, "no-store", w.Header().Get("Cache-Control"))
	assert.Equal(t, "no-cache", w.Header().Get("Pragma"))
	assert.Equal(t, "application/json", w.Header().Get("Content-Type"))
}

func TestBearerChallenge(t *testing.T) {
	assert.Equal(t, `Bearer realm="ropc-mock"`, bearerChallenge("", ""))
	assert.Equal(t, `Bearer realm="ropc-mock", error="invalid_token", error_description="expired ?x?"`,
		bearerChallenge("invalid_token", `expired "x"`))
}
