package config

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
)

// systemTrees are the directories whose files file() never reads: /proc
// holds every process's environment (callctl's own, with its credentials
// and plan key, at /proc/self/environ), /sys the kernel's state, /dev the
// devices (/dev/zero never ends, /dev/stdin waits). What file() reads ends
// up in reasons and call ids, hence in plans and pull-request comments.
var systemTrees = []string{"/proc", "/sys", "/dev"}

// errNotRegular is wrapped by readRegular's refusals.
var errNotRegular = errors.New("file reads regular files only")

// readRegular reads name for file(): a regular file outside /proc, /sys
// and /dev, symbolic links followed to see where it really is.
func (osFS) readRegular(name string) ([]byte, error) {
	real, err := filepath.EvalSymlinks(name)
	if err != nil {
		return nil, err
	}
	if abs, err := filepath.Abs(real); err == nil {
		for _, tree := range systemTrees {
			if abs == tree || strings.HasPrefix(abs, tree+string(filepath.Separator)) {
				via := ""
				if filepath.Clean(name) != abs {
					via = fmt.Sprintf(" (through a symbolic link to %s)", abs)
				}
				return nil, fmt.Errorf("%w: it is under %s%s, whose files are process environments, kernel state or devices, never policy data", errNotRegular, tree, via)
			}
		}
	}
	// Checked before opening, since opening a named pipe waits for a
	// writer; non-blocking for the same reason, should it be swapped in.
	if fi, err := os.Stat(real); err != nil {
		return nil, err
	} else if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("%w: it is %s", errNotRegular, describeMode(fi.Mode()))
	}
	f, err := os.OpenFile(real, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	// The file opened is checked, not the name: it could have been
	// replaced since.
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("%w: it is %s", errNotRegular, describeMode(fi.Mode()))
	}
	return io.ReadAll(f)
}

func (f ioFS) readRegular(name string) ([]byte, error) {
	fi, err := fs.Stat(f.fsys, name)
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("%w: it is %s", errNotRegular, describeMode(fi.Mode()))
	}
	return fs.ReadFile(f.fsys, name)
}

func describeMode(m fs.FileMode) string {
	switch {
	case m.IsDir():
		return "a directory"
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeDevice != 0:
		return "a device"
	}
	return "not a regular file"
}
