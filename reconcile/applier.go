package reconcile

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/callctl/callctl/soap"
)

// Outcome is how one declared call ended up after an apply.
type Outcome string

const (
	OutcomeDisconnected Outcome = "disconnected"
	OutcomeAlreadyEnded Outcome = "already_ended" // ended before we got to it
	// OutcomeNotFound: the plan found the id unknown to the server (ended
	// long ago, expired, or a wrong id); never counted as already ended.
	OutcomeNotFound   Outcome = "not_found"
	OutcomeFailed     Outcome = "failed"
	OutcomeLeftAlone  Outcome = "left_alone"  // live, but its only_in_states guard excluded it
	OutcomeNotStarted Outcome = "not_started" // apply was interrupted before its disconnect was sent
	// OutcomeUnknown: the disconnect was sent and no answer said whether
	// it ended the call: cut off by a second interrupt, or an attempt got
	// no answer and whatever came next (a back-off past -max-backoff, the
	// exchange given up, the last attempt failing) settled nothing.
	OutcomeUnknown Outcome = "sent_outcome_unknown"
)

// Result is the outcome of one call in an apply.
type Result struct {
	Change  *Change
	Outcome Outcome
	// Err says why the call failed (OutcomeFailed) or was not started.
	Err      error
	Duration time.Duration
}

// ApplyResult holds exactly one Result per change of the plan, in plan
// order, then the plan's NotLookedUp calls (failed, never sent).
type ApplyResult struct {
	Results []*Result
	// Interrupted is set when the apply was asked to stop before every
	// disconnect had been started.
	Interrupted bool
	// DeadlineExceeded is set when what stopped it was the run's deadline
	// rather than an interrupt.
	DeadlineExceeded bool
	// Abandoned is set when a second interrupt cut the apply off with
	// disconnects in flight (see OutcomeUnknown).
	Abandoned bool
	// FailedToLoad is the plan's: calls that failed before any lookup,
	// counted among Failed.
	FailedToLoad int
}

// ApplyCounts counts an apply's results by outcome.
type ApplyCounts struct {
	Disconnected int
	AlreadyEnded int
	NotFound     int
	Failed       int
	LeftAlone    int
	NotStarted   int
	Unknown      int
}

// Counts counts the results by outcome.
func (r *ApplyResult) Counts() ApplyCounts {
	c := ApplyCounts{Failed: r.FailedToLoad}
	for _, res := range r.Results {
		switch res.Outcome {
		case OutcomeDisconnected:
			c.Disconnected++
		case OutcomeAlreadyEnded:
			c.AlreadyEnded++
		case OutcomeFailed:
			c.Failed++
		case OutcomeLeftAlone:
			c.LeftAlone++
		case OutcomeNotStarted:
			c.NotStarted++
		case OutcomeNotFound:
			c.NotFound++
		case OutcomeUnknown:
			c.Unknown++
		}
	}
	return c
}

// Failures returns the results that failed or were never started.
func (r *ApplyResult) Failures() []*Result {
	var out []*Result
	for _, res := range r.Results {
		if res.Outcome == OutcomeFailed || res.Outcome == OutcomeNotStarted || res.Outcome == OutcomeUnknown {
			out = append(out, res)
		}
	}
	return out
}

// Applier carries out a plan.
type Applier struct {
	Callers     map[string]soap.Caller
	Parallelism int // per exchange; default DefaultParallelism
	Hooks       []Hook
	// Recheck looks each call up again just before disconnecting it, so that
	// a saved plan applied later does not act on stale state: a call that
	// ended meanwhile is reported as already ended.
	Recheck bool
}

// ErrInterrupted is the Err of results whose disconnect was never sent
// because the apply was asked to stop.
var ErrInterrupted = errors.New("apply was interrupted before this call's disconnect was sent")

// sentUnknown starts the Err of every OutcomeUnknown result.
const sentUnknown = "sent, outcome unknown"

// ErrSentOutcomeUnknown is the Err of results whose disconnect was sent and
// then cut off before an answer came.
var ErrSentOutcomeUnknown = errors.New(sentUnknown + ": the disconnect was sent but the apply was abandoned before an answer came; check the call with \"callctl plan\"")

