package main

import (
	"context"
	"fmt"
	"math"
	"path/filepath"
	"time"

	"github.com/callctl/callctl/exchsim"
)

// throttledFigure is the throttled mode's measurement: how long ending N
// calls takes when a share of requests is answered ErrorServerBusy with a
// back-off, against the floor that honouring every back-off on a shared
// per-exchange gate forces, and against the same run without faults.
type throttledFigure struct {
	Calls          int     `json:"calls"`
	BusyRate       float64 `json:"busy_rate"`
	BackoffSeconds float64 `json:"backoff_seconds"`
	Parallelism    int     `json:"parallelism"`
	Seconds        float64 `json:"seconds"`
	Disconnected   int     `json:"disconnected"`
	BusyAnswers    int64   `json:"busy_answers"`
	Requests       int64   `json:"requests"`
	// FloorSeconds is the expected floor (see throttledFloor).
	FloorSeconds float64 `json:"floor_seconds"`
	// HardFloorSeconds is the floor no run can beat, from the busy
	// answers this run got: at most Parallelism of them share one wait.
	HardFloorSeconds float64 `json:"hard_floor_seconds"`
	FaultFreeSeconds float64 `json:"fault_free_seconds"`
}

// throttledFloor is the time honouring every advised back-off forces on a
// shared per-exchange gate, in expectation. Each operation (a lookup and a
// disconnect per call) is sent until it is not told to back off:
// 1/(1-rate) sends on average, 2N/(1-rate) in all. While the gate is open
// the P lanes send together; their answers come back together, one
// latency later, and if any of them says "busy" (probability
// 1-(1-rate)^P) the gate shuts for the back-off before the next round can
// go. So the run takes at least rounds × latency plus, for each round that
// met a busy answer, one back-off.
func throttledFloor(calls int, rate float64, backoff, latency time.Duration, parallelism int) (floor time.Duration, rounds, closures float64) {
	sends := 2 * float64(calls) / (1 - rate)
	rounds = sends / float64(parallelism)
	closures = rounds * (1 - math.Pow(1-rate, float64(parallelism)))
	floor = time.Duration(rounds*float64(latency) + closures*float64(backoff))
	return floor, rounds, closures
}

// throttledFigure ends -throttled-calls calls under -throttled-rate busy
// answers asking for -throttled-backoff, as one `callctl apply
// -auto-approve`, then the same calls without faults.
func (b *bench) throttledFigure(ctx context.Context) error {
	o := b.o
	ids := callIDs(o.throttledCalls)
	fx, err := writeFixture(filepath.Join(b.tmp, "throttled"), ids, o.auth)
	if err != nil {
		return err
	}
	f := &throttledFigure{Calls: o.throttledCalls, BusyRate: o.throttledRate, BackoffSeconds: o.throttledBackoff.Seconds(), Parallelism: o.parallelism}

	// Under faults every call must still end: throttling slows callctl
	// down, it does not stop it.
	busy := o
	busy.fault, busy.faultRate = "busy", o.throttledRate
	busy.busyBackoff = o.throttledBackoff
	b2 := &bench{o: busy, tmp: b.tmp, out: b.out}
	faulty, err := b2.planAndApply(ctx, fx, ids, o.latency)
	if err != nil {
		return err
	}
	f.Seconds = faulty.Seconds
	if c := faulty.Outcomes; c != nil {
		f.Disconnected = c.Disconnected
	}
	f.BusyAnswers = faulty.Server.Faults[exchsim.FaultServerBusy]
	for _, n := range faulty.Server.Requests {
		f.Requests += n
	}

	clean := o
	clean.fault = "none"
	b3 := &bench{o: clean, tmp: b.tmp, out: b.out}
	free, err := b3.planAndApply(ctx, fx, ids, o.latency)
	if err != nil {
		return err
	}
	f.FaultFreeSeconds = free.Seconds

	floor, rounds, closures := throttledFloor(o.throttledCalls, o.throttledRate, o.throttledBackoff, o.latency, o.parallelism)
	f.FloorSeconds = floor.Seconds()
	hard := math.Ceil(float64(f.BusyAnswers)/float64(o.parallelism)) * o.throttledBackoff.Seconds()
	f.HardFloorSeconds = hard
	b.out.rep.Throttled = f
	verdict := "all ended"
	if f.Disconnected != f.Calls {
		verdict = b.out.missed("throttled", fmt.Sprintf("%d of %d calls ended", f.Disconnected, f.Calls))
	}
	b.out.linef("throttled: %d calls at %.0f%% busy (%s back-off), parallelism %d: %s in %.1fs (%d requests, %d busy answers); "+
		"expected floor on a shared per-exchange gate %.1fs (%.0f rounds of %d lanes, %.0f of them told to back off), %.2fx it; "+
		"hard floor from this run's busy answers %.0fs; fault-free %.2fs",
		f.Calls, 100*f.BusyRate, o.throttledBackoff, o.parallelism, verdict, f.Seconds, f.Requests, f.BusyAnswers,
		f.FloorSeconds, rounds, o.parallelism, closures, f.Seconds/f.FloorSeconds, hard, f.FaultFreeSeconds)
	return nil
}
