package json

import (
	"time"

	"github.com/callctl/callctl/reconcile"
)

// Call describes one declared call in messages and plan documents.
type Call struct {
	Address  string `json:"address"`
	Exchange string `json:"exchange"`
	CallID   string `json:"call_id"`
	Reason   string `json:"reason,omitempty"`
}

// Observation is what a lookup found.
type Observation struct {
	Call       Call      `json:"call"`
	State      string    `json:"state,omitempty"`
	Cause      string    `json:"cause,omitempty"`
	Action     string    `json:"action"`
	ObservedAt time.Time `json:"observed_at"`
}

// NewCall describes a change's call.
func NewCall(c *reconcile.Change) Call {
	return Call{Address: c.Address, Exchange: c.Exchange, CallID: c.CallID, Reason: c.Reason}
}

// NewObservation describes a change.
func NewObservation(c *reconcile.Change) Observation {
	return Observation{Call: NewCall(c), State: c.State, Cause: c.Cause, Action: string(c.Action), ObservedAt: c.ObservedAt}
}

// ChangeSummary counts a plan's changes.
type ChangeSummary struct {
	Disconnect   int `json:"disconnect"`
	AlreadyEnded int `json:"already_ended"`
	NotFound     int `json:"not_found"`
	LeftAlone    int `json:"left_alone"`
	// Protected counts for_each-selected calls a protect block
	// forbids ending, skipped (omitted when none).
	Protected int `json:"protected,omitempty"`
	// Failed counts for_each-selected calls whose record failed to
	// evaluate, and in an apply the calls that could not be looked up
	// (omitted when none).
	Failed    int    `json:"failed,omitempty"`
	Total     int    `json:"total"`
	Operation string `json:"operation"` // "plan"
}

// NewChangeSummary counts plan's changes.
func NewChangeSummary(plan *reconcile.Plan) ChangeSummary {
	s := plan.Summary()
	return ChangeSummary{
		Disconnect: s.ToDisconnect, AlreadyEnded: s.AlreadyEnded, NotFound: s.NotFound,
		LeftAlone: s.LeftAlone, Protected: s.Protected, Failed: s.FailedToLoad + s.NotLookedUp, Total: len(plan.Changes), Operation: "plan",
	}
}

// ApplySummary is an apply's verdict on the wire, the payload of
// apply_summary; its one-line text is the views package's.
type ApplySummary struct {
	// Result is the verdict in one word (reconcile.Verdict): "complete"
	// (nothing failed), "partly_failed" (some calls ended, others did
	// not), "failed" (none of the disconnects succeeded), "interrupted",
	// "deadline_exceeded" or "abandoned" (a second interrupt). Since UI
	// 1.4.
	Result       string `json:"result"`
	Disconnected int    `json:"disconnected"`
	AlreadyEnded int    `json:"already_ended"`
	// NotFound counts calls the server did not know: already ended,
	// expired, or a wrong id. Before UI 1.4 they were counted as
	// already_ended.
	NotFound   int `json:"not_found"`
	Failed     int `json:"failed"`
	LeftAlone  int `json:"left_alone"`
	NotStarted int `json:"not_started"`
	// Unknown counts disconnects that were sent but never answered (cut
	// off by a second interrupt): the call may or may not have ended.
	// Since UI 1.4.
	Unknown          int  `json:"sent_outcome_unknown"`
	Interrupted      bool `json:"interrupted"`
	DeadlineExceeded bool `json:"deadline_exceeded"`
	Abandoned        bool `json:"abandoned"`
}

// NewApplySummary puts an apply's verdict on the wire.
func NewApplySummary(v reconcile.ApplyVerdict) ApplySummary {
	return ApplySummary{
		Result:       string(v.Verdict),
		Disconnected: v.Disconnected, AlreadyEnded: v.AlreadyEnded, NotFound: v.NotFound, Failed: v.Failed,
		LeftAlone: v.LeftAlone, NotStarted: v.NotStarted, Unknown: v.Unknown,
		Interrupted: v.Interrupted, DeadlineExceeded: v.DeadlineExceeded, Abandoned: v.Abandoned,
	}
}

// DisconnectResult is the payload of disconnect_complete and
// disconnect_errored.
type DisconnectResult struct {
	Call       Call    `json:"call"`
	Outcome    string  `json:"outcome"`
	Error      string  `json:"error,omitempty"`
	ElapsedSec float64 `json:"elapsed_seconds"`
}

// NewDisconnectResult describes one apply result.
func NewDisconnectResult(r *reconcile.Result) DisconnectResult {
	out := DisconnectResult{Call: NewCall(r.Change), Outcome: string(r.Outcome), ElapsedSec: r.Duration.Seconds()}
	if r.Err != nil {
		out.Error = r.Err.Error()
	}
	return out
}
