package admin

import (
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ropcgo/ropc/mockserver"
)

func TestJournalRecordsWhoAskedWhat(t *testing.T) {
	f := newFixture(t, Options{Enabled: true})
	tests := []struct {
		name  string
		build func() *http.Request
		want  Entry
	}{
		{"basic auth password grant", func() *http.Request {
			r := formRequest(f.url, "grant_type=password&username=johndoe&password=A3ddj3w&scope=read+write")
			r.SetBasicAuth(demoClient, demoSecret)
			return r
		}, Entry{Method: "POST", Path: "/token", GrantType: "password", ClientID: demoClient, ClientAuth: "basic",
			Username: "johndoe", Scope: "read write", Status: 200}},
		{"post auth wrong password", func() *http.Request {
			return formRequest(f.url, "grant_type=password&username=johndoe&password=nope&client_id=client_id&client_secret=client_secret")
		}, Entry{Method: "POST", Path: "/token", GrantType: "password", ClientID: demoClient, ClientAuth: "post",
			Username: "johndoe", Status: 400, Error: "invalid_grant"}},
		{"public client", func() *http.Request {
			return formRequest(f.url, "grant_type=password&username=janedoe&password=S3cr3t-jane&client_id=public-client")
		}, Entry{Method: "POST", Path: "/token", GrantType: "password", ClientID: "public-client", ClientAuth: "none",
			Username: "janedoe", Status: 200}},
		{"basic id is form-urlencoded (RFC 6749 §2.3.1)", func() *http.Request {
			r := formRequest(f.url, "grant_type=password&username=johndoe&password=A3ddj3w")
			r.Header.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte("my+client%3A1:s%3Ac")))
			return r
		}, Entry{Method: "POST", Path: "/token", GrantType: "password", ClientID: "my client:1", ClientAuth: "basic",
			Username: "johndoe", Status: 401, Error: "invalid_client"}},
		{"get metadata", func() *http.Request {
			r, _ := http.NewRequest("GET", f.url+"/.well-known/oauth-authorization-server", nil)
			return r
		}, Entry{Method: "GET", Path: "/.well-known/oauth-authorization-server", ClientAuth: "none", Status: 200}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f.h.ClearRequests()
			resp, err := f.client.Do(tt.build())
			require.NoError(t, err)
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			entries := f.h.Requests()
			require.Len(t, entries, 1)
			got := entries[0]
			assert.False(t, got.Time.IsZero())
			got.Time = tt.want.Time
			assert.Equal(t, tt.want, got)
		})
	}
}

func formRequest(base, body string) *http.Request {
	r, _ := http.NewRequest("POST", base+"/token", strings.NewReader(body))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return r
}

// TestJournalHoldsNoSecrets runs every grant and checks no password, secret or
// token shows up in GET /_admin/requests.
func TestJournalHoldsNoSecrets(t *testing.T) {
	f := newFixture(t, Options{Enabled: true})
	_, _, body := f.password()
	tok := jsonMap(t, body)
	at, rt := tok["access_token"].(string), tok["refresh_token"].(string)
	require.NotEmpty(t, rt)

	resp, err := f.tokenRequest(t.Context(), url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt}})
	require.NoError(t, err)
	resp.Body.Close()
	for _, path := range []string{"/introspect", "/revoke"} {
		r := formRequest(f.url, "token="+url.QueryEscape(at))
		r.URL.Path = path
		r.SetBasicAuth(demoClient, demoSecret)
		resp, err := f.client.Do(r)
		require.NoError(t, err)
		resp.Body.Close()
	}
	r, _ := http.NewRequest("GET", f.url+"/userinfo", nil)
	r.Header.Set("Authorization", "Bearer "+at)
	resp, err = f.client.Do(r)
	require.NoError(t, err)
	resp.Body.Close()

	status, journal := f.do("GET", "/_admin/requests", "")
	require.Equal(t, 200, status)
	var entries []Entry
	require.NoError(t, json.Unmarshal(journal, &entries))
	assert.Len(t, entries, 5)
	for _, secret := range []string{demoPass, demoSecret, at, rt} {
		assert.NotContains(t, string(journal), secret)
	}
}

