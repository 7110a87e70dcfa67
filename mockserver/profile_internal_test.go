package mockserver

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// FuzzProfileHandler: no request makes a provider profile panic or answer
// 5xx, whatever the path, body or credentials.
func FuzzProfileHandler(f *testing.F) {
	profiles := []string{ProfileKeycloak, ProfileAuth0, ProfileOkta, ProfileEntra}
	const form = "application/x-www-form-urlencoded"
	const basic = "Basic Y2xpZW50X2lkOmNsaWVudF9zZWNyZXQ="
	for _, seed := range []struct {
		profile                         uint8
		method, path, ctype, auth, body string
	}{
		{0, "POST", "/realms/ropc/protocol/openid-connect/token", form, basic, "grant_type=password&username=u&password=p&otp=123456"},
		{1, "POST", "/oauth/token", form, basic, "grant_type=http://auth0.com/oauth/grant-type/mfa-oob&mfa_token=x&oob_code=y"},
		{1, "POST", "/mfa/challenge", "application/json", "", `{"client_id":"client_id","client_secret":"client_secret","mfa_token":"x"}`},
		{1, "GET", "/mfa/authenticators", "", "Bearer x", ""},
		{1, "POST", "/mfa/challenge", form, basic, "mfa_token=x&authenticator_id=push%7Cdev_0&challenge_type=otp"},
		{2, "POST", "/oauth2/default/v1/challenge", form, basic, "mfa_token=x&challenge_types_supported=a%20b"},
		{2, "GET", "/oauth2/default/.well-known/oauth-authorization-server", "", "", ""},
		{3, "POST", "/ropc.onmicrosoft.com/oauth2/v2.0/token", form, "Basic %%%", "grant_type=password&username=%zz"},
	} {
		f.Add(seed.profile, seed.method, seed.path, seed.ctype, seed.auth, seed.body)
	}
	servers := make([]*Server, len(profiles))
	for i, p := range profiles {
		cfg := DefaultConfig()
		cfg.Profile = p
		cfg.Users = append(cfg.Users, User{Username: "u", Password: "p", MFA: &MFA{Type: MFATypeTOTP, Secret: testTOTPSecret}, RecoveryCodes: []string{"R"}})
		if p != ProfileKeycloak {
			cfg.Users = append(cfg.Users, User{Username: "o", Password: "p", MFA: &MFA{Type: MFATypeOOB}},
				User{Username: "two", Password: "p", MFA: &MFA{Type: MFATypeTOTP, Secret: testTOTPSecret, OOB: true}})
		}
		s, err := New(cfg, Options{})
		if err != nil {
			f.Fatal(err)
		}
		servers[i] = s
	}
	f.Fuzz(func(t *testing.T, profile uint8, method, path, ctype, auth, body string) {
		serveNo5xx(t, servers[int(profile)%len(servers)], method, path, ctype, auth, body)
	})
}

// BenchmarkProfilePasswordGrant: the password grant under each profile, a
// success and each provider's wrong-password answer, with the rfc profile
// as the same-run baseline (compare ns/op across sub-benchmarks).
func BenchmarkProfilePasswordGrant(b *testing.B) {
	for _, p := range []string{ProfileRFC, ProfileKeycloak, ProfileAuth0, ProfileOkta, ProfileEntra} {
		cfg := DefaultConfig()
		cfg.Profile = p
		cfg.Lockout = &Lockout{Disabled: true}
		srv, err := New(cfg, Options{})
		if err != nil {
			b.Fatal(err)
		}
		tokenURL := cfg.URLs("http://127.0.0.1:8080").Token
		for _, tc := range []struct {
			name, password string
			ok             bool
		}{{"ok", "A3ddj3w", true}, {"wrong", "nope", false}} {
			body := "grant_type=password&username=johndoe&password=" + tc.password + "&client_id=client_id&client_secret=client_secret"
			b.Run(p+"/"+tc.name, func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					r := httptest.NewRequest(http.MethodPost, tokenURL, strings.NewReader(body))
					r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
					w := httptest.NewRecorder()
					srv.ServeHTTP(w, r)
					if (w.Code == http.StatusOK) != tc.ok {
						b.Fatal(w.Code, w.Body.String())
					}
				}
			})
		}
	}
}
