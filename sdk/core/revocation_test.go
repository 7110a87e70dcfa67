package core_test

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ropcgo/ropc/sdk/core"
)

func TestParseRevocationResponse(t *testing.T) {
	tests := []struct {
		name     string
		status   int
		ct, body string
		wantCode string
		wantHTTP int
	}{
		{"200 empty", 200, "", "", "", 0},
		{"200 json", 200, "application/json", "{}", "", 0},
		{"204", 204, "", "", "", 0},
		{"200 prose", 200, "text/plain", "OK", "", 0},
		{"200 with error body", 200, "application/json", `{"error":"invalid_client"}`, "invalid_client", 0},
		{"unsupported_token_type", 400, "application/json", `{"error":"unsupported_token_type"}`, "unsupported_token_type", 0},
		{"401 invalid_client", 401, "application/json", `{"error":"invalid_client"}`, "invalid_client", 0},
		{"503 html", 503, "text/html", "<html>busy</html>", "", 503},
		{"404 empty", 404, "", "", "", 404},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := core.ParseRevocationResponse(core.Response{Status: tt.status, ContentType: tt.ct, Body: []byte(tt.body)})
			switch {
			case tt.wantCode != "":
				var oe *core.OAuthError
				require.True(t, errors.As(err, &oe), "%v", err)
				assert.Equal(t, tt.wantCode, oe.Code)
				assert.Equal(t, tt.status, oe.Status)
			case tt.wantHTTP != 0:
				var he *core.HTTPError
				require.True(t, errors.As(err, &he), "%v", err)
				assert.Equal(t, tt.wantHTTP, he.Status)
			default:
				assert.NoError(t, err)
			}
		})
	}
}
