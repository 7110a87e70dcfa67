package admin

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"net/url"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type answer struct {
	status int
	header http.Header
	body   []byte
}

func (a answer) object(t *testing.T) map[string]any {
	t.Helper()
	return jsonMap(t, a.body)
}

func (a answer) mediaType() string {
	mt, _, _ := mime.ParseMediaType(a.header.Get("Content-Type"))
	return mt
}

// quirkCases checks what each quirk does to a password grant of the demo user.
var quirkCases = []struct {
	rule    string // JSON, as sent to POST /_admin/faults
	check   func(t *testing.T, a answer)
	journal int // status recorded in the journal
	errCode string
}{
	{`{"quirk": "expires_in_string"}`, func(t *testing.T, a answer) {
		m := a.object(t)
		assert.Equal(t, "3600", m["expires_in"], "PayPal/Azure AD style string")
		assert.NotEmpty(t, m["access_token"])
	}, 200, ""},
	{`{"quirk": "expires_in_missing"}`, func(t *testing.T, a answer) {
		m := a.object(t)
		assert.NotContains(t, m, "expires_in")
		assert.NotEmpty(t, m["access_token"])
	}, 200, ""},
	{`{"quirk": "token_type_missing"}`, func(t *testing.T, a answer) {
		m := a.object(t)
		assert.NotContains(t, m, "token_type")
		assert.NotEmpty(t, m["access_token"])
	}, 200, ""},
	{`{"quirk": "token_type_lowercase"}`, func(t *testing.T, a answer) {
		assert.Equal(t, "bearer", a.object(t)["token_type"])
	}, 200, ""},
	{`{"quirk": "form_encoded"}`, func(t *testing.T, a answer) {
		assert.Equal(t, "application/x-www-form-urlencoded", a.mediaType())
		v, err := url.ParseQuery(string(a.body))
		require.NoError(t, err)
		assert.NotEmpty(t, v.Get("access_token"))
		assert.NotEmpty(t, v.Get("refresh_token"))
		assert.Equal(t, "3600", v.Get("expires_in"))
		assert.True(t, strings.EqualFold(v.Get("token_type"), "bearer"))
	}, 200, ""},
	{`{"quirk": "error_with_200"}`, func(t *testing.T, a answer) {
		assert.Equal(t, 200, a.status)
		assert.Equal(t, "invalid_grant", a.object(t)["error"])
		assert.NotContains(t, a.object(t), "access_token")
	}, 200, "invalid_grant"},
	{`{"quirk": "error_with_200", "error": "invalid_scope", "error_description": "nope"}`, func(t *testing.T, a answer) {
		assert.Equal(t, 200, a.status)
		assert.Equal(t, "invalid_scope", a.object(t)["error"])
		assert.Equal(t, "nope", a.object(t)["error_description"])
	}, 200, "invalid_scope"},
	{`{"quirk": "invalid_grant_401"}`, func(t *testing.T, a answer) {
		assert.Equal(t, 401, a.status)
		assert.Equal(t, "invalid_grant", a.object(t)["error"])
	}, 401, "invalid_grant"},
	{`{"quirk": "html_error"}`, func(t *testing.T, a answer) {
		assert.Equal(t, 502, a.status)
		assert.Equal(t, "text/html", a.mediaType())
		assert.Contains(t, string(a.body), "<html>")
	}, 502, ""},
	{`{"quirk": "html_error", "status": 504, "retry_after": 7}`, func(t *testing.T, a answer) {
		assert.Equal(t, 504, a.status)
		assert.Equal(t, "7", a.header.Get("Retry-After"))
		assert.Equal(t, "text/html", a.mediaType())
	}, 504, ""},
	{`{"quirk": "malformed_json"}`, func(t *testing.T, a answer) {
		assert.Equal(t, 200, a.status)
		assert.Equal(t, "application/json", a.mediaType())
		assert.NotEmpty(t, a.body)
		assert.False(t, json.Valid(a.body))
	}, 200, ""},
	{`{"quirk": "no_refresh_token"}`, func(t *testing.T, a answer) {
		m := a.object(t)
		assert.NotContains(t, m, "refresh_token")
		assert.NotEmpty(t, m["access_token"])
	}, 200, ""},
	{`{"quirk": "redirect", "location": "https://elsewhere.example/token"}`, func(t *testing.T, a answer) {
		assert.Equal(t, http.StatusTemporaryRedirect, a.status)
		assert.Equal(t, "https://elsewhere.example/token", a.header.Get("Location"))
	}, 307, ""},
	{`{"quirk": "oversized"}`, func(t *testing.T, a answer) {
		assert.Equal(t, 200, a.status)
		assert.Len(t, a.body, OversizedBytes)
		assert.True(t, strings.HasPrefix(string(a.body[:20]), `{"access_token":"`))
	}, 200, ""},
}

