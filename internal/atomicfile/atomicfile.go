// Package atomicfile replaces files so that a crash or a full disk leaves
// the old content or the new, never half of either: the new content goes
// to a temporary file in the same directory, is synced, then renamed over
// the old. The rename replaces a symbolic link at the path itself; it
// never writes through it to the link's target.
package atomicfile

import (
	"os"
	"path/filepath"

	"github.com/google/renameio/v2"
)

// Write replaces path with data, with mode perm whatever the umask.
func Write(path string, data []byte, perm os.FileMode) error {
	return write(path, data, renameio.WithStaticPermissions(perm))
}

// Replace replaces the existing file at path with data, keeping its mode.
func Replace(path string, data []byte) error {
	return write(path, data, renameio.WithExistingPermissions())
}

func write(path string, data []byte, perm renameio.Option) error {
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
	// The rename is durable only once the directory is synced too.
	d, err := os.Open(dir)
	if err != nil {
		return nil // the file is in place; only durability is unconfirmed
	}
	defer d.Close()
	_ = d.Sync()
	return nil
}
