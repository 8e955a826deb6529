package atomicfile

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/renameio/v2"
)

func TestWrite(t *testing.T) {
	tests := map[string]struct {
		setup    func(t *testing.T, path string)
		write    func(path string) error
		wantMode os.FileMode
	}{
		"a new file gets the mode asked for": {
			write:    func(p string) error { return Write(p, []byte("new"), 0o600) },
			wantMode: 0o600,
		},
		"an existing file gets the mode asked for": {
			setup:    func(t *testing.T, p string) { mustWrite(t, p, 0o644) },
			write:    func(p string) error { return Write(p, []byte("new"), 0o600) },
			wantMode: 0o600,
		},
		"Replace keeps the old mode": {
			setup:    func(t *testing.T, p string) { mustWrite(t, p, 0o640) },
			write:    func(p string) error { return Replace(p, []byte("new")) },
			wantMode: 0o640,
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "f")
			if tc.setup != nil {
				tc.setup(t, path)
			}
			if err := tc.write(path); err != nil {
				t.Fatal(err)
			}
			b, err := os.ReadFile(path)
			if err != nil || string(b) != "new" {
				t.Fatalf("content %q, %v", b, err)
			}
			info, _ := os.Stat(path)
			if info.Mode().Perm() != tc.wantMode {
				t.Errorf("mode %v, want %v", info.Mode().Perm(), tc.wantMode)
			}
			if entries, _ := os.ReadDir(dir); len(entries) != 1 {
				t.Errorf("temporary files left behind: %v", entries)
			}
		})
	}
}

// A symbolic link at the path is replaced, never written through: a link
// planted where a plan file goes cannot make callctl overwrite its target.
func TestWriteDoesNotFollowSymlinks(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "target")
	mustWrite(t, target, 0o644)
	link := filepath.Join(dir, "link")
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
	if err := Write(link, []byte("new"), 0o600); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(target); string(b) != "old" {
		t.Errorf("the link's target was overwritten: %q", b)
	}
	info, err := os.Lstat(link)
	if err != nil || !info.Mode().IsRegular() {
		t.Errorf("the path is not a regular file now: %v, %v", info.Mode(), err)
	}
}

func TestWriteFailsInMissingDirectory(t *testing.T) {
	if err := Write(filepath.Join(t.TempDir(), "no", "f"), nil, 0o600); err == nil {
		t.Error("wrote into a directory that does not exist")
	}
}

func mustWrite(t *testing.T, path string, mode os.FileMode) {
	t.Helper()
	if err := os.WriteFile(path, []byte("old"), mode); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, mode); err != nil {
		t.Fatal(err)
	}
}

// A directory that cannot be synced is reported: the rename may not
// survive a crash. The new content is in place all the same.
func TestDirectorySyncFailureIsReported(t *testing.T) {
	path := filepath.Join(t.TempDir(), "f")
	failing := func(string) error { return errors.New("input/output error") }
	err := write(path, []byte("new"), renameio.WithStaticPermissions(0o600), failing)
	if err == nil || !strings.Contains(err.Error(), "syncing its directory failed") || !strings.Contains(err.Error(), "input/output error") {
		t.Errorf("err = %v, want the directory sync failure", err)
	}
	if b, _ := os.ReadFile(path); string(b) != "new" {
		t.Errorf("content %q, want the new content in place", b)
	}
	if err := syncDir(filepath.Dir(path)); err != nil {
		t.Errorf("syncing a real directory: %v", err)
	}
}
