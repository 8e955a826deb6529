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
	Disconnected     int  `json:"disconnected"`
	AlreadyEnded     int  `json:"already_ended"`
	Failed           int  `json:"failed"`
	LeftAlone        int  `json:"left_alone"`
	NotStarted       int  `json:"not_started"`
	Interrupted      bool `json:"interrupted"`
	DeadlineExceeded bool `json:"deadline_exceeded"`
}

// String is the one-line verdict every view prints, e.g. "Apply complete!
// Calls: 3 disconnected, 1 already ended, 1 failed."
func (s ApplySummary) String() string {
	head := "Apply complete!"
	switch {
	case s.DeadlineExceeded:
		head = "Apply stopped at -deadline!"
	case s.Interrupted:
		head = "Apply interrupted!"
	}
	line := fmt.Sprintf("%s Calls: %d disconnected, %d already ended, %d failed", head, s.Disconnected, s.AlreadyEnded, s.Failed)
	if s.LeftAlone > 0 {
		line += fmt.Sprintf(", %d left alone", s.LeftAlone)
	}
	if s.NotStarted > 0 {
		line += fmt.Sprintf(", %d not started", s.NotStarted)
	}
	return line + "."
}

// NewApplySummary counts res's outcomes.
func NewApplySummary(res *reconcile.ApplyResult) ApplySummary {
	c := res.Counts()
	return ApplySummary{
		Disconnected: c.Disconnected, AlreadyEnded: c.AlreadyEnded, Failed: c.Failed,
		LeftAlone: c.LeftAlone, NotStarted: c.NotStarted, Interrupted: res.Interrupted,
		DeadlineExceeded: res.DeadlineExceeded,
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
