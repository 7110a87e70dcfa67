package sdk

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"reflect"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The handlers in this file stand for third-party servers misbehaving in ways the mock does not
// (yet) produce; protocol behaviour is tested against the real mock in the other test files.

const okTokenJSON = `{"access_token":"at-1","token_type":"bearer","expires_in":3600}`

func newTestClient(t *testing.T, url string, mutate ...func(*Config)) *Client {
	t.Helper()
	cfg := Config{TokenURL: url + "/token", ClientID: "client_id", ClientSecret: "client_secret"}
	for _, m := range mutate {
		m(&cfg)
	}
	c, err := NewClient(cfg)
	require.NoError(t, err)
	return c
}

func TestRedirectsAreRefused(t *testing.T) {
	for _, status := range []int{301, 302, 303, 307, 308} {
		t.Run(strconv.Itoa(status), func(t *testing.T) {
			var stolen atomic.Int32
			thief := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				stolen.Add(1)
				w.Header().Set("Content-Type", "application/json")
				_, _ = io.WriteString(w, okTokenJSON)
			}))
			defer thief.Close()
			var hits atomic.Int32
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				hits.Add(1)
				http.Redirect(w, r, thief.URL+"/steal?x=1", status)
			}))
			defer srv.Close()

			// A caller-supplied client whose policy follows redirects must not change the outcome.
			follow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return nil }}
			policy := reflect.ValueOf(follow.CheckRedirect).Pointer()
			c := newTestClient(t, srv.URL, func(c *Config) { c.HTTPClient = follow })
			_, err := c.PasswordToken(context.Background(), "johndoe", "A3ddj3w")

			var re *RedirectError
			require.ErrorAs(t, err, &re)
			assert.Equal(t, status, re.Status)
			assert.Equal(t, thief.URL+"/steal", re.Location, "query dropped from the message")
			assert.Contains(t, err.Error(), strconv.Itoa(status))
			assert.Contains(t, err.Error(), "redirects are refused")
			assert.NotContains(t, err.Error(), "A3ddj3w")
			assert.Equal(t, int32(1), hits.Load())
			assert.Equal(t, int32(0), stolen.Load(), "credentials were re-sent to the redirect target")
			// Not merely non-nil: the SDK's own refusing policy would be non-nil too.
			assert.Equal(t, policy, reflect.ValueOf(follow.CheckRedirect).Pointer(), "caller's client must not be modified")
			assert.Nil(t, follow.Transport, "caller's client must not be modified")
		})
	}
}

func TestResponseSizeLimit(t *testing.T) {
	big := `{"access_token":"` + strings.Repeat("a", 2000) + `","token_type":"Bearer"}`
	tests := []struct {
		name    string
		limit   int64
		chunked bool
		wantErr bool
	}{
		{"under limit, length known", 4096, false, false},
		{"over limit, length known", 1024, false, true},
		{"under limit, chunked", 4096, true, false},
		{"over limit, chunked", 1024, true, true},
		{"exactly at limit", int64(len(big)), false, false},
		{"exactly at limit, chunked", int64(len(big)), true, false},
		{"one byte over, chunked", int64(len(big)) - 1, true, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				if !tt.chunked {
					w.Header().Set("Content-Length", strconv.Itoa(len(big)))
				}
				for i := 0; i < len(big); i += 100 {
					_, _ = io.WriteString(w, big[i:min(i+100, len(big))])
					if tt.chunked {
						w.(http.Flusher).Flush()
					}
				}
			}))
			defer srv.Close()
			c := newTestClient(t, srv.URL, func(c *Config) { c.MaxResponseBytes = tt.limit })
			tok, err := c.PasswordToken(context.Background(), "u", "p")
			if !tt.wantErr {
				require.NoError(t, err)
				assert.Len(t, tok.AccessToken, 2000)
				return
			}
			var tl *ResponseTooLargeError
			require.ErrorAs(t, err, &tl)
			assert.Equal(t, tt.limit, tl.Limit)
			assert.Contains(t, err.Error(), strconv.FormatInt(tt.limit, 10))
		})
	}
}

func TestReadLimited(t *testing.T) {
	tests := []struct {
		name          string
		body          string
		contentLength int64
		limit         int64
		wantErr       bool
	}{
		{"empty", "", 0, 10, false},
		{"empty unknown length", "", -1, 10, false},
		{"fits", "hello", 5, 10, false},
		{"fits unknown", "hello", -1, 5, false},
		{"declared too large", "hello", 11, 10, true},
		{"undeclared too large", strings.Repeat("x", 1000), -1, 999, true},
		{"long unknown fits", strings.Repeat("x", 5000), -1, 5000, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := readLimited(strings.NewReader(tt.body), tt.contentLength, tt.limit)
			if tt.wantErr {
				var tl *ResponseTooLargeError
				require.ErrorAs(t, err, &tl)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.body, string(got))
		})
	}
}

func TestTimeoutAndContext(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	defer close(release)

	t.Run("config timeout", func(t *testing.T) {
		c := newTestClient(t, srv.URL, func(c *Config) { c.Timeout = 50 * time.Millisecond })
		start := time.Now()
		_, err := c.PasswordToken(context.Background(), "u", "p")
		require.Error(t, err)
		assert.Less(t, time.Since(start), 5*time.Second)
		var ne interface{ Timeout() bool }
		require.ErrorAs(t, err, &ne)
		assert.True(t, ne.Timeout())
	})
	t.Run("context deadline", func(t *testing.T) {
		c := newTestClient(t, srv.URL)
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		defer cancel()
		_, err := c.PasswordToken(ctx, "u", "p")
		require.ErrorIs(t, err, context.DeadlineExceeded)
	})
}

