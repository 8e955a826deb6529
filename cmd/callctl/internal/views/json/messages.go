package json

import (
	"fmt"
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
	Disconnect   int    `json:"disconnect"`
	AlreadyEnded int    `json:"already_ended"`
	NotFound     int    `json:"not_found"`
	LeftAlone    int    `json:"left_alone"`
	Total        int    `json:"total"`
	Operation    string `json:"operation"` // "plan"
}

// NewChangeSummary counts plan's changes.
func NewChangeSummary(plan *reconcile.Plan) ChangeSummary {
	s := plan.Summary()
	return ChangeSummary{
		Disconnect: s.ToDisconnect, AlreadyEnded: s.AlreadyEnded, NotFound: s.NotFound,
		LeftAlone: s.LeftAlone, Total: len(plan.Changes), Operation: "plan",
	}
}

// ApplySummary counts an apply's outcomes.
type ApplySummary struct {
	// Result is the verdict in one word: "complete" (nothing failed),
	// "partly_failed" (some calls ended, others did not), "failed" (none
	// of the disconnects succeeded), "interrupted", "deadline_exceeded"
	// or "abandoned" (a second interrupt). Since UI 1.4.
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

// Apply results, the values of ApplySummary.Result.
const (
	ApplyComplete         = "complete"
	ApplyPartlyFailed     = "partly_failed"
	ApplyFailed           = "failed"
	ApplyInterrupted      = "interrupted"
	ApplyDeadlineExceeded = "deadline_exceeded"
	ApplyAbandoned        = "abandoned"
)

var applyHeadlines = map[string]string{
	ApplyComplete:         "Apply complete!",
	ApplyPartlyFailed:     "Apply partly failed!",
	ApplyFailed:           "Apply failed!",
	ApplyInterrupted:      "Apply interrupted!",
	ApplyDeadlineExceeded: "Apply stopped at -deadline!",
	ApplyAbandoned:        "Apply abandoned!",
}

// String is the one-line verdict every view prints, e.g. "Apply partly
// failed! Calls: 3 disconnected, 1 already ended, 1 failed." The headline
// says "complete" only when nothing failed.
func (s ApplySummary) String() string {
	line := fmt.Sprintf("%s Calls: %d disconnected, %d already ended", applyHeadlines[s.Result], s.Disconnected, s.AlreadyEnded)
	if s.NotFound > 0 {
		line += fmt.Sprintf(", %d not found", s.NotFound)
	}
	line += fmt.Sprintf(", %d failed", s.Failed)
	if s.LeftAlone > 0 {
		line += fmt.Sprintf(", %d left alone", s.LeftAlone)
	}
	if s.Unknown > 0 {
		line += fmt.Sprintf(", %d sent with outcome unknown", s.Unknown)
	}
	if s.NotStarted > 0 {
		line += fmt.Sprintf(", %d not started", s.NotStarted)
	}
	return line + "."
}

// NewApplySummary counts res's outcomes and gives the verdict.
func NewApplySummary(res *reconcile.ApplyResult) ApplySummary {
	c := res.Counts()
	s := ApplySummary{
		Disconnected: c.Disconnected, AlreadyEnded: c.AlreadyEnded, NotFound: c.NotFound, Failed: c.Failed,
		LeftAlone: c.LeftAlone, NotStarted: c.NotStarted, Unknown: c.Unknown, Interrupted: res.Interrupted,
		DeadlineExceeded: res.DeadlineExceeded, Abandoned: res.Abandoned,
	}
	s.Result = s.verdict()
	return s
}

// verdict says what happened, most telling first: how the apply was
// stopped, else whether anything failed (as the exit code does: 0, 4, 1).
func (s ApplySummary) verdict() string {
	switch {
	case s.Abandoned:
		return ApplyAbandoned
	case s.DeadlineExceeded:
		return ApplyDeadlineExceeded
	case s.Interrupted:
		return ApplyInterrupted
	case s.Failed == 0 && s.NotStarted == 0 && s.Unknown == 0:
		return ApplyComplete
	case s.Disconnected == 0:
		return ApplyFailed
	default:
		return ApplyPartlyFailed
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
