package journal

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/callctl/callctl/reconcile"
)

const (
	lineStart   = `{"v":1,"event":"run_start","run":"r1","time":"2026-11-26T07:30:00.123456789Z","version":"0.1.0"}`
	lineIntent  = `{"v":1,"event":"intent","run":"r1","time":"2026-11-26T07:30:01Z","address":"end_call.a","exchange":"corp","call_id":"AAA="}`
	lineOutcome = `{"v":1,"event":"outcome","run":"r1","time":"2026-11-26T07:30:02Z","address":"end_call.a","exchange":"corp","call_id":"AAA=","outcome":"disconnected"}`
)

func TestRead(t *testing.T) {
	tests := map[string]struct {
		in          string
		wantEvents  []Event
		wantDamaged []int // nil: no error
	}{
		"empty":                 {"", nil, nil},
		"whole lines":           {lineStart + "\n" + lineIntent + "\n" + lineOutcome + "\n", []Event{EventRunStart, EventIntent, EventOutcome}, nil},
		"no final newline":      {lineStart + "\n" + lineIntent, []Event{EventRunStart, EventIntent}, nil},
		"blank lines":           {"\n" + lineStart + "\n\n  \n" + lineIntent + "\n", []Event{EventRunStart, EventIntent}, nil},
		"torn last line":        {lineStart + "\n" + lineIntent + "\n" + lineOutcome[:40], []Event{EventRunStart, EventIntent}, []int{3}},
		"torn line mid-file":    {lineStart + "\n" + lineIntent[:30] + "\n" + lineStart + "\n", []Event{EventRunStart, EventRunStart}, []int{2}},
		"JSON that is no entry": {`{"hello":1}` + "\n" + `[1,2]` + "\n" + lineStart + "\n", []Event{EventRunStart}, []int{1, 2}},
		"over-long line":        {`{"v":1,"event":"intent","x":"` + strings.Repeat("x", maxLine+10) + `"}` + "\n" + lineStart + "\n", []Event{EventRunStart}, []int{1}},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			entries, err := Read(strings.NewReader(tt.in))
			var got []Event
			for _, e := range entries {
				got = append(got, e.Event)
			}
			if diff := cmp.Diff(tt.wantEvents, got); diff != "" {
				t.Errorf("events (-want +got):\n%s", diff)
			}
			var damaged *DamagedLinesError
			switch {
			case tt.wantDamaged == nil && err != nil:
				t.Errorf("Read error = %v, want nil", err)
			case tt.wantDamaged != nil && !errors.As(err, &damaged):
				t.Errorf("Read error = %v, want *DamagedLinesError", err)
			case tt.wantDamaged != nil:
				if diff := cmp.Diff(tt.wantDamaged, damaged.Lines); diff != "" {
					t.Errorf("damaged lines (-want +got):\n%s", diff)
				}
			}
		})
	}
}

func TestReadDecodesTime(t *testing.T) {
	entries, err := Read(strings.NewReader(lineStart + "\n"))
	if err != nil {
		t.Fatal(err)
	}
	want := time.Date(2026, 11, 26, 7, 30, 0, 123456789, time.UTC)
	if !entries[0].Time.Equal(want) {
		t.Errorf("Time = %v, want %v", entries[0].Time, want)
	}
}

func TestDamagedLinesErrorMessage(t *testing.T) {
	for _, tt := range []struct {
		lines []int
		count int
		want  string
	}{
		{[]int{7}, 0, "journal: skipped 1 damaged line (7), probably torn by a crash while writing"},
		{[]int{2, 9}, 0, "journal: skipped 2 damaged lines (2, 9), probably torn by a crash while writing"},
		{[]int{2, 9}, 1002, "journal: skipped 1002 damaged lines (2, 9, and 1000 more), probably torn by a crash while writing"},
	} {
		if got := (&DamagedLinesError{Lines: tt.lines, Count: tt.count}).Error(); got != tt.want {
			t.Errorf("Error() = %q, want %q", got, tt.want)
		}
	}
}

var (
	t0 = time.Date(2026, 11, 26, 7, 30, 0, 0, time.UTC)
	t1 = t0.Add(time.Second)
	t2 = t0.Add(2 * time.Second)
)

