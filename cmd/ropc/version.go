package main

import buildversion "github.com/ropcgo/ropc/internal/version"

// version is stamped at link time by `make dist` (-ldflags "-X main.version=$(git describe)").
var version string

// versionString is what --version prints.
func versionString() string { return buildversion.String(version) }
