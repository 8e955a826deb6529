// Package safefile opens the files callctl writes or locks (the apply lock
// and the journal) so that they cannot be turned against the operator.
//
// A policy directory is shared through version control, and a symbolic link
// survives "git clone" even where .callctl/ is ignored: a link committed at
// .callctl/apply.lock or .callctl/journal.jsonl would otherwise make callctl
// truncate or append to whatever file it points at, such as a shell startup
// file. So every such file is opened without following a link in its final
// component, must be a regular file owned by the current user with a single
// name, and the .callctl directory itself must be a real directory owned by
// the user. Anything else is refused with an error that says what to remove.
package safefile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
)

// UnsafeError reports a path callctl refuses to write through, or to read.
type UnsafeError struct {
	Path string
	// Problem says what is wrong, as in "is a symbolic link".
	Problem string
	// Fix says what to do; when empty, Error words advice from Type and
	// Reading.
	Fix string
	// Type is the type bits of what is at Path (fs.ModeSymlink,
	// fs.ModeDevice, ...; 0 for a regular file).
	Type fs.FileMode
	// Reading: callctl only meant to read Path (show -journal), so the
	// thing there is not one of the files callctl writes.
	Reading bool
}

// Error says what is wrong and what to do. It advises removing the path
// only where that cannot hurt: a regular file at a path callctl writes
// (callctl creates it anew), or a symbolic link there (removing it leaves
// what it points to alone). A device, a pipe, a directory, or anything
// callctl was only asked to read, is never its to remove: show -journal
// /dev/zero must not say "remove /dev/zero".
func (e *UnsafeError) Error() string {
	fix := e.Fix
	switch {
	case fix != "":
	case e.Reading:
		fix = "callctl reads only a regular file here, never through a link; name the file itself"
	case e.Type&fs.ModeSymlink != 0:
		fix = fmt.Sprintf("Remove %q (only the link: what it points to is left alone; callctl creates its own file there) and run again", e.Path)
	case e.Type.IsRegular():
		fix = fmt.Sprintf("Remove %q (callctl creates it anew) and run again", e.Path)
	default:
		fix = "It is not a file callctl made, so leave it as it is: give callctl a path where it can create a regular file of its own (for the journal, -journal=FILE)"
	}
	verb := "writes"
	if e.Reading {
		verb = "reads"
	}
	return fmt.Sprintf("%q %s; callctl %s only its own regular files and never follows links there. %s", e.Path, e.Problem, verb, fix)
}

// PrivateDir makes sure dir is a directory owned by the current user that
// no one else can write to, creating it with mode 0700 if it does not
// exist. Its parent must exist. A symbolic link at dir is refused, not
// followed.
func PrivateDir(dir string) error {
	if err := os.Mkdir(dir, 0o700); err != nil && !errors.Is(err, fs.ErrExist) {
		return err
	}
	fi, err := os.Lstat(dir)
	if err != nil {
		return err
	}
	switch {
	case fi.Mode()&fs.ModeSymlink != 0:
		return &UnsafeError{Path: dir, Problem: "is a symbolic link", Type: fs.ModeSymlink}
	case !fi.IsDir():
		// Not callctl's: it makes a directory there.
		return &UnsafeError{Path: dir, Problem: "is not a directory", Type: fi.Mode().Type() | fs.ModeIrregular}
	}
	if p := ownerProblem(fi); p != "" {
		return &UnsafeError{Path: dir, Problem: p, Fix: "It is not yours to write in: run callctl as its owner, or give the policy a directory of your own"}
	}
	if p := dirModeProblem(fi); p != "" {
		return &UnsafeError{Path: dir, Problem: p, Fix: fmt.Sprintf("Run \"chmod 700 %s\" and run again", dir)}
	}
	return nil
}

