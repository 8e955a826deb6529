//go:build !linux

package main

import "os"

// peakRSS is unknown off Linux, where ru_maxrss has other units or does
// not exist; the memory figure then shows 0.
func peakRSS(*os.ProcessState) (int64, bool) { return 0, false }
