package core_test

import (
	"encoding/json"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ropcgo/ropc/sdk/core"
)

// loadRules reads testdata/rules.json: one section of cases per shared rule.
func loadRules(t *testing.T) map[string]json.RawMessage {
	t.Helper()
	b, err := os.ReadFile("testdata/rules.json")
	require.NoError(t, err)
	var sections map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(b, &sections))
	delete(sections, "$comment")
	return sections
}

var sharedRule = regexp.MustCompile(`Shared rule "([a-z_]+)"`)

// TestEveryRuleHasCases ties the doc comments to the table: every rule marked
// 'Shared rule "name"' in this package has a non-empty section in
// testdata/rules.json, and every section names a marked rule.
func TestEveryRuleHasCases(t *testing.T) {
	fset := token.NewFileSet()
	pkgs, err := parser.ParseDir(fset, ".", func(fi os.FileInfo) bool { return !strings.HasSuffix(fi.Name(), "_test.go") }, parser.ParseComments)
	require.NoError(t, err)
	marked := map[string][]string{} // rule -> declarations that carry it
	for _, pkg := range pkgs {
		for _, f := range pkg.Files {
			for _, d := range f.Decls {
				var doc *ast.CommentGroup
				var name string
				switch d := d.(type) {
				case *ast.FuncDecl:
					doc, name = d.Doc, d.Name.Name
				case *ast.GenDecl:
					doc = d.Doc
					if len(d.Specs) > 0 {
						if vs, ok := d.Specs[0].(*ast.ValueSpec); ok {
							name = vs.Names[0].Name
						}
					}
				}
				if doc == nil {
					continue
				}
				for _, m := range sharedRule.FindAllStringSubmatch(doc.Text(), -1) {
					marked[m[1]] = append(marked[m[1]], name)
				}
			}
		}
	}
	require.NotEmpty(t, marked, "sanity: the marker is found")
	sections := loadRules(t)
	for rule, decls := range marked {
		raw, ok := sections[rule]
		if !assert.True(t, ok, "rule %q (%v) has no section in testdata/rules.json", rule, decls) {
			continue
		}
		var cases []json.RawMessage
		require.NoError(t, json.Unmarshal(raw, &cases))
		assert.NotEmpty(t, cases, "rule %q has no cases", rule)
	}
	var names []string
	for s := range sections {
		names = append(names, s)
		assert.Contains(t, marked, s, "section %q names no rule marked in sdk/core", s)
	}
	sort.Strings(names)
	t.Logf("rules with cases: %v", names)
}

