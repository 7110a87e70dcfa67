package main

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"io"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var testMembers = []member{
	{Name: "ropc", Mode: 0o755, Data: []byte("binary one")},
	{Name: "LICENSE", Mode: 0o644, Data: []byte("MIT License\n")},
}

var testTime = time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC)

// readTarGz lists a .tar.gz as name -> member, checking every entry carries testTime.
func readTarGz(t *testing.T, data []byte) map[string]member {
	t.Helper()
	gz, err := gzip.NewReader(bytes.NewReader(data))
	require.NoError(t, err)
	tr := tar.NewReader(gz)
	out := map[string]member{}
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			return out
		}
		require.NoError(t, err)
		body, err := io.ReadAll(tr)
		require.NoError(t, err)
		assert.True(t, hdr.ModTime.Equal(testTime), hdr.Name)
		out[hdr.Name] = member{Name: hdr.Name, Mode: os.FileMode(hdr.Mode).Perm(), Data: body}
	}
}

func TestTarGzIsReproducibleAndKeepsModes(t *testing.T) {
	var a, b bytes.Buffer
	require.NoError(t, writeTarGz(&a, "ropc_v1_linux_amd64", testMembers, testTime))
	require.NoError(t, writeTarGz(&b, "ropc_v1_linux_amd64", testMembers, testTime))
	assert.Equal(t, a.Bytes(), b.Bytes(), "same input, same bytes")

	got := readTarGz(t, a.Bytes())
	assert.Equal(t, map[string]member{
		"ropc_v1_linux_amd64/":        {Name: "ropc_v1_linux_amd64/", Mode: 0o755, Data: []byte{}},
		"ropc_v1_linux_amd64/ropc":    {Name: "ropc_v1_linux_amd64/ropc", Mode: 0o755, Data: []byte("binary one")},
		"ropc_v1_linux_amd64/LICENSE": {Name: "ropc_v1_linux_amd64/LICENSE", Mode: 0o644, Data: []byte("MIT License\n")},
	}, got)

	gz, err := gzip.NewReader(bytes.NewReader(a.Bytes()))
	require.NoError(t, err)
	assert.True(t, gz.ModTime.IsZero(), "no time in the gzip header")
	assert.Empty(t, gz.Name, "no name in the gzip header")
}

func TestZipIsReproducibleAndKeepsModes(t *testing.T) {
	var a, b bytes.Buffer
	require.NoError(t, writeZip(&a, "ropc_v1_windows_amd64", testMembers, testTime))
	require.NoError(t, writeZip(&b, "ropc_v1_windows_amd64", testMembers, testTime))
	assert.Equal(t, a.Bytes(), b.Bytes(), "same input, same bytes")

	zr, err := zip.NewReader(bytes.NewReader(a.Bytes()), int64(a.Len()))
	require.NoError(t, err)
	require.Len(t, zr.File, 2)
	for i, f := range zr.File {
		assert.Equal(t, "ropc_v1_windows_amd64/"+testMembers[i].Name, f.Name)
		assert.Equal(t, testMembers[i].Mode, f.Mode().Perm(), f.Name)
		assert.True(t, f.Modified.Equal(testTime), f.Name)
		rc, err := f.Open()
		require.NoError(t, err)
		body, err := io.ReadAll(rc)
		require.NoError(t, err)
		assert.Equal(t, testMembers[i].Data, body, f.Name)
	}
}

func TestArchivesDifferWhenTheTimeDoes(t *testing.T) {
	var a, b bytes.Buffer
	require.NoError(t, writeTarGz(&a, "d", testMembers, testTime))
	require.NoError(t, writeTarGz(&b, "d", testMembers, testTime.Add(time.Hour)))
	assert.NotEqual(t, a.Bytes(), b.Bytes(), "the time is in the archive, so it must be fixed for reproducibility")
}