// Apply disconnects every call the plan marks for disconnection, with
// bounded parallelism per exchange. One call failing does not stop the
// others. Hooks see the outcome of every call marked for disconnection,
// also of those never started. When stop is done no further disconnects are started, but those
// in flight run on under ctx, which cancels them when it is done.
func (a *Applier) Apply(stop, ctx context.Context, plan *Plan) *ApplyResult {
	hk := hooks(a.Hooks)
	res := &ApplyResult{Results: make([]*Result, len(plan.Changes)), FailedToLoad: plan.FailedToLoad}

	byExchange := map[string][]int{}
	for i, c := range plan.Changes {
		if c.Action == ActionDisconnect {
			byExchange[c.Exchange] = append(byExchange[c.Exchange], i)
		} else {
			res.Results[i] = Unsent(c)
		}
	}

	perExchange(byExchange, a.Parallelism,
		func() bool { return stop.Err() != nil || ctx.Err() != nil },
		func(exchange string, i int) {
			r := a.disconnect(ctx, a.Callers[exchange], plan.Changes[i], hk)
			res.Results[i] = r
			hk.PostDisconnect(r)
		},
		func(i int) {
			res.Results[i] = Unsent(plan.Changes[i])
			hk.PostDisconnect(res.Results[i])
		})
	for _, r := range res.Results {
		if r.Outcome == OutcomeNotStarted {
			res.Interrupted = true
		}
	}
	// Calls that could not be looked up failed, each with its reason;
	// nothing was sent for them, so no hook hears of them.
	res.Results = append(res.Results, plan.NotLookedUp...)
	res.DeadlineExceeded = errors.Is(stop.Err(), context.DeadlineExceeded) || errors.Is(ctx.Err(), context.DeadlineExceeded)
	return res
}

func (a *Applier) disconnect(ctx context.Context, caller soap.Caller, c *Change, hk hooks) *Result {
	start := time.Now()
	r := &Result{Change: c}
	defer func() { r.Duration = time.Since(start) }()
	if caller == nil {
		r.Outcome, r.Err = OutcomeFailed, fmt.Errorf("no client for exchange %q", c.Exchange)
		return r
	}
	if a.Recheck {
		info, err := caller.CallInfo(ctx, c.CallID)
		switch {
		case errors.Is(err, soap.ErrCallNotFound):
			r.Outcome = OutcomeAlreadyEnded
			return r
		case err != nil:
			r.Outcome, r.Err = OutcomeFailed, fmt.Errorf("re-checking state before disconnect: %w", err)
			if short := shortIfGivenUp("not looked up", err); short != nil {
				r.Err = short
			}
			return r
		}
		guard := c.OnlyInStates
		if c.Call != nil {
			guard = c.Call.OnlyInStates // the policy's guard, never a plan file's
		}
		switch Classify(info.State, guard) {
		case ActionNone:
			r.Outcome = OutcomeAlreadyEnded
			return r
		case ActionLeaveAlone:
			r.Outcome = OutcomeLeftAlone
			return r
		}
	}
	if err := hk.gate(c); err != nil {
		r.Outcome, r.Err = OutcomeFailed, fmt.Errorf("disconnect not sent: %w", err)
		return r
	}
	hk.PreDisconnect(c)
	err := caller.Disconnect(ctx, c.CallID)
	switch {
	case err == nil:
		r.Outcome = OutcomeDisconnected
	case errors.Is(err, soap.ErrCallNotFound) && maybeApplied(err):
		// An earlier attempt went out unanswered and the retry finds the
		// call gone: that attempt ended it.
		r.Outcome = OutcomeDisconnected
	case errors.Is(err, soap.ErrCallNotFound):
		// The call ended between the lookup and now: the goal is met.
		r.Outcome = OutcomeAlreadyEnded
	case (!soap.Answered(err) || maybeApplied(err)) && !errors.Is(err, context.Canceled) && !notSent(err):
		// The request went out and no answer came back: the server may
		// have ended the call. Say so rather than let "failed" suggest
		// the call is certainly still up.
		r.Outcome, r.Err = OutcomeUnknown, fmt.Errorf("%s: %w; the disconnect was sent but not answered, so the call may have ended: check it with \"callctl plan\"", sentUnknown, err)
		if xe := givenUp(err); xe != nil {
			r.Err = &shortError{msg: fmt.Sprintf("%s: %s; the call may have ended: check it with \"callctl plan\"", sentUnknown, xe.Short()), err: err}
		}
	case errors.Is(err, context.Canceled):
		// Cut off by the second interrupt after it went out: one truth,
		// the same words the journal uses.
		r.Outcome, r.Err = OutcomeUnknown, ErrSentOutcomeUnknown
	default:
		r.Outcome, r.Err = OutcomeFailed, err
		what := "not disconnected"
		if notSent(err) {
			what = "disconnect not sent"
		}
		if short := shortIfGivenUp(what, err); short != nil {
			r.Err = short
		}
	}
	return r
}

// maybeApplied reports whether err says the operation may have taken
// effect although its last attempt was answered (see
// throttle.MaybeAppliedError).
func maybeApplied(err error) bool {
	var m interface{ MaybeApplied() bool }
	return errors.As(err, &m) && m.MaybeApplied()
}

// notSent reports whether err says the disconnect cannot have taken effect
// (see throttle.NotSentError): its exchange was given up before it went
// out, or no attempt's bytes were ever written.
func notSent(err error) bool {
	var m interface{ NotSent() bool }
	if errors.As(err, &m) && m.NotSent() {
		return true
	}
	// A refused connection, a failed name lookup or TLS handshake: the
	// request was never written, unless an earlier attempt was.
	return soap.NeverSent(err) && !maybeApplied(err)
}
