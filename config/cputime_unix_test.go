//go:build unix

package config

import (
	"syscall"
	"time"
)

// processCPU is this process's user+system time. Benchmarks report it
// per call next to ns/op because, on a machine shared with other work,
// wall time measures the neighbours as much as the code.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