// TestQuirks installs each quirk over HTTP and in-process and checks the answer
// a client gets and the journal entry.
func TestQuirks(t *testing.T) {
	for _, via := range []string{"http", "in-process"} {
		for _, tc := range quirkCases {
			t.Run(via+" "+tc.rule, func(t *testing.T) {
				f := newFixture(t, Options{Enabled: true})
				if via == "http" {
					status, body := f.do("POST", "/_admin/faults", tc.rule)
					require.Equal(t, http.StatusCreated, status, "%s", body)
				} else {
					rule, err := ParseRule([]byte(tc.rule))
					require.NoError(t, err)
					_, err = f.h.AddFault(rule)
					require.NoError(t, err)
				}
				status, hdr, body := f.password()
				tc.check(t, answer{status, hdr, body})
				entries := f.h.Requests()
				require.Len(t, entries, 1)
				assert.Equal(t, tc.journal, entries[0].Status)
				assert.Equal(t, tc.errCode, entries[0].Error)
				assert.Equal(t, "password", entries[0].GrantType)
			})
		}
	}
}

func TestQuirkHang(t *testing.T) {
	for _, via := range []string{"http", "in-process"} {
		t.Run(via, func(t *testing.T) {
			f := newFixture(t, Options{Enabled: true})
			if via == "http" {
				status, _ := f.do("POST", "/_admin/faults", `{"quirk": "hang", "times": 1}`)
				require.Equal(t, http.StatusCreated, status)
			} else {
				_, err := f.h.AddFault(Rule{Quirk: QuirkHang, Times: 1})
				require.NoError(t, err)
			}
			start := time.Now() // before the deadline is set, so the elapsed time cannot come out short
			ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
			defer cancel()
			_, err := f.tokenRequest(ctx, passwordForm(demoUser, demoPass))
			require.Error(t, err)
			assert.True(t, errors.Is(err, context.DeadlineExceeded), "%v", err)
			assert.GreaterOrEqual(t, time.Since(start), 200*time.Millisecond)
			require.Eventually(t, func() bool { return len(f.h.Requests()) == 1 }, 5*time.Second, 10*time.Millisecond)
			assert.Equal(t, 0, f.h.Requests()[0].Status)

			status, _, _ := f.password()
			assert.Equal(t, 200, status, "times: 1 used up")
		})
	}
}

// TestQuirkOversizedIsStreamed checks the 16 MiB body is not built in memory.
func TestQuirkOversizedIsStreamed(t *testing.T) {
	f := newFixture(t, Options{Enabled: true})
	_, err := f.h.AddFault(Rule{Quirk: QuirkOversized})
	require.NoError(t, err)
	resp, err := f.tokenRequest(context.Background(), passwordForm(demoUser, demoPass))
	require.NoError(t, err)
	defer resp.Body.Close()

	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	n, err := io.Copy(io.Discard, resp.Body)
	require.NoError(t, err)
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	assert.EqualValues(t, OversizedBytes, n)
	assert.Less(t, after.TotalAlloc-before.TotalAlloc, uint64(OversizedBytes/2), "server and client allocate far less than the body")
}

// TestRewriteLeavesErrorsAlone: a rewrite quirk on an error answer passes it through.
func TestRewriteLeavesErrorsAlone(t *testing.T) {
	for _, q := range []Quirk{QuirkExpiresInString, QuirkExpiresInMissing, QuirkTokenTypeMissing, QuirkTokenTypeLowercase, QuirkNoRefreshToken} {
		t.Run(string(q), func(t *testing.T) {
			f := newFixture(t, Options{})
			_, err := f.h.AddFault(Rule{Quirk: q})
			require.NoError(t, err)
			resp, err := f.tokenRequest(context.Background(), passwordForm(demoUser, "wrong"))
			require.NoError(t, err)
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			assert.Equal(t, http.StatusBadRequest, resp.StatusCode)
			assert.Equal(t, "invalid_grant", jsonMap(t, body)["error"])
		})
	}
}

func TestFormEncodeIsSortedAndSkipsNull(t *testing.T) {
	got := formEncode(map[string]any{"b": json.Number("2"), "a": "x y", "n": nil, "o": map[string]any{"k": true}})
	assert.Equal(t, "a=x+y&b=2&o=%7B%22k%22%3Atrue%7D", got)
}

func TestQuirksListIsComplete(t *testing.T) {
	assert.Len(t, Quirks(), 13)
	for _, q := range Quirks() {
		assert.True(t, q.known())
	}
	assert.False(t, Quirk("nope").known())
}
