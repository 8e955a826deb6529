//go:build darwin || dragonfly || freebsd || linux || netbsd || openbsd

package lock

import (
	"errors"
	"os"
	"syscall"
)

// tryLock takes an exclusive flock without blocking. flock locks belong to
// the open file description, so two opens of the file exclude each other
// even within one process (fcntl locks would not), and the kernel drops the
// lock when the last descriptor closes, including when the process dies.
func tryLock(f *os.File) (bool, error) {
	var err error
	if cerr := control(f, func(fd uintptr) {
		for {
			err = syscall.Flock(int(fd), syscall.LOCK_EX|syscall.LOCK_NB)
			if err != syscall.EINTR {
				return
			}
		}
	}); cerr != nil {
		return false, cerr
	}
	if errors.Is(err, syscall.EWOULDBLOCK) {
		return false, nil
	}
	return err == nil, err
}

func unlock(f *os.File) error {
	var err error
	if cerr := control(f, func(fd uintptr) { err = syscall.Flock(int(fd), syscall.LOCK_UN) }); cerr != nil {
		return cerr
	}
	return err
}

// control runs fn on f's descriptor without f.Fd(), which would switch the
// file to blocking mode.
func control(f *os.File, fn func(fd uintptr)) error {
	rc, err := f.SyscallConn()
	if err != nil {
		return err
	}
	return rc.Control(fn)
}
