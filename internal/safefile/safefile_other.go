//go:build !unix

package safefile

import "io/fs"

// Without O_NOFOLLOW, the Lstat check before opening and the SameFile
// check after it are what refuse a link.
const oNoFollow = 0

func isLinkLoop(error) bool { return false }

// Ownership and link counts are not checked where the system does not
// report them through syscall.Stat_t.
func ownerProblem(fs.FileInfo) string { return "" }

func linkProblem(fs.FileInfo) string { return "" }

// Windows reports no meaningful permission bits for directories.
func dirModeProblem(fs.FileInfo) string { return "" }
