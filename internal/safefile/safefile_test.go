//go:build unix

package safefile

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

// TestOpenPrivate covers what may sit at a path callctl writes: only a
// missing path or the user's own single-named regular file is opened, and a
// refused path leaves whatever it points at untouched.
func TestOpenPrivate(t *testing.T) {
	tests := map[string]struct {
		setup   func(t *testing.T, dir, path string)
		wantErr string // the UnsafeError problem; "" when the open succeeds
	}{
		"missing": {setup: func(*testing.T, string, string) {}},
		"own regular file": {setup: func(t *testing.T, _, path string) {
			write(t, path, "kept\n")
		}},
		"symlink to a file": {setup: func(t *testing.T, dir, path string) {
			write(t, filepath.Join(dir, "target"), "target\n")
			symlink(t, "target", path)
		}, wantErr: "is a symbolic link"},
		"dangling symlink": {setup: func(t *testing.T, dir, path string) {
			symlink(t, filepath.Join(dir, "created-through-link"), path)
		}, wantErr: "is a symbolic link"},
		"symlink to a directory": {setup: func(t *testing.T, dir, path string) {
			symlink(t, dir, path)
		}, wantErr: "is a symbolic link"},
		"directory": {setup: func(t *testing.T, _, path string) {
			if err := os.Mkdir(path, 0o700); err != nil {
				t.Fatal(err)
			}
		}, wantErr: "is a directory"},
		"fifo": {setup: func(t *testing.T, _, path string) {
			if err := syscall.Mkfifo(path, 0o600); err != nil {
				t.Fatal(err)
			}
		}, wantErr: "is not a regular file"},
		"hard link": {setup: func(t *testing.T, dir, path string) {
			write(t, filepath.Join(dir, "target"), "target\n")
			if err := os.Link(filepath.Join(dir, "target"), path); err != nil {
				t.Fatal(err)
			}
		}, wantErr: "has 2 hard links"},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "f")
			tt.setup(t, dir, path)
			before := snapshot(t, dir)

			f, err := OpenPrivate(path, os.O_RDWR|os.O_APPEND)
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("OpenPrivate: %v", err)
				}
				defer f.Close()
				fi, err := f.Stat()
				if err != nil {
					t.Fatal(err)
				}
				if fi.Mode().Perm() != 0o600 {
					t.Errorf("file mode = %v, want 0600", fi.Mode().Perm())
				}
				return
			}
			var ue *UnsafeError
			if !errors.As(err, &ue) || !strings.HasPrefix(ue.Problem, tt.wantErr) {
				t.Fatalf("OpenPrivate = %v, want an UnsafeError %q", err, tt.wantErr)
			}
			if f != nil {
				t.Error("a refused open returned a file")
			}
			if after := snapshot(t, dir); after != before {
				t.Errorf("refused open changed the directory:\nbefore %s\nafter  %s", before, after)
			}
		})
	}
}

func TestOpenRead(t *testing.T) {
	dir := t.TempDir()
	write(t, filepath.Join(dir, "journal"), "line\n")
	symlink(t, "journal", filepath.Join(dir, "link"))
	symlink(t, "/dev/zero", filepath.Join(dir, "zero"))
	if err := syscall.Mkfifo(filepath.Join(dir, "fifo"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := map[string]string{ // name: want problem, "" for success
		"journal": "",
		"link":    "is a symbolic link",
		"zero":    "is a symbolic link",
		"fifo":    "is not a regular file",
	}
	for name, want := range tests {
		t.Run(name, func(t *testing.T) {
			f, err := OpenRead(filepath.Join(dir, name))
			if want == "" {
				if err != nil {
					t.Fatal(err)
				}
				f.Close()
				return
			}
			var ue *UnsafeError
			if !errors.As(err, &ue) || ue.Problem != want {
				t.Fatalf("OpenRead = %v, want an UnsafeError %q", err, want)
			}
		})
	}
	if _, err := OpenRead(filepath.Join(dir, "missing")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: %v, want ErrNotExist", err)
	}
}

func TestUnsafeErrorSaysWhatToRemove(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "apply.lock")
	symlink(t, "elsewhere", path)
	_, err := OpenPrivate(path, os.O_RDWR)
	if err == nil {
		t.Fatal("symlink opened")
	}
	want := strconv.Quote(path) + " is a symbolic link; callctl writes only its own regular files and never follows links there. Remove " + strconv.Quote(path) + " (only the link: what it points to is left alone; callctl creates its own file there) and run again"
	if err.Error() != want {
		t.Errorf("error:\n got %s\nwant %s", err, want)
	}
}

// Removing is advised only where it cannot hurt: a link, or a regular
// file, at a path callctl writes. Never a device, a pipe or a directory,
// and never a path callctl was only asked to read.
func TestUnsafeErrorAdvisesNoHarm(t *testing.T) {
	dir := t.TempDir()
	link := filepath.Join(dir, "link")
	symlink(t, "/dev/zero", link)
	sub := filepath.Join(dir, "sub")
	if err := os.Mkdir(sub, 0o700); err != nil {
		t.Fatal(err)
	}
	linked := filepath.Join(dir, "journal.jsonl")
	if err := os.WriteFile(linked, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Link(linked, filepath.Join(dir, "other-name")); err != nil {
		t.Fatal(err)
	}
	tests := map[string]struct {
		open       func() error
		path       string
		wantRemove bool
	}{
		"read /dev/zero":           {func() error { _, err := OpenRead("/dev/zero"); return err }, "/dev/zero", false},
		"read a link":              {func() error { _, err := OpenRead(link); return err }, link, false},
		"read a directory":         {func() error { _, err := OpenRead(sub); return err }, sub, false},
		"write /dev/null":          {func() error { _, err := OpenPrivate("/dev/null", os.O_RDWR); return err }, "/dev/null", false},
		"write a directory":        {func() error { _, err := OpenPrivate(sub, os.O_RDWR); return err }, sub, false},
		"write through a link":     {func() error { _, err := OpenPrivate(link, os.O_RDWR); return err }, link, true},
		"write a hard-linked file": {func() error { _, err := OpenPrivate(linked, os.O_RDWR); return err }, linked, true},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			err := tt.open()
			var ue *UnsafeError
			if !errors.As(err, &ue) {
				t.Fatalf("err = %v, want an UnsafeError", err)
			}
			removes := strings.Contains(err.Error(), "Remove "+strconv.Quote(tt.path))
			if removes != tt.wantRemove || strings.Contains(err.Error(), "Remove") != tt.wantRemove {
				t.Errorf("advises removing: %v, want %v: %s", removes, tt.wantRemove, err)
			}
		})
	}
}

