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
	// FloorSeconds is the floor random busy answers force (see
	// throttledFloor).
	FloorSeconds float64 `json:"floor_seconds"`
	// HardFloorSeconds is the floor no run can beat, from the busy
	// answers this run got: at most Parallelism of them share one wait.
	HardFloorSeconds float64 `json:"hard_floor_seconds"`
	FaultFreeSeconds float64 `json:"fault_free_seconds"`
}

// throttledFloor is the time honouring every advised back-off forces on a
// shared per-exchange gate, in expectation. Each operation (a lookup and a
// disconnect per call) is sent until it is not told to back off:
// 1/(1-rate) sends on average, 2N/(1-rate) in all, of which rate are busy
// answers. A busy answer shuts the gate for the back-off; the requests
// already in flight beside it (P-1 lanes) come back meanwhile and, at the
// same rate, some of them busy too: those share the wait, nothing new is
// sent until it ends. So each back-off absorbs 1+rate·(P-1) busy answers
// on average, and the run waits busy/(1+rate·(P-1)) back-offs, plus one
// latency per round of P sends.
func throttledFloor(calls int, rate float64, backoff, latency time.Duration, parallelism int) (floor time.Duration, busy, waits float64) {
	sends := 2 * float64(calls) / (1 - rate)
	busy = sends * rate
	waits = busy / (1 + rate*float64(parallelism-1))
	floor = time.Duration(sends/float64(parallelism)*float64(latency) + waits*float64(backoff))
	return floor, busy, waits
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

	floor, expectBusy, waits := throttledFloor(o.throttledCalls, o.throttledRate, o.throttledBackoff, o.latency, o.parallelism)
	f.FloorSeconds = floor.Seconds()
	hard := math.Ceil(float64(f.BusyAnswers)/float64(o.parallelism)) * o.throttledBackoff.Seconds()
	f.HardFloorSeconds = hard
	b.out.rep.Throttled = f
	verdict := "all ended"
	if f.Disconnected != f.Calls {
		verdict = b.out.missed("throttled", fmt.Sprintf("%d of %d calls ended", f.Disconnected, f.Calls))
	}
	b.out.linef("throttled: %d calls at %.0f%% busy (%s back-off), parallelism %d: %s in %.1fs (%d requests, %d busy answers); "+
		"floor on a shared per-exchange gate %.1fs (%.0f busy answers expected, %.1f sharing each back-off: %.0f back-offs), %.2fx it; "+
		"no run can beat %.0fs (this run's busy answers, %d to a back-off); fault-free %.2fs",
		f.Calls, 100*f.BusyRate, o.throttledBackoff, o.parallelism, verdict, f.Seconds, f.Requests, f.BusyAnswers,
		f.FloorSeconds, expectBusy, expectBusy/waits, waits, f.Seconds/f.FloorSeconds, hard, o.parallelism, f.FaultFreeSeconds)
	return nil
}
