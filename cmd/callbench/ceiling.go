package main

import (
	"context"
	"fmt"
	"path/filepath"
	"runtime"
	"slices"
	"time"

	"github.com/callctl/callctl/exchange"
	"github.com/callctl/callctl/exchsim"
	"github.com/callctl/callctl/operation"
)

// Targets of the ceiling mode, from the issue that asked for it.
const (
	ceilingRounds        = 3   // each figure is the median of this many runs
	targetCPURatio       = 1.3 // callctl's CPU per lookup over the bare client's
	targetLoadPerCallSec = 20e-6
)

// ceiling compares callctl's lookups with the bare client's (bare.go):
// same simulator, auth, parallelism and call ids, in one invocation.
type ceiling struct {
	Calls  int             `json:"calls"`
	Rounds []ceilingRound  `json:"rounds"`
	Median ceilingFigures  `json:"median"`
	Ratios ceilingRatioSet `json:"ratios"`
	// Children is the same comparison with each client a whole process
	// of its own (ceiling_child.go); the figures above are in-process.
	Children *ceilingChildren `json:"children,omitempty"`
	// Latency is the latency-bound comparison; absent at -latency=0.
	Latency *ceilingLatencyFigures `json:"latency,omitempty"`
}

// ceilingRound is one run of each client. CPU figures are the process's
// user+system time (getrusage), not wall time; zero where unavailable.
type ceilingRound struct {
	LoadSeconds      float64 `json:"load_seconds"`       // callctl: policy load, call selection, client setup
	LoadCPUSeconds   float64 `json:"load_cpu_seconds"`   //
	LookupSeconds    float64 `json:"lookup_seconds"`     // callctl: the planner's lookups alone
	LookupCPUSeconds float64 `json:"lookup_cpu_seconds"` //
	BareSeconds      float64 `json:"bare_seconds"`       // the bare client's lookups
	BareCPUSeconds   float64 `json:"bare_cpu_seconds"`   //
}

// ceilingFigures are per-lookup medians over the rounds.
type ceilingFigures struct {
	CallctlPerSecond      float64 `json:"callctl_lookups_per_second"` // lookups only, load excluded
	BarePerSecond         float64 `json:"bare_lookups_per_second"`
	CallctlCPUMicros      float64 `json:"callctl_cpu_us_per_lookup"`           // lookups only
	CallctlCPUMicrosTotal float64 `json:"callctl_cpu_us_per_lookup_with_load"` // load included
	BareCPUMicros         float64 `json:"bare_cpu_us_per_lookup"`
	LoadMicrosPerCall     float64 `json:"load_us_per_call"`     // wall time
	LoadCPUMicrosPerCall  float64 `json:"load_cpu_us_per_call"` // CPU time
}

// ceilingRatioSet are callctl over bare, each the median of the rounds'
// ratios.
type ceilingRatioSet struct {
	Rate         float64 `json:"rate"`                     // callctl rate / bare rate; 1 is the ceiling
	CPU          float64 `json:"cpu_per_lookup"`           // lookups only; target <= targetCPURatio
	CPUWithLoad  float64 `json:"cpu_per_lookup_with_load"` // policy load included
	Time         float64 `json:"time"`                     // lookup wall time over the bare client's
	TimeWithLoad float64 `json:"time_with_load"`           // plan wall time, load included, over the bare client's
}

