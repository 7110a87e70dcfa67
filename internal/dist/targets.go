package main

import (
	"fmt"
	"regexp"
	"strings"
)

// target is one platform a release carries binaries for.
type target struct{ OS, Arch string }

func (t target) String() string { return t.OS + "/" + t.Arch }

// allTargets are the platforms of a release: Linux, macOS and Windows on
// 64-bit x86 and ARM.
var allTargets = []target{
	{"linux", "amd64"}, {"linux", "arm64"},
	{"darwin", "amd64"}, {"darwin", "arm64"},
	{"windows", "amd64"}, {"windows", "arm64"},
}

// commands are the binaries each archive holds (./cmd/<name>).
var commands = []string{"ropc", "ropc-mock"}

// docs are the repository files each archive carries beside the binaries.
var docs = []string{"LICENSE", "README.md"}

// exe is a command's file name on t: Windows runs only .exe files.
func (t target) exe(command string) string {
	if t.OS == "windows" {
		return command + ".exe"
	}
	return command
}

// archiveName is the file a target's binaries ship in: a zip for Windows,
// where it opens without extra tools, a gzipped tar elsewhere (it keeps the
// executable bit).
func archiveName(version string, t target) string {
	ext := ".tar.gz"
	if t.OS == "windows" {
		ext = ".zip"
	}
	return fmt.Sprintf("ropc_%s_%s_%s%s", version, t.OS, t.Arch, ext)
}

// parseTargets reads a comma-separated os/arch list; "all" or "" is every target.
func parseTargets(list string) ([]target, error) {
	if list == "" || list == "all" {
		return allTargets, nil
	}
	var out []target
	for _, item := range strings.Split(list, ",") {
		found := false
		for _, t := range allTargets {
			if t.String() == strings.TrimSpace(item) {
				out, found = append(out, t), true
			}
		}
		if !found {
			return nil, fmt.Errorf("unknown target %q: want os/arch, one of %v", item, allTargets)
		}
	}
	return out, nil
}

// versionPattern keeps a version usable in a file name and in -ldflags -X.
var versionPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._+-]*$`)

func checkVersion(v string) error {
	if !versionPattern.MatchString(v) {
		return fmt.Errorf("version %q: use letters, digits and . _ + - only (as git describe prints)", v)
	}
	return nil
}
