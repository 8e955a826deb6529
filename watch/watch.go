// Package watch runs apply over and over (callctl apply -watch): every
// interval it re-reads the policy and its data sources, plans and applies,
// the way a controller holds its resources to their spec. A cycle that
// fails (a policy edited into an invalid state, an unreachable exchange, a
// failing inventory command) is reported and the next cycle tries afresh:
// the last good policy is never reused. Cycles never overlap, the apply
// lock is held per cycle, and the exchanges' clients are kept across
// cycles so that connections and their NTLM authentication are reused.
package watch

import (
	"context"
	"errors"
	"slices"
	"time"

	"github.com/hashicorp/hcl/v2"

	"github.com/callctl/callctl/config"
	"github.com/callctl/callctl/exchange"
	"github.com/callctl/callctl/metrics"
	"github.com/callctl/callctl/operation"
	"github.com/callctl/callctl/reconcile"
)

// View is what a watch reports through: each cycle's apply, and a summary
// after each cycle.
type View interface {
	operation.ApplyView
	CycleSummary(*Summary)
}

// Summary is one cycle in numbers.
type Summary struct {
	Cycle    int
	Started  time.Time
	Duration time.Duration
	// Result is metrics.ResultOK, ResultPartial, ResultError or
	// ResultInterrupted.
	Result string
	// LookedUp counts lookups; the others count calls by what became of
	// them. Failed counts failed lookups and failed disconnects.
	LookedUp, Disconnected, AlreadyEnded, NotFound, Failed int
	// Errors counts the cycle's error diagnostics, Repeated those of
	// them the previous cycle had already had, which were not shown
	// again.
	Errors, Repeated int
	// Exchanges is what the cycle learnt about each exchange it sent
	// requests to (for the probes and callctl_exchange_unhealthy). An
	// exchange a cycle does not try, waiting for a later one, belongs
	// here too, with metrics.ReasonBackingOff and when it is tried next.
	Exchanges map[string]metrics.ExchangeStatus
	// Protected counts the calls a for_each selected that a protect
	// block forbids ending: skipped.
	Protected int
	// NextTries are the exchanges given up by this or an earlier cycle
	// that later cycles leave alone for a while, and when each is tried
	// again.
	NextTries []exchange.NextTry
}

// Options configure a watch.
type Options struct {
	// Interval is the time from one cycle's start to the next's; a cycle
	// that takes longer delays the next.
	Interval time.Duration
	// Request is each cycle's apply. Its AutoApprove is implied, and a
	// LockTimeout shorter than Interval is raised to it: a one-off apply
	// holding the lock delays a cycle rather than failing it.
	Request operation.ApplyRequest
	// Reload, when it delivers (SIGHUP), starts the next cycle at once
	// rather than at the interval; one that comes during a cycle starts
	// the next as soon as this one ends.
	Reload <-chan struct{}
	// Metrics and Health, when set, are kept up to date.
	Metrics *metrics.Metrics
	Health  *metrics.Health
}

// Run runs cycles until stop is done, and returns the status apply would
// have had for the last cycle (see exitStatus). A first interrupt during
// a cycle lets its in-flight disconnects finish and be journalled; a
// second abandons them, as for apply.
func Run(stop, hard context.Context, opts Options, view View) operation.Status {
	pool := exchange.NewPool()
	// An exchange a cycle gave up rests for one interval, then two,
	// four, ... up to exchange.DefaultRestCap, until it answers again.
	pool.RestBase = opts.Interval
	if opts.Metrics != nil {
		pool.Observer = opts.Metrics
	}
	defer pool.Close()
	once := &onceDiags{}
	for n := 1; ; n++ {
		start := time.Now()
		if opts.Health != nil {
			opts.Health.CycleStarted(n, start)
		}
		sum, status := runCycle(stop, hard, &opts, pool, once, view)
		sum.Cycle, sum.Started, sum.Duration = n, start, time.Since(start)
		sum.NextTries = pool.NextTries()
		finished := time.Now()
		if opts.Metrics != nil {
			opts.Metrics.CycleDone(sum.Result, sum.Duration, finished)
		}
		if opts.Health != nil {
			opts.Health.CycleFinished(n, sum.Result, finished, sum.Exchanges)
		}
		view.CycleSummary(sum)
		if stop.Err() != nil || hard.Err() != nil {
			return status
		}
		if !sleepUntil(stop, opts.Reload, start.Add(opts.Interval)) {
			// Stopped between cycles: nothing was under way.
			return operation.StatusOK
		}
	}
}

