//go:build unix

package main

import (
	"syscall"
	"time"
)

// processCPU is the user plus system time this process has used so far,
// all threads included: the CPU a client run costs, which wall time on a
// shared machine does not show.
func processCPU() (time.Duration, bool) {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0, false
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()), true
}
