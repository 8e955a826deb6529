package operation

import (
	"slices"
	"sync"
	"sync/atomic"

	"github.com/callctl/callctl/reconcile"
)

// inFlight tracks the calls whose disconnect has been sent but not
// answered, and the outcome of every call answered, so that an apply a
// second interrupt abandons can still give every call exactly one outcome.
type inFlight struct {
	reconcile.NilHook
	mu      sync.Mutex
	sent    map[*reconcile.Change]bool
	results map[*reconcile.Change]*reconcile.Result
}

func newInFlight() *inFlight {
	return &inFlight{sent: map[*reconcile.Change]bool{}, results: map[*reconcile.Change]*reconcile.Result{}}
}

func (h *inFlight) PreDisconnect(c *reconcile.Change) {
	h.mu.Lock()
	h.sent[c] = true
	h.mu.Unlock()
}

// PostDisconnect forgets a call once the server has answered; a request
// cut off by the second interrupt got no answer, so it stays in flight.
func (h *inFlight) PostDisconnect(r *reconcile.Result) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if r.Outcome == reconcile.OutcomeUnknown {
		return
	}
	delete(h.sent, r.Change)
	h.results[r.Change] = r
}

// list names the calls still in flight, sorted.
func (h *inFlight) list() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	out := make([]string, 0, len(h.sent))
	for c := range h.sent {
		out = append(out, c.Address)
	}
	slices.Sort(out)
	return out
}

// abandoned is the result of an apply cut off by a second interrupt: each
// call answered keeps its outcome, each in flight is "sent, outcome
// unknown", each never sent is not started.
func (h *inFlight) abandoned(plan *reconcile.Plan) *reconcile.ApplyResult {
	h.mu.Lock()
	defer h.mu.Unlock()
	res := &reconcile.ApplyResult{Interrupted: true, Abandoned: true, Results: make([]*reconcile.Result, len(plan.Changes))}
	for i, c := range plan.Changes {
		r := h.results[c]
		switch {
		case r != nil:
		case h.sent[c]:
			r = &reconcile.Result{Change: c, Outcome: reconcile.OutcomeUnknown, Err: reconcile.ErrSentOutcomeUnknown}
		default:
			r = reconcile.Unsent(c)
		}
		res.Results[i] = r
	}
	return res
}

// mutable passes events to the view's hooks until muted: once an apply
// is abandoned and its summary shown, late answers must not print a
// second, different story.
type mutable struct {
	hooks []reconcile.Hook
	muted atomic.Bool
}

func (m *mutable) mute() { m.muted.Store(true) }

func (m *mutable) PostLookup(c *reconcile.Change, err error) {
	if !m.muted.Load() {
		for _, h := range m.hooks {
			h.PostLookup(c, err)
		}
	}
}

func (m *mutable) PreDisconnect(c *reconcile.Change) {
	if !m.muted.Load() {
		for _, h := range m.hooks {
			h.PreDisconnect(c)
		}
	}
}

func (m *mutable) PostDisconnect(r *reconcile.Result) {
	if !m.muted.Load() {
		for _, h := range m.hooks {
			h.PostDisconnect(r)
		}
	}
}
