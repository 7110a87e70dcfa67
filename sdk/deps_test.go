package sdk_test

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestNoThirdPartyImports keeps package sdk on the standard library and this module: apps that
// bring their own TokenStore pay for no keychain library, and the store backends that need one
// live in packages of their own (sdk/keychain).
func TestNoThirdPartyImports(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "-f", "{{if not .Standard}}{{.ImportPath}}{{end}}", ".").CombinedOutput()
	require.NoError(t, err, "go list: %s", out)
	deps := strings.Fields(string(out))
	require.Contains(t, deps, "github.com/ropcgo/ropc/sdk/core", "sanity: the dependency list is real")
	for _, d := range deps {
		require.True(t, strings.HasPrefix(d, "github.com/ropcgo/ropc/"), "sdk depends on %s", d)
	}
}