// ceilingFigures runs -cpu-calls lookups at zero latency ceilingRounds
// times with each client, alternating which goes first, against one
// simulator child process, and prints the medians and ratios.
func (b *bench) ceilingFigures(ctx context.Context) error {
	o := b.o
	if o.faulty() {
		b.out.linef("ceiling: skipped under injected faults (the bare client does not retry)")
		return nil
	}
	ids := callIDs(o.cpuCalls)
	fx, err := writeFixture(filepath.Join(b.tmp, "ceiling"), ids, o.auth)
	if err != nil {
		return err
	}
	sim, err := startSelfSim(ctx, o.auth, len(ids), 0)
	if err != nil {
		return err
	}
	defer sim.stop()
	url := sim.url + exchsim.EWSPath

	c := &ceiling{Calls: len(ids)}
	for i := range ceilingRounds {
		var r ceilingRound
		callctlFirst := i%2 == 0
		for _, callctl := range []bool{callctlFirst, !callctlFirst} {
			if err := ctx.Err(); err != nil {
				return fmt.Errorf("callbench: interrupted: %w", err)
			}
			if callctl {
				if err := b.ceilingCallctl(ctx, fx, url, &r); err != nil {
					return err
				}
				continue
			}
			runtime.GC() // the previous run's garbage is not this run's cost
			cpu0, _ := processCPU()
			start := time.Now()
			if err := bareLookups(ctx, url, o.auth, ids, o.parallelism, o.tls); err != nil {
				return err
			}
			r.BareSeconds = time.Since(start).Seconds()
			cpu1, _ := processCPU()
			r.BareCPUSeconds = (cpu1 - cpu0).Seconds()
		}
		c.Rounds = append(c.Rounds, r)
	}
	c.summarise()
	b.out.rep.Ceiling = c
	b.printCeiling(c)
	if err := b.ceilingChildFigures(ctx, c, fx, ids, url); err != nil {
		return err
	}
	if o.latency > 0 {
		return b.ceilingLatency(ctx)
	}
	return nil
}

// ceilingCallctl is one callctl plan, made by the operation backend as
// `callctl plan` makes it, timed in two parts: loading (policy, var-file,
// selection, clients) and lookups. The view marks the boundary: the
// backend announces the lookups once everything before them is done.
func (b *bench) ceilingCallctl(ctx context.Context, fx fixture, url string, r *ceilingRound) error {
	runtime.GC()
	cpu0, _ := processCPU()
	start := time.Now()
	req := &operation.Request{
		Dir:            fx.dir,
		Vars:           b.o.policyVars(url),
		VarFiles:       []string{fx.varFile},
		Environ:        []string{passwordEnv + "=" + simPassword},
		Connect:        exchange.Options{Parallelism: b.o.parallelism, Timeout: b.o.requestTimeout},
		MaxDisconnects: -1,
	}
	view := &markingView{}
	p, diags := operation.MakePlan(ctx, req, view)
	end := time.Now()
	cpu2, _ := processCPU()
	defer p.Close()
	if diags.HasErrors() {
		return diagError("planning", diags)
	}
	if n := p.Plan.Summary().ToDisconnect; n != fx.calls {
		return fmt.Errorf("callbench: the plan would disconnect %d of %d live calls", n, fx.calls)
	}
	r.LoadSeconds = view.loaded.Sub(start).Seconds()
	r.LoadCPUSeconds = (view.loadedCPU - cpu0).Seconds()
	r.LookupSeconds = end.Sub(view.loaded).Seconds()
	r.LookupCPUSeconds = (cpu2 - view.loadedCPU).Seconds()
	return nil
}

// markingView is a quietView that notes the wall and CPU time at which the
// lookups start.
type markingView struct {
	quietView
	loaded    time.Time
	loadedCPU time.Duration
}

func (v *markingView) Planning(calls, exchanges int) {
	v.loadedCPU, _ = processCPU()
	v.loaded = time.Now()
	v.quietView.Planning(calls, exchanges)
}