// OpenPrivate opens path with flag (os.O_RDWR, optionally os.O_APPEND),
// creating it with mode 0600 if it does not exist. It refuses, before
// opening, anything at path that is not a regular file (a link, a device,
// a FIFO) and, after opening, a file that is not the one it checked, not
// owned by the current user, or has more than one name (a hard link
// elsewhere). The final component is opened with O_NOFOLLOW where the
// system has it, so a link swapped in between the checks is refused too.
func OpenPrivate(path string, flag int) (*os.File, error) { return openPrivate(path, flag, nil) }

// openPrivate is OpenPrivate; beforeOpen, when set, runs between the
// check and the open, where a test swaps the file.
func openPrivate(path string, flag int, beforeOpen func()) (*os.File, error) {
	before, err := os.Lstat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		before = nil
	case err != nil:
		return nil, err
	default:
		if err := checkFile(path, before); err != nil {
			return nil, err
		}
	}
	if beforeOpen != nil {
		beforeOpen()
	}
	f, err := os.OpenFile(path, flag|os.O_CREATE|oNoFollow, 0o600)
	if err != nil {
		if isLinkLoop(err) {
			return nil, &UnsafeError{Path: path, Problem: "is a symbolic link", Type: fs.ModeSymlink}
		}
		return nil, err
	}
	fi, err := f.Stat()
	if err == nil {
		err = checkFile(path, fi)
	}
	if err == nil && before != nil && !os.SameFile(before, fi) {
		// Someone is swapping files at callctl's path: nothing to
		// remove, something to look into.
		err = &UnsafeError{Path: path, Problem: "was replaced while callctl opened it", Type: fs.ModeIrregular, Fix: "Find out what is changing it, and run again"}
	}
	if err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}

// OpenRead opens an existing file for reading without following a link
// in its final component, and refuses anything that is not a regular file:
// a link to a device or FIFO such as /dev/zero would otherwise make a
// reader wait or read forever. Unlike OpenPrivate it does not require the
// file to be the user's, so that one operator may read another's journal.
// A missing file is reported as fs.ErrNotExist.
func OpenRead(path string) (*os.File, error) { return openRead(path, nil) }

// openRead is OpenRead; beforeOpen is as for openPrivate.
func openRead(path string, beforeOpen func()) (*os.File, error) {
	before, err := os.Lstat(path)
	if err != nil {
		return nil, err
	}
	if err := checkKind(path, before); err != nil {
		err.(*UnsafeError).Reading = true
		return nil, err
	}
	if beforeOpen != nil {
		beforeOpen()
	}
	f, err := os.OpenFile(path, os.O_RDONLY|oNoFollow, 0)
	if err != nil {
		if isLinkLoop(err) {
			return nil, &UnsafeError{Path: path, Problem: "is a symbolic link", Type: fs.ModeSymlink, Reading: true}
		}
		return nil, err
	}
	fi, err := f.Stat()
	if err == nil && !os.SameFile(before, fi) {
		err = &UnsafeError{Path: path, Problem: "was replaced while callctl opened it", Type: fs.ModeIrregular, Reading: true}
	}
	if err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}

func checkFile(path string, fi fs.FileInfo) error {
	if err := checkKind(path, fi); err != nil {
		return err
	}
	if p := ownerProblem(fi); p != "" {
		return &UnsafeError{Path: path, Problem: p}
	}
	if p := linkProblem(fi); p != "" {
		return &UnsafeError{Path: path, Problem: p}
	}
	return nil
}

func checkKind(path string, fi fs.FileInfo) error {
	typ := fi.Mode().Type()
	switch {
	case typ&fs.ModeSymlink != 0:
		return &UnsafeError{Path: path, Problem: "is a symbolic link", Type: typ}
	case fi.IsDir():
		return &UnsafeError{Path: path, Problem: "is a directory", Type: typ}
	case !fi.Mode().IsRegular():
		return &UnsafeError{Path: path, Problem: "is not a regular file", Type: typ | fs.ModeIrregular}
	}
	return nil
}
