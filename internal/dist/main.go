// Command dist builds what a release publishes (`make dist`): ropc and
// ropc-mock for Linux, macOS and Windows on amd64 and arm64, each platform's
// pair in one archive with LICENSE and README.md; the npm tarball of js/; and
// SHA256SUMS over all of them. Binaries are built with -trimpath and without
// cgo, and stamped with the version `git describe` gives; archives use the
// commit's time, so two runs on one commit give byte-identical files.
package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"
)

// options are the command-line flags, resolved.
type options struct {
	Root    string // repository root
	Out     string // output directory, emptied first
	Version string // stamped into the binaries and the archive names; "" asks git
	Targets []target
	NPM     bool // also `npm pack` js/ (built by `make js`)
	Log     io.Writer
}

// checksumsFile is the name of the sha256sum-format list of every artifact.
const checksumsFile = "SHA256SUMS"

func main() {
	var o options
	var targets string
	flag.StringVar(&o.Root, "root", ".", "repository root")
	flag.StringVar(&o.Out, "out", "dist", "output directory (emptied first)")
	flag.StringVar(&o.Version, "version", "", "version to stamp (default: git describe --tags --always --dirty)")
	flag.StringVar(&targets, "targets", "all", "comma-separated os/arch list, or all")
	flag.BoolVar(&o.NPM, "npm", true, "also npm pack js/ (run make js first)")
	flag.Parse()
	o.Log = os.Stdout
	var err error
	if o.Targets, err = parseTargets(targets); err == nil {
		_, err = run(context.Background(), o)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "dist:", err)
		os.Exit(1)
	}
}

// run builds every artifact into o.Out and returns their names, SHA256SUMS last.
func run(ctx context.Context, o options) ([]string, error) {
	if o.Log == nil {
		o.Log = io.Discard
	}
	if o.Version == "" {
		o.Version = describe(ctx, o.Root)
	}
	if err := checkVersion(o.Version); err != nil {
		return nil, err
	}
	mtime := commitTime(ctx, o.Root)
	var docMembers []member
	for _, name := range docs {
		data, err := os.ReadFile(filepath.Join(o.Root, name))
		if err != nil {
			return nil, fmt.Errorf("reading %s for the archives: %w", name, err)
		}
		docMembers = append(docMembers, member{Name: name, Mode: 0o644, Data: data})
	}
	if o.NPM {
		if _, err := os.Stat(filepath.Join(o.Root, "js", "ropc.wasm")); err != nil {
			return nil, fmt.Errorf("js/ropc.wasm is missing (run make js first): %w", err)
		}
	}
	if err := os.RemoveAll(o.Out); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(o.Out, 0o755); err != nil {
		return nil, err
	}
	work, err := os.MkdirTemp("", "ropc-dist-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(work)

	var names []string
	for _, t := range o.Targets {
		members := make([]member, 0, len(commands)+len(docMembers))
		for _, cmd := range commands {
			bin := filepath.Join(work, t.OS+"_"+t.Arch, t.exe(cmd))
			fmt.Fprintf(o.Log, "dist: building %s for %s\n", cmd, t)
			if err := goBuild(ctx, o.Root, t, cmd, o.Version, bin); err != nil {
				return nil, err
			}
			data, err := os.ReadFile(bin)
			if err != nil {
				return nil, err
			}
			members = append(members, member{Name: t.exe(cmd), Mode: 0o755, Data: data})
		}
		members = append(members, docMembers...)
		name := archiveName(o.Version, t)
		if err := writeArchive(filepath.Join(o.Out, name), t, strings.TrimSuffix(strings.TrimSuffix(name, ".zip"), ".tar.gz"), members, mtime); err != nil {
			return nil, fmt.Errorf("writing %s: %w", name, err)
		}
		names = append(names, name)
	}
	if o.NPM {
		name, err := npmPack(ctx, filepath.Join(o.Root, "js"), o.Out)
		if err != nil {
			return nil, err
		}
		names = append(names, name)
	}
	if err := writeChecksums(o.Out, names); err != nil {
		return nil, err
	}
	names = append(names, checksumsFile)
	for _, n := range names {
		fmt.Fprintf(o.Log, "dist: %s\n", filepath.Join(o.Out, n))
	}
	return names, nil
}

// describe is `git describe --tags --always --dirty`, or "devel" outside a
// git checkout.
func describe(ctx context.Context, root string) string {
	out, err := exec.CommandContext(ctx, "git", "-C", root, "describe", "--tags", "--always", "--dirty").Output()
	if v := strings.TrimSpace(string(out)); err == nil && v != "" {
		return v
	}
	return "devel"
}

// commitTime is the time every archive member carries: $SOURCE_DATE_EPOCH
// (the reproducible-builds convention), else the commit's time, else
// 1980-01-01, the earliest time a zip can hold.
func commitTime(ctx context.Context, root string) time.Time {
	text := os.Getenv("SOURCE_DATE_EPOCH")
	if text == "" {
		out, _ := exec.CommandContext(ctx, "git", "-C", root, "log", "-1", "--format=%ct").Output()
		text = strings.TrimSpace(string(out))
	}
	if secs, err := strconv.ParseInt(text, 10, 64); err == nil && secs > 0 {
		return time.Unix(secs, 0).UTC()
	}
	return time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC)
}

