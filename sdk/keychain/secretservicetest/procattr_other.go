//go:build !linux

package secretservicetest

import "os/exec"

// dieWithParent: only Linux can tie a child's life to its parent's; elsewhere Close must run.
func dieWithParent(*exec.Cmd) {}
