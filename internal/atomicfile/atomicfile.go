// Package atomicfile replaces files so that a crash or a full disk leaves
// the old content or the new, never half of either: the new content goes
// to a temporary file in the same directory, is synced, then renamed over
// the old. The rename replaces a symbolic link at the path itself; it
// never writes through it to the link's target.
package atomicfile

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"

	"github.com/google/renameio/v2"
)

// Write replaces path with data, with mode perm whatever the umask.
func Write(path string, data []byte, perm os.FileMode) error {
	return write(path, data, renameio.WithStaticPermissions(perm), syncDir)
}

// Replace replaces the existing file at path with data, keeping its mode.
func Replace(path string, data []byte) error {
	return write(path, data, renameio.WithExistingPermissions(), syncDir)
}

// syncDir makes a rename in dir durable. A file system that cannot sync
// a directory (some network and FUSE ones say EINVAL or "unsupported")
// gives no durability to confirm, which is not an error.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	if errors.Is(err, errors.ErrUnsupported) || errors.Is(err, syscall.EINVAL) {
		return nil
	}
	return err
}

func write(path string, data []byte, perm renameio.Option, syncDir func(string) error) error {
	dir := filepath.Dir(path)
	// renameio.WriteFile would keep an existing file's mode whatever it
	// was asked, so the pending file is driven directly.
	f, err := renameio.NewPendingFile(path, perm, renameio.WithTempDir(dir))
	if err != nil {
		return err
	}
	defer f.Cleanup()
	if _, err := f.Write(data); err != nil {
		return err
	}
	if err := f.CloseAtomicallyReplace(); err != nil {
		return err
	}
	// The rename is durable only once the directory is synced too: a
	// crash before that may bring the old file back, so a failure is
	// reported although the new content is in place.
	if err := syncDir(dir); err != nil {
		return fmt.Errorf("%s is written, but syncing its directory failed, so a crash could still undo it: %w", path, err)
	}
	return nil
}
