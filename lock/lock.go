// Package lock stops two applies from running on the same policy directory
// at once.
//
// The lock is an OS file lock (flock on Unix, LockFileEx on Windows) on
// <dir>/.callctl/apply.lock. The kernel drops it when the holding process
// exits for any reason, including SIGKILL, so a crashed apply never leaves a
// stale lock behind and there is nothing to clean up by hand. The file itself
// is never deleted: removing a lock file while others wait on it lets two
// processes each lock a different inode under the same name.
//
// The holder writes who it is into the lock file, so that a process that
// cannot get the lock can name the one that has it.
package lock

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/user"
	"path/filepath"
	"sync"
	"time"

	"github.com/callctl/callctl/internal/safefile"
)

// FileName is the lock file's path relative to the policy directory.
const FileName = ".callctl/" + baseName

// baseName is the lock file's name in its state directory.
const baseName = "apply.lock"

// pollInterval is how often a waiting Acquire tries the lock again. The OS
// calls that would block until the lock is free cannot be cancelled, so
// Acquire polls with non-blocking attempts instead.
const pollInterval = 100 * time.Millisecond

// Holder says who holds the lock. It is stored as JSON in the lock file.
type Holder struct {
	PID  int    `json:"pid"`
	User string `json:"user"`
	Host string `json:"host"`
	// Since is when the lock was acquired.
	Since time.Time `json:"since"`
	// Command names what holds the lock, such as "callctl apply". It is
	// deliberately not the full command line, which may carry secrets in
	// -var flags and is readable by whoever is refused the lock.
	Command string `json:"command"`
}

// String renders the holder as in "callctl apply (pid 4242, alice@host,
// since 2026-11-26T07:30:00Z)".
func (h Holder) String() string {
	cmd := h.Command
	if cmd == "" {
		cmd = "another process"
	}
	return fmt.Sprintf("%s (pid %d, %s@%s, since %s)", cmd, h.PID, h.User, h.Host, h.Since.UTC().Format(time.RFC3339))
}

// HeldError is returned by Acquire when another process holds the lock.
type HeldError struct {
	Path string
	// Holder is who holds the lock, as it recorded itself; nil when that
	// could not be read (it may have been just about to write it).
	Holder *Holder
	// Waited is how long Acquire tried for; zero when it tried only once.
	Waited time.Duration
}

func (e *HeldError) Error() string {
	who := "another process (it has not recorded who it is)"
	if e.Holder != nil {
		who = e.Holder.String()
	}
	waited := "did not wait (-lock-timeout=0)"
	if e.Waited > 0 {
		waited = fmt.Sprintf("waited %s (-lock-timeout)", roundWait(e.Waited))
	}
	return fmt.Sprintf("lock: policy directory is locked by %s; %s. If that process is gone, the lock is released automatically; try again.", who, waited)
}

func roundWait(d time.Duration) time.Duration {
	if d >= time.Second {
		return d.Round(time.Second)
	}
	return d.Round(time.Millisecond)
}

// Lock is a held lock on a policy directory.
type Lock struct {
	path   string
	holder Holder

	mu       sync.Mutex
	f        *os.File // nil once released
	released error
}

// Acquire locks the policy directory dir, creating dir/.callctl (mode 0700)
// and the lock file (mode 0600) if needed. Neither is followed if it is a
// symbolic link, and either is refused (a *safefile.UnsafeError) unless it
// is a directory or regular file owned by the current user; nothing is
// written before those checks pass. While another process holds the
// lock it tries again every 100ms until timeout has passed, then returns a
// *HeldError naming the holder; a timeout of zero tries once. It returns
// ctx's error if ctx is done first.
//
// Zero fields of holder are filled in: PID, User and Host from the current
// process, and Since is always set to the moment the lock was acquired.
//
// Within one process, two Acquires on the same directory also exclude each
// other.
func Acquire(ctx context.Context, dir string, timeout time.Duration, holder Holder) (*Lock, error) {
	return AcquireIn(ctx, filepath.Join(dir, filepath.Dir(FileName)), timeout, holder)
}