func TestPrivateDir(t *testing.T) {
	tests := map[string]struct {
		setup   func(t *testing.T, parent, dir string)
		wantErr string
	}{
		"missing is created": {setup: func(*testing.T, string, string) {}},
		"existing directory": {setup: func(t *testing.T, _, dir string) {
			if err := os.Mkdir(dir, 0o700); err != nil {
				t.Fatal(err)
			}
		}},
		"symlink to a directory": {setup: func(t *testing.T, parent, dir string) {
			if err := os.Mkdir(filepath.Join(parent, "real"), 0o700); err != nil {
				t.Fatal(err)
			}
			symlink(t, "real", dir)
		}, wantErr: "is a symbolic link"},
		"dangling symlink": {setup: func(t *testing.T, parent, dir string) {
			symlink(t, filepath.Join(parent, "nowhere"), dir)
		}, wantErr: "is a symbolic link"},
		"file": {setup: func(t *testing.T, _, dir string) {
			write(t, dir, "x")
		}, wantErr: "is not a directory"},
		"writable by others": {setup: func(t *testing.T, _, dir string) {
			if err := os.Mkdir(dir, 0o700); err != nil {
				t.Fatal(err)
			}
			if err := os.Chmod(dir, 0o777); err != nil {
				t.Fatal(err)
			}
		}, wantErr: "can be written by other users (mode 0777)"},
		// The umask's mask: the group's write bit counts as much as
		// everyone's.
		"writable by the group": {setup: func(t *testing.T, _, dir string) {
			mkdirMode(t, dir, 0o770)
		}, wantErr: "can be written by other users (mode 0770)"},
		"writable by others only": {setup: func(t *testing.T, _, dir string) {
			mkdirMode(t, dir, 0o702)
		}, wantErr: "can be written by other users (mode 0702)"},
		"readable by all": {setup: func(t *testing.T, _, dir string) {
			mkdirMode(t, dir, 0o755)
		}},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			parent := t.TempDir()
			dir := filepath.Join(parent, ".callctl")
			tt.setup(t, parent, dir)
			before := snapshot(t, parent)
			err := PrivateDir(dir)
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("PrivateDir: %v", err)
				}
				fi, err := os.Lstat(dir)
				if err != nil || !fi.IsDir() {
					t.Fatalf("PrivateDir left no directory: %v", err)
				}
				if name == "missing is created" && fi.Mode().Perm() != 0o700 {
					t.Errorf("mode = %v, want 0700", fi.Mode().Perm())
				}
				return
			}
			var ue *UnsafeError
			if !errors.As(err, &ue) || ue.Problem != tt.wantErr {
				t.Fatalf("PrivateDir = %v, want an UnsafeError %q", err, tt.wantErr)
			}
			if after := snapshot(t, parent); after != before {
				t.Errorf("refused PrivateDir changed the directory:\nbefore %s\nafter  %s", before, after)
			}
		})
	}
}

func write(t *testing.T, path, s string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(s), 0o600); err != nil {
		t.Fatal(err)
	}
}

func symlink(t *testing.T, target, path string) {
	t.Helper()
	if err := os.Symlink(target, path); err != nil {
		t.Skipf("cannot make symlinks here: %v", err)
	}
}

// snapshot lists a directory's entries with their kinds and contents.
func snapshot(t *testing.T, dir string) string {
	t.Helper()
	var s string
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		p := filepath.Join(dir, e.Name())
		s += e.Name() + ":" + e.Type().String()
		if e.Type().IsRegular() {
			b, _ := os.ReadFile(p)
			s += ":" + string(b)
		}
		s += " "
	}
	return s
}

func mkdirMode(t *testing.T, dir string, mode os.FileMode) {
	t.Helper()
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, mode); err != nil {
		t.Fatal(err)
	}
}

// A file swapped in between the checks and the open (a rename over the
// path) is refused, for writing and for reading.
func TestOpenRefusesAFileSwappedIn(t *testing.T) {
	for name, open := range map[string]func(path string, swap func()) (*os.File, error){
		"private": func(path string, swap func()) (*os.File, error) { return openPrivate(path, os.O_RDWR, swap) },
		"read":    openRead,
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "journal")
			write(t, path, "checked")
			other := filepath.Join(dir, "other")
			write(t, other, "swapped in")
			f, err := open(path, func() {
				if err := os.Rename(other, path); err != nil {
					t.Fatal(err)
				}
			})
			if err == nil {
				f.Close()
			}
			var ue *UnsafeError
			if !errors.As(err, &ue) || ue.Problem != "was replaced while callctl opened it" {
				t.Errorf("err = %v, want the file refused as replaced", err)
			}
		})
	}
}
