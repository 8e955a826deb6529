package main

import (
	"context"
	"path/filepath"
	"runtime"
	"sync/atomic"

	"github.com/callctl/callctl/reconcile"
)

// cpuFigures measures plan and apply of -cpu-calls calls at zero latency,
// client and simulator sharing this process's CPUs, and samples the
// goroutine count during the plan.
func (b *bench) cpuFigures(ctx context.Context) error {
	o, rep := b.o, b.out.rep
	ids := callIDs(o.cpuCalls)
	fx, err := writeFixture(filepath.Join(b.tmp, "cpu"), ids, o.auth)
	if err != nil {
		return err
	}
	s, err := startSession(o, fx, ids, 0)
	if err != nil {
		return err
	}
	defer s.Close()

	before := s.srv.Stats()
	gh := &goroutineHook{}
	baseline := runtime.NumGoroutine()
	p := s.makePlan(ctx, gh)
	defer p.close()
	mid := s.srv.Stats()
	if err := b.checkPlan(ctx, p, o.cpuCalls); err != nil {
		return err
	}
	rep.PlanCPU = rateFigure(planFigure(p, o.cpuCalls, statsDelta(before, mid)))
	b.out.rate("plan cpu-bound", "lookups", rep.PlanCPU, !o.faulty())
	rep.Goroutines = b.goroutineFigure(o.cpuCalls, baseline, int(gh.max.Load()))

	a := s.apply(ctx, p)
	if err := b.checkApply(ctx, p, a); err != nil {
		return err
	}
	rep.ApplyCPU = rateFigure(applyFigure(a, p.plan.Summary().ToDisconnect, statsDelta(mid, s.srv.Stats())))
	b.out.rate("apply cpu-bound", "disconnects", rep.ApplyCPU, !o.faulty())
	return nil
}

// goroutinesOnly runs an in-process plan of -cpu-calls calls at zero
// latency just for the goroutine figure, when the cpu mode does not run.
func (b *bench) goroutinesOnly(ctx context.Context) error {
	o := b.o
	ids := callIDs(o.cpuCalls)
	fx, err := writeFixture(filepath.Join(b.tmp, "goroutines"), ids, o.auth)
	if err != nil {
		return err
	}
	s, err := startSession(o, fx, ids, 0)
	if err != nil {
		return err
	}
	defer s.Close()
	gh := &goroutineHook{}
	baseline := runtime.NumGoroutine()
	p := s.makePlan(ctx, gh)
	defer p.close()
	if err := b.checkPlan(ctx, p, o.cpuCalls); err != nil {
		return err
	}
	b.out.rep.Goroutines = b.goroutineFigure(o.cpuCalls, baseline, int(gh.max.Load()))
	return nil
}

// goroutineFigure prints the peak goroutine count against its bound: the
// planner, the client's connections and the simulator's handlers each
// need a few goroutines per unit of parallelism, none per call.
func (b *bench) goroutineFigure(calls, baseline, max int) *goroutines {
	g := &goroutines{
		Calls:    calls,
		Baseline: baseline,
		Max:      max,
		Bound:    baseline + goroutinesPerWorker*b.o.parallelism + goroutinesSlack,
	}
	note := ""
	if g.Max > g.Bound {
		note = b.out.missed("goroutines", "the count grows with the calls, not the parallelism")
	}
	b.out.linef("goroutines: max %d during an in-process plan of %d calls, simulator included (baseline %d, bound %d = baseline + %d×parallelism + %d)%s",
		g.Max, calls, g.Baseline, g.Bound, goroutinesPerWorker, goroutinesSlack, note)
	return g
}

// goroutineHook samples the goroutine count after every lookup, when the
// workers are busiest.
type goroutineHook struct {
	reconcile.NilHook
	max atomic.Int64
}

func (h *goroutineHook) PostLookup(*reconcile.Change, error) {
	n := int64(runtime.NumGoroutine())
	for {
		m := h.max.Load()
		if n <= m || h.max.CompareAndSwap(m, n) {
			return
		}
	}
}
