//go:build !linux

package main

// hideProcess does nothing where there is no /proc to read another
// process's environment from, or no prctl to prevent it.
func hideProcess() {}