// sleepUntil waits for t, or for a reload, or returns false when stop is
// done first.
func sleepUntil(stop context.Context, reload <-chan struct{}, t time.Time) bool {
	d := time.Until(t)
	if d <= 0 {
		return stop.Err() == nil
	}
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-timer.C:
		return true
	case <-reload:
		return stop.Err() == nil
	case <-stop.Done():
		return false
	}
}

// runCycle is one apply with the pool's clients, counted, and the status
// the watch exits with if it is the last.
func runCycle(stop, hard context.Context, opts *Options, pool *exchange.Pool, once *onceDiags, view View) (*Summary, operation.Status) {
	req := opts.Request // a copy: each cycle starts from the same request
	req.AutoApprove = true
	req.PlanFile = ""
	req.Clients = pool
	if req.LockTimeout < opts.Interval {
		req.LockTimeout = opts.Interval
	}
	t := &tally{metrics: opts.Metrics}
	ex := &exchangeHealth{}
	req.Hooks = append(slices.Clone(req.Hooks), t, ex)
	once.next()
	cv := &cycleView{View: view, once: once, metrics: opts.Metrics}
	res := operation.Apply(stop, hard, &req, cv)

	sum := t.summary(res)
	if res.Plan != nil {
		sum.Protected = res.Plan.Protected
		if res.Applied == nil {
			sum.Failed += res.Plan.FailedToLoad // the apply's verdict counts them otherwise
		}
		if opts.Metrics != nil {
			opts.Metrics.Protected(sum.Protected)
			opts.Metrics.RecordsFailed(res.Plan.FailedToLoad)
		}
	}
	sum.Errors, sum.Repeated = once.errors, once.repeated
	sum.Exchanges = ex.statuses()
	sum.Result = cycleResult(res, stop.Err() != nil)
	return sum, exitStatus(res)
}

// cycleResult is a cycle's result, the metrics' label for it: ok when
// the apply met its goal (or had nothing to do), partial when calls it
// tried to end were left up, interrupted when our own interrupt stopped
// it with nothing failed, error when it could not run.
func cycleResult(res *operation.Result, stopped bool) string {
	switch {
	case res.Status == operation.StatusOK:
		return metrics.ResultOK
	case res.Applied != nil:
		v := res.Applied.Verdict()
		if v.Failed == 0 && (v.Verdict == reconcile.VerdictInterrupted || v.Verdict == reconcile.VerdictAbandoned) {
			return metrics.ResultInterrupted
		}
		if v.Disconnected == 0 && onlyNotLookedUp(res.Applied) {
			// No call could be looked up: nothing was tried.
			return metrics.ResultError
		}
		// Failures, -deadline, no answer, or (complete) a journal
		// that could not be completed.
		return metrics.ResultPartial
	case stopped:
		// Stopped mid-plan: no failure of the policy or the exchange.
		return metrics.ResultInterrupted
	default:
		return metrics.ResultError
	}
}

// exitStatus is how a watch stopped during this cycle exits: as apply
// for the same cycle once it applied (0, 4 if some calls were left up, 1
// if none was ended, the second interrupt included); 0 when it was
// stopped before any disconnect was under way.
func exitStatus(res *operation.Result) operation.Status {
	if res.Applied != nil && !(res.Applied.Counts().Disconnected == 0 && onlyNotLookedUp(res.Applied)) {
		return res.Status
	}
	return operation.StatusOK
}

// cycleView is the watch's view for one cycle: diagnostics the previous
// cycle showed are not shown again, and data source reads are counted.
type cycleView struct {
	View
	once    *onceDiags
	metrics *metrics.Metrics
}

func (v *cycleView) Diagnostics(diags hcl.Diagnostics) {
	if shown := v.once.filter(diags); len(shown) > 0 {
		v.View.Diagnostics(shown)
	}
}

func (v *cycleView) DataSourceRead(ds *config.DataSource) {
	if v.metrics != nil && ds.Read {
		v.metrics.DataSourceRead(ds.Address, ds.Records)
	}
	v.View.DataSourceRead(ds)
}

// stoppedErr reports whether err is only our own interrupt, which is no
// failure of the call.
func stoppedErr(err error) bool { return errors.Is(err, context.Canceled) }

// onlyNotLookedUp reports whether every call the apply failed to end
// failed because it could not be looked up.
func onlyNotLookedUp(res *reconcile.ApplyResult) bool {
	fails := res.Failures()
	for _, r := range fails {
		if !reconcile.NotLookedUp(r) {
			return false
		}
	}
	return len(fails) > 0
}
