package main

import (
	"context"
	"fmt"
	"path/filepath"
	"time"

	"github.com/callctl/callctl/exchsim"
	"github.com/callctl/callctl/journal"
)

// bench is one callbench run: its settings, scratch directory and output.
type bench struct {
	o   options
	tmp string
	out *printer
}

// latencyFigures measures -calls calls at -latency: plan, then apply
// (disconnects only) with the plan's clients, as apply does after its
// plan; then, against a fresh simulator, plan+disconnect as one `callctl
// apply -auto-approve`.
func (b *bench) latencyFigures(ctx context.Context) error {
	o, rep := b.o, b.out.rep
	ids := callIDs(o.calls)
	fx, err := writeFixture(filepath.Join(b.tmp, "latency"), ids, o.auth)
	if err != nil {
		return err
	}

	if o.latency > 0 {
		cal, err := calibrate(ctx, o.calls, o.parallelism, o.latency, o.tls)
		if err != nil {
			return err
		}
		rep.Calibration = cal
		b.setFloor(cal, 1, o.latency)
		b.out.timed("calibration (bare net/http, same latency and parallelism, no target)", "requests", cal, false)
	}

	s, err := startSession(o, fx, ids, o.latency)
	if err != nil {
		return err
	}
	defer s.Close()
	before := s.srv.Stats()
	p := s.makePlan(ctx)
	defer p.close()
	mid := s.srv.Stats()
	if err := b.checkPlan(ctx, p, o.calls); err != nil {
		return err
	}
	rep.PlanLatency = planFigure(p, o.calls, statsDelta(before, mid))
	b.setFloor(rep.PlanLatency, 1, o.latency)
	b.out.timed("plan latency-bound", "calls", rep.PlanLatency, !o.faulty())
	b.calibrationRatios("plan latency-bound", rep.PlanLatency, 1)

	a := s.apply(ctx, p)
	if err := b.checkApply(ctx, p, a); err != nil {
		return err
	}
	// Under faults the plan may hold fewer calls than were declared.
	rep.ApplyDisconnects = applyFigure(a, p.plan.Summary().ToDisconnect, statsDelta(mid, s.srv.Stats()))
	b.setFloor(rep.ApplyDisconnects, 1, o.latency)
	b.out.timed("apply latency-bound (disconnects only)", "calls", rep.ApplyDisconnects, !o.faulty())
	b.calibrationRatios("apply latency-bound (disconnects only)", rep.ApplyDisconnects, 1)
	p.close()
	s.Close()

	full, err := b.planAndApply(ctx, fx, ids, o.latency)
	if err != nil {
		return err
	}
	rep.ApplyFull = full
	b.setFloor(full, 2, o.latency)
	b.out.timed("apply latency-bound (plan+disconnect, as callctl apply)", "calls", full, !o.faulty())
	b.calibrationRatios("apply latency-bound (plan+disconnect)", full, 2)

	// Apply reuses the plan's connections, so the plan and the full run
	// are the ones that open any.
	b.out.connections("plan", rep.PlanLatency.Server, o.parallelism, o.auth, !o.faulty())
	b.out.connections("apply, disconnects only", rep.ApplyDisconnects.Server, o.parallelism, o.auth, !o.faulty())
	b.out.connections("apply, plan+disconnect", full.Server, o.parallelism, o.auth, !o.faulty())
	return nil
}

// planAndApply runs what `callctl apply -auto-approve` does against a
// fresh simulator: plan, then disconnect with the same clients. A plan
// that fails under injected faults stops it, as it stops callctl.
func (b *bench) planAndApply(ctx context.Context, fx fixture, ids []string, latency time.Duration) (*figure, error) {
	s, err := startSession(b.o, fx, ids, latency)
	if err != nil {
		return nil, err
	}
	defer s.Close()
	start := time.Now()
	p := s.makePlan(ctx)
	defer p.close()
	if err := b.checkPlan(ctx, p, len(ids)); err != nil {
		return nil, err
	}
	f := planFigure(p, len(ids), exchsim.Stats{})
	if p.err == nil {
		a := s.apply(ctx, p)
		if err := b.checkApply(ctx, p, a); err != nil {
			return nil, err
		}
		c := a.res.Counts()
		f.Outcomes = journal.CountsOf(c)
	}
	f.Seconds = time.Since(start).Seconds()
	f.Server = s.srv.Stats()
	return f, nil
}

// checkPlan says whether a plan's failure is an error. Under injected
// faults failed lookups are the outcome being measured; otherwise every
// call must have been looked up and found live.
func (b *bench) checkPlan(ctx context.Context, p *planRun, calls int) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("callbench: interrupted: %w", err)
	}
	if p.err != nil && (p.plan == nil || !b.o.faulty()) {
		return p.err
	}
	if n := p.plan.Summary().ToDisconnect; !b.o.faulty() && n != calls {
		return fmt.Errorf("callbench: the plan would disconnect %d of %d live calls", n, calls)
	}
	return nil
}

// checkApply insists, without injected faults, that every planned call
// was disconnected.
func (b *bench) checkApply(ctx context.Context, p *planRun, a applyRun) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("callbench: interrupted: %w", err)
	}
	if c := a.res.Counts(); !b.o.faulty() && c.Disconnected != p.plan.Summary().ToDisconnect {
		return fmt.Errorf("callbench: apply disconnected %d of %d calls (%d failed, %d already ended, %d not started)",
			c.Disconnected, p.plan.Summary().ToDisconnect, c.Failed, c.AlreadyEnded, c.NotStarted)
	}
	return nil
}

func planFigure(p *planRun, calls int, st exchsim.Stats) *figure {
	f := &figure{
		Calls:          calls,
		Seconds:        p.total.Seconds(),
		LoadSeconds:    p.load.Seconds(),
		LookupFailures: p.failures,
		Server:         st,
	}
	if p.plan != nil {
		f.Plan = planCountsOf(p.plan.Summary())
	}
	if p.err != nil {
		f.Error = p.err.Error()
	}
	return f
}

func applyFigure(a applyRun, calls int, st exchsim.Stats) *figure {
	c := a.res.Counts()
	return &figure{Calls: calls, Seconds: a.duration.Seconds(), Outcomes: journal.CountsOf(c), Server: st}
}

// setFloor sets the figure's floor, the time the simulator's latency alone
// imposes: every request waits latency, and parallelism of them overlap.
func (b *bench) setFloor(f *figure, requestsPerCall int, latency time.Duration) {
	floor := time.Duration(f.Calls*requestsPerCall) * latency / time.Duration(b.o.parallelism)
	f.FloorSeconds = floor.Seconds()
	if floor > 0 {
		f.Ratio = f.Seconds / f.FloorSeconds
	}
}

// rateFigure turns a run into a cpu-bound rate.
func rateFigure(f *figure) *figure {
	if f.Seconds > 0 {
		f.PerSecond = float64(f.Calls) / f.Seconds
	}
	return f
}
