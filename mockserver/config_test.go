package mockserver

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/bcrypt"
)

const issueConfig = `{"issuer": "http://127.0.0.1:9000", "access_token_ttl": "1h", "refresh_token_ttl": "720h",
 "clients": [{"client_id": "app", "client_secret": "app-secret", "scopes": ["read", "write"]},
             {"client_id": "spa", "public": true, "scopes": ["read"]}],
 "users": [{"username": "alice", "password": "alice-pw", "claims": {"email": "alice@example.com"}},
           {"username": "bob", "password_bcrypt": "$2a$04$T2Ij7Y5dKxOUo3DDF4tNsuVYXqZ2Kq5i0Fx8yF4m5yQ3GpG9mB5i6"}]}`

func TestParseConfigFromIssue(t *testing.T) {
	cfg, err := ParseConfig("cfg.json", []byte(issueConfig))
	require.NoError(t, err)
	assert.Equal(t, "http://127.0.0.1:9000", cfg.Issuer)
	assert.Equal(t, Duration(time.Hour), cfg.AccessTokenTTL)
	assert.Equal(t, Duration(720*time.Hour), cfg.RefreshTokenTTL)
	require.Len(t, cfg.Clients, 2)
	assert.True(t, cfg.Clients[1].Public)
	require.Len(t, cfg.Users, 2)
	assert.Equal(t, "alice@example.com", cfg.Users[0].Claims["email"])
	assert.NotEmpty(t, cfg.Users[1].PasswordBcrypt)
	_, err = New(cfg, Options{})
	require.NoError(t, err)
}

func TestParseConfigErrors(t *testing.T) {
	const client = `{"client_id":"c","client_secret":"s","scopes":["read"]}`
	const user = `{"username":"u","password":"p"}`
	for _, tc := range []struct {
		name, json, key, problem string
	}{
		{"syntax error names line and column", "{\n\"clients\": [,]}", "", "line 2 column"},
		{"unknown key", `{"client": []}`, "client", `unknown field "client"`},
		{"unknown key in a client", `{"clients": [{"client_id":"c","client_secret":"s"},{"client_id":"d","secret":"s"}]}`, "clients[1].secret", `unknown field "secret"`},
		{"unknown key in lockout", `{"lockout": {"windw": "1m"}, "clients": [` + client + `]}`, "lockout.windw", `unknown field "windw"`},
		{"unknown key named by the decoder wins", `{"users": [{"username":"u","pasword":"p"}], "aa": 1, "clients": [` + client + `]}`, "users[0].pasword", `unknown field "pasword"`},
		{"bad lockout duration", `{"lockout": {"window": "often"}, "clients": [` + client + `]}`, "lockout.window", "not a duration"},
		{"wrong type", `{"clients": "x"}`, "clients", "wrong type"},
		{"bad duration", `{"access_token_ttl": "soon", "clients": [` + client + `]}`, "access_token_ttl", "not a duration"},
		{"bad duration number", `{"refresh_token_ttl": true, "clients": [` + client + `]}`, "refresh_token_ttl", "not a duration"},
		{"no clients", `{"users": [` + user + `]}`, "clients", "at least one client"},
		{"client without id", `{"clients": [{"client_secret":"s"}]}`, "clients[0].client_id", "required"},
		{"confidential without secret", `{"clients": [{"client_id":"c"}]}`, "clients[0].client_secret", "required"},
		{"public with secret", `{"clients": [{"client_id":"c","public":true,"client_secret":"s"}]}`, "clients[0].client_secret", "public client"},
		{"duplicate client", `{"clients": [` + client + `,` + client + `]}`, "clients[1].client_id", "duplicate"},
		{"bad scope token", `{"clients": [{"client_id":"c","client_secret":"s","scopes":["a b"]}]}`, "clients[0].scopes[0]", "scope token"},
		{"default scope not allowed", `{"clients": [{"client_id":"c","client_secret":"s","scopes":["a"],"default_scopes":["b"]}]}`, "clients[0].default_scopes[0]", "not in scopes"},
		{"user without password", `{"clients": [` + client + `], "users": [{"username":"u"}]}`, "users[0].password", "required"},
		{"user with both passwords", `{"clients": [` + client + `], "users": [{"username":"u","password":"p","password_bcrypt":"x"}]}`, "users[0].password_bcrypt", "not both"},
		{"bad bcrypt", `{"clients": [` + client + `], "users": [{"username":"u","password_bcrypt":"nope"}]}`, "users[0].password_bcrypt", "bcrypt"},
		{"duplicate user", `{"clients": [` + client + `], "users": [` + user + `,` + user + `]}`, "users[1].username", "duplicate"},
		{"sub claim", `{"clients": [` + client + `], "users": [{"username":"u","password":"p","claims":{"sub":"x"}}]}`, "users[0].claims.sub", "cannot be overridden"},
		{"bad issuer", `{"issuer": "ftp://x", "clients": [` + client + `]}`, "issuer", "http(s) URL"},
		{"issuer with query", `{"issuer": "http://x/?a=b", "clients": [` + client + `]}`, "issuer", "no query"},
		{"bad token format", `{"token_format": "saml", "clients": [` + client + `]}`, "token_format", `"jwt"`},
		{"bad signing key", `{"signing_key": {"kty":"oct","k":"AAAA"}, "clients": [` + client + `]}`, "signing_key", ""},
		{"public signing key", `{"signing_key": {"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}, "clients": [` + client + `]}`, "signing_key", "private"},
		{"negative ttl", `{"access_token_ttl": -5, "clients": [` + client + `]}`, "access_token_ttl", "negative"},
		{"trailing data", `{"clients": [` + client + `]} {}`, "", "trailing"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseConfig("my.json", []byte(tc.json))
			var ce *ConfigError
			require.ErrorAs(t, err, &ce)
			assert.Equal(t, "my.json", ce.File)
			assert.Equal(t, tc.key, ce.Key)
			assert.Contains(t, ce.Problem, tc.problem)
			assert.Contains(t, err.Error(), "my.json: ")
		})
	}
}

