package journal

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/callctl/callctl/reconcile"
)

func change(n int) *reconcile.Change {
	return &reconcile.Change{
		Address:  "end_call.c[\"" + strconv.Itoa(n) + "\"]",
		Exchange: "corp",
		CallID:   "AAMkCall" + strconv.Itoa(n) + "==",
		Reason:   "fraud",
		Action:   reconcile.ActionDisconnect,
	}
}

func readAll(t *testing.T, path string) []Entry {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	entries, err := Read(f)
	if err != nil {
		t.Fatalf("Read: %v", err)
	}
	return entries
}

// TestRunLifecycle applies two calls through the hook and checks every line
// the journal wrote.
func TestRunLifecycle(t *testing.T) {
	path := filepath.Join(t.TempDir(), "policy", DefaultPath)
	j, err := Open(path, RunMeta{RunID: "r1", Version: "0.1.0", PolicyDir: "/p", PlanHash: "sha256:ab", User: "alice", Host: "h"})
	if err != nil {
		t.Fatal(err)
	}
	ok, bad := change(1), change(2)
	j.PreDisconnect(ok)
	j.PostDisconnect(&reconcile.Result{Change: ok, Outcome: reconcile.OutcomeDisconnected})
	if err := j.Gate(bad); err != nil {
		t.Fatalf("Gate: %v", err)
	}
	j.PreDisconnect(bad) // already recorded by Gate: no second intent
	j.PostDisconnect(&reconcile.Result{Change: bad, Outcome: reconcile.OutcomeFailed, Err: errors.New("soap: ErrorInternalServerError")})
	if err := j.Close(reconcile.ApplyCounts{Disconnected: 1, Failed: 1}); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err := j.Close(reconcile.ApplyCounts{}); err != nil {
		t.Fatalf("second Close: %v", err)
	}

	got := readAll(t, path)
	for i, e := range got {
		if e.V != FormatVersion || e.Run != "r1" || e.Time.IsZero() || e.Time.Location() != time.UTC {
			t.Errorf("line %d: v=%d run=%q time=%v; want v=%d run r1 and a UTC time", i+1, e.V, e.Run, e.Time, FormatVersion)
		}
		got[i].V, got[i].Run, got[i].Time = 0, "", time.Time{}
	}
	call := func(ev Event, c *reconcile.Change, o reconcile.Outcome, msg string) Entry {
		return Entry{Event: ev, Address: c.Address, Exchange: c.Exchange, CallID: c.CallID, Reason: c.Reason, Outcome: o, Error: msg}
	}
	want := []Entry{
		{Event: EventRunStart, Version: "0.1.0", PolicyDir: "/p", PlanHash: "sha256:ab", User: "alice", Host: "h", PID: os.Getpid()},
		call(EventIntent, ok, "", ""),
		call(EventOutcome, ok, reconcile.OutcomeDisconnected, ""),
		call(EventIntent, bad, "", ""),
		call(EventOutcome, bad, reconcile.OutcomeFailed, "soap: ErrorInternalServerError"),
		{Event: EventRunEnd, Counts: &RunCounts{Disconnected: 1, Failed: 1}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("journal lines (-want +got):\n%s", diff)
	}
}

func TestFileModes(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("Unix permission bits")
	}
	path := filepath.Join(t.TempDir(), DefaultPath)
	j, err := Open(path, RunMeta{})
	if err != nil {
		t.Fatal(err)
	}
	j.Close(reconcile.ApplyCounts{})
	for p, want := range map[string]os.FileMode{filepath.Dir(path): 0o700 | os.ModeDir, path: 0o600} {
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode() != want {
			t.Errorf("%s: mode %v, want %v", p, fi.Mode(), want)
		}
	}
}

// TestOpenEndsTornLine: a run killed mid-line leaves the file without a
// final newline; the next run must not glue its first line onto it.
func TestOpenEndsTornLine(t *testing.T) {
	path := filepath.Join(t.TempDir(), "journal.jsonl")
	if err := os.WriteFile(path, []byte(`{"v":1,"event":"run_start","run":"old"}`+"\n"+`{"v":1,"event":"inte`), 0o600); err != nil {
		t.Fatal(err)
	}
	j, err := Open(path, RunMeta{RunID: "new"})
	if err != nil {
		t.Fatal(err)
	}
	j.PreDisconnect(change(1))
	j.Close(reconcile.ApplyCounts{})

	f, _ := os.Open(path)
	defer f.Close()
	entries, err := Read(f)
	var damaged *DamagedLinesError
	if !errors.As(err, &damaged) || !slices.Equal(damaged.Lines, []int{2}) {
		t.Fatalf("Read error = %v, want line 2 damaged", err)
	}
	var events []string
	for _, e := range entries {
		events = append(events, e.Run+":"+string(e.Event))
	}
	want := []string{"old:run_start", "new:run_start", "new:intent", "new:run_end"}
	if !slices.Equal(events, want) {
		t.Errorf("events = %v, want %v", events, want)
	}
}

