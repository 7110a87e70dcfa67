package mockserver

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A store that fails its writes (any store other than the in-memory one
// stores every refresh token) is answered 503 temporarily_unavailable,
// never 500.
func TestStoreFailureIsNot500(t *testing.T) {
	for _, format := range []string{TokenFormatJWT, TokenFormatOpaque} {
		cfg := DefaultConfig()
		cfg.TokenFormat = format
		r := newTestServer(t, cfg, Options{Store: failingStore{NewMemoryStore()}}).password("johndoe", "A3ddj3w")
		assert.Equal(t, http.StatusServiceUnavailable, r.Code, format)
		assert.Equal(t, "temporarily_unavailable", r.json(t)["error"])
		assert.Equal(t, "no-store", r.Header.Get("Cache-Control"))
	}
}

// failingStore fails every token write (a D1 outage, say).
type failingStore struct{ Store }

var errUnavailable = fmt.Errorf("database unavailable")

func (failingStore) PutRefreshToken(context.Context, RefreshToken) error { return errUnavailable }
func (failingStore) PutAccessToken(context.Context, AccessToken) error   { return errUnavailable }

func TestDescriptionsAreRFCCharset(t *testing.T) {
	ts := newTestServer(t, nil, Options{})
	bodies := []string{
		"grant_type=%E2%9C%93", "grant_type=password&username=%22q%5C&password=x", "grant_type=password&scope=%C3%A9",
		"grant_type=password&username=a&password=b&scope=r%22ead", "grant_type=pass%22word",
	}
	for _, b := range bodies {
		r := ts.do(http.MethodPost, "/token", b, basicHeader("client_id", "client_secret"))
		var m map[string]string
		require.NoError(t, json.Unmarshal([]byte(r.Body), &m), r.Body)
		for _, c := range []byte(m["error_description"]) {
			assert.True(t, c >= 0x20 && c <= 0x7e && c != '"' && c != '\\', "body %q: description %q", b, m["error_description"])
		}
	}
}

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

func TestResolveScope(t *testing.T) {
	allowed := []string{"read", "write", "admin"}
	for _, tc := range []struct {
		requested, want, err string
	}{
		{requested: "", want: "read"},
		{requested: "   ", want: "read"},
		{requested: "write", want: "write"},
		{requested: "read write", want: "read write"},
		{requested: "write read", want: "write read"},
		{requested: "read  write", want: "read write"},
		{requested: " read", want: "read"},
		{requested: "read ", want: "read"},
		{requested: "read write read", want: "read write"},
		{requested: "a", err: "scope a is not allowed for this client"},
		{requested: "read delete", err: "scope delete is not allowed for this client"},
		{requested: "re\"ad", err: "scope contains characters not allowed by RFC 6749 section 3.3"},
	} {
		t.Run(tc.requested, func(t *testing.T) {
			got, oerr := resolveScope(tc.requested, allowed, "read")
			if tc.err != "" {
				require.NotNil(t, oerr)
				assert.Equal(t, "invalid_scope", oerr.code)
				assert.Equal(t, tc.err, oerr.description)
				return
			}
			require.Nil(t, oerr)
			assert.Equal(t, tc.want, got)
		})
	}
}

// FuzzResolveScope holds resolveScope to the plain reading of RFC 6749
// §3.3: split on spaces, drop empty and repeated tokens, join with one
// space (what it computed before it learnt to return a canonical request
// as is).
func FuzzResolveScope(f *testing.F) {
	for _, s := range []string{"", "read", "read write", " read", "read ", "read  read", "write read admin", "x"} {
		f.Add(s)
	}
	allowed := []string{"read", "write", "admin"}
	f.Fuzz(func(t *testing.T, requested string) {
		got, oerr := resolveScope(requested, allowed, "read")
		var want []string
		for _, sc := range strings.Split(requested, " ") {
			if sc == "" {
				continue
			}
			if !isScopeToken(sc) || !contains(allowed, sc) {
				require.NotNil(t, oerr, "%q", requested)
				return
			}
			if !contains(want, sc) {
				want = append(want, sc)
			}
		}
		require.Nil(t, oerr, "%q", requested)
		if len(want) == 0 {
			want = []string{"read"}
		}
		assert.Equal(t, strings.Join(want, " "), got)
	})
}
