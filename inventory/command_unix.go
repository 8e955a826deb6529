//go:build unix

package inventory

import (
	"os/exec"
	"syscall"
)

// setProcessGroup puts the command in a process group of its own and
// kills the whole group on cancel: a script's children must not outlive a
// timeout.
func setProcessGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error {
		return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	}
}
