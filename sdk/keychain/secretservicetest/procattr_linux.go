package secretservicetest

import (
	"os/exec"
	"syscall"
)

// dieWithParent has the kernel kill the daemon when the test process dies, even of a panic that
// skips Close.
func dieWithParent(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
