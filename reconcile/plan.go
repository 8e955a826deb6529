// Package reconcile compares the calls a policy declares against what the
// exchanges report, and carries out the resulting plan. It never prints:
// progress and results reach the caller through Hook.
package reconcile

import (
	"time"

	"github.com/callctl/callctl/config"
)

// Action is what a plan will do with one declared call.
type Action string

const (
	// ActionDisconnect: the call is live and will be ended.
	ActionDisconnect Action = "disconnect"
	// ActionNone: the call is already over (Idle or Disconnected).
	ActionNone Action = "already_ended"
	// ActionNotFound: the server does not know the id: it ended long ago,
	// expired, or never existed. Nothing to do, but worth listing.
	ActionNotFound Action = "not_found"
	// ActionLeaveAlone: the call is live but in a state its only_in_states
	// guard excludes, so it is deliberately left up.
	ActionLeaveAlone Action = "left_alone"
)

// Change is one declared call, what the server said of it and what the plan
// will do about it.
type Change struct {
	Address  string
	Exchange string
	CallID   string
	Reason   string
	State    string // as the server reported it; empty when not found
	Cause    string
	Action   Action
	// OnlyInStates is the call's guard, kept so that a saved plan can be
	// re-checked against it at apply time.
	OnlyInStates []string
	ObservedAt   time.Time

	// Call is the declaration this change came from; nil for changes read
	// back from a saved plan.
	Call *config.Call
}

// Plan is the result of looking every declared call up.
type Plan struct {
	Changes   []*Change // sorted by Address, then Exchange
	CreatedAt time.Time
	// Protected counts the calls a for_each selected that protect
	// blocks forbid ending: skipped, not in Changes.
	Protected int
	// NotLookedUp are the calls whose lookup failed after its attempts
	// (or whose exchange was given up): not in Changes. A plan with any
	// is refused; an apply carries each into its result as a failed
	// call, with its reason, and ends the others.
	NotLookedUp []*Result
	// FailedToLoad counts the calls whose record failed to evaluate
	// (config.Policy.Failed): not in Changes, never looked up, and
	// counted as failed by the apply's verdict.
	FailedToLoad int
}

// Summary counts a plan's changes by action.
type Summary struct {
	ToDisconnect int
	AlreadyEnded int
	NotFound     int
	LeftAlone    int
	Protected    int // skipped: see Plan.Protected
	FailedToLoad int // see Plan.FailedToLoad
}

// Summary counts the plan's changes by action.
func (p *Plan) Summary() Summary {
	s := Summary{Protected: p.Protected, FailedToLoad: p.FailedToLoad}
	for _, c := range p.Changes {
		switch c.Action {
		case ActionDisconnect:
			s.ToDisconnect++
		case ActionNone:
			s.AlreadyEnded++
		case ActionNotFound:
			s.NotFound++
		case ActionLeaveAlone:
			s.LeftAlone++
		}
	}
	return s
}

// HasChanges reports whether applying the plan would disconnect anything.
func (p *Plan) HasChanges() bool { return p.Summary().ToDisconnect > 0 }
