package main

import (
	"archive/tar"
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The machine's own platform (linux/amd64 here and in CI): the one whose
// binaries the test can run. The other five share every line of code but
// GOOS/GOARCH, and TestArchiveListCoversEveryPlatform checks their names.
var host = target{runtime.GOOS, runtime.GOARCH}

func TestDistBuildsReproducibleRunnableBinaries(t *testing.T) {
	if host.OS == "windows" {
		t.Skip("reads a .tar.gz; Windows archives are zips")
	}
	// Cold, ropc-mock (with SQLite) takes over a minute to compile.
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()
	const version = "v9.9.9-test.1"
	root, err := filepath.Abs("../..")
	require.NoError(t, err)
	outs := []string{filepath.Join(t.TempDir(), "a"), filepath.Join(t.TempDir(), "b")}
	archive := archiveName(version, host)

	for _, out := range outs {
		names, err := run(ctx, options{Root: root, Out: out, Version: version, Targets: []target{host}})
		require.NoError(t, err)
		assert.Equal(t, []string{archive, checksumsFile}, names)
		entries, err := os.ReadDir(out)
		require.NoError(t, err)
		var listed []string
		for _, e := range entries {
			listed = append(listed, e.Name())
		}
		assert.ElementsMatch(t, names, listed, "the directory holds exactly the artifacts")
		assertChecksums(t, out)
	}
	for _, name := range []string{archive, checksumsFile} {
		a, err := os.ReadFile(filepath.Join(outs[0], name))
		require.NoError(t, err)
		b, err := os.ReadFile(filepath.Join(outs[1], name))
		require.NoError(t, err)
		assert.True(t, bytes.Equal(a, b), "%s differs between two builds of one commit", name)
	}

	bin := t.TempDir()
	unpacked := untar(t, filepath.Join(outs[0], archive), bin)
	dir := strings.TrimSuffix(archive, ".tar.gz")
	assert.Equal(t, map[string]os.FileMode{
		dir + "/": 0o755, dir + "/ropc": 0o755, dir + "/ropc-mock": 0o755, dir + "/LICENSE": 0o644, dir + "/README.md": 0o644,
	}, unpacked)
	license, err := os.ReadFile(filepath.Join(bin, dir, "LICENSE"))
	require.NoError(t, err)
	assert.True(t, bytes.HasPrefix(license, []byte("MIT License\n")))
	for _, cmd := range commands {
		out, err := exec.CommandContext(ctx, filepath.Join(bin, dir, cmd), "--version").Output()
		require.NoError(t, err, cmd)
		assert.Equal(t, fmt.Sprintf("%s %s\n", cmd, version), string(out), "%s --version prints the stamped version", cmd)
	}
}

// assertChecksums checks SHA256SUMS as `sha256sum -c` would, and that it lists every other file.
func assertChecksums(t *testing.T, dir string) {
	t.Helper()
	f, err := os.Open(filepath.Join(dir, checksumsFile))
	require.NoError(t, err)
	defer f.Close()
	listed := map[string]bool{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		sum, name, ok := strings.Cut(sc.Text(), "  ")
		require.True(t, ok, "line %q is not '<sha256>  <name>'", sc.Text())
		data, err := os.ReadFile(filepath.Join(dir, name))
		require.NoError(t, err)
		assert.Equal(t, fmt.Sprintf("%x", sha256.Sum256(data)), sum, name)
		listed[name] = true
	}
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	for _, e := range entries {
		if e.Name() != checksumsFile {
			assert.True(t, listed[e.Name()], "%s is not in %s", e.Name(), checksumsFile)
		}
	}
}

// untar unpacks a .tar.gz into dir and returns each entry's mode.
func untar(t *testing.T, path, dir string) map[string]os.FileMode {
	t.Helper()
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	gz, err := gzip.NewReader(f)
	require.NoError(t, err)
	tr := tar.NewReader(gz)
	modes := map[string]os.FileMode{}
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			return modes
		}
		require.NoError(t, err)
		mode := os.FileMode(hdr.Mode).Perm()
		modes[hdr.Name] = mode
		target := filepath.Join(dir, filepath.FromSlash(hdr.Name))
		if hdr.Typeflag == tar.TypeDir {
			require.NoError(t, os.MkdirAll(target, mode))
			continue
		}
		data, err := io.ReadAll(tr)
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(target, data, mode))
	}
}

func TestRunRefusesABadVersion(t *testing.T) {
	out := filepath.Join(t.TempDir(), "dist")
	_, err := run(context.Background(), options{Root: "../..", Out: out, Version: "v1 -X x", Targets: []target{host}})
	require.ErrorContains(t, err, `version "v1 -X x"`)
	_, statErr := os.Stat(out)
	assert.True(t, os.IsNotExist(statErr), "nothing written for a refused version")
}

func TestRunWithNPMNeedsTheBuiltPackage(t *testing.T) {
	root := t.TempDir()
	for _, name := range docs {
		require.NoError(t, os.WriteFile(filepath.Join(root, name), []byte(name), 0o644))
	}
	out := filepath.Join(root, "dist")
	_, err := run(context.Background(), options{Root: root, Out: out, Version: "v1", Targets: []target{host}, NPM: true})
	require.ErrorContains(t, err, "js/ropc.wasm is missing (run make js first)")
	_, statErr := os.Stat(out)
	assert.True(t, os.IsNotExist(statErr), "nothing written when the package is not built")
}
