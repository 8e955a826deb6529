package journal

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/callctl/callctl/reconcile"
)

// killedRun writes a journal in which run "r1" sent disconnects to the
// given call ids at t0 and was killed before recording their outcomes.
func killedRun(t *testing.T, path string, ids ...string) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	j, err := start(f, RunMeta{RunID: "r1"}, func() time.Time { return t0 })
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range ids {
		if err := j.Gate(&reconcile.Change{Address: "end_call." + id, Exchange: "corp", CallID: id}); err != nil {
			t.Fatal(err)
		}
	}
	f.Close() // killed: no outcome, no run_end
}

func TestRecordLookupsSettlesKilledRun(t *testing.T) {
	path := filepath.Join(t.TempDir(), "journal.jsonl")
	killedRun(t, path, "a", "b", "d", "e")
	after, before := t0.Add(time.Minute), t0.Add(-time.Minute)
	plan := &reconcile.Plan{Changes: []*reconcile.Change{
		{Address: "end_call.a", Exchange: "corp", CallID: "a", Action: reconcile.ActionNone, State: "Disconnected", ObservedAt: after},
		{Address: "end_call.b", Exchange: "corp", CallID: "b", Action: reconcile.ActionNone, ObservedAt: before}, // a saved plan older than the kill
		{Address: "end_call.c", Exchange: "corp", CallID: "c", Action: reconcile.ActionNone, ObservedAt: after},  // nothing pending
		{Address: "end_call.d", Exchange: "corp", CallID: "d", Action: reconcile.ActionDisconnect, ObservedAt: after},
		{Address: "end_call.e", Exchange: "corp", CallID: "e", Action: reconcile.ActionNotFound, ObservedAt: after},
	}}
	if err := RecordLookups(path, RunMeta{RunID: "r2"}, plan); err != nil {
		t.Fatal(err)
	}
	entries := readAll(t, path)
	var got []string
	for _, s := range Summarize(entries) {
		st := s.Status
		if s.Resolved() {
			st = "resolved: " + s.Resolution + " in run " + s.ResolvedBy
		}
		got = append(got, s.CallID+" "+st)
	}
	want := []string{"a resolved: already_ended in run r2", "b sent, outcome unknown", "d sent, outcome unknown", "e resolved: not_found in run r2"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("statuses (-want +got):\n%s", diff)
	}
	var lookups []Entry
	for _, e := range entries {
		if e.Event == EventLookup {
			lookups = append(lookups, e)
		}
	}
	if len(lookups) != 2 || lookups[0].State != "Disconnected" || lookups[0].ObservedAt == nil || !lookups[0].ObservedAt.Equal(after) {
		t.Errorf("lookup lines = %+v", lookups)
	}
}

func TestRecordLookupsWritesNothingWhenNothingIsPending(t *testing.T) {
	dir := t.TempDir()
	plan := &reconcile.Plan{Changes: []*reconcile.Change{
		{Exchange: "corp", CallID: "a", Action: reconcile.ActionNone, ObservedAt: t2},
	}}
	missing := filepath.Join(dir, "missing.jsonl")
	if err := RecordLookups(missing, RunMeta{}, plan); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Lstat(missing); !os.IsNotExist(err) {
		t.Errorf("RecordLookups created a journal: %v", err)
	}

	settled := filepath.Join(dir, "settled.jsonl")
	killedRun(t, settled, "a")
	if err := RecordLookups(settled, RunMeta{RunID: "r2"}, plan); err != nil {
		t.Fatal(err)
	}
	was, err := os.ReadFile(settled)
	if err != nil {
		t.Fatal(err)
	}
	if err := RecordLookups(settled, RunMeta{RunID: "r3"}, plan); err != nil {
		t.Fatal(err)
	}
	if now, _ := os.ReadFile(settled); string(now) != string(was) {
		t.Errorf("a second lookup of a settled call wrote:\n%s", now[len(was):])
	}
}
