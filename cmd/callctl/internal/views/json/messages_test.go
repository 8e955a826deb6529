package json

import (
	"errors"
	"testing"

	"github.com/callctl/callctl/reconcile"
)

func TestApplySummaryString(t *testing.T) {
	tests := map[string]struct {
		s    ApplySummary
		want string
	}{
		"complete":      {ApplySummary{Disconnected: 3, AlreadyEnded: 1}, "Apply complete! Calls: 3 disconnected, 1 already ended, 0 failed."},
		"partly failed": {ApplySummary{Disconnected: 3, AlreadyEnded: 1, Failed: 1}, "Apply partly failed! Calls: 3 disconnected, 1 already ended, 1 failed."},
		"failed":        {ApplySummary{Failed: 40}, "Apply failed! Calls: 0 disconnected, 0 already ended, 40 failed."},
		"not found":     {ApplySummary{Disconnected: 1, NotFound: 2}, "Apply complete! Calls: 1 disconnected, 0 already ended, 2 not found, 0 failed."},
		"left alone":    {ApplySummary{Disconnected: 1, LeftAlone: 2}, "Apply complete! Calls: 1 disconnected, 0 already ended, 0 failed, 2 left alone."},
		"interrupted":   {ApplySummary{Disconnected: 2, NotStarted: 8, Interrupted: true}, "Apply interrupted! Calls: 2 disconnected, 0 already ended, 0 failed, 8 not started."},
		"deadline":      {ApplySummary{Disconnected: 2, Failed: 1, NotStarted: 7, Interrupted: true, DeadlineExceeded: true}, "Apply stopped at -deadline! Calls: 2 disconnected, 0 already ended, 1 failed, 7 not started."},
		"abandoned":     {ApplySummary{Disconnected: 2, Unknown: 1, NotStarted: 7, Interrupted: true, Abandoned: true}, "Apply abandoned! Calls: 2 disconnected, 0 already ended, 0 failed, 1 sent with outcome unknown, 7 not started."},
	}
	for name, tc := range tests {
		tc.s.Result = tc.s.verdict()
		if got := tc.s.String(); got != tc.want {
			t.Errorf("%s: %q, want %q", name, got, tc.want)
		}
	}
}

// The JSON result matches the exit code: complete 0, partly failed 4,
// failed 1; and a not-found call is never counted as already ended.
func TestNewApplySummary(t *testing.T) {
	ch := func(a reconcile.Action) *reconcile.Change { return &reconcile.Change{Action: a} }
	res := func(outcomes ...reconcile.Outcome) *reconcile.ApplyResult {
		r := &reconcile.ApplyResult{}
		for _, o := range outcomes {
			r.Results = append(r.Results, &reconcile.Result{Change: ch(reconcile.ActionDisconnect), Outcome: o, Err: errors.New("x")})
		}
		return r
	}
	tests := map[string]struct {
		res                    *reconcile.ApplyResult
		want                   string
		alreadyEnded, notFound int
	}{
		"complete":      {res(reconcile.OutcomeDisconnected, reconcile.OutcomeNotFound), ApplyComplete, 0, 1},
		"partly failed": {res(reconcile.OutcomeDisconnected, reconcile.OutcomeFailed), ApplyPartlyFailed, 0, 0},
		"failed":        {res(reconcile.OutcomeFailed, reconcile.OutcomeAlreadyEnded), ApplyFailed, 1, 0},
		"unknown":       {res(reconcile.OutcomeDisconnected, reconcile.OutcomeUnknown), ApplyPartlyFailed, 0, 0},
	}
	for name, tc := range tests {
		s := NewApplySummary(tc.res)
		if s.Result != tc.want || s.AlreadyEnded != tc.alreadyEnded || s.NotFound != tc.notFound {
			t.Errorf("%s: result %q already_ended %d not_found %d, want %q %d %d", name, s.Result, s.AlreadyEnded, s.NotFound, tc.want, tc.alreadyEnded, tc.notFound)
		}
	}
}
