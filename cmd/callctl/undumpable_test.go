package main

import (
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// An inventory command runs as the same user as callctl, so it could read
// callctl's /proc/PID/environ, plan key and all, whatever environment it
// was given. callctl makes itself non-dumpable, so the kernel refuses.
// Root may read any process's environ, so as root the test runs callctl
// as "nobody" (setpriv, from util-linux).
func TestProcessEnvironHidden(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("/proc/PID/environ and prctl are Linux's")
	}
	dir := t.TempDir()
	bin := os.Args[0]
	var prefix []string
	if os.Geteuid() == 0 {
		setpriv, err := exec.LookPath("setpriv")
		if err != nil {
			t.Skip("running as root without setpriv to drop to another user")
		}
		// nobody must be able to run the binary and read the policy.
		bin = filepath.Join(dir, "callctl")
		copyFile(t, os.Args[0], bin)
		for d := dir; d != "/" && d != "."; d = filepath.Dir(d) {
			if strings.HasPrefix(d, os.TempDir()) && d != os.TempDir() {
				_ = os.Chmod(d, 0o755)
			}
		}
		prefix = []string{setpriv, "--reuid=65534", "--regid=65534", "--clear-groups"}
	}
	policy := `
exchange "corp" {
  url = "https://mail.example/EWS/Exchange.asmx"
}
data "inventory" "d" {
  command = ["sh", "-c", "tr '\\0' '\\n' < /proc/$PPID/environ; exit 1"]
}
`
	if err := os.WriteFile(filepath.Join(dir, "main.hcl"), []byte(policy), 0o644); err != nil {
		t.Fatal(err)
	}
	args := append(prefix, bin, "-chdir="+dir, "plan")
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Env = []string{"CALLCTL_TEST_AS_MAIN=1", "PATH=" + os.Getenv("PATH"),
		"CALLCTL_PLAN_KEY=PLANKEY-0123456789abcdef0123456789abcdef", "CALLCTL_PASSWORD=HUNTER2PW"}
	out, _ := cmd.CombinedOutput()
	if strings.Contains(string(out), "PLANKEY") || strings.Contains(string(out), "HUNTER2PW") {
		t.Fatalf("the command read callctl's environment:\n%s", out)
	}
	if !strings.Contains(string(out), "Permission denied") {
		t.Fatalf("the command was not refused /proc/$PPID/environ:\n%s", out)
	}
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	src, err := os.Open(from)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	dst, err := os.OpenFile(to, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o755)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(dst, src); err != nil {
		t.Fatal(err)
	}
	if err := dst.Close(); err != nil {
		t.Fatal(err)
	}
}