// countingTransport records that the caller's transport carried the request.
type countingTransport struct {
	n    atomic.Int32
	base http.RoundTripper
}

func (c *countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	c.n.Add(1)
	return c.base.RoundTrip(r)
}

func TestCallerHTTPClientHonoured(t *testing.T) {
	var gotBody string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		gotBody = string(b)
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, okTokenJSON)
	}))
	defer srv.Close()
	ct := &countingTransport{base: http.DefaultTransport}
	hc := &http.Client{Transport: ct, Timeout: 7 * time.Second}
	c := newTestClient(t, srv.URL, func(c *Config) { c.HTTPClient = hc })
	tok, err := c.PasswordToken(context.Background(), "johndoe", "A3ddj3w")
	require.NoError(t, err)
	assert.Equal(t, "at-1", tok.AccessToken)
	assert.Equal(t, "Bearer", tok.TokenType)
	assert.Equal(t, int32(1), ct.n.Load())
	assert.Equal(t, 7*time.Second, c.hc.Timeout, "caller's timeout kept")
	assert.Nil(t, hc.CheckRedirect, "caller's client not modified")
	assert.Contains(t, gotBody, "grant_type=password")
}

func TestDefaultTransportUsesEnvironmentProxy(t *testing.T) {
	c := newTestClient(t, "https://as.example.com")
	tr, ok := c.hc.Transport.(*http.Transport)
	require.True(t, ok)
	require.NotNil(t, tr.Proxy, "proxies from the environment must work by default")
	assert.Equal(t, reflect.ValueOf(http.ProxyFromEnvironment).Pointer(), reflect.ValueOf(tr.Proxy).Pointer())
	assert.NotSame(t, http.DefaultTransport, tr, "the shared default transport is a clone")
}

// A server error must not lead to a second request carrying the password.
func TestNoRetryOnServerError(t *testing.T) {
	for _, status := range []int{500, 502, 503, 429} {
		t.Run(strconv.Itoa(status), func(t *testing.T) {
			var hits atomic.Int32
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				hits.Add(1)
				w.Header().Set("Content-Type", "text/html")
				w.WriteHeader(status)
				_, _ = io.WriteString(w, "<html>oops</html>")
			}))
			defer srv.Close()
			c := newTestClient(t, srv.URL)
			_, err := c.PasswordToken(context.Background(), "u", "p")
			var he *HTTPError
			require.ErrorAs(t, err, &he)
			assert.Equal(t, status, he.Status)
			assert.Equal(t, int32(1), hits.Load())
		})
	}
}

func TestSendHeaders(t *testing.T) {
	var got http.Header
	var body []byte
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = r.Header.Clone()
		body, _ = io.ReadAll(r.Body)
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, okTokenJSON)
	}))
	defer srv.Close()
	c := newTestClient(t, srv.URL)
	_, err := c.PasswordToken(context.Background(), "johndoe", "A3ddj3w", WithScopes("read"), WithParam("audience", "api"))
	require.NoError(t, err)
	assert.Equal(t, "application/x-www-form-urlencoded", got.Get("Content-Type"))
	assert.Equal(t, "application/json", got.Get("Accept"))
	id, secret, ok := (&http.Request{Header: got}).BasicAuth()
	require.True(t, ok)
	assert.Equal(t, "client_id", id)
	assert.Equal(t, "client_secret", secret)
	assert.True(t, bytes.Contains(body, []byte("audience=api")))
	assert.True(t, bytes.Contains(body, []byte("scope=read")))
	assert.False(t, bytes.Contains(body, []byte("client_secret=")), "one auth method per request")
}

func TestTransportErrorHasNoSecrets(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	url := srv.URL
	srv.Close() // connection refused from now on
	c := newTestClient(t, url)
	_, err := c.PasswordToken(context.Background(), "johndoe", "A3ddj3w")
	require.Error(t, err)
	for _, s := range []string{"A3ddj3w", "client_secret"} {
		assert.NotContains(t, err.Error(), s)
	}
	assert.False(t, errors.Is(err, ErrSignInAgain))
}

// With a cookie jar the request goes through the caller's http.Client; redirects stay refused.
func TestCallerClientWithJar(t *testing.T) {
	var stolen atomic.Int32
	thief := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { stolen.Add(1) }))
	defer thief.Close()
	var sawCookie atomic.Bool
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, err := r.Cookie("affinity"); err == nil {
			sawCookie.Store(true)
			http.Redirect(w, r, thief.URL, http.StatusPermanentRedirect)
			return
		}
		http.SetCookie(w, &http.Cookie{Name: "affinity", Value: "1"})
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, okTokenJSON)
	}))
	defer srv.Close()
	jar, err := cookiejar.New(nil)
	require.NoError(t, err)
	c := newTestClient(t, srv.URL, func(c *Config) { c.HTTPClient = &http.Client{Jar: jar} })
	_, err = c.PasswordToken(context.Background(), "u", "p")
	require.NoError(t, err)
	_, err = c.PasswordToken(context.Background(), "u", "p")
	var re *RedirectError
	require.ErrorAs(t, err, &re)
	assert.True(t, sawCookie.Load(), "the jar was used")
	assert.Equal(t, int32(0), stolen.Load())
}

func TestNegativeTimeoutMeansContextOnly(t *testing.T) {
	c := newTestClient(t, "https://as.example.com", func(c *Config) { c.Timeout = -1 })
	assert.Zero(t, c.hc.Timeout)
	ctx, cancel := c.withTimeout(context.Background())
	assert.Nil(t, cancel)
	_, has := ctx.Deadline()
	assert.False(t, has)
}
