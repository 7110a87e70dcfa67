package admin

import (
	"encoding/json"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseRuleAccepts(t *testing.T) {
	tests := []struct {
		name string
		json string
		want Rule
	}{
		{"full error rule", `{"match": {"path": "/token", "username": "johndoe", "client_id": "c", "grant_type": "password"},
			"times": 1, "delay": "2s", "status": 503, "error": "temporarily_unavailable", "error_description": "down", "retry_after": 2}`,
			Rule{Match: Match{Path: "/token", Username: "johndoe", ClientID: "c", GrantType: "password"}, Times: 1,
				Delay: Duration(2 * time.Second), Status: 503, Error: "temporarily_unavailable", ErrorDescription: "down", RetryAfter: 2}},
		{"delay only", `{"delay": "150ms"}`, Rule{Delay: Duration(150 * time.Millisecond)}},
		{"delay in seconds", `{"delay": 1.5}`, Rule{Delay: Duration(1500 * time.Millisecond)}},
		{"status only", `{"status": 500}`, Rule{Status: 500}},
		{"error only", `{"error": "invalid_grant"}`, Rule{Error: "invalid_grant"}},
		{"quirk", `{"quirk": "expires_in_string", "times": 0}`, Rule{Quirk: QuirkExpiresInString}},
		{"html with status", `{"quirk": "html_error", "status": 504, "retry_after": 5}`, Rule{Quirk: QuirkHTMLError, Status: 504, RetryAfter: 5}},
		{"redirect", `{"quirk": "redirect", "location": "https://evil.example/token"}`, Rule{Quirk: QuirkRedirect, Location: "https://evil.example/token"}},
		{"error_with_200 with code", `{"quirk": "error_with_200", "error": "invalid_scope"}`, Rule{Quirk: QuirkErrorWith200, Error: "invalid_scope"}},
		{"invalid_grant_401 with description", `{"quirk": "invalid_grant_401", "error_description": "bad password"}`,
			Rule{Quirk: QuirkInvalidGrant401, ErrorDescription: "bad password"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseRule([]byte(tt.json))
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestParseRuleRefuses(t *testing.T) {
	tests := []struct {
		name, json, field string
	}{
		{"unknown field", `{"quirk": "hang", "colour": "red"}`, "colour"},
		{"unknown match field", `{"match": {"scope": "read"}, "status": 500}`, "scope"},
		{"unknown quirk", `{"quirk": "slow"}`, "quirk"},
		{"bad delay", `{"delay": "soon"}`, "delay"},
		{"delay not a string or number", `{"delay": true}`, "delay"},
		{"negative delay", `{"delay": "-1s"}`, "delay"},
		{"huge delay", `{"delay": "11m"}`, "delay"},
		{"negative times", `{"status": 500, "times": -1}`, "times"},
		{"times as string", `{"status": 500, "times": "1"}`, "times"},
		{"status out of range", `{"status": 99}`, "status"},
		{"status 200 without error", `{"status": 200}`, "status"},
		{"negative retry_after", `{"status": 503, "retry_after": -2}`, "retry_after"},
		{"retry_after alone", `{"delay": "1s", "retry_after": 2}`, "retry_after"},
		{"error with quote", `{"error": "bad\"code"}`, "error"},
		{"error with space", `{"error": "bad code"}`, "error"},
		{"description alone", `{"error_description": "x"}`, "error_description"},
		{"description with a rewrite quirk", `{"quirk": "hang", "error_description": "x"}`, "error_description"},
		{"redirect without location", `{"quirk": "redirect"}`, "location"},
		{"redirect relative", `{"quirk": "redirect", "location": "/elsewhere"}`, "location"},
		{"location without redirect", `{"quirk": "hang", "location": "https://x.example"}`, "location"},
		{"html_error 2xx", `{"quirk": "html_error", "status": 200}`, "status"},
		{"status with rewrite quirk", `{"quirk": "form_encoded", "status": 500}`, "status"},
		{"error with rewrite quirk", `{"quirk": "hang", "error": "x"}`, "error"},
		{"invalid_grant_401 other code", `{"quirk": "invalid_grant_401", "error": "invalid_client"}`, "error"},
		{"error_with_200 other status", `{"quirk": "error_with_200", "status": 400}`, "status"},
		{"id given", `{"id": "f1", "status": 500}`, "id"},
		{"does nothing", `{"match": {"path": "/token"}, "times": 1}`, ""},
		{"not an object", `[1]`, ""},
		{"two objects", `{"status": 500}{"status": 500}`, ""},
		{"empty", ``, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseRule([]byte(tt.json))
			require.Error(t, err)
			var fe *FieldError
			require.ErrorAs(t, err, &fe)
			assert.Equal(t, tt.field, fe.Field, "message: %s", err)
		})
	}
}

func TestParseConfigFaultsNamesIndex(t *testing.T) {
	_, err := parseConfigFaults([]json.RawMessage{
		json.RawMessage(`{"status": 503}`),
		json.RawMessage(`{"quirk": "nope"}`),
	})
	var fe *FieldError
	require.ErrorAs(t, err, &fe)
	assert.Equal(t, "faults[1].quirk", fe.Field)

	rules, err := parseConfigFaults([]json.RawMessage{json.RawMessage(`{"status": 503, "times": 2}`)})
	require.NoError(t, err)
	assert.Equal(t, []Rule{{Status: 503, Times: 2}}, rules)
}

func TestDurationJSONRoundTrip(t *testing.T) {
	b, err := json.Marshal(Rule{Delay: Duration(1500 * time.Millisecond)})
	require.NoError(t, err)
	assert.JSONEq(t, `{"match": {}, "delay": "1.5s"}`, string(b))
	var r Rule
	require.NoError(t, json.Unmarshal(b, &r))
	assert.Equal(t, Duration(1500*time.Millisecond), r.Delay)
}

func TestMatch(t *testing.T) {
	req := &parsedRequest{path: "/token", username: "johndoe", clientID: "c1", grantType: "password"}
	tests := []struct {
		name  string
		match Match
		want  bool
	}{
		{"empty matches all", Match{}, true},
		{"all fields", Match{Path: "/token", Username: "johndoe", ClientID: "c1", GrantType: "password"}, true},
		{"other path", Match{Path: "/revoke"}, false},
		{"other user", Match{Username: "janedoe"}, false},
		{"other client", Match{ClientID: "c2"}, false},
		{"other grant", Match{GrantType: "refresh_token"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, tt.match.matches(req))
		})
	}
}

func TestRuleSetTimesAndOrder(t *testing.T) {
	var s ruleSet
	first := s.add(Rule{Status: 500, Times: 2}, false)
	second := s.add(Rule{Status: 503}, false)
	req := &parsedRequest{path: "/token"}

	for _, want := range []string{first, first, second, second} {
		r, ok := s.take(req)
		require.True(t, ok)
		assert.Equal(t, want, r.ID)
	}
	assert.Len(t, s.list(), 1, "the times:2 rule is gone after two uses")
	assert.True(t, s.remove(second))
	assert.False(t, s.remove(second))
	_, ok := s.take(req)
	assert.False(t, ok)
}

func TestRuleSetTimesIsExactUnderConcurrency(t *testing.T) {
	var s ruleSet
	s.add(Rule{Status: 500, Times: 5}, false)
	var hits atomic.Int32
	var wg sync.WaitGroup
	for range 50 {
		wg.Go(func() {
			if _, ok := s.take(&parsedRequest{}); ok {
				hits.Add(1)
			}
		})
	}
	wg.Wait()
	assert.EqualValues(t, 5, hits.Load())
}

func TestRuleSetReplaceConfig(t *testing.T) {
	var s ruleSet
	s.replaceConfig([]Rule{{Status: 500}}, false)
	runtime := s.add(Rule{Status: 503}, false)

	s.replaceConfig([]Rule{{Status: 502}, {Status: 504}}, true)
	got := s.list()
	require.Len(t, got, 3)
	assert.Equal(t, []int{502, 504, 503}, []int{got[0].Status, got[1].Status, got[2].Status})
	assert.Equal(t, runtime, got[2].ID, "run-time rule kept across reload")

	s.replaceConfig([]Rule{{Status: 502}}, false)
	got = s.list()
	require.Len(t, got, 1)
	assert.Equal(t, 502, got[0].Status)
}

// FuzzParseRule: admin input never panics the parser, and an accepted rule
// survives a JSON round trip unchanged.
func FuzzParseRule(f *testing.F) {
	for _, seed := range []string{
		`{"match": {"path": "/token", "grant_type": "password"}, "times": 1, "delay": "2s", "status": 503, "error": "temporarily_unavailable", "retry_after": 2}`,
		`{"quirk": "redirect", "location": "https://x.example/"}`,
		`{"quirk": "html_error", "status": 504}`,
		`{"delay": "1h"}`, `{"id": "f1"}`, `{"times": -1}`, `[]`, `null`, `{"error": "a\u0000"}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := ParseRule(data)
		if err != nil {
			var fe *FieldError
			if !errors.As(err, &fe) {
				t.Fatalf("error is not a FieldError: %T %v", err, err)
			}
			return
		}
		b, err := json.Marshal(r)
		if err != nil {
			t.Fatal(err)
		}
		again, err := ParseRule(b)
		if err != nil {
			t.Fatalf("re-parse of %s: %v", b, err)
		}
		if again != r {
			t.Fatalf("round trip changed the rule: %+v -> %+v", r, again)
		}
	})
}