// AcquireIn is Acquire with the lock file in stateDir (apply -state-dir)
// rather than the policy directory's .callctl/. stateDir is held to the
// same rules as .callctl/: created with mode 0700 if missing, and refused
// if it is a link, not the user's, or writable by others.
func AcquireIn(ctx context.Context, stateDir string, timeout time.Duration, holder Holder) (*Lock, error) {
	path := filepath.Join(stateDir, baseName)
	// A link committed at .callctl or at the lock file must not make the
	// holder record below truncate the file it points to.
	if err := safefile.PrivateDir(filepath.Dir(path)); err != nil {
		return nil, fmt.Errorf("lock: %w", err)
	}
	f, err := safefile.OpenPrivate(path, os.O_RDWR)
	if err != nil {
		return nil, fmt.Errorf("lock: %w", err)
	}

	start := time.Now()
	for {
		ok, err := tryLock(f)
		if err != nil {
			f.Close()
			return nil, fmt.Errorf("lock: locking %s: %w", path, err)
		}
		if ok {
			break
		}
		waited := time.Since(start)
		if waited >= timeout {
			h := readHolder(f)
			f.Close()
			if timeout <= 0 {
				waited = 0
			}
			return nil, &HeldError{Path: path, Holder: h, Waited: waited}
		}
		t := time.NewTimer(min(pollInterval, timeout-waited))
		select {
		case <-ctx.Done():
			t.Stop()
			f.Close()
			return nil, fmt.Errorf("lock: waiting for %s: %w", path, ctx.Err())
		case <-t.C:
		}
	}

	l := &Lock{path: path, holder: fillHolder(holder), f: f}
	if err := l.writeHolder(); err != nil {
		// The lock works without the record, but a loser could not say who
		// holds it; failing here keeps that message trustworthy.
		l.Release()
		return nil, fmt.Errorf("lock: recording holder in %s: %w", path, err)
	}
	return l, nil
}

// Path returns the lock file's path.
func (l *Lock) Path() string { return l.path }

// Holder returns who holds the lock, as recorded in the lock file.
func (l *Lock) Holder() Holder { return l.holder }

// Release unlocks. It clears the holder record first so that a stale record
// is never shown. Calling it again does nothing and returns the first call's
// error.
func (l *Lock) Release() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.f == nil {
		return l.released
	}
	err := l.f.Truncate(0)
	if uerr := unlock(l.f); err == nil {
		err = uerr
	}
	if cerr := l.f.Close(); err == nil {
		err = cerr
	}
	l.f = nil
	if err != nil {
		l.released = fmt.Errorf("lock: releasing %s: %w", l.path, err)
	}
	return l.released
}

func (l *Lock) writeHolder() error {
	b, err := json.Marshal(l.holder)
	if err != nil {
		return err
	}
	b = append(b, '\n')
	if err := l.f.Truncate(0); err != nil {
		return err
	}
	if _, err := l.f.WriteAt(b, 0); err != nil {
		return err
	}
	return l.f.Sync()
}

// readHolder reads the holder record without holding the lock. It returns
// nil when the record is missing or half written.
func readHolder(f *os.File) *Holder {
	b := make([]byte, 4096)
	n, err := f.ReadAt(b, 0)
	if err != nil && !errors.Is(err, io.EOF) {
		return nil
	}
	var h Holder
	if json.Unmarshal(b[:n], &h) != nil || h.PID == 0 {
		return nil
	}
	return &h
}

func fillHolder(h Holder) Holder {
	if h.PID == 0 {
		h.PID = os.Getpid()
	}
	if h.User == "" {
		h.User = currentUser()
	}
	if h.Host == "" {
		h.Host, _ = os.Hostname()
	}
	h.Since = time.Now().UTC()
	return h
}

func currentUser() string {
	if u, err := user.Current(); err == nil {
		return u.Username
	}
	if u := os.Getenv("USER"); u != "" {
		return u
	}
	return os.Getenv("USERNAME")
}
