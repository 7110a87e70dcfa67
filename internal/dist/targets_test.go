package main

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestArchiveListCoversEveryPlatform(t *testing.T) {
	var names []string
	for _, tg := range allTargets {
		names = append(names, archiveName("v1.2.3", tg))
	}
	assert.Equal(t, []string{
		"ropc_v1.2.3_linux_amd64.tar.gz",
		"ropc_v1.2.3_linux_arm64.tar.gz",
		"ropc_v1.2.3_darwin_amd64.tar.gz",
		"ropc_v1.2.3_darwin_arm64.tar.gz",
		"ropc_v1.2.3_windows_amd64.zip",
		"ropc_v1.2.3_windows_arm64.zip",
	}, names)
	assert.Equal(t, []string{"ropc", "ropc-mock"}, commands)
}

func TestExeNames(t *testing.T) {
	tests := []struct {
		target target
		want   string
	}{
		{target{"linux", "amd64"}, "ropc-mock"},
		{target{"darwin", "arm64"}, "ropc-mock"},
		{target{"windows", "arm64"}, "ropc-mock.exe"},
	}
	for _, tc := range tests {
		assert.Equal(t, tc.want, tc.target.exe("ropc-mock"), tc.target.String())
	}
}

func TestParseTargets(t *testing.T) {
	tests := []struct {
		in      string
		want    []target
		wantErr string
	}{
		{in: "", want: allTargets},
		{in: "all", want: allTargets},
		{in: "linux/amd64", want: []target{{"linux", "amd64"}}},
		{in: "windows/arm64, darwin/amd64", want: []target{{"windows", "arm64"}, {"darwin", "amd64"}}},
		{in: "plan9/386", wantErr: `unknown target "plan9/386"`},
		{in: "linux", wantErr: `unknown target "linux"`},
	}
	for _, tc := range tests {
		got, err := parseTargets(tc.in)
		if tc.wantErr != "" {
			require.ErrorContains(t, err, tc.wantErr, tc.in)
			continue
		}
		require.NoError(t, err, tc.in)
		assert.Equal(t, tc.want, got, tc.in)
	}
}

func TestCheckVersion(t *testing.T) {
	tests := []struct {
		version string
		ok      bool
	}{
		{"v1.2.3", true},
		{"v0.1.0-4-g1a2b3c4-dirty", true},
		{"1a2b3c4", true},
		{"devel", true},
		{"", false},
		{"v1 2", false},
		{"-X main.x=y", false},
		{"../../etc", false},
	}
	for _, tc := range tests {
		err := checkVersion(tc.version)
		assert.Equal(t, tc.ok, err == nil, "%q: %v", tc.version, err)
	}
}
