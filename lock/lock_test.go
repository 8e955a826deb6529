package lock

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

func TestSecondAcquireIsRefusedAndNamesHolder(t *testing.T) {
	dir := t.TempDir()
	first, err := Acquire(context.Background(), dir, 0, Holder{Command: "callctl apply"})
	if err != nil {
		t.Fatal(err)
	}
	defer first.Release()

	for _, timeout := range []time.Duration{0, 300 * time.Millisecond} {
		t.Run(timeout.String(), func(t *testing.T) {
			l, err := Acquire(context.Background(), dir, timeout, Holder{Command: "callctl apply"})
			if err == nil {
				l.Release()
				t.Fatal("second Acquire succeeded while the first lock is held")
			}
			var held *HeldError
			if !errors.As(err, &held) {
				t.Fatalf("err = %v (%T), want *HeldError", err, err)
			}
			if held.Holder == nil {
				t.Fatalf("HeldError has no holder: %v", err)
			}
			if *held.Holder != first.Holder() {
				t.Errorf("HeldError.Holder = %+v, want %+v", *held.Holder, first.Holder())
			}
			if held.Waited < timeout {
				t.Errorf("Waited = %v, want at least the timeout %v", held.Waited, timeout)
			}
			if timeout == 0 && held.Waited != 0 {
				t.Errorf("Waited = %v with timeout 0, want 0", held.Waited)
			}
			msg := err.Error()
			for _, want := range []string{"callctl apply", fmt.Sprintf("pid %d", os.Getpid()), first.Holder().User + "@" + first.Holder().Host, "released automatically"} {
				if !strings.Contains(msg, want) {
					t.Errorf("error %q does not mention %q", msg, want)
				}
			}
		})
	}
}

func TestHeldErrorMessage(t *testing.T) {
	h := &Holder{PID: 4242, User: "alice", Host: "host", Since: time.Date(2026, 11, 26, 7, 30, 0, 0, time.UTC), Command: "callctl apply"}
	tests := map[string]struct {
		err  *HeldError
		want string
	}{
		"waited": {
			&HeldError{Holder: h, Waited: 10*time.Second + 40*time.Millisecond},
			"lock: policy directory is locked by callctl apply (pid 4242, alice@host, since 2026-11-26T07:30:00Z); waited 10s (-lock-timeout). If that process is gone, the lock is released automatically; try again.",
		},
		"no wait": {
			&HeldError{Holder: h},
			"lock: policy directory is locked by callctl apply (pid 4242, alice@host, since 2026-11-26T07:30:00Z); did not wait (-lock-timeout=0). If that process is gone, the lock is released automatically; try again.",
		},
		"unknown holder": {
			&HeldError{Waited: 250 * time.Millisecond},
			"lock: policy directory is locked by another process (it has not recorded who it is); waited 250ms (-lock-timeout). If that process is gone, the lock is released automatically; try again.",
		},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			if got := tt.err.Error(); got != tt.want {
				t.Errorf("Error() =\n%s\nwant\n%s", got, tt.want)
			}
		})
	}
}

func TestReleaseThenReacquire(t *testing.T) {
	dir := t.TempDir()
	l, err := Acquire(context.Background(), dir, 0, Holder{Command: "first"})
	if err != nil {
		t.Fatal(err)
	}
	if err := l.Release(); err != nil {
		t.Fatalf("Release: %v", err)
	}
	if err := l.Release(); err != nil {
		t.Fatalf("second Release: %v", err)
	}
	// A released lock leaves no holder record behind to mislead anyone.
	if b, err := os.ReadFile(filepath.Join(dir, FileName)); err != nil || len(b) != 0 {
		t.Errorf("lock file after Release = %q, %v; want empty", b, err)
	}

	l2, err := Acquire(context.Background(), dir, 0, Holder{Command: "second"})
	if err != nil {
		t.Fatalf("Acquire after Release: %v", err)
	}
	defer l2.Release()
	if got := readFileHolder(t, dir); got.Command != "second" {
		t.Errorf("recorded holder = %+v, want command %q", got, "second")
	}
}

