package reconcile

// Verdict is what an apply came to, in one word: how it was stopped, if
// it was, else whether anything failed. It is the one judgement of an
// apply; exit codes, watch cycle results, metric labels and the words a
// view prints all map from it (or from its Extent), each in one place.
type Verdict string

// Verdicts, most telling first.
const (
	// VerdictAbandoned: a second interrupt cut the apply off with
	// disconnects in flight (their outcome is unknown).
	VerdictAbandoned Verdict = "abandoned"
	// VerdictDeadlineExceeded: -deadline stopped it before every
	// disconnect had been started.
	VerdictDeadlineExceeded Verdict = "deadline_exceeded"
	// VerdictInterrupted: an interrupt stopped it before every
	// disconnect had been started.
	VerdictInterrupted Verdict = "interrupted"
	// VerdictComplete: every call it had to end is ended.
	VerdictComplete Verdict = "complete"
	// VerdictFailed: none of its disconnects succeeded.
	VerdictFailed Verdict = "failed"
	// VerdictPartlyFailed: some calls were disconnected, others not.
	VerdictPartlyFailed Verdict = "partly_failed"
)

// Extent is how much of its goal an apply met, whatever stopped it.
type Extent int

const (
	// EndedAll: no call failed, was left unstarted, or has an unknown
	// outcome.
	EndedAll Extent = iota
	// EndedSome: some calls were disconnected and some were not.
	EndedSome
	// EndedNone: calls were left up and none was disconnected.
	EndedNone
)

// ApplyVerdict is an apply's verdict with the counts it was judged on.
type ApplyVerdict struct {
	Verdict Verdict
	ApplyCounts
	// Interrupted, DeadlineExceeded and Abandoned are the ApplyResult's.
	Interrupted, DeadlineExceeded, Abandoned bool
}

// Verdict judges the apply.
func (r *ApplyResult) Verdict() ApplyVerdict {
	v := ApplyVerdict{ApplyCounts: r.Counts(), Interrupted: r.Interrupted, DeadlineExceeded: r.DeadlineExceeded, Abandoned: r.Abandoned}
	switch {
	case r.Abandoned:
		v.Verdict = VerdictAbandoned
	case r.DeadlineExceeded:
		v.Verdict = VerdictDeadlineExceeded
	case r.Interrupted:
		v.Verdict = VerdictInterrupted
	default:
		v.Verdict = [...]Verdict{EndedAll: VerdictComplete, EndedSome: VerdictPartlyFailed, EndedNone: VerdictFailed}[v.Extent()]
	}
	return v
}

// Extent says how much of the goal was met: the exit code's judgement
// (0, 4, 1), which an interrupt does not change.
func (v ApplyVerdict) Extent() Extent {
	switch {
	case v.Failed == 0 && v.NotStarted == 0 && v.Unknown == 0:
		return EndedAll
	case v.Disconnected == 0:
		return EndedNone
	default:
		return EndedSome
	}
}

// Unsent is the result of a change whose disconnect was not sent: the
// plan's action decides it (already ended, not found, left alone), and a
// call the plan meant to disconnect was not started. This is the one
// mapping from plan actions to outcomes.
func Unsent(c *Change) *Result {
	switch c.Action {
	case ActionDisconnect:
		return &Result{Change: c, Outcome: OutcomeNotStarted, Err: ErrInterrupted}
	case ActionLeaveAlone:
		return &Result{Change: c, Outcome: OutcomeLeftAlone}
	case ActionNotFound:
		return &Result{Change: c, Outcome: OutcomeNotFound}
	default:
		return &Result{Change: c, Outcome: OutcomeAlreadyEnded}
	}
}
