package views

import (
	"testing"
	"time"

	"github.com/callctl/callctl/exchange"
	"github.com/callctl/callctl/metrics"
	"github.com/callctl/callctl/reconcile"
	"github.com/callctl/callctl/watch"
)

func TestApplySummaryLine(t *testing.T) {
	type counts = reconcile.ApplyCounts
	tests := map[string]struct {
		res  reconcile.ApplyResult
		c    counts
		want string
	}{
		"complete":      {c: counts{Disconnected: 3, AlreadyEnded: 1}, want: "Apply complete! Calls: 3 disconnected, 1 already ended, 0 failed."},
		"partly failed": {c: counts{Disconnected: 3, AlreadyEnded: 1, Failed: 1}, want: "Apply partly failed! Calls: 3 disconnected, 1 already ended, 1 failed."},
		"failed":        {c: counts{Failed: 40}, want: "Apply failed! Calls: 0 disconnected, 0 already ended, 40 failed."},
		"not found":     {c: counts{Disconnected: 1, NotFound: 2}, want: "Apply complete! Calls: 1 disconnected, 0 already ended, 2 not found, 0 failed."},
		"left alone":    {c: counts{Disconnected: 1, LeftAlone: 2}, want: "Apply complete! Calls: 1 disconnected, 0 already ended, 0 failed, 2 left alone."},
		"interrupted":   {res: reconcile.ApplyResult{Interrupted: true}, c: counts{Disconnected: 2, NotStarted: 8}, want: "Apply interrupted! Calls: 2 disconnected, 0 already ended, 0 failed, 8 not started."},
		"deadline":      {res: reconcile.ApplyResult{Interrupted: true, DeadlineExceeded: true}, c: counts{Disconnected: 2, Failed: 1, NotStarted: 7}, want: "Apply stopped at -deadline! Calls: 2 disconnected, 0 already ended, 1 failed, 7 not started."},
		"abandoned":     {res: reconcile.ApplyResult{Interrupted: true, Abandoned: true}, c: counts{Disconnected: 2, Unknown: 1, NotStarted: 7}, want: "Apply abandoned! Calls: 2 disconnected, 0 already ended, 0 failed, 1 sent with outcome unknown, 7 not started."},
	}
	for name, tc := range tests {
		res := tc.res
		res.Results = resultsWith(tc.c)
		if got := ApplySummaryLine(res.Verdict()); got != tc.want {
			t.Errorf("%s: %q, want %q", name, got, tc.want)
		}
	}
}

// resultsWith makes results with the given counts.
func resultsWith(c reconcile.ApplyCounts) []*reconcile.Result {
	var out []*reconcile.Result
	add := func(n int, o reconcile.Outcome) {
		for range n {
			out = append(out, &reconcile.Result{Change: &reconcile.Change{}, Outcome: o})
		}
	}
	add(c.Disconnected, reconcile.OutcomeDisconnected)
	add(c.AlreadyEnded, reconcile.OutcomeAlreadyEnded)
	add(c.NotFound, reconcile.OutcomeNotFound)
	add(c.Failed, reconcile.OutcomeFailed)
	add(c.LeftAlone, reconcile.OutcomeLeftAlone)
	add(c.NotStarted, reconcile.OutcomeNotStarted)
	add(c.Unknown, reconcile.OutcomeUnknown)
	return out
}

func TestCycleSummaryLine(t *testing.T) {
	started := time.Date(2026, 12, 2, 14, 2, 0, 0, time.Local)
	tests := map[string]struct {
		s    watch.Summary
		want string
	}{
		"ok": {
			watch.Summary{Cycle: 41, Result: metrics.ResultOK, LookedUp: 12, Disconnected: 2, NotFound: 1, Duration: 143 * time.Millisecond},
			"14:02:00 cycle 41: 12 looked up, 2 disconnected, 1 not found, 0 failed (143ms)",
		},
		"partial": {
			watch.Summary{Cycle: 2, Result: metrics.ResultPartial, LookedUp: 3, Disconnected: 1, Failed: 2, Duration: time.Second},
			"14:02:00 cycle 2: 3 looked up, 1 disconnected, 0 not found, 2 failed (1s)",
		},
		"first failure": {
			watch.Summary{Cycle: 3, Result: metrics.ResultError, Errors: 2, Repeated: 1, Duration: 5 * time.Millisecond},
			"14:02:00 cycle 3: 0 looked up, 0 disconnected, 0 not found, 0 failed (5ms); cycle failed with 2 errors",
		},
		"same failure again": {
			watch.Summary{Cycle: 4, Result: metrics.ResultError, Errors: 1, Repeated: 1, Duration: 5 * time.Millisecond},
			"14:02:00 cycle 4: 0 looked up, 0 disconnected, 0 not found, 0 failed (5ms); cycle failed with 1 error, as before",
		},
		"exchanges resting": {
			watch.Summary{Cycle: 6, Result: metrics.ResultPartial, LookedUp: 3, Failed: 2, Duration: time.Second,
				NextTries: []exchange.NextTry{{Exchange: "corp", In: 4 * time.Minute}, {Exchange: "lon", In: 30 * time.Second}}},
			"14:02:00 cycle 6: 3 looked up, 0 disconnected, 0 not found, 2 failed (1s); exchange corp: next try in 4m; exchange lon: next try in 30s",
		},
		"protected calls skipped": {
			watch.Summary{Cycle: 7, Result: metrics.ResultOK, LookedUp: 8, Disconnected: 8, Protected: 1, Duration: time.Second},
			"14:02:00 cycle 7: 8 looked up, 8 disconnected, 0 not found, 0 failed (1s); 1 protected (skipped)",
		},
		"interrupted": {
			watch.Summary{Cycle: 5, Result: metrics.ResultInterrupted, Errors: 1, Duration: 5 * time.Millisecond},
			"14:02:00 cycle 5: 0 looked up, 0 disconnected, 0 not found, 0 failed (5ms); interrupted",
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			tc.s.Started = started
			if got := CycleSummaryLine(&tc.s); got != tc.want {
				t.Errorf("got  %q\nwant %q", got, tc.want)
			}
		})
	}
}
