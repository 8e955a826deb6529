package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/callctl/callctl/exchsim"
)

// startApply runs "callctl apply -auto-approve" as a real process against a
// slow simulator holding n connected calls, and returns it with a channel of
// its stdout lines.
func startApply(t *testing.T, n, parallelism int, latency time.Duration) (*exec.Cmd, *exchsim.Server, <-chan string, *bytes.Buffer) {
	t.Helper()
	var calls []exchsim.Call
	var ids []string
	for i := range n {
		id := fmt.Sprintf("c-%02d", i)
		calls = append(calls, exchsim.Call{ID: id, State: "Connected"})
		ids = append(ids, fmt.Sprintf("%q", id))
	}
	srv, err := exchsim.NewServer(exchsim.Options{Calls: calls, Auth: exchsim.AuthNone, Latency: latency})
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
  for_each = toset([%s])
  exchange = exchange.corp
  call_id  = each.value
}
`, srv.EWSURL(), strings.Join(ids, ", "))
	if err := os.WriteFile(filepath.Join(dir, "main.hcl"), []byte(policy), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(os.Args[0], "-chdir="+dir, "apply", "-auto-approve", fmt.Sprintf("-parallelism=%d", parallelism))
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
	lines := make(chan string, 1000)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			lines <- sc.Text()
		}
		_, _ = io.Copy(io.Discard, out)
	}()
	return cmd, srv, lines, &stderr
}

// waitFor reads lines until one contains want, and returns all lines read.
func waitFor(t *testing.T, lines <-chan string, want string) []string {
	t.Helper()
	var seen []string
	timeout := time.After(30 * time.Second)
	for {
		select {
		case l, ok := <-lines:
			if !ok {
				t.Fatalf("output ended before %q; got:\n%s", want, strings.Join(seen, "\n"))
			}
			seen = append(seen, l)
			if strings.Contains(l, want) {
				return seen
			}
		case <-timeout:
			t.Fatalf("no %q after 30s; got:\n%s", want, strings.Join(seen, "\n"))
		}
	}
}

func exitCode(t *testing.T, err error) int {
	t.Helper()
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return ee.ExitCode()
	}
	if err != nil {
		t.Fatal(err)
	}
	return 0
}

// SIGHUP (an SSH session dropping) interrupts an apply as SIGINT does.
func TestFirstInterruptStopsStartingDisconnects(t *testing.T) {
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGHUP} {
		t.Run(sig.String(), func(t *testing.T) { testFirstInterrupt(t, sig) })
	}
}

func testFirstInterrupt(t *testing.T, sig syscall.Signal) {
	cmd, srv, lines, _ := startApply(t, 8, 1, 150*time.Millisecond)
	waitFor(t, lines, "Disconnected after")
	if err := cmd.Process.Signal(sig); err != nil {
		t.Fatal(err)
	}
	var rest []string
	for l := range lines {
		rest = append(rest, l)
	}
	out := strings.Join(rest, "\n")
	if code := exitCode(t, cmd.Wait()); code != 4 {
		t.Errorf("exit code %d, want 4 (partial)\n%s", code, out)
	}
	for _, want := range []string{"Interrupt received", "Apply interrupted! Calls:", "not started", "Calls not disconnected:"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	ended := 0
	for _, c := range srv.Calls() {
		if c.State == "Disconnected" {
			ended++
		}
	}
	if ended == 0 || ended == 8 {
		t.Errorf("%d of 8 calls ended; want some but not all after an interrupt", ended)
	}
	if !strings.Contains(out, fmt.Sprintf("%d disconnected", ended)) {
		t.Errorf("summary does not match the simulator's %d ended calls:\n%s", ended, out)
	}
}

func TestSecondInterruptAbandonsAndNamesInFlight(t *testing.T) {
	// Every request takes 2s, so the disconnects are still in flight when
	// the two interrupts arrive.
	cmd, srv, lines, stderr := startApply(t, 2, 2, 2*time.Second)
	waitFor(t, lines, "Disconnecting 2 calls")
	for srv.Stats().Requests["DisconnectPhoneCall"] < 2 {
		time.Sleep(5 * time.Millisecond) // until both requests have arrived
	}
	_ = cmd.Process.Signal(syscall.SIGINT)
	waitFor(t, lines, "Interrupt received")
	_ = cmd.Process.Signal(syscall.SIGINT)
	var rest []string
	for l := range lines {
		rest = append(rest, l)
	}
	if code := exitCode(t, cmd.Wait()); code != 1 {
		t.Errorf("exit code %d, want 1", code)
	}
	// Had callctl waited for the disconnects, it would have printed the
	// normal interrupted summary.
	if out := strings.Join(rest, "\n"); strings.Contains(out, "Apply interrupted!") {
		t.Errorf("callctl waited for the in-flight disconnects:\n%s", out)
	}
	if !strings.Contains(stderr.String(), "Apply abandoned") || !strings.Contains(stderr.String(), `end_call.stuck["c-00"]`) || !strings.Contains(stderr.String(), `end_call.stuck["c-01"]`) {
		t.Errorf("stderr does not name the abandoned call:\n%s", stderr)
	}
}

// TestKilledApplyJournalNamesEverySentDisconnect kills apply with SIGKILL
// mid-run: every call the server ended must have an intent line in the
// journal, and show -journal must flag the unanswered ones.
func TestKilledApplyJournalNamesEverySentDisconnect(t *testing.T) {
	cmd, srv, lines, _ := startApply(t, 30, 3, 100*time.Millisecond)
	waitFor(t, lines, "Disconnecting 30 calls")
	for srv.Stats().Requests["DisconnectPhoneCall"] < 8 {
		time.Sleep(5 * time.Millisecond)
	}
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	for range lines {
	}

	dir := strings.TrimPrefix(cmd.Args[1], "-chdir=")
	journalPath := filepath.Join(dir, ".callctl", "journal.jsonl")
	b, err := os.ReadFile(journalPath)
	if err != nil {
		t.Fatal(err)
	}
	intents := map[string]bool{}
	for _, line := range strings.Split(string(b), "\n") {
		if strings.Contains(line, `"event":"intent"`) {
			i := strings.Index(line, `"call_id":"`)
			rest := line[i+len(`"call_id":"`):]
			intents[rest[:strings.IndexByte(rest, '"')]] = true
		}
	}
	ended := 0
	for _, c := range srv.Calls() {
		if c.State == "Disconnected" {
			ended++
			if !intents[c.ID] {
				t.Errorf("the server ended %s but the journal has no intent for it", c.ID)
			}
		}
	}
	if ended == 0 || ended == 30 {
		t.Fatalf("%d calls ended; the kill should land mid-run", ended)
	}

	show := exec.Command(os.Args[0], "-chdir="+dir, "show", "-journal")
	show.Env = append(os.Environ(), "CALLCTL_TEST_AS_MAIN=1")
	out, err := show.CombinedOutput()
	if code := exitCode(t, err); code != 1 {
		t.Errorf("show -journal exited %d, want 1 (outcomes unknown)\n%s", code, out)
	}
	if !strings.Contains(string(out), "sent, outcome unknown") {
		t.Errorf("show -journal does not flag the unanswered disconnects:\n%s", out)
	}
}