// fakeFile records writes and syncs, and fails the ones it is told to.
type fakeFile struct {
	mu        sync.Mutex
	buf       bytes.Buffer
	ops       []string
	failWrite int // fail the Nth write (1-based); 0 never
	failSync  int
	writes    int
	syncs     int
}

func (f *fakeFile) Write(b []byte) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.writes++
	if f.writes == f.failWrite {
		return 0, errors.New("disk full")
	}
	f.ops = append(f.ops, "write")
	return f.buf.Write(b)
}

func (f *fakeFile) Sync() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.syncs++
	if f.syncs == f.failSync {
		return errors.New("input/output error")
	}
	f.ops = append(f.ops, "sync")
	return nil
}

func (f *fakeFile) Close() error { return nil }

func TestIntentIsSyncedBeforeReturning(t *testing.T) {
	ff := &fakeFile{}
	j, err := start(ff, RunMeta{RunID: "r"}, time.Now)
	if err != nil {
		t.Fatal(err)
	}
	ff.ops = nil
	j.PreDisconnect(change(1))
	if !slices.Equal(ff.ops, []string{"write", "sync"}) {
		t.Errorf("PreDisconnect did %v, want one write then a sync", ff.ops)
	}
	if n := strings.Count(ff.buf.String(), "\n"); n != 2 {
		t.Errorf("journal has %d lines, want run_start and intent", n)
	}
}

// TestGateRefusesWhenIntentNotRecorded: if the intent line cannot be written
// and synced, Gate must refuse, and go on refusing.
func TestGateRefusesWhenIntentNotRecorded(t *testing.T) {
	tests := map[string]*fakeFile{
		"write fails": {failWrite: 2}, // the first write is run_start
		"sync fails":  {failSync: 2},
	}
	for name, ff := range tests {
		t.Run(name, func(t *testing.T) {
			j, err := start(ff, RunMeta{RunID: "r"}, time.Now)
			if err != nil {
				t.Fatal(err)
			}
			if err := j.Gate(change(1)); err == nil {
				t.Fatal("Gate succeeded although the intent was not recorded")
			}
			if err := j.Gate(change(2)); err == nil {
				t.Fatal("Gate succeeded after an earlier journal failure")
			}
			if j.Err() == nil {
				t.Error("Err() = nil after a failed write")
			}
			if err := j.Close(reconcile.ApplyCounts{}); err == nil {
				t.Error("Close() = nil after a failed write")
			}
		})
	}
}

func TestGateRefusesAfterClose(t *testing.T) {
	j, err := start(&fakeFile{}, RunMeta{}, time.Now)
	if err != nil {
		t.Fatal(err)
	}
	j.Close(reconcile.ApplyCounts{})
	if err := j.Gate(change(1)); err == nil {
		t.Fatal("Gate succeeded on a closed journal")
	}
	j.PostDisconnect(&reconcile.Result{Change: change(1), Outcome: reconcile.OutcomeDisconnected}) // must not panic
}

func TestRunEndCountsInFlight(t *testing.T) {
	ff := &fakeFile{}
	j, _ := start(ff, RunMeta{RunID: "r"}, time.Now)
	a, b := change(1), change(2)
	j.PreDisconnect(a)
	j.PreDisconnect(b)
	j.PostDisconnect(&reconcile.Result{Change: a, Outcome: reconcile.OutcomeDisconnected})
	j.Close(reconcile.ApplyCounts{Disconnected: 1})
	entries, err := Read(&ff.buf)
	if err != nil {
		t.Fatal(err)
	}
	end := entries[len(entries)-1]
	if end.Event != EventRunEnd || end.InFlight != 1 {
		t.Errorf("last line = %+v, want run_end with in_flight 1", end)
	}
}

// TestConcurrentAppendsStayWhole hammers the journal from many goroutines:
// every line must decode and every call must have both its lines.
func TestConcurrentAppendsStayWhole(t *testing.T) {
	path := filepath.Join(t.TempDir(), "journal.jsonl")
	j, err := Open(path, RunMeta{RunID: "r"})
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := g; i < 200; i += 8 {
				c := change(i)
				j.PreDisconnect(c)
				j.PostDisconnect(&reconcile.Result{Change: c, Outcome: reconcile.OutcomeDisconnected})
			}
		})
	}
	wg.Wait()
	if err := j.Close(reconcile.ApplyCounts{Disconnected: 200}); err != nil {
		t.Fatal(err)
	}
	statuses := Summarize(readAll(t, path))
	if len(statuses) != 200 {
		t.Fatalf("%d calls on record, want 200", len(statuses))
	}
	for _, s := range statuses {
		if s.Status != string(reconcile.OutcomeDisconnected) {
			t.Errorf("%s: status %q, want disconnected", s.Address, s.Status)
		}
	}
}