// goBuild cross-compiles ./cmd/<cmd> for t: no cgo (static, and no C
// toolchain for the target needed), -trimpath (no build paths), the version
// stamped into main.version.
func goBuild(ctx context.Context, root string, t target, cmd, version, out string) error {
	goTool := os.Getenv("GO")
	if goTool == "" {
		goTool = "go"
	}
	c := exec.CommandContext(ctx, goTool, "build", "-trimpath", "-buildvcs=false",
		"-ldflags", "-s -w -X main.version="+version, "-o", out, "./cmd/"+cmd)
	c.Dir = root
	c.Env = append(os.Environ(), "GOOS="+t.OS, "GOARCH="+t.Arch, "CGO_ENABLED=0")
	var stderr bytes.Buffer
	c.Stderr = &stderr
	if err := c.Run(); err != nil {
		return fmt.Errorf("go build %s for %s: %w\n%s", cmd, t, err, stderr.String())
	}
	return nil
}

func writeArchive(path string, t target, dir string, members []member, mtime time.Time) (err error) {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, f.Close()) }()
	if t.OS == "windows" {
		return writeZip(f, dir, members, mtime)
	}
	return writeTarGz(f, dir, members, mtime)
}

// npmPack runs `npm pack` in the package directory and returns the tarball's name.
func npmPack(ctx context.Context, pkgDir, out string) (string, error) {
	abs, err := filepath.Abs(out)
	if err != nil {
		return "", err
	}
	c := exec.CommandContext(ctx, "npm", "pack", "--json", "--loglevel=error", "--pack-destination", abs)
	c.Dir = pkgDir
	var stderr bytes.Buffer
	c.Stderr = &stderr
	stdout, err := c.Output()
	if err != nil {
		return "", fmt.Errorf("npm pack: %w\n%s", err, stderr.String())
	}
	var packed []struct {
		Filename string `json:"filename"`
	}
	if err := json.Unmarshal(stdout, &packed); err != nil || len(packed) != 1 || packed[0].Filename == "" {
		return "", fmt.Errorf("npm pack printed no tarball name: %q", stdout)
	}
	return packed[0].Filename, nil
}

// writeChecksums writes SHA256SUMS in the format `sha256sum -c` reads, sorted by name.
func writeChecksums(out string, names []string) error {
	sorted := append([]string(nil), names...)
	sort.Strings(sorted)
	var b strings.Builder
	for _, n := range sorted {
		data, err := os.ReadFile(filepath.Join(out, n))
		if err != nil {
			return err
		}
		fmt.Fprintf(&b, "%x  %s\n", sha256.Sum256(data), n)
	}
	return os.WriteFile(filepath.Join(out, checksumsFile), []byte(b.String()), 0o644)
}
