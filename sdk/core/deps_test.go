package core_test

import (
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestNoNetHTTP keeps the core free of net/http (and of package net), for
// the native and the js/wasm builds: the WebAssembly module reuses this
// package and would grow by ~2 MB gzipped with the net/http client.
func TestNoNetHTTP(t *testing.T) {
	forbidden := []string{"net/http", "net", "crypto/tls", "mime"}
	for _, env := range [][]string{nil, {"GOOS=js", "GOARCH=wasm"}} {
		cmd := exec.Command("go", "list", "-deps", ".")
		cmd.Env = append(os.Environ(), env...)
		out, err := cmd.CombinedOutput()
		require.NoError(t, err, "go list: %s", out)
		deps := strings.Fields(string(out))
		require.Contains(t, deps, "net/url", "sanity: the dependency list is real")
		for _, d := range deps {
			for _, f := range forbidden {
				require.NotEqual(t, f, d, "sdk/core must not depend on %s (env %v)", f, env)
			}
		}
	}
}