func TestJournalBodyStillReachesTheMock(t *testing.T) {
	// A body over the mock's limit is not parsed, but the mock still sees it
	// whole (and refuses it by its own rules), whether its length is declared
	// or it comes chunked.
	f := newFixture(t, Options{Enabled: true})
	long := "grant_type=password&username=johndoe&password=A3ddj3w&pad=" + strings.Repeat("x", mockserver.MaxBodyBytes)
	for i, chunked := range []bool{false, true} {
		r := formRequest(f.url, long)
		if chunked {
			r.Body = io.NopCloser(io.MultiReader(strings.NewReader(long)))
			r.ContentLength = -1
		}
		r.SetBasicAuth(demoClient, demoSecret)
		resp, err := f.client.Do(r)
		require.NoError(t, err)
		resp.Body.Close()
		assert.Equal(t, http.StatusRequestEntityTooLarge, resp.StatusCode, "chunked %t", chunked)
		e := f.h.Requests()[i]
		assert.Empty(t, e.GrantType, "not parsed")
		assert.Equal(t, http.StatusRequestEntityTooLarge, e.Status)
	}

	// Under the limit the mock sees exactly what was sent.
	req := httptest.NewRequest("POST", "/token", strings.NewReader("grant_type=password&username=a"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	p := parseRequest(req, true)
	assert.Equal(t, "a", p.username)
	b, err := io.ReadAll(req.Body)
	require.NoError(t, err)
	assert.Equal(t, "grant_type=password&username=a", string(b))
}

func TestJournalIsBounded(t *testing.T) {
	var j journal
	for i := range MaxJournal + 5 {
		j.add(Entry{Status: i})
	}
	got := j.list()
	require.Len(t, got, MaxJournal)
	assert.Equal(t, 5, got[0].Status, "oldest dropped first")
	assert.Equal(t, MaxJournal+4, got[len(got)-1].Status, "newest last")
	for i := 1; i < len(got); i++ {
		require.Equal(t, got[i-1].Status+1, got[i].Status, "in order at %d", i)
	}
	j.clear()
	assert.Empty(t, j.list())
	j.add(Entry{Status: 1})
	assert.Equal(t, []Entry{{Status: 1}}, j.list())
}

// TestJournalEntryVisibleBeforeTheAnswer: a client that has the status line
// of a streamed answer (and may give up reading it) finds its request, with
// the status, in the journal at once — no polling.
func TestJournalEntryVisibleBeforeTheAnswer(t *testing.T) {
	f := newFixture(t, Options{Enabled: true})
	_, err := f.h.AddFault(Rule{Quirk: QuirkOversized})
	require.NoError(t, err)
	resp, err := f.tokenRequest(t.Context(), passwordForm(demoUser, demoPass))
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	entries := f.h.Requests()
	require.Len(t, entries, 1, "journaled on arrival, not when the 16 MiB answer ends")
	assert.Equal(t, "password", entries[0].GrantType)
	assert.Equal(t, demoUser, entries[0].Username)
	assert.Equal(t, http.StatusOK, entries[0].Status, "status recorded before the status line is sent")
}

func TestJournalUpdate(t *testing.T) {
	var j journal
	first := j.add(Entry{Path: "/a"})
	second := j.add(Entry{Path: "/b"})
	j.update(first, 400, "invalid_grant")
	j.update(second, 200, "")
	assert.Equal(t, []Entry{{Path: "/a", Status: 400, Error: "invalid_grant"}, {Path: "/b", Status: 200}}, j.list())

	j.clear()
	third := j.add(Entry{Path: "/c"})
	j.update(first, 500, "server_error") // cleared: must not land on /c
	j.update(third+1, 500, "server_error")
	assert.Equal(t, []Entry{{Path: "/c"}}, j.list())

	for range MaxJournal {
		j.add(Entry{Path: "/d"})
	}
	j.update(third, 500, "server_error") // pushed out of the ring
	last := j.add(Entry{Path: "/e"})
	j.update(last, 204, "")
	got := j.list()
	require.Len(t, got, MaxJournal)
	for _, e := range got[:len(got)-1] {
		require.Equal(t, Entry{Path: "/d"}, e)
	}
	assert.Equal(t, Entry{Path: "/e", Status: 204}, got[len(got)-1])
}

func TestCaptureWriterErrorCode(t *testing.T) {
	tests := []struct {
		contentType, body, want string
	}{
		{"application/json", `{"error":"invalid_grant"}`, "invalid_grant"},
		{"application/json;charset=UTF-8", `{"error":"invalid_client","error_description":"x"}`, "invalid_client"},
		{"application/x-www-form-urlencoded", "error=invalid_scope&error_description=x", "invalid_scope"},
		{"application/json", `{"error":{"code":1}}`, ""},
		{"text/html", `<p>error</p>`, ""},
		{"application/json", `{"access_token":"x"}`, ""},
	}
	for _, tt := range tests {
		rec := httptest.NewRecorder()
		cw := &captureWriter{ResponseWriter: rec}
		cw.Header().Set("Content-Type", tt.contentType)
		cw.WriteHeader(400)
		_, _ = cw.Write([]byte(tt.body))
		assert.Equal(t, tt.want, cw.errorCode(), tt.body)
		assert.Equal(t, 400, cw.status)
	}
}

// BenchmarkWrapperOverhead compares a password grant straight to the mock with
// one through the admin layer (form parse, journal, fault lookup), and with
// one through the layer with the admin API off.
func BenchmarkWrapperOverhead(b *testing.B) {
	mock, err := mockserver.New(mockserver.DefaultConfig(), mockserver.Options{})
	require.NoError(b, err)
	h, err := New(mock, Options{Enabled: true})
	require.NoError(b, err)
	_, err = h.AddFault(Rule{Match: Match{Path: "/revoke"}, Status: 500}) // one non-matching rule to scan
	require.NoError(b, err)
	body := "grant_type=password&username=johndoe&password=A3ddj3w&scope=read"
	run := func(b *testing.B, handler http.Handler) {
		for b.Loop() {
			req := httptest.NewRequest(http.MethodPost, "/token", strings.NewReader(body))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.SetBasicAuth(demoClient, demoSecret)
			rec := httptest.NewRecorder()
			handler.ServeHTTP(rec, req)
			if rec.Code != http.StatusOK {
				b.Fatalf("status %d", rec.Code)
			}
		}
	}
	off, err := New(mock, Options{})
	require.NoError(b, err)
	b.Run("mock", func(b *testing.B) { run(b, mock) })
	b.Run("admin-wrapped", func(b *testing.B) { run(b, h) })
	// Without -admin and without fault rules the wrapper is one atomic load.
	b.Run("wrapped-admin-off", func(b *testing.B) { run(b, off) })
}