func ev(event Event, run, addr string, at time.Time, outcome reconcile.Outcome, msg string) Entry {
	return Entry{V: 1, Event: event, Run: run, Time: at, Address: addr, Exchange: "corp", CallID: "id-" + addr, Outcome: outcome, Error: msg}
}

func TestSummarize(t *testing.T) {
	tests := map[string]struct {
		in   []Entry
		want []CallStatus
	}{
		"none": {nil, nil},
		"intent then outcome": {
			[]Entry{
				{Event: EventRunStart, Run: "r1", Time: t0},
				ev(EventIntent, "r1", "a", t0, "", ""),
				ev(EventOutcome, "r1", "a", t1, reconcile.OutcomeDisconnected, ""),
				{Event: EventRunEnd, Run: "r1", Time: t2},
			},
			[]CallStatus{{Run: "r1", Time: t1, Address: "a", Exchange: "corp", CallID: "id-a", Status: "disconnected"}},
		},
		"intent with no outcome is unknown": {
			[]Entry{
				ev(EventIntent, "r1", "a", t0, "", ""),
				ev(EventIntent, "r1", "b", t1, "", ""),
				ev(EventOutcome, "r1", "a", t2, reconcile.OutcomeFailed, "soap: timeout"),
			},
			[]CallStatus{
				{Run: "r1", Time: t2, Address: "a", Exchange: "corp", CallID: "id-a", Status: "failed", Error: "soap: timeout"},
				{Run: "r1", Time: t1, Address: "b", Exchange: "corp", CallID: "id-b", Status: StatusSentUnknown},
			},
		},
		"outcome without intent (re-check)": {
			[]Entry{ev(EventOutcome, "r1", "a", t0, reconcile.OutcomeAlreadyEnded, "")},
			[]CallStatus{{Run: "r1", Time: t0, Address: "a", Exchange: "corp", CallID: "id-a", Status: "already_ended"}},
		},
		"same call in two runs is two rows; the later settles the earlier": {
			[]Entry{
				ev(EventIntent, "r1", "a", t0, "", ""),
				ev(EventIntent, "r2", "a", t1, "", ""),
				ev(EventOutcome, "r2", "a", t2, reconcile.OutcomeAlreadyEnded, ""),
			},
			[]CallStatus{
				{Run: "r1", Time: t0, Address: "a", Exchange: "corp", CallID: "id-a", Status: StatusResolved, ResolvedBy: "r2", Resolution: "already_ended"},
				{Run: "r2", Time: t2, Address: "a", Exchange: "corp", CallID: "id-a", Status: "already_ended"},
			},
		},
		"disconnected again by a later run, under another address": {
			[]Entry{
				ev(EventIntent, "r1", "a", t0, "", ""),
				{Event: EventIntent, Run: "r2", Time: t1, Address: "renamed", Exchange: "corp", CallID: "id-a"},
				{Event: EventOutcome, Run: "r2", Time: t2, Address: "renamed", Exchange: "corp", CallID: "id-a", Outcome: reconcile.OutcomeDisconnected},
			},
			[]CallStatus{
				{Run: "r1", Time: t0, Address: "a", Exchange: "corp", CallID: "id-a", Status: StatusResolved, ResolvedBy: "r2", Resolution: "disconnected"},
				{Run: "r2", Time: t2, Address: "renamed", Exchange: "corp", CallID: "id-a", Status: "disconnected"},
			},
		},
		"a later lookup found it ended or gone": {
			[]Entry{
				ev(EventIntent, "r1", "a", t0, "", ""),
				ev(EventIntent, "r1", "b", t0, "", ""),
				{Event: EventLookup, Run: "r2", Time: t1, Address: "a", Exchange: "corp", CallID: "id-a", Action: reconcile.ActionNone},
				{Event: EventLookup, Run: "r2", Time: t1, Address: "b", Exchange: "corp", CallID: "id-b", Action: reconcile.ActionNotFound},
			},
			[]CallStatus{
				{Run: "r1", Time: t0, Address: "a", Exchange: "corp", CallID: "id-a", Status: StatusResolved, ResolvedBy: "r2", Resolution: "already_ended"},
				{Run: "r1", Time: t0, Address: "b", Exchange: "corp", CallID: "id-b", Status: StatusResolved, ResolvedBy: "r2", Resolution: "not_found"},
			},
		},
		"what does not settle: a failure, a live lookup, another exchange, an earlier line": {
			[]Entry{
				ev(EventOutcome, "r0", "a", t0, reconcile.OutcomeDisconnected, ""),
				ev(EventIntent, "r1", "a", t1, "", ""),
				ev(EventOutcome, "r2", "a", t2, reconcile.OutcomeFailed, "timeout"),
				{Event: EventLookup, Run: "r3", Time: t2, Address: "a", Exchange: "corp", CallID: "id-a", Action: reconcile.ActionLeaveAlone},
				{Event: EventOutcome, Run: "r3", Time: t2, Address: "a", Exchange: "other", CallID: "id-a", Outcome: reconcile.OutcomeDisconnected},
			},
			[]CallStatus{
				{Run: "r0", Time: t0, Address: "a", Exchange: "corp", CallID: "id-a", Status: "disconnected"},
				{Run: "r1", Time: t1, Address: "a", Exchange: "corp", CallID: "id-a", Status: StatusSentUnknown},
				{Run: "r2", Time: t2, Address: "a", Exchange: "corp", CallID: "id-a", Status: "failed", Error: "timeout"},
				{Run: "r3", Time: t2, Address: "a", Exchange: "other", CallID: "id-a", Status: "disconnected"},
			},
		},
		"unknown again after being settled": {
			[]Entry{
				ev(EventIntent, "r1", "a", t0, "", ""),
				ev(EventOutcome, "r2", "a", t1, reconcile.OutcomeAlreadyEnded, ""),
				ev(EventIntent, "r3", "a", t2, "", ""),
			},
			[]CallStatus{
				{Run: "r1", Time: t0, Address: "a", Exchange: "corp", CallID: "id-a", Status: StatusResolved, ResolvedBy: "r2", Resolution: "already_ended"},
				{Run: "r2", Time: t1, Address: "a", Exchange: "corp", CallID: "id-a", Status: "already_ended"},
				{Run: "r3", Time: t2, Address: "a", Exchange: "corp", CallID: "id-a", Status: StatusSentUnknown},
			},
		},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, Summarize(tt.in)); diff != "" {
				t.Errorf("Summarize (-want +got):\n%s", diff)
			}
		})
	}
}

