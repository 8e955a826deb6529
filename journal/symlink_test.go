//go:build unix

package journal

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/callctl/callctl/internal/safefile"
	"github.com/callctl/callctl/reconcile"
)

// TestOpenRefusesLinks: a journal path that is a link (the default one in a
// cloned policy, or one given with -journal) used to be appended to through
// the link, e.g. into a shell startup file. Open now refuses before writing.
func TestOpenRefusesLinks(t *testing.T) {
	tests := map[string]func(t *testing.T, root, target string) (path string){
		"default journal is a link": func(t *testing.T, root, target string) string {
			dir := filepath.Join(root, "policy", ".callctl")
			if err := os.MkdirAll(dir, 0o700); err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(dir, "journal.jsonl")
			symlinkT(t, target, path)
			return path
		},
		".callctl is a link": func(t *testing.T, root, target string) string {
			if err := os.Mkdir(filepath.Join(root, "policy"), 0o700); err != nil {
				t.Fatal(err)
			}
			// journal.jsonl in the linked directory is the startup file.
			symlinkT(t, root, filepath.Join(root, "policy", ".callctl"))
			if err := os.Rename(target, filepath.Join(root, "journal.jsonl")); err != nil {
				t.Fatal(err)
			}
			if err := os.Symlink("journal.jsonl", target); err != nil {
				t.Fatal(err)
			}
			return filepath.Join(root, "policy", ".callctl", "journal.jsonl")
		},
		"-journal file is a link": func(t *testing.T, root, target string) string {
			path := filepath.Join(root, "elsewhere.jsonl")
			symlinkT(t, target, path)
			return path
		},
	}
	for name, setup := range tests {
		t.Run(name, func(t *testing.T) {
			root := t.TempDir()
			target := filepath.Join(root, ".bashrc")
			const content = "export PATH=/usr/bin\n"
			if err := os.WriteFile(target, []byte(content), 0o600); err != nil {
				t.Fatal(err)
			}
			path := setup(t, root, target)

			j, err := Open(path, RunMeta{Version: "test"})
			if err == nil {
				j.Close(reconcile.ApplyCounts{})
				t.Fatal("Open went through a link")
			}
			var ue *safefile.UnsafeError
			if !errors.As(err, &ue) {
				t.Fatalf("Open = %v, want a *safefile.UnsafeError", err)
			}
			if b, _ := os.ReadFile(target); string(b) != content {
				t.Errorf("startup file now holds %q", b)
			}
		})
	}
}

func symlinkT(t *testing.T, target, path string) {
	t.Helper()
	if err := os.Symlink(target, path); err != nil {
		t.Fatal(err)
	}
}
