//go:build !unix

package main

import "time"

// processCPU is unavailable here; the ceiling figures then give rates only.
func processCPU() (time.Duration, bool) { return 0, false }
