package main

import (
	"context"
	"fmt"
	"path/filepath"
	"time"

	"github.com/callctl/callctl/exchange"
	"github.com/callctl/callctl/exchsim"
	"github.com/callctl/callctl/operation"
)

// ceilingLatency is the latency-bound half of the ceiling: -calls lookups
// at -latency by callctl (load timed apart) and by the bare client, each
// against the calibration line (bare net/http, no SOAP, same latency and
// parallelism), ceilingRounds times, medians printed; each round also
// applies against a fresh simulator and times the disconnects. The
// latency mode's ratios are one run each and include the plan's first
// NTLM handshakes in the same way; these are the figures to hold to the
// target.
func (b *bench) ceilingLatency(ctx context.Context) error {
	o := b.o
	ids := callIDs(o.calls)
	fx, err := writeFixture(filepath.Join(b.tmp, "ceiling-latency"), ids, o.auth)
	if err != nil {
		return err
	}
	sim, err := startSelfSim(ctx, o.auth, len(ids), o.latency)
	if err != nil {
		return err
	}
	defer sim.stop()
	url := sim.url + exchsim.EWSPath

	lr := &ceilingLatencyFigures{Calls: len(ids), LatencyMS: float64(o.latency) / 1e6}
	var noLoad, withLoad, bare, apply []float64
	for range ceilingRounds {
		cal, err := calibrate(ctx, len(ids), o.parallelism, o.latency, o.tls)
		if err != nil {
			return err
		}
		var r ceilingRound
		if err := b.ceilingCallctl(ctx, fx, url, &r); err != nil {
			return err
		}
		start := time.Now()
		if err := bareLookups(ctx, url, o.auth, ids, o.parallelism, o.tls); err != nil {
			return err
		}
		bareSeconds := time.Since(start).Seconds()
		applySeconds, err := b.ceilingApply(ctx, fx, len(ids))
		if err != nil {
			return err
		}
		apply = append(apply, applySeconds/cal.Seconds)
		lr.CalibrationSeconds = append(lr.CalibrationSeconds, cal.Seconds)
		noLoad = append(noLoad, r.LookupSeconds/cal.Seconds)
		withLoad = append(withLoad, (r.LookupSeconds+r.LoadSeconds)/cal.Seconds)
		bare = append(bare, bareSeconds/cal.Seconds)
	}
	lr.PlanRatio, lr.PlanRatioWithLoad, lr.BareRatio = median(noLoad), median(withLoad), median(bare)
	lr.ApplyRatio = median(apply)
	b.out.rep.Ceiling.Latency = lr

	note := ""
	if lr.PlanRatio > targetCalibrationRatio {
		note = b.out.missed("ceiling plan at latency", fmt.Sprintf("ratio without load %.3f > %.2f", lr.PlanRatio, targetCalibrationRatio))
	}
	if lr.ApplyRatio > targetCalibrationRatio {
		note += b.out.missed("ceiling apply at latency", fmt.Sprintf("ratio %.3f > %.2f", lr.ApplyRatio, targetCalibrationRatio))
	}
	b.out.linef("ceiling at %v latency, %d calls over the calibration line (median of %d): callctl plan %.2f without policy load (target <= %.2f), %.2f with it; callctl apply (disconnects only) %.2f (target <= %.2f); bare client lookups %.2f%s",
		o.latency, lr.Calls, ceilingRounds, lr.PlanRatio, targetCalibrationRatio, lr.PlanRatioWithLoad, lr.ApplyRatio, targetCalibrationRatio, lr.BareRatio, note)
	return nil
}

// ceilingLatencyFigures are ratios of run time to the calibration line's
// time, medians over the rounds.
type ceilingLatencyFigures struct {
	Calls              int       `json:"calls"`
	LatencyMS          float64   `json:"latency_ms"`
	CalibrationSeconds []float64 `json:"calibration_seconds"`
	PlanRatio          float64   `json:"plan_ratio"`           // lookups only
	PlanRatioWithLoad  float64   `json:"plan_ratio_with_load"` // policy load included
	BareRatio          float64   `json:"bare_ratio"`           // the bare SOAP client
	// ApplyRatio is the disconnects of an apply (its plan not counted)
	// over the calibration line; each round applies against a fresh
	// simulator, since an apply ends the calls it disconnects.
	ApplyRatio float64 `json:"apply_ratio"`
}

// ceilingApply plans against a fresh simulator child holding calls live
// calls, then times the apply's disconnects with the plan's clients, as
// callctl apply does after its plan.
func (b *bench) ceilingApply(ctx context.Context, fx fixture, calls int) (float64, error) {
	o := b.o
	sim, err := startSelfSim(ctx, o.auth, calls, o.latency)
	if err != nil {
		return 0, err
	}
	defer sim.stop()
	req := &operation.Request{
		Dir:            fx.dir,
		Vars:           o.policyVars(sim.url + exchsim.EWSPath),
		VarFiles:       []string{fx.varFile},
		Environ:        []string{passwordEnv + "=" + simPassword},
		Connect:        exchange.Options{Parallelism: o.parallelism, Timeout: o.requestTimeout},
		MaxDisconnects: -1,
	}
	p, diags := operation.MakePlan(ctx, req, &quietView{})
	defer p.Close()
	if diags.HasErrors() {
		return 0, diagError("planning before the apply", diags)
	}
	start := time.Now()
	res := p.Apply(ctx, ctx, operation.ApplyOptions{})
	seconds := time.Since(start).Seconds()
	if c := res.Counts(); c.Disconnected != calls {
		return 0, fmt.Errorf("callbench: apply disconnected %d of %d calls (%d failed, %d already ended, %d not started)",
			c.Disconnected, calls, c.Failed, c.AlreadyEnded, c.NotStarted)
	}
	return seconds, nil
}
