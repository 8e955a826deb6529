//go:build !unix

package config

import "time"

// processCPU is unavailable here; the cpu-ns/call metric then reads 0.
func processCPU() time.Duration { return 0 }
