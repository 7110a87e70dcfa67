package mockserver

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const testTOTPSecret = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ" // "12345678901234567890", RFC 6238 Appendix B

func TestParseConfigProfiles(t *testing.T) {
	const client = `{"client_id":"c","client_secret":"s"}`
	cfgWith := func(extra, users string) string {
		return fmt.Sprintf(`{%s"clients": [%s], "users": [%s]}`, extra, client, users)
	}
	t.Run("valid", func(t *testing.T) {
		for _, tc := range []struct{ name, json string }{
			{"keycloak with a realm and a totp user", cfgWith(`"profile":"keycloak","realm":"acme",`,
				`{"username":"u","password":"p","mfa":{"type":"totp","secret":"`+testTOTPSecret+`"}}`)},
			{"auth0 with realms, oob and recovery codes", cfgWith(`"profile":"auth0","realms":["db","ldap"],"oob_interval":"2s",`,
				`{"username":"u","password":"p","mfa":{"type":"oob"},"recovery_codes":["A1","B2"]}`)},
			{"okta, secret in lower case with spaces and padding", cfgWith(`"profile":"okta",`,
				`{"username":"u","password":"p","mfa":{"type":"totp","secret":"gezd gnbv gy3t qojq gezd gnbv gy3t qojq===="}}`)},
			{"entra with a tenant and states", cfgWith(`"profile":"entra","tenant":"contoso.onmicrosoft.com",`,
				`{"username":"u","password":"p","state":"locked"},{"username":"v","password":"p","state":"setup_required"}`)},
			{"rfc with states", cfgWith(`"profile":"rfc",`, `{"username":"u","password":"p","state":"password_expired"}`)},
			{"recovery codes are ignored, not refused, by other profiles", cfgWith(`"profile":"okta",`, `{"username":"u","password":"p","recovery_codes":["A1"]}`)},
		} {
			t.Run(tc.name, func(t *testing.T) {
				cfg, err := ParseConfig("cfg.json", []byte(tc.json))
				require.NoError(t, err)
				_, err = New(cfg, Options{})
				require.NoError(t, err)
			})
		}
	})
	for _, tc := range []struct{ name, json, key, problem string }{
		{"unknown profile", cfgWith(`"profile":"cognito",`, ``), "profile", `"cognito" is not a profile`},
		{"realm under another profile", cfgWith(`"profile":"auth0","realm":"x",`, ``), "realm", "keycloak profile only"},
		{"realm not a path segment", cfgWith(`"profile":"keycloak","realm":"a/b",`, ``), "realm", "path segment"},
		{"realms under another profile", cfgWith(`"realms":["x"],`, ``), "realms", "auth0 profile only"},
		{"duplicate realm", cfgWith(`"profile":"auth0","realms":["x","x"],`, ``), "realms[1]", "duplicate"},
		{"tenant under another profile", cfgWith(`"profile":"okta","tenant":"t",`, ``), "tenant", "entra profile only"},
		{"negative interval", cfgWith(`"profile":"okta","oob_interval":-1,`, ``), "oob_interval", "negative"},
		{"bad state", cfgWith(`"profile":"okta",`, `{"username":"u","password":"p","state":"frozen"}`), "users[0].state", `"frozen" is not a state`},
		{"bad factor", cfgWith(`"profile":"okta",`, `{"username":"u","password":"p","mfa":{"type":"sms"}}`), "users[0].mfa.type", `"sms" is not a factor`},
		{"totp without secret", cfgWith(`"profile":"okta",`, `{"username":"u","password":"p","mfa":{"type":"totp"}}`), "users[0].mfa.secret", "needs its base32 secret"},
		{"secret not base32", cfgWith(`"profile":"okta",`, `{"username":"u","password":"p","mfa":{"type":"totp","secret":"not-base-32!"}}`), "users[0].mfa.secret", "not base32"},
		{"secret too short", cfgWith(`"profile":"okta",`, `{"username":"u","password":"p","mfa":{"type":"totp","secret":"JBSWY3DPEHPK3PXP"}}`), "users[0].mfa.secret", "80 bits is too short"},
		{"oob with a secret", cfgWith(`"profile":"okta",`, `{"username":"u","password":"p","mfa":{"type":"oob","secret":"`+testTOTPSecret+`"}}`), "users[0].mfa.secret", "no secret"},
		{"keycloak refuses an oob user, naming user and profile", cfgWith(`"profile":"keycloak",`, `{"username":"ann","password":"p","mfa":{"type":"oob"}}`), "users[0].mfa.type", `user "ann" has an oob factor, which the keycloak profile cannot do`},
		{"oob added to oob", cfgWith(`"profile":"auth0",`, `{"username":"u","password":"p","mfa":{"type":"oob","oob":true}}`), "users[0].mfa.oob", "oob already"},
		{"keycloak refuses a totp user with oob too", cfgWith(`"profile":"keycloak",`, `{"username":"ann","password":"p","mfa":{"type":"totp","secret":"`+testTOTPSecret+`","oob":true}}`), "users[0].mfa.oob", `user "ann" has an oob factor, which the keycloak profile cannot do`},
		{"rfc refuses a second factor", cfgWith(``, `{"username":"ann","password":"p","mfa":{"type":"oob"}}`), "users[0].mfa", `user "ann" has a second factor, which the rfc profile does not do`},
		{"empty recovery code", cfgWith(`"profile":"auth0",`, `{"username":"u","password":"p","recovery_codes":[""]}`), "users[0].recovery_codes[0]", "non-empty"},
		{"repeated recovery code", cfgWith(`"profile":"auth0",`, `{"username":"u","password":"p","recovery_codes":["A","A"]}`), "users[0].recovery_codes[1]", "repeats"},
		{"unknown key in mfa", cfgWith(`"profile":"okta",`, `{"username":"u","password":"p","mfa":{"type":"oob","channel":"sms"}}`), "users[0].mfa.channel", `unknown field "channel"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseConfig("cfg.json", []byte(tc.json))
			var ce *ConfigError
			require.ErrorAs(t, err, &ce)
			assert.Equal(t, "cfg.json", ce.File)
			assert.Equal(t, tc.key, ce.Key)
			assert.Contains(t, ce.Problem, tc.problem)
			assert.NotContains(t, err.Error(), testTOTPSecret, "no secret in an error")
		})
	}
}

func TestAddUserValidatesAgainstTheProfile(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Profile = ProfileKeycloak
	s, err := New(cfg, Options{})
	require.NoError(t, err)
	err = s.AddUser(User{Username: "ann", Password: "p", MFA: &MFA{Type: MFATypeOOB}})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "keycloak")
	for _, u := range s.Config().Users {
		assert.NotEqual(t, "ann", u.Username, "nothing half-applied")
	}
}

func TestUserAndMFAPrintNoSecret(t *testing.T) {
	u := User{Username: "u", Password: "pw-secret", MFA: &MFA{Type: MFATypeTOTP, Secret: testTOTPSecret}, RecoveryCodes: []string{"RC-SECRET"}, State: StateLocked}
	for _, s := range []string{fmt.Sprint(u), fmt.Sprintf("%+v", u), fmt.Sprintf("%#v", u), fmt.Sprint(*u.MFA), fmt.Sprintf("%#v", *u.MFA)} {
		assert.NotContains(t, s, testTOTPSecret)
		assert.NotContains(t, s, "RC-SECRET")
		assert.NotContains(t, s, "pw-secret")
	}
	assert.Contains(t, fmt.Sprint(u), "mfa:totp")
	assert.Contains(t, fmt.Sprint(u), "state:locked")
}

func TestConfigCloneCopiesProfileFields(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Profile, cfg.Realms = ProfileAuth0, []string{"db"}
	cfg.Users[0].MFA = &MFA{Type: MFATypeTOTP, Secret: testTOTPSecret}
	cfg.Users[0].RecoveryCodes = []string{"A"}
	c := cfg.clone()
	c.Realms[0], c.Users[0].MFA.Type, c.Users[0].RecoveryCodes[0] = "x", "oob", "B"
	assert.Equal(t, "db", cfg.Realms[0])
	assert.Equal(t, MFATypeTOTP, cfg.Users[0].MFA.Type)
	assert.Equal(t, "A", cfg.Users[0].RecoveryCodes[0])
}
