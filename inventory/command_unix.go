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

// killGroup kills whatever is left of the command's process group once
// the command has ended. The group's id stays reserved while any member
// lives, so this cannot reach an unrelated process; with none left it is a
// no-op (ESRCH).
func killGroup(cmd *exec.Cmd) {
	if cmd.Process != nil {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	}
}
