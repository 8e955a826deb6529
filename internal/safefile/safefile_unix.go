//go:build unix

package safefile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"syscall"
)

const oNoFollow = syscall.O_NOFOLLOW

// isLinkLoop reports the error O_NOFOLLOW gives for a link: ELOOP on Linux
// and most systems, EMLINK on FreeBSD.
func isLinkLoop(err error) bool {
	return errors.Is(err, syscall.ELOOP) || errors.Is(err, syscall.EMLINK)
}

func ownerProblem(fi fs.FileInfo) string {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return ""
	}
	if uid := os.Geteuid(); int(st.Uid) != uid {
		return fmt.Sprintf("is owned by user id %d, not by you (user id %d)", st.Uid, uid)
	}
	return ""
}

func linkProblem(fi fs.FileInfo) string {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok || st.Nlink <= 1 {
		return ""
	}
	return fmt.Sprintf("has %d hard links (it is also another file)", st.Nlink)
}

// dirModeProblem refuses a directory others can write to: they could put
// links or files of their own in it.
func dirModeProblem(fi fs.FileInfo) string {
	if fi.Mode().Perm()&0o022 != 0 {
		return fmt.Sprintf("can be written by other users (mode %#o)", fi.Mode().Perm())
	}
	return ""
}
