package sdk_test

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestNoThirdPartyImports keeps package sdk on the standard library and this module: apps that
// bring their own TokenStore pay for no keychain, D-Bus or file-lock library; the store backends
// that need one live in packages of their own (sdk/keychain, sdk/tokenfile). The one exception
// allowed is go-jose, the house's JOSE library, for signing DPoP proofs (RFC 9449).
func TestNoThirdPartyImports(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "-f", "{{if not .Standard}}{{.ImportPath}}{{end}}", ".").CombinedOutput()
	require.NoError(t, err, "go list: %s", out)
	deps := strings.Fields(string(out))
	require.Contains(t, deps, "github.com/ropcgo/ropc/sdk/core", "sanity: the dependency list is real")
	for _, d := range deps {
		ok := strings.HasPrefix(d, "github.com/ropcgo/ropc/") || strings.HasPrefix(d, "github.com/go-jose/go-jose/v4")
		require.True(t, ok, "sdk depends on %s", d)
	}
}
