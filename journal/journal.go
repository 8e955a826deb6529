// Package journal keeps an append-only, fsynced record of every disconnect
// an apply sends, so that what was sent is on record even if callctl is
// killed part-way.
//
// The journal is a JSON-lines file, by default DefaultPath inside the policy
// directory. Each apply appends a run_start line, then for each disconnect an
// intent line before the request is sent and an outcome line after it, then
// a run_end line. Every line is written with one write call and synced before
// callctl goes on, so an intent with no outcome after a crash means "the
// disconnect may have been sent; check the call".
package journal

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/user"
	"path/filepath"
	"runtime"
	"sync"
	"time"

	"github.com/callctl/callctl/internal/safefile"
	"github.com/callctl/callctl/reconcile"
)

// DefaultPath is where the journal lives, relative to the policy directory.
const DefaultPath = ".callctl/journal.jsonl"

// RunMeta describes one apply run for its run_start line.
type RunMeta struct {
	RunID     string // generated when empty
	Version   string // callctl version
	PolicyDir string
	PlanHash  string // of the saved plan being applied, if any
	User      string // current user when empty
	Host      string // os.Hostname when empty
}

// file is what the journal writes to: an *os.File, or a fake in tests.
type file interface {
	io.Writer
	Sync() error
	Close() error
}

// Journal records one apply run. It implements reconcile.Hook and is safe
// for concurrent use; lines from concurrent calls are serialised whole.
type Journal struct {
	run string
	now func() time.Time

	mu       sync.Mutex
	f        file // nil once closed
	err      error
	inFlight map[*reconcile.Change]bool // intent written, no outcome yet
}

var _ reconcile.Hook = (*Journal)(nil)

// Open opens the journal at path for appending, creating its directory
// (mode 0700) and the file (mode 0600) if needed, and writes the run's
// run_start line. The file is never opened through a symbolic link and must
// be a regular file owned by the current user; a directory named .callctl
// (the default's) must not be a link either and must be the user's. A path
// that fails these checks is refused with a *safefile.UnsafeError before
// anything is written, so a journal line can never land in a file such as
// a shell startup file that a link points to. If the file ends in a line torn by an earlier crash, Open
// ends that line first so that it spoils no new line.
func Open(path string, meta RunMeta) (*Journal, error) {
	dir := filepath.Dir(path)
	if err := makeDir(dir); err != nil {
		return nil, fmt.Errorf("journal: %w", err)
	}
	f, err := safefile.OpenPrivate(path, os.O_RDWR|os.O_APPEND)
	if err != nil {
		return nil, fmt.Errorf("journal: %w", err)
	}
	if err := endTornLine(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("journal: %s: %w", path, err)
	}
	// Sync the directory too, or a new journal's name could be lost in a
	// crash along with everything written to it.
	if err := syncDir(dir); err != nil {
		f.Close()
		return nil, fmt.Errorf("journal: %w", err)
	}
	j, err := start(f, meta, time.Now)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("journal: %s: %w", path, err)
	}
	return j, nil
}

// makeDir creates the journal's directory. The policy directory's .callctl
// is callctl's own and may have been committed as a link, so it is held to
// safefile.PrivateDir; a directory the operator chose with -journal is
// theirs to arrange.
func makeDir(dir string) error {
	if filepath.Base(dir) == filepath.Dir(DefaultPath) {
		if err := os.MkdirAll(filepath.Dir(dir), 0o700); err != nil {
			return err
		}
		return safefile.PrivateDir(dir)
	}
	return os.MkdirAll(dir, 0o700)
}

func start(f file, meta RunMeta, now func() time.Time) (*Journal, error) {
	if meta.RunID == "" {
		meta.RunID = newRunID(now())
	}
	if meta.User == "" {
		if u, err := user.Current(); err == nil {
			meta.User = u.Username
		}
	}
	if meta.Host == "" {
		meta.Host, _ = os.Hostname()
	}
	j := &Journal{run: meta.RunID, now: now, f: f, inFlight: map[*reconcile.Change]bool{}}
	err := j.append(Entry{
		Event:     EventRunStart,
		Version:   meta.Version,
		PolicyDir: meta.PolicyDir,
		PlanHash:  meta.PlanHash,
		User:      meta.User,
		Host:      meta.Host,
		PID:       os.Getpid(),
	})
	if err != nil {
		return nil, err
	}
	return j, nil
}

// RunID returns the id that tags this run's lines.
func (j *Journal) RunID() string { return j.run }

