//go:build !(darwin || dragonfly || freebsd || linux || netbsd || openbsd || windows)

package lock

import (
	"errors"
	"fmt"
	"os"
	"runtime"
)

// On other systems there is no lock that both excludes within one process
// and is dropped when the holder dies, so refuse rather than pretend.
func tryLock(*os.File) (bool, error) {
	return false, fmt.Errorf("file locking is not implemented on %s: %w", runtime.GOOS, errors.ErrUnsupported)
}

func unlock(*os.File) error { return errors.ErrUnsupported }
