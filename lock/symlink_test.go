//go:build unix

package lock

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/callctl/callctl/internal/safefile"
)

// TestAcquireRefusesLinks: a link committed at .callctl or at the lock file
// used to make Acquire truncate the file it pointed to. Now Acquire refuses
// and the target keeps every byte.
func TestAcquireRefusesLinks(t *testing.T) {
	tests := map[string]func(t *testing.T, policy, target string){
		"lock file is a link": func(t *testing.T, policy, target string) {
			mkdir(t, filepath.Join(policy, ".callctl"))
			link(t, target, filepath.Join(policy, FileName))
		},
		"lock file is a dangling link": func(t *testing.T, policy, target string) {
			mkdir(t, filepath.Join(policy, ".callctl"))
			link(t, target+".new", filepath.Join(policy, FileName))
		},
		".callctl is a link": func(t *testing.T, policy, target string) {
			other := filepath.Join(filepath.Dir(target), "other")
			mkdir(t, other)
			if err := os.WriteFile(filepath.Join(other, "apply.lock"), []byte("precious\n"), 0o600); err != nil {
				t.Fatal(err)
			}
			link(t, other, filepath.Join(policy, ".callctl"))
		},
	}
	for name, setup := range tests {
		t.Run(name, func(t *testing.T) {
			root := t.TempDir()
			policy := filepath.Join(root, "policy")
			mkdir(t, policy)
			target := filepath.Join(root, ".bashrc")
			if err := os.WriteFile(target, []byte("export PATH=/usr/bin\n"), 0o600); err != nil {
				t.Fatal(err)
			}
			setup(t, policy, target)

			l, err := Acquire(context.Background(), policy, 0, Holder{Command: "test"})
			if err == nil {
				l.Release()
				t.Fatal("Acquire went through a link")
			}
			var ue *safefile.UnsafeError
			if !errors.As(err, &ue) {
				t.Fatalf("Acquire = %v, want a *safefile.UnsafeError", err)
			}
			if b, _ := os.ReadFile(target); string(b) != "export PATH=/usr/bin\n" {
				t.Errorf("link target now holds %q", b)
			}
			if _, err := os.Lstat(target + ".new"); err == nil {
				t.Error("Acquire created the dangling link's target")
			}
			if b, err := os.ReadFile(filepath.Join(root, "other", "apply.lock")); err == nil && string(b) != "precious\n" {
				t.Errorf("file behind the linked .callctl now holds %q", b)
			}
		})
	}
}

func mkdir(t *testing.T, dir string) {
	t.Helper()
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
}

func link(t *testing.T, target, path string) {
	t.Helper()
	if err := os.Symlink(target, path); err != nil {
		t.Fatal(err)
	}
}