// TestEntryFieldsAreAllowlisted guards against a credential reaching the
// journal: a new field must be added here deliberately.
func TestEntryFieldsAreAllowlisted(t *testing.T) {
	allowed := []string{"v", "event", "run", "time", "address", "exchange", "call_id", "reason", "outcome", "error",
		"action", "state", "observed_at", "version", "policy_dir", "plan_hash", "user", "host", "pid", "counts", "in_flight"}
	var got []string
	rt := reflect.TypeFor[Entry]()
	for i := range rt.NumField() {
		name, _, _ := strings.Cut(rt.Field(i).Tag.Get("json"), ",")
		got = append(got, name)
	}
	if diff := cmp.Diff(allowed, got); diff != "" {
		t.Errorf("Entry's JSON fields changed (-allowed +got); make sure no secret can reach the journal, then update this list:\n%s", diff)
	}
}

// A disconnect whose retries were stopped after an unanswered attempt (a
// back-off too long, the exchange given up) is recorded with what stopped
// it, and reads "sent, outcome unknown" like one cut off by an interrupt.
func TestUnknownOutcomeIsRecordedWithItsCause(t *testing.T) {
	ff := &fakeFile{}
	j, _ := start(ff, RunMeta{RunID: "r"}, time.Now)
	a, b := change(1), change(2)
	j.PreDisconnect(a)
	j.PreDisconnect(b)
	cause := errors.New("sent, outcome unknown: the exchange asked to back off 5m0s, more than -max-backoff 1m0s; DisconnectPhoneCall not retried")
	j.PostDisconnect(&reconcile.Result{Change: a, Outcome: reconcile.OutcomeUnknown, Err: cause})
	j.PostDisconnect(&reconcile.Result{Change: b, Outcome: reconcile.OutcomeUnknown, Err: reconcile.ErrSentOutcomeUnknown})
	j.Close(reconcile.ApplyCounts{Unknown: 2})
	entries, err := Read(&ff.buf)
	if err != nil {
		t.Fatal(err)
	}
	st := Summarize(entries)
	if len(st) != 2 {
		t.Fatalf("statuses = %+v, want 2", st)
	}
	for _, s := range st {
		if !s.Unknown() {
			t.Errorf("%s: status %q, want %q", s.Address, s.Status, StatusSentUnknown)
		}
	}
	if st[0].Error != cause.Error() {
		t.Errorf("%s: error %q, want what stopped the retries, %q", st[0].Address, st[0].Error, cause)
	}
	if end := entries[len(entries)-1]; end.InFlight != 1 {
		t.Errorf("run_end in_flight = %d, want 1 (only the call cut off by the interrupt)", end.InFlight)
	}
}

// The run_end line's counts are the journal's format, read back by every
// later callctl: their names must not follow reconcile's.
func TestRunEndWireFormat(t *testing.T) {
	path := filepath.Join(t.TempDir(), "journal.jsonl")
	j, err := Open(path, RunMeta{RunID: "r1"})
	if err != nil {
		t.Fatal(err)
	}
	if err := j.Close(reconcile.ApplyCounts{Disconnected: 1, AlreadyEnded: 2, NotFound: 3, Failed: 4, LeftAlone: 5, NotStarted: 6, Unknown: 7}); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	want := `"counts":{"disconnected":1,"already_ended":2,"not_found":3,"failed":4,"left_alone":5,"not_started":6,"sent_outcome_unknown":7}`
	if !strings.Contains(string(b), want) {
		t.Errorf("run_end line lacks %s:\n%s", want, b)
	}
}

// The journal writes reconcile's outcome and action words as they are:
// renaming one there would change the file every later callctl reads, so
// they are pinned here, from the journal's side.
func TestJournalWords(t *testing.T) {
	outcomes := map[reconcile.Outcome]string{
		reconcile.OutcomeDisconnected: "disconnected", reconcile.OutcomeAlreadyEnded: "already_ended",
		reconcile.OutcomeNotFound: "not_found", reconcile.OutcomeFailed: "failed", reconcile.OutcomeLeftAlone: "left_alone",
		reconcile.OutcomeNotStarted: "not_started", reconcile.OutcomeUnknown: "sent_outcome_unknown",
	}
	for o, want := range outcomes {
		if string(o) != want {
			t.Errorf("outcome %q is written as %q in journals already on disk", o, want)
		}
	}
	actions := map[reconcile.Action]string{
		reconcile.ActionDisconnect: "disconnect", reconcile.ActionNone: "already_ended",
		reconcile.ActionNotFound: "not_found", reconcile.ActionLeaveAlone: "left_alone",
	}
	for a, want := range actions {
		if string(a) != want {
			t.Errorf("action %q is written as %q in journals already on disk", a, want)
		}
	}
}
