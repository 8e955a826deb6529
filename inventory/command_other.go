//go:build !unix

package inventory

import "os/exec"

// setProcessGroup kills just the command where there are no Unix process
// groups.
func setProcessGroup(*exec.Cmd) {}

// killGroup: there is no group to kill here.
func killGroup(*exec.Cmd) {}