// The pure rules, straight on core; sdk/rules_test.go and js/test/rules.test.mjs run every
// section through each host's public API.
func TestRulesCore(t *testing.T) {
	sections := loadRules(t)
	t.Run("client_config", func(t *testing.T) {
		var cases []struct {
			Name, Secret, Error string
			ClientID            string  `json:"client_id"`
			TokenURL            *string `json:"token_url"`
			Issuer              *string `json:"issuer"`
			RevocationURL       *string `json:"revocation_url"`
			IntrospectionURL    *string `json:"introspection_url"`
			ChallengeURL        *string `json:"challenge_url"`
			OK                  bool
		}
		require.NoError(t, json.Unmarshal(sections["client_config"], &cases))
		at := func(p *string) string { // paths are relative to a server; any origin does here
			if p == nil {
				return ""
			}
			return "https://as.example" + *p
		}
		for _, c := range cases {
			t.Run(c.Name, func(t *testing.T) {
				err := core.CheckClientConfig(core.ClientConfig{ClientID: c.ClientID, TokenURL: at(c.TokenURL), Issuer: at(c.Issuer),
					RevocationURL: at(c.RevocationURL), IntrospectionURL: at(c.IntrospectionURL), ChallengeURL: at(c.ChallengeURL)})
				if c.OK {
					assert.NoError(t, err)
					return
				}
				var pe *core.ParamError
				require.ErrorAs(t, err, &pe)
				assert.Equal(t, c.Error, pe.Key)
			})
		}
	})
	t.Run("sign_in_step", func(t *testing.T) {
		var cases []struct {
			Name, Answer, Want      string
			Prompter, OTP, Recovery bool
		}
		require.NoError(t, json.Unmarshal(sections["sign_in_step"], &cases))
		answers := map[string]error{
			"token":         nil,
			"invalid_grant": &core.OAuthError{Code: "invalid_grant", Status: 400, Kind: core.KindInvalidCredentials},
			"mfa_required": &core.OAuthError{Code: "mfa_required", Status: 403, Kind: core.KindMFARequired,
				Extra: map[string]any{"mfa_token": "mt"}},
		}
		for _, c := range cases {
			t.Run(c.Name, func(t *testing.T) {
				answer, ok := answers[c.Answer]
				require.True(t, ok, "answer %q", c.Answer)
				got := core.NextSignInStep(core.SignInState{Err: answer, CanPrompt: c.Prompter, OTP: c.OTP, Recovery: c.Recovery})
				assert.Equal(t, core.SignInStep(c.Want), got)
			})
		}
	})
	t.Run("refused_token", func(t *testing.T) {
		var cases []struct {
			Name    string
			Lines   []string
			Refused bool
		}
		require.NoError(t, json.Unmarshal(sections["refused_token"], &cases))
		for _, c := range cases {
			t.Run(c.Name, func(t *testing.T) {
				assert.Equal(t, c.Refused, core.RefusesToken(core.ChallengeHeader(c.Lines)))
			})
		}
	})
	t.Run("discovery_order", func(t *testing.T) {
		var cases []struct {
			Name, Issuer, Error string
			Want                []string
		}
		require.NoError(t, json.Unmarshal(sections["discovery_order"], &cases))
		for _, c := range cases {
			t.Run(c.Name, func(t *testing.T) {
				got, err := core.DiscoveryURLs(c.Issuer)
				if c.Error != "" {
					require.Error(t, err)
					assert.Contains(t, err.Error(), c.Error)
					return
				}
				require.NoError(t, err)
				assert.Equal(t, c.Want, got)
				// NextDiscoveryURL walks the same list after answers, and stops at its end.
				var tried []core.DiscoveryAttempt
				for _, want := range c.Want {
					next, err := core.NextDiscoveryURL(c.Issuer, tried)
					require.NoError(t, err)
					assert.Equal(t, want, next)
					tried = append(tried, core.DiscoveryAttempt{URL: next, Status: 404})
				}
				_, err = core.NextDiscoveryURL(c.Issuer, tried)
				var de *core.DiscoveryError
				require.ErrorAs(t, err, &de)
				assert.Len(t, de.Attempts, len(c.Want))
			})
		}
	})
	t.Run("expiry", func(t *testing.T) {
		var cases []struct {
			Name      string
			ExpiresIn json.RawMessage `json:"expires_in"`
			Want      *int64
			Error     string
		}
		require.NoError(t, json.Unmarshal(sections["expiry"], &cases))
		now := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
		for _, c := range cases {
			t.Run(c.Name, func(t *testing.T) {
				body := `{"access_token":"at","token_type":"Bearer"}`
				if c.ExpiresIn != nil {
					body = `{"access_token":"at","token_type":"Bearer","expires_in":` + string(c.ExpiresIn) + `}`
				}
				tok, err := core.ParseTokenResponse(core.Response{Status: 200, ContentType: "application/json", Body: []byte(body)}, now)
				if c.Error != "" {
					require.Error(t, err)
					assert.Contains(t, err.Error(), c.Error)
					return
				}
				require.NoError(t, err)
				if c.Want == nil {
					assert.Nil(t, tok.ExpiresIn)
					assert.True(t, tok.Expiry.IsZero())
					assert.False(t, core.Expired(tok.Expiry, now.Add(100*365*24*time.Hour)), "unknown never expires")
					return
				}
				require.NotNil(t, tok.ExpiresIn)
				assert.Equal(t, *c.Want, *tok.ExpiresIn)
				assert.Equal(t, now.Add(time.Duration(*c.Want)*time.Second), tok.Expiry)
				assert.False(t, core.Expired(tok.Expiry, tok.Expiry.Add(-time.Nanosecond)))
				assert.True(t, core.Expired(tok.Expiry, tok.Expiry), "over at the expiry instant")
			})
		}
	})
	t.Run("refresh_scope", func(t *testing.T) {
		var cases []struct {
			Name, Response, Requested, Previous, Want string
			Mock                                      bool
		}
		require.NoError(t, json.Unmarshal(sections["refresh_scope"], &cases))
		for _, c := range cases {
			if c.Mock {
				continue // host behaviour: sdk/rules_test.go
			}
			t.Run(c.Name, func(t *testing.T) {
				assert.Equal(t, c.Want, core.GrantedScope(c.Response, strings.Fields(c.Requested), c.Previous))
			})
		}
	})
}
