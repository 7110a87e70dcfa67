package main

import (
	"errors"
	"flag"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ropcgo/ropc/sdk"
)

func TestParseFlagsInterleaved(t *testing.T) {
	s := stdio{err: io.Discard}
	fs := newFlagSet("get", "", s)
	var a string
	var b bool
	fs.StringVar(&a, "a", "", "")
	fs.BoolVar(&b, "b", false, "")
	pos, err := parseFlags(fs, []string{"URL1", "-a", "x", "URL2", "--b"})
	require.NoError(t, err)
	assert.Equal(t, []string{"URL1", "URL2"}, pos)
	assert.Equal(t, "x", a)
	assert.True(t, b)

	_, err = parseFlags(newFlagSet("get", "", s), []string{"--nope"})
	var ue *usageError
	require.ErrorAs(t, err, &ue)
	assert.Contains(t, ue.msg, "ropc get -h")

	_, err = parseFlags(newFlagSet("get", "", s), []string{"-h"})
	assert.True(t, errors.Is(err, flag.ErrHelp))
}

func TestParseFlagsRefusesSecretFlags(t *testing.T) {
	for _, arg := range []string{"--client-secret", "-client-secret=sup3r-s3cret-flag", "--password", "--refresh-token=x", "-token"} {
		_, err := parseFlags(newFlagSet("token", "", stdio{err: io.Discard}), []string{arg, "sup3r-s3cret-flag"})
		var ue *usageError
		require.ErrorAs(t, err, &ue, arg)
		assert.NotContains(t, ue.msg, "sup3r-s3cret-flag")
	}
	// Look-alike flags are not caught.
	fs := newFlagSet("token", "", stdio{err: io.Discard})
	var c commonFlags
	c.register(fs)
	_, err := parseFlags(fs, []string{"--token-url", "https://as.example/token", "--client-secret-file", "/x"})
	assert.NoError(t, err)
}

func TestAuthMethodFlag(t *testing.T) {
	for in, want := range map[string]sdk.AuthMethod{
		"basic": sdk.AuthClientSecretBasic, "client_secret_basic": sdk.AuthClientSecretBasic, "POST": sdk.AuthClientSecretPost,
		"post": sdk.AuthClientSecretPost, "none": sdk.AuthNone, "public": sdk.AuthNone,
	} {
		got, err := (&commonFlags{auth: in}).authMethod()
		require.NoError(t, err, in)
		assert.Equal(t, want, got, in)
	}
	_, err := (&commonFlags{auth: "private_key_jwt"}).authMethod()
	assert.Error(t, err)
}

func TestClientSecretSources(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "secret")
	require.NoError(t, os.WriteFile(file, []byte("from-file\r\n"), 0o600))
	empty := filepath.Join(dir, "empty")
	require.NoError(t, os.WriteFile(empty, []byte("\n"), 0o600))
	env := stdio{getenv: func(k string) string { return map[string]string{secretEnvVar: "from-env"}[k] }}
	noEnv := stdio{getenv: func(string) string { return "" }}

	tests := []struct {
		name    string
		flags   commonFlags
		s       stdio
		method  sdk.AuthMethod
		want    string
		wantErr bool
	}{
		{"env", commonFlags{auth: "basic"}, env, sdk.AuthClientSecretBasic, "from-env", false},
		{"file wins over env", commonFlags{auth: "basic", secretFile: file}, env, sdk.AuthClientSecretBasic, "from-file", false},
		{"none ignores env", commonFlags{auth: "none"}, env, sdk.AuthNone, "", false},
		{"none with file", commonFlags{auth: "none", secretFile: file}, env, sdk.AuthNone, "", true},
		{"missing", commonFlags{auth: "post"}, noEnv, sdk.AuthClientSecretPost, "", true},
		{"empty file", commonFlags{auth: "basic", secretFile: empty}, env, sdk.AuthClientSecretBasic, "", true},
		{"unreadable file", commonFlags{auth: "basic", secretFile: filepath.Join(dir, "nope")}, env, sdk.AuthClientSecretBasic, "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.flags.clientSecret(tt.s, tt.method)
			if tt.wantErr {
				var ue *usageError
				require.ErrorAs(t, err, &ue)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestParamFlag(t *testing.T) {
	var p paramFlag
	require.NoError(t, p.Set("audience=api"))
	require.NoError(t, p.Set("resource=https://api.example/?a=b"))
	require.NoError(t, p.Set("empty="))
	assert.Equal(t, paramFlag{{"audience", "api"}, {"resource", "https://api.example/?a=b"}, {"empty", ""}}, p)
	assert.Error(t, p.Set("novalue"))
	assert.Error(t, p.Set("=x"))
	assert.Len(t, requestOptions("read  write", p), 4)
	assert.Empty(t, requestOptions(" ", nil))
}
