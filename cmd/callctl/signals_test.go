package main

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/callctl/callctl/exchsim"
)

// runUntilExit waits for cmd, killing it (and failing) if it has not
// exited long after it should have: a hang, not a slow machine.
func runUntilExit(t *testing.T, cmd *exec.Cmd) (int, time.Duration) {
	t.Helper()
	start := time.Now()
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		return exitCode(t, err), time.Since(start)
	case <-time.After(30 * time.Second):
		_ = cmd.Process.Kill()
		t.Fatal("callctl ignored the interrupt")
	}
	return 0, 0
}

// SIGINT while an inventory command blocks reading a named pipe ends the
// plan at once, with a clear message, and kills the command.
func TestInterruptWhileInventoryCommandReadsFIFO(t *testing.T) {
	dir := t.TempDir()
	if err := syscall.Mkfifo(filepath.Join(dir, "calls.fifo"), 0o600); err != nil {
		t.Skip("no named pipes here:", err)
	}
	policy := `
exchange "corp" {
  url = "https://mail.corp.example/EWS/Exchange.asmx"
}

data "inventory" "calls" {
  command = ["sh", "-c", "echo $$ > reader.pid; touch started; exec cat calls.fifo"]
  format  = "jsonl"
  timeout = "10m"
}

end_call "all" {
  for_each = { for c in data.inventory.calls.records : c.call_id => c }
  exchange = exchange.corp
  call_id  = each.key
}
`
	if err := os.WriteFile(filepath.Join(dir, "main.hcl"), []byte(policy), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(os.Args[0], "-chdir="+dir, "plan")
	cmd.Env = append(os.Environ(), "CALLCTL_TEST_AS_MAIN=1")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill() })
	waitForFile(t, filepath.Join(dir, "started"))
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	code, took := runUntilExit(t, cmd)
	t.Logf("exited %s after SIGINT", took)
	if code != 1 || !strings.Contains(stderr.String(), "Interrupted while loading the policy") {
		t.Errorf("exit %d, stderr:\n%s", code, stderr.String())
	}
	if pid, err := os.ReadFile(filepath.Join(dir, "reader.pid")); err == nil {
		waitGone(t, strings.TrimSpace(string(pid)))
	}
}

// SIGINT while validate evaluates 8,000 locals ends it at once.
func TestInterruptWhileEvaluatingLocals(t *testing.T) {
	dir := t.TempDir()
	var b strings.Builder
	b.WriteString("locals {\n")
	for i := range 8000 {
		// A chain, each from the one before: evaluated in order, once.
		if i == 0 {
			b.WriteString("  l0 = \"v\"\n")
			continue
		}
		fmt.Fprintf(&b, "  l%d = \"${local.l%d}.\"\n", i, i-1)
	}
	b.WriteString("}\n")
	if err := os.WriteFile(filepath.Join(dir, "main.hcl"), []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	handled := filepath.Join(t.TempDir(), "handled")
	cmd := exec.Command(os.Args[0], "-chdir="+dir, "validate")
	cmd.Env = append(os.Environ(), "CALLCTL_TEST_AS_MAIN=1", "CALLCTL_TEST_INTERRUPTS_HANDLED="+handled)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill() })
	// Once callctl handles interrupts (an earlier one would meet the
	// default action, as in any program): into loading, most likely, or
	// just before it; either way it must end with its own message.
	waitForFile(t, handled)
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	code, took := runUntilExit(t, cmd)
	t.Logf("exited %d %s after SIGINT", code, took)
	switch {
	case code == 0 && strings.Contains(stdout.String(), "Success!"):
		// It finished first: linear evaluation is quick.
	case code == 1 && strings.Contains(stderr.String(), "Interrupted while loading the policy"):
	default:
		t.Errorf("exit %d, stdout:\n%s\nstderr:\n%s", code, stdout.String(), stderr.String())
	}
}

// In apply -watch, SIGHUP starts the next cycle now instead of ending
// the watch; SIGINT then ends it.
func TestHangupStartsNextWatchCycle(t *testing.T) {
	srv, err := exchsim.NewServer(exchsim.Options{Calls: []exchsim.Call{{ID: "c-1", State: "Connected"}}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	dir := t.TempDir()
	policy := fmt.Sprintf(`
exchange "corp" {
  url = %q
}

end_call "stuck" {
  exchange = exchange.corp
  call_id  = "c-1"
}
`, srv.EWSURL())
	if err := os.WriteFile(filepath.Join(dir, "main.hcl"), []byte(policy), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(os.Args[0], "-chdir="+dir, "apply", "-auto-approve", "-watch=1h")
	cmd.Env = append(os.Environ(), "CALLCTL_TEST_AS_MAIN=1")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill() })
	lines := make(chan string, 100)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			lines <- sc.Text()
		}
	}()
	waitFor(t, lines, "cycle 1:")
	if err := cmd.Process.Signal(syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	waitFor(t, lines, "cycle 2:") // an hour early
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	for range lines {
	}
	if code, _ := runUntilExit(t, cmd); code != 0 {
		t.Errorf("exit %d after SIGINT between cycles, want 0; stderr:\n%s", code, stderr.String())
	}
}

func waitForFile(t *testing.T, path string) {
	t.Helper()
	for range 600 {
		if _, err := os.Stat(path); err == nil {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("%s never appeared", path)
}

// waitGone waits until process pid has exited (gone or a zombie).
func waitGone(t *testing.T, pid string) {
	t.Helper()
	for range 200 {
		stat, err := os.ReadFile("/proc/" + pid + "/stat")
		if err != nil {
			return
		}
		if f := strings.Fields(string(stat)); len(f) > 2 && f[2] == "Z" {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Errorf("process %s outlived the interrupt", pid)
}
