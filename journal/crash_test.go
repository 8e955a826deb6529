package journal

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/callctl/callctl/reconcile"
)

// sentBeforeKill is how many "sent" markers the parent reads before it
// kills the child.
const sentBeforeKill = 200

// TestKilledApplyLeavesEveryIntentOnRecord runs a child process that
// journals disconnects from several goroutines and, after each intent is
// recorded, reports the call as sent on stdout. The parent SIGKILLs it
// mid-run: every call the child reported as sent, including those still in
// the pipe, must have its intent line in the journal.
func TestKilledApplyLeavesEveryIntentOnRecord(t *testing.T) {
	path := filepath.Join(t.TempDir(), DefaultPath)
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperProcess$")
	cmd.Env = append(os.Environ(), "CALLCTL_JOURNAL_HELPER_PATH="+path)
	cmd.Stderr = os.Stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()

	var sent []string
	sc := bufio.NewScanner(stdout)
	for sc.Scan() {
		id, ok := strings.CutPrefix(sc.Text(), "sent ")
		if !ok {
			t.Fatalf("helper printed %q", sc.Text())
		}
		sent = append(sent, id)
		if len(sent) == sentBeforeKill {
			if err := cmd.Process.Kill(); err != nil { // SIGKILL on Unix
				t.Fatal(err)
			}
		}
	}
	err = cmd.Wait()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.Exited() {
		t.Fatalf("helper ended with %v after %d markers; want it killed mid-run", err, len(sent))
	}
	if len(sent) < sentBeforeKill {
		t.Fatalf("only %d markers before the helper died", len(sent))
	}

	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	entries, err := Read(f)
	var damaged *DamagedLinesError
	if err != nil && !errors.As(err, &damaged) {
		t.Fatalf("Read: %v", err)
	}
	intents := map[string]bool{}
	for _, e := range entries {
		if e.Event == EventIntent {
			intents[e.CallID] = true
		}
	}
	for _, id := range sent {
		if !intents[id] {
			t.Errorf("call %s was sent but has no intent line", id)
		}
	}
	statuses := Summarize(entries)
	unknown := 0
	for _, s := range statuses {
		if s.Unknown() {
			unknown++
		}
	}
	if unknown != len(statuses) || unknown < len(sent) {
		t.Errorf("%d of %d calls show %q, want all of them and at least the %d sent", unknown, len(statuses), StatusSentUnknown, len(sent))
	}
	t.Logf("%d sent, %d intents on record, damaged: %v", len(sent), len(intents), err)
}

// TestHelperProcess is not a test: TestKilledApplyLeavesEveryIntentOnRecord
// runs the test binary as a child that journals until it is killed.
func TestHelperProcess(t *testing.T) {
	path := os.Getenv("CALLCTL_JOURNAL_HELPER_PATH")
	if path == "" {
		t.Skip("helper process only")
	}
	j, err := Open(path, RunMeta{RunID: "crash"})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	out := bufio.NewWriter(os.Stdout)
	var mu sync.Mutex
	var wg sync.WaitGroup
	const workers, calls = 4, 1_000_000
	for g := range workers {
		wg.Go(func() {
			for i := g; i < calls; i += workers {
				c := &reconcile.Change{Address: "end_call.c[" + strconv.Itoa(i) + "]", Exchange: "corp", CallID: "call-" + strconv.Itoa(i)}
				if err := j.Gate(c); err != nil {
					fmt.Fprintln(os.Stderr, err)
					os.Exit(3)
				}
				// Only now may the request leave: say so.
				mu.Lock()
				fmt.Fprintf(out, "sent %s\n", c.CallID)
				out.Flush()
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	os.Exit(0) // never reached in practice: the parent kills us first
}
