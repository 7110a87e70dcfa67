package main

import "runtime/debug"

// version is stamped at link time by `make dist` (-ldflags "-X main.version=$(git describe)").
// A `go install …@vX.Y.Z` build leaves it empty and the module version from the build info is used.
var version string

// versionString is what --version prints: the stamped version, else the module version, else "devel".
func versionString() string {
	if version != "" {
		return version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "devel"
}
