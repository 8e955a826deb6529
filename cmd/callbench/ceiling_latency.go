package main

import (
	"context"
	"fmt"
	"path/filepath"
	"time"

	"github.com/callctl/callctl/exchsim"
)

// ceilingLatency is the latency-bound half of the ceiling: -calls lookups
// at -latency by callctl (load timed apart) and by the bare client, each
// against the calibration line (bare net/http, no SOAP, same latency and
// parallelism), ceilingRounds times, medians printed. The latency mode's
// ratios are one run each and include the plan's first NTLM handshakes in
// the same way; these are the figures to hold to the target.
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
	var noLoad, withLoad, bare []float64
	for range ceilingRounds {
		cal, err := calibrate(ctx, len(ids), o.parallelism, o.latency)
		if err != nil {
			return err
		}
		var r ceilingRound
		if err := b.ceilingCallctl(ctx, fx, url, &r); err != nil {
			return err
		}
		start := time.Now()
		if err := bareLookups(ctx, url, o.auth, ids, o.parallelism); err != nil {
			return err
		}
		bareSeconds := time.Since(start).Seconds()
		lr.CalibrationSeconds = append(lr.CalibrationSeconds, cal.Seconds)
		noLoad = append(noLoad, r.LookupSeconds/cal.Seconds)
		withLoad = append(withLoad, (r.LookupSeconds+r.LoadSeconds)/cal.Seconds)
		bare = append(bare, bareSeconds/cal.Seconds)
	}
	lr.PlanRatio, lr.PlanRatioWithLoad, lr.BareRatio = median(noLoad), median(withLoad), median(bare)
	b.out.rep.Ceiling.Latency = lr

	note := ""
	if lr.PlanRatio > targetCalibrationRatio {
		note = b.out.missed("ceiling plan at latency", fmt.Sprintf("ratio without load %.2f > %.2f", lr.PlanRatio, targetCalibrationRatio))
	}
	b.out.linef("ceiling at %v latency, %d lookups over the calibration line (median of %d): callctl plan %.2f without policy load (target <= %.2f), %.2f with it; bare client %.2f%s",
		o.latency, lr.Calls, ceilingRounds, lr.PlanRatio, targetCalibrationRatio, lr.PlanRatioWithLoad, lr.BareRatio, note)
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
}
