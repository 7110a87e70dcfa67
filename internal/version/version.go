// Package version says which release a ropc command is: the version `make dist` stamps at link time,
// else the module version `go install …@vX.Y.Z` records in the build info, else "devel".
package version

import "runtime/debug"

// String returns stamped when it is set (-ldflags "-X main.version=$(git describe)"), else the main
// module's version from the build info, else "devel".
func String(stamped string) string {
	if stamped != "" {
		return stamped
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "devel"
}