// TestReadBoundsHostileJournals: a journal is a file anyone with write
// access to the policy directory can shape, so Read keeps at most maxLine
// bytes of any line and a bounded list of damaged line numbers.
func TestReadBoundsHostileJournals(t *testing.T) {
	sized := func(n int) string {
		head := `{"v":1,"event":"intent","run":"r1","reason":"`
		return head + strings.Repeat("x", n-len(head)-2) + `"}`
	}
	tests := map[string]struct {
		in          string
		wantEntries int
		wantLines   []int
		wantCount   int
	}{
		"line of exactly maxLine bytes": {sized(maxLine) + "\n", 1, nil, 0},
		"line one byte too long":        {sized(maxLine+1) + "\n" + lineStart + "\n", 1, []int{1}, 1},
		"many damaged lines":            {strings.Repeat("garbage\n", 5000) + lineStart + "\n", 1, []int{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, 5000},
		"long line of newlines-free junk ending in an entry": {
			strings.Repeat("y", 3*maxLine) + lineStart + "\n" + lineIntent + "\n", 1, []int{1}, 1},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			entries, err := Read(strings.NewReader(tt.in))
			if len(entries) != tt.wantEntries {
				t.Errorf("read %d entries, want %d", len(entries), tt.wantEntries)
			}
			var damaged *DamagedLinesError
			if tt.wantCount == 0 {
				if err != nil {
					t.Fatalf("Read error = %v, want nil", err)
				}
				return
			}
			if !errors.As(err, &damaged) {
				t.Fatalf("Read error = %v, want *DamagedLinesError", err)
			}
			if diff := cmp.Diff(tt.wantLines, damaged.Lines); diff != "" {
				t.Errorf("damaged lines (-want +got):\n%s", diff)
			}
			if damaged.Count != tt.wantCount {
				t.Errorf("Count = %d, want %d", damaged.Count, tt.wantCount)
			}
		})
	}
}