func TestWaitingAcquireGetsLockWhenReleased(t *testing.T) {
	dir := t.TempDir()
	first, err := Acquire(context.Background(), dir, 0, Holder{Command: "first"})
	if err != nil {
		t.Fatal(err)
	}
	got := make(chan error, 1)
	go func() {
		l, err := Acquire(context.Background(), dir, time.Hour, Holder{Command: "second"})
		if err == nil {
			err = l.Release()
		}
		got <- err
	}()
	if err := first.Release(); err != nil {
		t.Fatal(err)
	}
	if err := <-got; err != nil {
		t.Fatalf("waiting Acquire: %v", err)
	}
}

func TestContextCancelStopsWaiting(t *testing.T) {
	dir := t.TempDir()
	first, err := Acquire(context.Background(), dir, 0, Holder{})
	if err != nil {
		t.Fatal(err)
	}
	defer first.Release()

	ctx, cancel := context.WithCancel(context.Background())
	got := make(chan error, 1)
	go func() {
		l, err := Acquire(ctx, dir, time.Hour, Holder{})
		if err == nil {
			l.Release()
		}
		got <- err
	}()
	time.Sleep(250 * time.Millisecond) // let it poll a few times; not an assertion
	cancel()
	if err := <-got; !errors.Is(err, context.Canceled) {
		t.Fatalf("Acquire after cancel = %v, want context.Canceled", err)
	}
}

func TestFileModes(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("Unix permission bits")
	}
	dir := t.TempDir()
	l, err := Acquire(context.Background(), dir, 0, Holder{})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Release()
	for path, want := range map[string]os.FileMode{
		filepath.Join(dir, ".callctl"): 0o700 | os.ModeDir,
		l.Path():                       0o600,
	} {
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode() != want {
			t.Errorf("%s: mode %v, want %v", path, fi.Mode(), want)
		}
	}
}

// TestKilledHolderReleasesLock runs a child process that takes the lock, and
// kills it with SIGKILL: the lock must come free with no clean-up.
func TestKilledHolderReleasesLock(t *testing.T) {
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperProcess$")
	cmd.Env = append(os.Environ(), "CALLCTL_LOCK_HELPER_DIR="+dir)
	cmd.Stderr = os.Stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil || line != "locked\n" {
		t.Fatalf("helper said %q, %v; want \"locked\"", line, err)
	}

	_, err = Acquire(context.Background(), dir, 0, Holder{})
	var held *HeldError
	if !errors.As(err, &held) || held.Holder == nil {
		t.Fatalf("Acquire while the child holds the lock = %v, want *HeldError with holder", err)
	}
	if held.Holder.PID != cmd.Process.Pid || held.Holder.Command != "lock helper" {
		t.Errorf("holder = %+v, want the child (pid %d, command %q)", *held.Holder, cmd.Process.Pid, "lock helper")
	}

	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait() // after this the child's descriptors are closed
	l, err := Acquire(context.Background(), dir, 10*time.Second, Holder{Command: "survivor"})
	if err != nil {
		t.Fatalf("Acquire after the holder was killed: %v", err)
	}
	defer l.Release()
	if got := readFileHolder(t, dir); got.Command != "survivor" || got.PID != os.Getpid() {
		t.Errorf("recorded holder = %+v, want this process as %q", got, "survivor")
	}
}

// TestHelperProcess is not a test: TestKilledHolderReleasesLock runs the
// test binary as a child that holds the lock until it is killed.
func TestHelperProcess(t *testing.T) {
	dir := os.Getenv("CALLCTL_LOCK_HELPER_DIR")
	if dir == "" {
		t.Skip("helper process only")
	}
	if _, err := Acquire(context.Background(), dir, 0, Holder{Command: "lock helper"}); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	fmt.Println("locked")
	for {
		time.Sleep(time.Hour)
	}
}

func readFileHolder(t *testing.T, dir string) Holder {
	t.Helper()
	f, err := os.Open(filepath.Join(dir, FileName))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	h := readHolder(f)
	if h == nil {
		t.Fatal("lock file has no holder record")
	}
	return *h
}