func TestConfigErrorsHoldNoSecrets(t *testing.T) {
	_, err := ParseConfig("x.json", []byte(`{"clients": [{"client_id":"c","client_secret":"s3cr3t\u0001"}]}`))
	require.Error(t, err)
	assert.NotContains(t, err.Error(), "s3cr3t")
}

func TestLoadConfig(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "mock.json")
	require.NoError(t, os.WriteFile(path, []byte(issueConfig), 0o600))
	cfg, err := LoadConfig(path)
	require.NoError(t, err)
	assert.Len(t, cfg.Users, 2)

	_, err = LoadConfig(filepath.Join(dir, "missing.json"))
	var ce *ConfigError
	require.ErrorAs(t, err, &ce)
	assert.Contains(t, err.Error(), "missing.json")
	assert.Contains(t, err.Error(), "no such file")
}

func TestDuration(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want time.Duration
		err  bool
	}{
		{`"1h30m"`, 90 * time.Minute, false},
		{`"90s"`, 90 * time.Second, false},
		{`3600`, time.Hour, false},
		{`1.5`, 1500 * time.Millisecond, false},
		{`"soon"`, 0, true},
		{`true`, 0, true},
	} {
		var d Duration
		err := json.Unmarshal([]byte(tc.in), &d)
		if tc.err {
			assert.Error(t, err, tc.in)
			continue
		}
		require.NoError(t, err, tc.in)
		assert.Equal(t, tc.want, time.Duration(d), tc.in)
	}
	b, err := json.Marshal(Duration(time.Minute))
	require.NoError(t, err)
	assert.Equal(t, `"1m0s"`, string(b))
}

func TestSecretsRedacted(t *testing.T) {
	cfg := DefaultConfig()
	key, err := GenerateSigningKey(nil)
	require.NoError(t, err)
	jwk, err := MarshalSigningKey(key)
	require.NoError(t, err)
	cfg.SigningKey = jwk
	hash, err := bcrypt.GenerateFromPassword([]byte("pw"), bcrypt.MinCost)
	require.NoError(t, err)
	cfg.Users = append(cfg.Users, User{Username: "b", PasswordBcrypt: string(hash)})
	var d struct {
		D string `json:"d"`
	}
	require.NoError(t, json.Unmarshal(jwk, &d))
	require.NotEmpty(t, d.D)
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x"} {
		out := fmt.Sprintf(verb, cfg) + fmt.Sprintf(verb, *cfg) + fmt.Sprintf(verb, cfg.Users) + fmt.Sprintf(verb, cfg.Clients[0])
		for _, secret := range []string{"A3ddj3w", "S3cr3t-jane", "client_secret", d.D, string(hash[7:])} {
			assert.NotContains(t, out, secret, verb)
		}
		assert.NotContains(t, out, fmt.Sprintf("%x", "A3ddj3w"), verb)
	}
	// The JSON form keeps everything (it is the config file format).
	b, err := json.Marshal(cfg)
	require.NoError(t, err)
	back, err := ParseConfig("roundtrip", b)
	require.NoError(t, err)
	assert.Equal(t, "A3ddj3w", back.Users[0].Password)
	assert.JSONEq(t, string(jwk), string(back.SigningKey))
}

func TestConfigCloneIsDeep(t *testing.T) {
	cfg := DefaultConfig()
	c := cfg.clone()
	c.Users[0].Claims["email"] = "changed"
	c.Clients[0].Scopes[0] = "changed"
	assert.Equal(t, "johndoe@example.com", cfg.Users[0].Claims["email"])
	assert.Equal(t, "read", cfg.Clients[0].Scopes[0])
}
