package reconcile

import (
	"errors"
	"testing"
)

// The verdict matches the exit code (complete 0, partly failed 4, failed
// 1), an interrupt names itself without changing the extent, and a
// not-found call is never counted as already ended.
func TestVerdict(t *testing.T) {
	res := func(outcomes ...Outcome) *ApplyResult {
		r := &ApplyResult{}
		for _, o := range outcomes {
			r.Results = append(r.Results, &Result{Change: &Change{Action: ActionDisconnect}, Outcome: o, Err: errors.New("x")})
		}
		return r
	}
	with := func(r *ApplyResult, f func(*ApplyResult)) *ApplyResult { f(r); return r }
	tests := map[string]struct {
		res                    *ApplyResult
		verdict                Verdict
		extent                 Extent
		alreadyEnded, notFound int
	}{
		"complete":            {res(OutcomeDisconnected, OutcomeNotFound), VerdictComplete, EndedAll, 0, 1},
		"nothing to do":       {res(OutcomeAlreadyEnded, OutcomeLeftAlone), VerdictComplete, EndedAll, 1, 0},
		"partly failed":       {res(OutcomeDisconnected, OutcomeFailed), VerdictPartlyFailed, EndedSome, 0, 0},
		"failed":              {res(OutcomeFailed, OutcomeAlreadyEnded), VerdictFailed, EndedNone, 1, 0},
		"unknown":             {res(OutcomeDisconnected, OutcomeUnknown), VerdictPartlyFailed, EndedSome, 0, 0},
		"only unknown":        {res(OutcomeUnknown), VerdictFailed, EndedNone, 0, 0},
		"interrupted, some":   {with(res(OutcomeDisconnected, OutcomeNotStarted), func(r *ApplyResult) { r.Interrupted = true }), VerdictInterrupted, EndedSome, 0, 0},
		"interrupted, none":   {with(res(OutcomeNotStarted), func(r *ApplyResult) { r.Interrupted = true }), VerdictInterrupted, EndedNone, 0, 0},
		"deadline":            {with(res(OutcomeDisconnected, OutcomeNotStarted), func(r *ApplyResult) { r.Interrupted, r.DeadlineExceeded = true, true }), VerdictDeadlineExceeded, EndedSome, 0, 0},
		"abandoned":           {with(res(OutcomeDisconnected, OutcomeUnknown), func(r *ApplyResult) { r.Interrupted, r.Abandoned = true, true }), VerdictAbandoned, EndedSome, 0, 0},
		"abandoned, all done": {with(res(OutcomeDisconnected), func(r *ApplyResult) { r.Abandoned = true }), VerdictAbandoned, EndedAll, 0, 0},
	}
	for name, tc := range tests {
		v := tc.res.Verdict()
		if v.Verdict != tc.verdict || v.Extent() != tc.extent || v.AlreadyEnded != tc.alreadyEnded || v.NotFound != tc.notFound {
			t.Errorf("%s: verdict %q extent %d already_ended %d not_found %d, want %q %d %d %d",
				name, v.Verdict, v.Extent(), v.AlreadyEnded, v.NotFound, tc.verdict, tc.extent, tc.alreadyEnded, tc.notFound)
		}
		if v.ApplyCounts != tc.res.Counts() {
			t.Errorf("%s: the verdict's counts %+v are not the result's %+v", name, v.ApplyCounts, tc.res.Counts())
		}
	}
}

// A change whose disconnect was not sent gets its outcome from the plan.
func TestUnsent(t *testing.T) {
	for action, want := range map[Action]Outcome{
		ActionDisconnect: OutcomeNotStarted,
		ActionNone:       OutcomeAlreadyEnded,
		ActionNotFound:   OutcomeNotFound,
		ActionLeaveAlone: OutcomeLeftAlone,
	} {
		r := Unsent(&Change{Action: action})
		if r.Outcome != want {
			t.Errorf("%s: %s, want %s", action, r.Outcome, want)
		}
		if (r.Err != nil) != (want == OutcomeNotStarted) || (r.Err != nil && !errors.Is(r.Err, ErrInterrupted)) {
			t.Errorf("%s: err %v", action, r.Err)
		}
	}
}
