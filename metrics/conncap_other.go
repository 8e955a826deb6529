//go:build !unix

package metrics

// openFileLimit: Windows has no per-process descriptor limit to share.
func openFileLimit() (uint64, bool) { return 0, false }