// summarise computes the medians and ratios of the rounds.
func (c *ceiling) summarise() {
	n := float64(c.Calls)
	per := func(f func(r ceilingRound) float64) float64 {
		v := make([]float64, len(c.Rounds))
		for i, r := range c.Rounds {
			v[i] = f(r)
		}
		return median(v)
	}
	us := func(s float64) float64 { return s / n * 1e6 }
	c.Median = ceilingFigures{
		CallctlPerSecond:      per(func(r ceilingRound) float64 { return n / r.LookupSeconds }),
		BarePerSecond:         per(func(r ceilingRound) float64 { return n / r.BareSeconds }),
		CallctlCPUMicros:      per(func(r ceilingRound) float64 { return us(r.LookupCPUSeconds) }),
		CallctlCPUMicrosTotal: per(func(r ceilingRound) float64 { return us(r.LookupCPUSeconds + r.LoadCPUSeconds) }),
		BareCPUMicros:         per(func(r ceilingRound) float64 { return us(r.BareCPUSeconds) }),
		LoadMicrosPerCall:     per(func(r ceilingRound) float64 { return us(r.LoadSeconds) }),
		LoadCPUMicrosPerCall:  per(func(r ceilingRound) float64 { return us(r.LoadCPUSeconds) }),
	}
	c.Ratios = ceilingRatioSet{
		Rate:         per(func(r ceilingRound) float64 { return r.BareSeconds / r.LookupSeconds }),
		CPU:          per(func(r ceilingRound) float64 { return ratio(r.LookupCPUSeconds, r.BareCPUSeconds) }),
		CPUWithLoad:  per(func(r ceilingRound) float64 { return ratio(r.LookupCPUSeconds+r.LoadCPUSeconds, r.BareCPUSeconds) }),
		Time:         per(func(r ceilingRound) float64 { return r.LookupSeconds / r.BareSeconds }),
		TimeWithLoad: per(func(r ceilingRound) float64 { return (r.LookupSeconds + r.LoadSeconds) / r.BareSeconds }),
	}
}

func (b *bench) printCeiling(c *ceiling) {
	m, q := c.Median, c.Ratios
	b.out.linef("ceiling (in-process): %d lookups at zero latency, callctl and a bare net/http+encoding/xml client, %d rounds each in this process, simulator in a child process; medians:",
		c.Calls, len(c.Rounds))
	b.out.linef("ceiling rate (in-process): callctl %.0f lookups/s, bare %.0f lookups/s, ratio %.2f (lookups only, 1 is the ceiling)",
		m.CallctlPerSecond, m.BarePerSecond, q.Rate)
	note := ""
	if m.BareCPUMicros == 0 {
		note = " (process CPU time is unavailable on this platform)"
	} else if q.CPU > targetCPURatio {
		note = b.out.missed("ceiling cpu per lookup (in-process)", fmt.Sprintf("ratio %.2f > %.2f", q.CPU, targetCPURatio))
	}
	b.out.linef("ceiling cpu per lookup (in-process, user+system): callctl %.1f µs, bare %.1f µs, ratio %.2f (target <= %.2f); with policy load %.1f µs, ratio %.2f%s",
		m.CallctlCPUMicros, m.BareCPUMicros, q.CPU, targetCPURatio, m.CallctlCPUMicrosTotal, q.CPUWithLoad, note)
	note = ""
	if m.LoadMicrosPerCall > targetLoadPerCallSec*1e6 {
		note = b.out.missed("ceiling policy load", fmt.Sprintf("%.1f µs per call > %.0f", m.LoadMicrosPerCall, targetLoadPerCallSec*1e6))
	}
	b.out.linef("ceiling policy load (var-file of %d ids, for_each, clients): %.1f µs per call wall, %.1f µs CPU (target <= %.0f µs)%s",
		c.Calls, m.LoadMicrosPerCall, m.LoadCPUMicrosPerCall, targetLoadPerCallSec*1e6, note)
	b.out.linef("ceiling time over bare (in-process): %.2f lookups only, %.2f with policy load", q.Time, q.TimeWithLoad)
}

func median(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	s := slices.Clone(v)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// ratio is a/b, or 0 when b is: CPU time may be unavailable.
func ratio(a, b float64) float64 {
	if b == 0 {
		return 0
	}
	return a / b
}
