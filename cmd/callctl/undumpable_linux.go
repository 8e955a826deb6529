package main

import "golang.org/x/sys/unix"

// hideProcess makes callctl's /proc/PID files (environ, mem, fd) readable
// only by root, as ssh-agent does: an inventory command runs as the same
// user, and could otherwise read the plan key or a password straight from
// /proc/$PPID/environ, whatever environment it was given. Commands callctl
// starts are dumpable again (execve resets it), so they work as usual.
func hideProcess() { _ = unix.Prctl(unix.PR_SET_DUMPABLE, 0, 0, 0, 0) }
