package main

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestBufferedResponse(t *testing.T) {
	tests := []struct {
		name       string
		handler    http.HandlerFunc
		wantStatus int
		wantHeader http.Header
		wantBody   string
	}{
		{
			name:       "nothing written is 200 without body",
			handler:    func(http.ResponseWriter, *http.Request) {},
			wantStatus: http.StatusOK,
			wantHeader: http.Header{},
		},
		{
			name: "status, header and body",
			handler: func(w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				w.Header().Add("Vary", "Origin")
				w.Header().Add("Vary", "Accept")
				w.WriteHeader(http.StatusBadRequest)
				_, _ = w.Write([]byte(`{"error":`))
				_, _ = w.Write([]byte(`"invalid_grant"}`))
			},
			wantStatus: http.StatusBadRequest,
			wantHeader: http.Header{"Content-Type": {"application/json"}, "Vary": {"Origin", "Accept"}},
			wantBody:   `{"error":"invalid_grant"}`,
		},
		{
			name: "Write without WriteHeader is 200",
			handler: func(w http.ResponseWriter, _ *http.Request) {
				_, _ = w.Write([]byte("ok"))
			},
			wantStatus: http.StatusOK,
			wantHeader: http.Header{},
			wantBody:   "ok",
		},
		{
			name: "header changes after WriteHeader and a second status are ignored",
			handler: func(w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("A", "1")
				w.WriteHeader(http.StatusNoContent)
				w.Header().Set("B", "2")
				w.WriteHeader(http.StatusOK)
			},
			wantStatus: http.StatusNoContent,
			wantHeader: http.Header{"A": {"1"}},
		},
		{
			name:       "an impossible status is a server fault",
			handler:    func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(42) },
			wantStatus: http.StatusInternalServerError,
			wantHeader: http.Header{},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newBufferedResponse()
			tt.handler(w, nil)
			w.Flush()
			status, header, body := w.result()
			assert.Equal(t, tt.wantStatus, status)
			assert.Equal(t, tt.wantHeader, header)
			assert.Equal(t, tt.wantBody, string(body))
		})
	}
}
