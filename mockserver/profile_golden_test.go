package mockserver_test

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/ropcgo/ropc/mockserver"
	"github.com/ropcgo/ropc/mockserver/mocktest"
)

var updateGolden = flag.Bool("update", false, "rewrite testdata/*.golden.json")

// goldenAnswer is one answer as the golden file pins it. Credentials
// (tokens, mfa_token, oob_code, recovery codes) appear only as their
// member names.
type goldenAnswer struct {
	Status int            `json:"status"`
	Body   map[string]any `json:"body"`
}

var credentialMembers = []string{"access_token", "refresh_token", "id_token", "mfa_token", "oob_code", "recovery_code"}

func golden(a answer) goldenAnswer {
	body := map[string]any{}
	for k, v := range a.Body {
		body[k] = v
	}
	for _, k := range credentialMembers {
		if _, ok := body[k]; ok {
			body[k] = "[" + k + "]"
		}
	}
	return goldenAnswer{Status: a.Status, Body: body}
}

// TestProfileAnswersGolden pins the status and every body member of what
// each profile answers in each situation its provider has (deterministic
// mode: fixed issuer, key, random stream and clock). A change to a provider's wire shape shows
// up here; if intended: go test ./mockserver -run Golden -update
func TestProfileAnswersGolden(t *testing.T) {
	got := map[string]map[string]goldenAnswer{}
	for _, profile := range []string{mockserver.ProfileKeycloak, mockserver.ProfileAuth0, mockserver.ProfileOkta, mockserver.ProfileEntra} {
		cfg := mockserver.DefaultConfig()
		cfg.Issuer = "https://mock.example"
		s := mocktest.New(t, mocktest.WithConfig(cfg), mocktest.WithProfile(profile), mocktest.WithDeterministic(11))
		require.True(t, strings.HasPrefix(s.Issuer, cfg.Issuer), s.Issuer)
		tokenURL, challengeURL := s.TokenURL, s.ChallengeURL
		signIn := func(user, pass string, kv ...string) answer {
			return postForm(t, s, tokenURL, append([]string{"grant_type", "password", "username", user, "password", pass}, kv...)...)
		}
		m := map[string]goldenAnswer{}
		m["wrong password"] = golden(signIn(mocktest.Username, "wrong"))
		m["unknown user"] = golden(signIn("nobody", "wrong"))
		m["locked"] = golden(signIn(mocktest.LockedUser, mocktest.Password))
		m["disabled"] = golden(signIn(mocktest.DisabledUser, mocktest.Password))
		m["password expired"] = golden(signIn(mocktest.ExpiredUser, mocktest.Password))
		m["setup required"] = golden(signIn(mocktest.SetupUser, mocktest.Password))
		first := signIn(mocktest.TOTPUser, mocktest.Password)
		m["totp user, password only"] = golden(first)
		switch profile {
		case mockserver.ProfileKeycloak:
			m["totp user, wrong otp"] = golden(signIn(mocktest.TOTPUser, mocktest.Password, "otp", "000000"))
			m["totp user, right otp"] = golden(signIn(mocktest.TOTPUser, mocktest.Password, "otp", s.TOTP()))
		case mockserver.ProfileAuth0, mockserver.ProfileOkta:
			tok := first.str("mfa_token")
			kind := "challenge_type"
			otp, oob := "otp", "oob"
			if profile == mockserver.ProfileOkta {
				kind, otp, oob = "challenge_types_supported", mockserver.GrantMFAOTP, mockserver.GrantMFAOOB
			}
			m["totp challenge"] = golden(postForm(t, s, challengeURL, "mfa_token", tok, kind, otp))
			m["mfa-otp, wrong code"] = golden(postForm(t, s, tokenURL, "grant_type", mockserver.GrantMFAOTP, "mfa_token", tok, "otp", "000000"))
			m["mfa-otp, right code"] = golden(postForm(t, s, tokenURL, "grant_type", mockserver.GrantMFAOTP, "mfa_token", tok, "otp", s.TOTP()))
			m["mfa-otp, mfa_token used"] = golden(postForm(t, s, tokenURL, "grant_type", mockserver.GrantMFAOTP, "mfa_token", tok, "otp", s.TOTP()))

			oobFirst := signIn(mocktest.OOBUser, mocktest.Password)
			m["oob user, password only"] = golden(oobFirst)
			tok = oobFirst.str("mfa_token")
			ch := postForm(t, s, challengeURL, "mfa_token", tok, kind, oob)
			m["oob challenge"] = golden(ch)
			poll := func() answer {
				return postForm(t, s, tokenURL, "grant_type", mockserver.GrantMFAOOB, "mfa_token", tok, "oob_code", ch.str("oob_code"))
			}
			m["mfa-oob, pending"] = golden(poll())
			m["mfa-oob, too fast"] = golden(poll())
			s.Advance(5 * time.Second)
			s.DenyMFA(mocktest.OOBUser)
			m["mfa-oob, denied"] = golden(poll())
			if profile == mockserver.ProfileAuth0 {
				tok = signIn(mocktest.TOTPUser, mocktest.Password).str("mfa_token")
				rc := func() answer {
					return postForm(t, s, tokenURL, "grant_type", mockserver.GrantMFARecoveryCode, "mfa_token", tok, "recovery_code", mocktest.RecoveryCodes[0])
				}
				m["mfa-recovery-code"] = golden(rc())
				tok = signIn(mocktest.TOTPUser, mocktest.Password).str("mfa_token")
				m["mfa-recovery-code, same code again"] = golden(rc())
			}
		}
		got[profile] = m
	}
	out, err := json.MarshalIndent(got, "", "  ")
	require.NoError(t, err)
	out = append(out, '\n')
	require.NotContains(t, string(out), mocktest.Password)
	require.NotContains(t, string(out), mocktest.ClientSecret)
	require.NotContains(t, string(out), mocktest.RecoveryCodes[0])

	path := filepath.Join("testdata", "profile-answers.golden.json")
	if *updateGolden {
		require.NoError(t, os.MkdirAll("testdata", 0o755))
		require.NoError(t, os.WriteFile(path, out, 0o644))
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "run with -update to create it")
	require.Equal(t, string(want), string(out), "byte-identical")
}
