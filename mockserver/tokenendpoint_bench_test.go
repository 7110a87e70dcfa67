package mockserver

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func BenchmarkPasswordGrant(b *testing.B) {
	srv, err := New(DefaultConfig(), Options{})
	if err != nil {
		b.Fatal(err)
	}
	const body = "grant_type=password&username=johndoe&password=A3ddj3w&scope=read%20write&client_id=client_id&client_secret=client_secret"
	b.ReportAllocs()
	for b.Loop() {
		r := httptest.NewRequest(http.MethodPost, "http://127.0.0.1:8080/token", strings.NewReader(body))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		w := httptest.NewRecorder()
		srv.ServeHTTP(w, r)
		if w.Code != 200 {
			b.Fatal(w.Code, w.Body.String())
		}
	}
}