// Gate writes and syncs c's intent line, and returns an error if that
// failed, in which case the disconnect must not be sent: nothing may leave
// that is not on record. Once any write has failed, Gate fails for every
// later call too, since after a failed fsync the file's contents cannot be
// trusted.
//
// Gate is meant for the applier to call just before sending; see
// PreDisconnect for when it does not.
func (j *Journal) Gate(c *reconcile.Change) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.err != nil {
		return j.err
	}
	if j.f == nil {
		return errors.New("journal: closed; disconnect not sent")
	}
	if j.inFlight[c] {
		return nil
	}
	err := j.appendLocked(Entry{
		Event:    EventIntent,
		Address:  c.Address,
		Exchange: c.Exchange,
		CallID:   c.CallID,
		Reason:   c.Reason,
	})
	if err != nil {
		return err
	}
	j.inFlight[c] = true
	return nil
}

// PreDisconnect records c's intent as Gate does, unless Gate already has.
// A hook cannot stop the disconnect, so a failure is only kept for Err;
// wire Gate in to refuse unrecorded disconnects.
func (j *Journal) PreDisconnect(c *reconcile.Change) { _ = j.Gate(c) }

// PostLookup does nothing: lookups change nothing, so they are not journaled.
func (j *Journal) PostLookup(*reconcile.Change, error) {}

// PostDisconnect records r's outcome. Outcomes decided without a request
// (a re-check found the call ended or guarded) are recorded too, without an
// intent before them.
func (j *Journal) PostDisconnect(r *reconcile.Result) {
	if r.Outcome == reconcile.OutcomeUnknown && errors.Is(r.Err, reconcile.ErrSentOutcomeUnknown) {
		// Cut off by the second interrupt: no answer is no outcome, and
		// the intent stays the call's last line, which show -journal
		// reports as "sent, outcome unknown". Any other unknown outcome
		// is written below with what stopped it, and reads the same.
		return
	}
	e := Entry{
		Event:    EventOutcome,
		Address:  r.Change.Address,
		Exchange: r.Change.Exchange,
		CallID:   r.Change.CallID,
		Reason:   r.Change.Reason,
		Outcome:  r.Outcome,
	}
	if r.Err != nil {
		e.Error = r.Err.Error()
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	delete(j.inFlight, r.Change)
	if j.f != nil {
		// Written even after an earlier failure: an outcome on record is
		// worth having, and the failure stays reported by Err.
		_ = j.appendLocked(e)
	}
}

// Err returns the first error writing the journal, or nil. An apply whose
// journal failed should be reported as failed: its record is incomplete.
func (j *Journal) Err() error {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.err
}

// Close writes the run_end line with the apply's counts and closes the
// file. It returns the first error the journal met, if any. Closing again
// does nothing.
func (j *Journal) Close(counts reconcile.ApplyCounts) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.f == nil {
		return j.err
	}
	_ = j.appendLocked(Entry{Event: EventRunEnd, Counts: CountsOf(counts), InFlight: len(j.inFlight)})
	if err := j.f.Close(); err != nil {
		j.fail(fmt.Errorf("journal: closing: %w", err))
	}
	j.f = nil
	return j.err
}

func (j *Journal) append(e Entry) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.appendLocked(e)
}

// appendLocked writes e as one line with a single write call, so that
// concurrent appenders never interleave, and syncs it before returning.
func (j *Journal) appendLocked(e Entry) error {
	e.V, e.Run, e.Time = FormatVersion, j.run, j.now().UTC()
	b, err := json.Marshal(e)
	if err != nil {
		return j.fail(fmt.Errorf("journal: encoding %s line: %w", e.Event, err))
	}
	b = append(b, '\n')
	if _, err := j.f.Write(b); err != nil {
		return j.fail(fmt.Errorf("journal: writing %s line: %w", e.Event, err))
	}
	if err := j.f.Sync(); err != nil {
		return j.fail(fmt.Errorf("journal: syncing %s line: %w", e.Event, err))
	}
	return nil
}

// fail keeps the first error and returns err.
func (j *Journal) fail(err error) error {
	if j.err == nil {
		j.err = err
	}
	return err
}

// endTornLine appends a newline if the file's last line lacks one.
func endTornLine(f *os.File) error {
	fi, err := f.Stat()
	if err != nil || fi.Size() == 0 {
		return err
	}
	last := make([]byte, 1)
	if _, err := f.ReadAt(last, fi.Size()-1); err != nil {
		return err
	}
	if last[0] == '\n' {
		return nil
	}
	if _, err := f.Write([]byte("\n")); err != nil {
		return err
	}
	return f.Sync()
}

func syncDir(dir string) error {
	if runtime.GOOS == "windows" {
		return nil // directories cannot be opened for syncing there
	}
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// newRunID returns a sortable, unique id such as 20261126T073000Z-9f3c2a1b.
func newRunID(t time.Time) string {
	b := make([]byte, 4)
	rand.Read(b)
	return t.UTC().Format("20060102T150405Z") + "-" + hex.EncodeToString(b)
}
