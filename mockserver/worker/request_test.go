package main

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestNewRequest(t *testing.T) {
	tests := []struct {
		name    string
		parts   requestParts
		wantErr string
		check   func(t *testing.T, r *http.Request)
	}{
		{
			name: "form POST",
			parts: requestParts{
				method: http.MethodPost,
				url:    "https://mock.example/token?x=1",
				headers: [][2]string{
					{"content-type", "application/x-www-form-urlencoded"},
					{"authorization", "Basic Y2xpZW50X2lkOmNsaWVudF9zZWNyZXQ="},
					{"cf-connecting-ip", "203.0.113.7"},
					{"accept", "application/json"},
					{"accept", "text/plain"},
				},
				body: []byte("grant_type=password"),
			},
			check: func(t *testing.T, r *http.Request) {
				assert.Equal(t, http.MethodPost, r.Method)
				assert.Equal(t, "mock.example", r.Host)
				assert.Equal(t, "/token", r.URL.Path)
				assert.Equal(t, "/token?x=1", r.RequestURI)
				assert.Equal(t, "203.0.113.7", r.RemoteAddr)
				assert.Equal(t, "application/x-www-form-urlencoded", r.Header.Get("Content-Type"))
				assert.Equal(t, []string{"application/json", "text/plain"}, r.Header.Values("Accept"))
				assert.EqualValues(t, 19, r.ContentLength)
				assert.Equal(t, "19", r.Header.Get("Content-Length"))
				user, pass, ok := r.BasicAuth()
				require.True(t, ok)
				assert.Equal(t, "client_id", user)
				assert.Equal(t, "client_secret", pass)
				require.NoError(t, r.ParseForm())
				assert.Equal(t, "password", r.PostForm.Get("grant_type"))
			},
		},
		{
			name:  "GET without body",
			parts: requestParts{method: http.MethodGet, url: "http://127.0.0.1:8787/healthz"},
			check: func(t *testing.T, r *http.Request) {
				assert.Equal(t, http.NoBody, r.Body)
				assert.EqualValues(t, 0, r.ContentLength)
				assert.Empty(t, r.RemoteAddr)
			},
		},
		{
			name:  "empty body is a body of length 0",
			parts: requestParts{method: http.MethodPost, url: "http://m.example/token", body: []byte{}},
			check: func(t *testing.T, r *http.Request) {
				assert.EqualValues(t, 0, r.ContentLength)
				assert.Equal(t, "0", r.Header.Get("Content-Length"))
			},
		},
		{name: "no method", parts: requestParts{url: "http://m.example/"}, wantErr: "without a method"},
		{name: "relative URL", parts: requestParts{method: "GET", url: "/token"}, wantErr: "not absolute"},
		{name: "bad URL", parts: requestParts{method: "GET", url: "http://m.example/%zz"}, wantErr: "request URL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := newRequest(tt.parts)
			if tt.wantErr != "" {
				require.ErrorContains(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			tt.check(t, r)
		})
	}
}
