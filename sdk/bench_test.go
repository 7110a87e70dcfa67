package sdk

import (
	"bytes"
	"context"
	"encoding/base64"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/ropcgo/ropc/mockserver"
	"github.com/ropcgo/ropc/sdk/core"
)

// Benchmarks print figures; none asserts timing. Run:
//
//	go test -run '^$' -bench . -benchmem ./sdk/
//
// Allocations are counted for the whole process, so the server's share is included in both
// columns of a comparison; only the difference between them is the client's.

// minimalTokenHandler is a token endpoint that does as little as possible, shared by both
// clients, so the comparison measures the clients rather than the server (all allocations in the
// process are counted). It still refuses what a token endpoint must refuse: another method, wrong
// client credentials (Basic), a grant other than password with the right username and password.
// The body is matched as bytes: each client may order the parameters differently.
func minimalTokenHandler() http.Handler {
	body := []byte(`{"access_token":"2YotnFZFEjr1zCsicMWpAA","token_type":"Bearer","expires_in":3600,` +
		`"refresh_token":"tGzv3JOkF0XG5Qx2TlKWIA","scope":"read write"}`)
	wantAuth := "Basic " + base64.StdEncoding.EncodeToString([]byte(mockClientID+":"+mockClientSecret))
	params := [][]byte{[]byte("grant_type=password"), []byte("username=" + mockUser), []byte("password=" + mockPassword)}
	bufs := sync.Pool{New: func() any { return new(bytes.Buffer) }}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || r.Header.Get("Authorization") != wantAuth {
			http.Error(w, `{"error":"invalid_client"}`, http.StatusUnauthorized)
			return
		}
		buf := bufs.Get().(*bytes.Buffer)
		defer bufs.Put(buf)
		buf.Reset()
		if _, err := buf.ReadFrom(io.LimitReader(r.Body, 4096)); err != nil {
			http.Error(w, `{"error":"invalid_request"}`, http.StatusBadRequest)
			return
		}
		for _, p := range params {
			if !hasParam(buf.Bytes(), p) {
				http.Error(w, `{"error":"invalid_grant"}`, http.StatusBadRequest)
				return
			}
		}
		h := w.Header()
		h["Content-Type"] = jsonContentType
		h["Cache-Control"] = noStore
		_, _ = w.Write(body)
	})
}

var (
	jsonContentType = []string{"application/json"}
	noStore         = []string{"no-store"}
)

// hasParam reports whether the form body contains the exact key=value pair p.
func hasParam(body, p []byte) bool {
	for len(body) > 0 {
		i := bytes.IndexByte(body, '&')
		if i < 0 {
			return bytes.Equal(body, p)
		}
		if bytes.Equal(body[:i], p) {
			return true
		}
		body = body[i+1:]
	}
	return false
}

// BenchmarkPasswordGrant runs one full password grant per op over loopback, this SDK beside
// golang.org/x/oauth2's Config.PasswordCredentialsToken against the same server in the same run.
func BenchmarkPasswordGrant(b *testing.B) {
	mock, err := mockserver.New(mockserver.DefaultConfig(), mockserver.Options{})
	if err != nil {
		b.Fatal(err)
	}
	servers := []struct {
		name    string
		handler http.Handler
	}{
		{"", minimalTokenHandler()}, // ropc, xoauth2: the headline comparison
		{"mock-", mock},             // the real mock: JWT signing and store work dominate
	}
	for _, s := range servers {
		srv := httptest.NewServer(s.handler)
		tokenURL := srv.URL + "/token"

		b.Run(s.name+"ropc", func(b *testing.B) {
			c, err := NewClient(Config{TokenURL: tokenURL, ClientID: mockClientID, ClientSecret: mockClientSecret})
			if err != nil {
				b.Fatal(err)
			}
			ctx := context.Background()
			b.ReportAllocs()
			for b.Loop() {
				if _, err := c.PasswordToken(ctx, mockUser, mockPassword); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(s.name+"xoauth2", func(b *testing.B) {
			cfg := &oauth2.Config{ClientID: mockClientID, ClientSecret: mockClientSecret,
				Endpoint: oauth2.Endpoint{TokenURL: tokenURL, AuthStyle: oauth2.AuthStyleInHeader}}
			ctx := context.Background()
			b.ReportAllocs()
			for b.Loop() {
				if _, err := cfg.PasswordCredentialsToken(ctx, mockUser, mockPassword); err != nil {
					b.Fatal(err)
				}
			}
		})
		srv.Close()
	}
}

// BenchmarkTokenCached is the hot path every authorized request takes: a fresh token in cache.
func BenchmarkTokenCached(b *testing.B) {
	c, err := NewClient(Config{TokenURL: "https://as.example.com/token", ClientID: "id"})
	if err != nil {
		b.Fatal(err)
	}
	ts := c.TokenSource(&Token{AccessToken: "at", TokenType: "Bearer", RefreshToken: "rt", Expiry: time.Now().Add(time.Hour)})
	ctx := context.Background()
	b.Run("serial", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := ts.Token(ctx); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("parallel", func(b *testing.B) {
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if _, err := ts.Token(ctx); err != nil {
					b.Fatal(err)
				}
			}
		})
	})
}

// BenchmarkExpiredStampede has 1,000 goroutines call Token on an expired token per op and reports
// how many refresh requests reached the (real mock) server per op: it must be exactly 1.
func BenchmarkExpiredStampede(b *testing.B) {
	env := startMock(b)
	c := env.client(b)
	const callers = 1000
	ctx := context.Background()
	b.ReportAllocs()
	var ops int
	for b.Loop() {
		b.StopTimer()
		tok, err := c.PasswordToken(ctx, mockUser, mockPassword)
		if err != nil {
			b.Fatal(err)
		}
		ts := c.TokenSource(expiredCopy(tok))
		start := make(chan struct{})
		var wg sync.WaitGroup
		wg.Add(callers)
		for range callers {
			go func() {
				defer wg.Done()
				<-start
				if _, err := ts.Token(ctx); err != nil {
					b.Error(err)
				}
			}()
		}
		b.StartTimer()
		close(start)
		wg.Wait()
		ops++
	}
	b.ReportMetric(float64(env.refresh.Load())/float64(ops), "refreshes/op")
	b.ReportMetric(callers, "callers/op")
}

// BenchmarkCore isolates the protocol core's share of a password grant (no network), to show
// where the client-side allocations of BenchmarkPasswordGrant go.
func BenchmarkCore(b *testing.B) {
	auth := core.ClientAuth{ClientID: mockClientID, ClientSecret: mockClientSecret}
	b.Run("NewPasswordRequest", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := core.NewPasswordRequest("https://as.example.com/token", auth,
				core.PasswordParams{Username: mockUser, Password: mockPassword}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("ParseTokenResponse", func(b *testing.B) {
		resp := core.Response{Status: 200, ContentType: "application/json", Body: []byte(
			`{"access_token":"2YotnFZFEjr1zCsicMWpAA","token_type":"Bearer","expires_in":3600,` +
				`"refresh_token":"tGzv3JOkF0XG5Qx2TlKWIA","scope":"read write"}`)}
		now := time.Now()
		b.ReportAllocs()
		for b.Loop() {
			if _, err := core.ParseTokenResponse(resp, now); err != nil {
				b.Fatal(err)
			}
		}
	})
}