// Ctrl-C twice after some calls were disconnected is a partial apply
// (exit 4), not "nothing was done": the summary still comes, and the call
// cut off in flight is reported once, as sent, outcome unknown.
func TestSecondInterruptAfterSomeDisconnectedIsPartial(t *testing.T) {
	cmd, srv, lines, stderr := startApply(t, 3, 1, time.Second)
	waitFor(t, lines, "Disconnected after")
	for srv.Stats().Requests["DisconnectPhoneCall"] < 2 {
		time.Sleep(5 * time.Millisecond) // until the second call's request has arrived
	}
	_ = cmd.Process.Signal(syscall.SIGINT)
	waitFor(t, lines, "Interrupt received")
	_ = cmd.Process.Signal(syscall.SIGINT)
	var rest []string
	for l := range lines {
		rest = append(rest, l)
	}
	out := strings.Join(rest, "\n")
	if code := exitCode(t, cmd.Wait()); code != 4 {
		t.Errorf("exit code %d, want 4 (partial)\n%s\n%s", code, out, stderr)
	}
	if !strings.Contains(out, "Apply abandoned! Calls: 1 disconnected, 0 already ended, 0 failed, 1 sent with outcome unknown, 1 not started.") {
		t.Errorf("no abandoned summary:\n%s", out)
	}
	if strings.Contains(out+stderr.String(), "context canceled") {
		t.Errorf("a cut-off call is reported as a cancelled failure:\n%s\n%s", out, stderr)
	}
	if errText := strings.Join(strings.Fields(stderr.String()), " "); !strings.Contains(errText, `end_call.stuck["c-01"] was sent, outcome unknown`) {
		t.Errorf("stderr does not name the call in flight as sent, outcome unknown:\n%s", stderr)
	}
}
