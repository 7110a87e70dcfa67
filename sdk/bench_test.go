package sdk

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/ropcgo/ropc/mockserver"
)

// Benchmarks print figures; none asserts timing. Run:
//
//	go test -run '^$' -bench . -benchmem ./sdk/
//
// Allocations are counted for the whole process, so the server's share is included in both
// columns of a comparison; only the difference between them is the client's.

// minimalTokenHandler is a token endpoint that does as little as possible, shared by both
// clients, so the comparison is dominated by client-side cost. It still checks what a server
// must: method, client authentication and grant parameters.
func minimalTokenHandler() http.Handler {
	body := []byte(`{"access_token":"2YotnFZFEjr1zCsicMWpAA","token_type":"Bearer","expires_in":3600,` +
		`"refresh_token":"tGzv3JOkF0XG5Qx2TlKWIA","scope":"read write"}`)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, secret, ok := r.BasicAuth()
		if r.Method != http.MethodPost || !ok || id != mockClientID || secret != mockClientSecret {
			http.Error(w, `{"error":"invalid_client"}`, http.StatusUnauthorized)
			return
		}
		if err := r.ParseForm(); err != nil || r.PostForm.Get("grant_type") != "password" ||
			r.PostForm.Get("username") != mockUser || r.PostForm.Get("password") != mockPassword {
			http.Error(w, `{"error":"invalid_grant"}`, http.StatusBadRequest)
			return
		}
		h := w.Header()
		h["Content-Type"] = []string{"application/json"}
		h["Cache-Control"] = []string{"no-store"}
		_, _ = w.Write(body)
	})
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
		{"mock-", mock},              // the real mock: JWT signing and store work dominate
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

